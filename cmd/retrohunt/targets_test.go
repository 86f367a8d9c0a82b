package main

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/retrohunt/retrohunt/sources/open"
)

// TestOpenTargetKeepsTheChain: a failure to open an archive reads as the
// one-line explanation and still answers errors.Is for its cause, and the
// usage errors among them are found by class, not by text.
func TestOpenTargetKeepsTheChain(t *testing.T) {
	var f sourceFlags
	_, err := openTarget(context.Background(), "gs://bucket/prefix", &f, 1)
	var usage usageError
	if !errors.As(err, &usage) || !errors.Is(err, open.ErrUnknownScheme) {
		t.Fatalf("gs:// gave %#v, want a usage error wrapping open.ErrUnknownScheme", err)
	}
	// The message as documented by sources/open's test.
	if want := `unknown archive URL scheme "gs" (want a path, file://, s3://, azblob:// or https://<account>.blob.core.windows.net/)`; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}

	_, err = openTarget(context.Background(), filepath.Join(t.TempDir(), "missing"), &f, 1)
	if !errors.As(err, &usage) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a missing path gave %#v, want a usage error wrapping fs.ErrNotExist", err)
	}
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		t.Errorf("a missing path lost its *fs.PathError: %#v", err)
	}
}
