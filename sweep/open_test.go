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
	if !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("the cause is lost: %v does not wrap ENOTDIR", err)
	}
	if err == nil || !strings.HasPrefix(err.Error(), "--state "+stateURL+": ") || strings.Contains(err.Error(), "\n") {
		t.Errorf("OpenStores = %v, want one line naming --state and its URL", err)
	}

	_, err = sweep.OpenStores(context.Background(), "", "ftp://host/lake/", open.Options{})
	if err == nil || !strings.HasPrefix(err.Error(), "--out ftp://host/lake/: ") {
		t.Errorf("OpenStores with an unknown scheme = %v, want an error naming --out and its URL", err)
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
