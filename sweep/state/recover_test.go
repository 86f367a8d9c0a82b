package state_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/output/lake"
	"github.com/retrohunt/retrohunt/scan"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sweep/state"
	"github.com/retrohunt/retrohunt/sweep/sweeptest"
)

// The kill matrix, which drives Recover through the sweep driver, is in
// package sweep (kill_test.go).

// Recover on its own: all parts there → committed; some → the others
// deleted and the objects needed again; a part outside the lake → error.
func TestRecover(t *testing.T) {
	ctx := context.Background()
	st := sweeptest.Local(t)
	put := func(key string) {
		if _, err := st.Put(ctx, key, strings.NewReader("PAR1"), 4, sources.Condition{}); err != nil {
			t.Fatal(err)
		}
	}
	s := load(t, st)
	out := func(uri string) []state.Outcome {
		return []state.Outcome{{URI: uri, ETag: "e", Size: 1, Status: scan.ObjectScanned, Hits: 1, Ruleset: rulesA}}
	}
	part := func(key string) lake.File { return lake.File{Key: key, URI: st.URI(key), Run: "r"} }
	s.Stage([]lake.File{part("l/a1"), part("l/a2")}, out("s3://t/a"))
	s.Stage([]lake.File{part("l/b1"), part("l/b2")}, out("s3://t/b"))
	s.Stage(nil, out("s3://t/c"))
	save(t, s)
	put("l/a1")
	put("l/a2")
	put("l/b1")

	s = load(t, st)
	if len(s.Pending()) != 3 {
		t.Fatalf("%d pending after load", len(s.Pending()))
	}
	r, err := s.Recover(ctx, st, []byte("tomb"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Committed != 2 || r.Undone != 1 || r.Objects != 1 || strings.Join(r.Tombstoned, " ") != st.URI("l/b1")+" "+st.URI("l/b2") {
		t.Errorf("Recover = %+v", r)
	}
	if s.Need("s3://t/a", "e", 1, rulesA) || !s.Need("s3://t/b", "e", 1, rulesA) || s.Need("s3://t/c", "e", 1, rulesA) {
		t.Error("Need after Recover")
	}
	// Both parts of the undone checkpoint are tombstones now: the one
	// that was committed, and the one that might still land.
	for _, key := range []string{"l/b1", "l/b2"} {
		if b, _, err := st.Get(ctx, key); err != nil || string(b) != "tomb" {
			t.Errorf("%s after Recover: %q %v, want the tombstone", key, b, err)
		}
	}
	if _, err := st.Put(ctx, "l/b2", strings.NewReader("late"), 4, sources.Condition{IfNoneMatch: true}); !st.IsConflict(err) {
		t.Errorf("a late upload of an undone part: %v, want a conflict", err)
	}
	if len(s.Parts()) != 2 {
		t.Errorf("Parts = %v, want the two of the committed checkpoint", s.Parts())
	}

	// A Recover killed among its tombstones: every part name now
	// exists, but the undo was decided, so the next Recover finishes it
	// instead of taking the checkpoint for complete.
	s = load(t, st)
	s.Stage([]lake.File{part("l/c1"), part("l/c2")}, out("s3://t/d"))
	save(t, s)
	put("l/c2")
	s = load(t, st)
	if _, err := s.Recover(ctx, (&sweeptest.Killer{At: 2, After: true}).Wrap(st), []byte("tomb")); !errors.Is(err, sweeptest.ErrKilled) {
		t.Fatalf("Recover = %v, want killed at its first tombstone", err)
	}
	s = load(t, st)
	if r, err := s.Recover(ctx, st, []byte("tomb")); err != nil || r.Committed != 0 || r.Undone != 1 {
		t.Errorf("Recover after a Recover killed mid-undo = %+v, %v; want the undo finished", r, err)
	}
	if !s.Need("s3://t/d", "e", 1, rulesA) {
		t.Error("the undone object is not needed")
	}

	other := sweeptest.Local(t)
	s.Stage([]lake.File{part("l/z")}, nil)
	if _, err := s.Recover(ctx, other, nil); err == nil || !strings.Contains(err.Error(), "same --out") {
		t.Errorf("Recover against another lake: %v", err)
	}
}
