package local_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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

// TestStoreConformancePrefixed runs the write cases in a sub-folder, as
// they run in a per-run folder of a real bucket; this proves the
// narrowing wrapper.
func TestStoreConformancePrefixed(t *testing.T) {
	sourcetest.RunStore(t, func(t *testing.T) sourcetest.StoreEnv {
		st, err := local.NewDir(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return sourcetest.StoreEnv{Store: sourcetest.PrefixedStore(st, "run/")}
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

// TestStoreProcesses has several processes increment one counter with
// read, If-Match write, retry on conflict: no increment may be lost, so
// the flock must exclude other processes, not only other goroutines.
func TestStoreProcesses(t *testing.T) {
	if dir := os.Getenv("RETROHUNT_COUNTER_DIR"); dir != "" {
		counterProcess(t, dir)
		return
	}
	dir := t.TempDir()
	st, err := local.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Put(context.Background(), "n", strings.NewReader("0"), 1, sources.Condition{IfNoneMatch: true}); err != nil {
		t.Fatal(err)
	}
	const procs, each = 4, 25
	cmds := make([]*exec.Cmd, procs)
	for i := range cmds {
		cmds[i] = exec.Command(os.Args[0], "-test.run=^TestStoreProcesses$", "-test.count=1")
		cmds[i].Env = append(os.Environ(), "RETROHUNT_COUNTER_DIR="+dir, "RETROHUNT_COUNTER_N="+strconv.Itoa(each))
		cmds[i].Stderr = os.Stderr
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("counter process: %v", err)
		}
	}
	b, _, err := st.Get(context.Background(), "n")
	if err != nil {
		t.Fatal(err)
	}
	if got := string(b); got != strconv.Itoa(procs*each) {
		t.Errorf("counter = %s after %d processes × %d increments, want %d", got, procs, each, procs*each)
	}
}

func counterProcess(t *testing.T, dir string) {
	st, err := local.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	n, _ := strconv.Atoi(os.Getenv("RETROHUNT_COUNTER_N"))
	for done := 0; done < n; {
		b, etag, err := st.Get(ctx, "n")
		if err != nil {
			t.Fatal(err)
		}
		v, err := strconv.Atoi(string(b))
		if err != nil {
			t.Fatal(err)
		}
		next := strconv.Itoa(v + 1)
		_, err = st.Put(ctx, "n", strings.NewReader(next), int64(len(next)), sources.Condition{IfMatch: etag})
		switch {
		case err == nil:
			done++
		case !st.IsConflict(err):
			t.Fatal(err)
		}
	}
}
