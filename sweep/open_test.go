package sweep_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/retrohunt/retrohunt/sources/open"
	"github.com/retrohunt/retrohunt/sweep"
)

// A store that cannot be opened is named by its flag, explained in one
// line, and keeps its cause for errors.Is and errors.As.
func TestOpenStoresKeepsTheCause(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plain")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The state's folder would be below a regular file.
	stateURL := filepath.Join(file, "sub", "sweep.state")
	_, err := sweep.OpenStores(context.Background(), stateURL, dir+"/lake/", open.Options{})
	var oe *sweep.OpenError
	if !errors.As(err, &oe) || oe.Flag != "--state" {
		t.Fatalf("OpenStores = %v, want an *OpenError for --state", err)
	}
	if !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("the cause is lost: %v does not wrap ENOTDIR", err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "--state "+stateURL+": ") || msg != "--state "+stateURL+": "+open.Explain(oe.Err) {
		t.Errorf("message %q, want --state, the URL and open.Explain's line", msg)
	}

	_, err = sweep.OpenStores(context.Background(), "", "ftp://host/lake/", open.Options{})
	if !errors.As(err, &oe) || oe.Flag != "--out" || !strings.HasPrefix(err.Error(), "--out ftp://host/lake/: ") {
		t.Errorf("OpenStores with an unknown scheme = %v, want an *OpenError for --out", err)
	}
}

func TestIsLake(t *testing.T) {
	for out, want := range map[string]bool{
		"hits.parquet": false, "-": false, "": false, "out/hits.jsonl": false,
		"lake/": true, "s3://b/findings": true, "azblob://a/c/p": true, "https://a.blob.core.windows.net/c/p": true,
	} {
		if got := sweep.IsLake(out); got != want {
			t.Errorf("IsLake(%q) = %v, want %v", out, got, want)
		}
	}
}
