package local_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/local"
	"github.com/retrohunt/retrohunt/sources/sourcetest"
)

func TestStoreConformance(t *testing.T) {
	sourcetest.RunStore(t, func(t *testing.T) sourcetest.StoreEnv {
		st, err := local.NewDir(filepath.Join(t.TempDir(), "new", "dir"))
		if err != nil {
			t.Fatal(err)
		}
		return sourcetest.StoreEnv{Store: st}
	})
}

// A key must not leave the directory.
func TestStoreKeysStayInside(t *testing.T) {
	dir := t.TempDir()
	st, err := local.NewDir(filepath.Join(dir, "root"))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"../escape", "a/../../escape", "/abs", "a//b", "a/./b", "", "dir/"} {
		if _, err := st.Put(context.Background(), key, strings.NewReader("x"), 1, sources.Condition{}); err == nil {
			t.Errorf("Put(%q) succeeded", key)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "escape")); err == nil {
		t.Error("a Put escaped the directory")
	}
}

// The ETag is the SHA-256 of the content, and a failed Put leaves no
// temporary file behind.
func TestStoreETagAndNoLeftovers(t *testing.T) {
	dir := t.TempDir()
	st, err := local.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	etag, err := st.Put(ctx, "a/state", strings.NewReader("abc"), 3, sources.Condition{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; etag != want {
		t.Errorf("ETag %s, want sha256(abc) %s", etag, want)
	}
	if _, err := st.Put(ctx, "a/state", bytes.NewReader([]byte("ab")), 3, sources.Condition{}); err == nil {
		t.Fatal("short body accepted")
	}
	if _, err := st.Put(ctx, "a/state", strings.NewReader("x"), 1, sources.Condition{IfNoneMatch: true}); !st.IsConflict(err) {
		t.Fatalf("want a conflict, got %v", err)
	}
	ents, err := os.ReadDir(filepath.Join(dir, "a"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != local.LockName+",state" {
		t.Errorf("directory holds %v, want only the lock file and the state", names)
	}
	if st, err := os.Stat(filepath.Join(dir, "a", "state")); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("state file: %v, mode %v", err, st.Mode())
	}
}
