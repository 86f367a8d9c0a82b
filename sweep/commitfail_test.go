package sweep_test

import (
	"context"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sweep/state"
	"github.com/retrohunt/retrohunt/sweep/sweeptest"
)

// unwritable is a store in which some names cannot exist, as a local
// file system refuses a 256-byte file name: a Put of a key that matches
// fails with ENAMETOOLONG, and the key is remembered as one that a List
// or Get naming it fails on too, in this run and every later one.
type unwritable struct {
	sources.Store
	match func(key string) bool // nil: only the keys remembered
	bad   *sync.Map             // key → true
}

func (u unwritable) refused(key string) bool {
	if _, ok := u.bad.Load(key); ok {
		return true
	}
	if u.match != nil && u.match(key) {
		u.bad.Store(key, true)
		return true
	}
	return false
}

func tooLong(op, key string) error {
	return &os.PathError{Op: op, Path: key, Err: syscall.ENAMETOOLONG}
}

func (u unwritable) Put(ctx context.Context, key string, body io.Reader, size int64, c sources.Condition) (string, error) {
	if u.refused(key) {
		return "", tooLong("write", key)
	}
	return u.Store.Put(ctx, key, body, size, c)
}

func (u unwritable) Get(ctx context.Context, key string) ([]byte, string, error) {
	if _, ok := u.bad.Load(key); ok {
		return nil, "", tooLong("open", key)
	}
	return u.Store.Get(ctx, key)
}

func (u unwritable) List(ctx context.Context, prefix string, fn func(sources.Object) error) error {
	if _, ok := u.bad.Load(prefix); ok {
		return tooLong("lstat", prefix)
	}
	return u.Store.List(ctx, prefix, fn)
}

// TestRecoverAfterCommitError is issue 15's item 6 for recovery: a
// commit that fails for good (a part name the store cannot hold) stops
// the run with a pending checkpoint naming that part. The next run — in
// which such names no longer arise, but the old one still cannot be
// checked or overwritten — recovers, completes, and leaves every hit in
// the lake once, every part with hits in a manifest.
func TestRecoverAfterCommitError(t *testing.T) {
	ctx := context.Background()
	objs := archive(10)
	want := wantIDs(objs)
	base := sweeptest.Local(t)
	bad := &sync.Map{}
	first := unwritable{Store: base, bad: bad, match: func(key string) bool {
		return strings.Contains(key, "rule=rule_b/part-")
	}}
	if err := run(ctx, first, objs); err == nil {
		t.Fatal("the first run succeeded although a part could not be committed")
	} else {
		t.Logf("first run: %v", err)
	}
	n := 0
	bad.Range(func(any, any) bool { n++; return true })
	if n == 0 {
		t.Fatal("no commit failed")
	}
	// The next run: the names the first run chose still fail.
	if err := run(ctx, unwritable{Store: base, bad: bad}, objs); err != nil {
		t.Fatalf("the run after the failed commit: %v", err)
	}
	got, unlisted := lakeHits(t, base)
	if !equal(got, want) {
		t.Errorf("the lake holds %d hits, want %d, each once:\n got %v\nwant %v", len(got), len(want), got, want)
	}
	if len(unlisted) > 0 {
		t.Errorf("part files with hits in no manifest: %v", unlisted)
	}
	s, err := state.Load(ctx, base, stateKey)
	if err != nil {
		t.Fatal(err)
	}
	if p := s.Pending(); len(p) > 0 || len(s.Parts()) > 0 {
		t.Errorf("after the second run, %d checkpoints pending and %d parts unlisted", len(p), len(s.Parts()))
	}
}
