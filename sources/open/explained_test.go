package open

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
)

// TestExplainedKeepsTheChain: the message is Explain's, the cause stays
// reachable through a wrapping fmt.Errorf.
func TestExplainedKeepsTheChain(t *testing.T) {
	cause := &Error{Kind: KindNotFound, Location: "s3://nope", Endpoint: "AWS S3", Err: fs.ErrNotExist}
	err := fmt.Errorf("list s3://nope/x: %w", Explained(cause))
	if want := "list s3://nope/x: " + Explain(cause); err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	var e *Error
	if !errors.As(err, &e) || e != cause || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("chain lost: %v", err)
	}
	if Explained(nil) != nil {
		t.Error("Explained(nil) is not nil")
	}
}
