package state_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/output/lake"
	"github.com/retrohunt/retrohunt/scan"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/local"
	"github.com/retrohunt/retrohunt/sweep/state"
)

// This file proves the checkpoint protocol: a sweep killed at any store
// operation, then run again, leaves exactly the clean run's hits in the
// lake, each once, with every part file listed by a manifest.

var errKilled = errors.New("killed")

// killer is a Store that dies at its n-th write (Put): before
// it reaches the store, or after (the process dies before it hears the
// answer). A dead store fails every request, as a killed process makes
// none.
type killer struct {
	sources.Store
	mu    sync.Mutex
	n     int  // write number to die at; 0: never
	after bool // die after the write instead of before
	ops   int
	dead  bool
}

func (k *killer) step() (die, perform bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.dead {
		return true, false
	}
	k.ops++
	if k.n > 0 && k.ops == k.n {
		k.dead = true
		return true, k.after
	}
	return false, true
}

func (k *killer) alive() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.dead {
		return errKilled
	}
	return nil
}

func (k *killer) Put(ctx context.Context, key string, body io.Reader, size int64, c sources.Condition) (string, error) {
	die, perform := k.step()
	if perform {
		etag, err := k.Store.Put(ctx, key, body, size, c)
		if !die || err != nil {
			return etag, err
		}
	}
	return "", errKilled
}

func (k *killer) Get(ctx context.Context, key string) ([]byte, string, error) {
	if err := k.alive(); err != nil {
		return nil, "", err
	}
	return k.Store.Get(ctx, key)
}

func (k *killer) List(ctx context.Context, prefix string, fn func(sources.Object) error) error {
	if err := k.alive(); err != nil {
		return err
	}
	return k.Store.List(ctx, prefix, fn)
}

// sweepObj is an archive object with the hits a scan of it finds.
type sweepObj struct {
	uri, etag string
	size      int64
	hits      []output.Hit
}

func sweepArchive(n int) []sweepObj {
	var objs []sweepObj
	for i := 0; i < n; i++ {
		o := sweepObj{uri: fmt.Sprintf("s3://trail/o%02d.json.gz", i), etag: fmt.Sprintf("e%d", i), size: int64(10 + i)}
		for j := 0; j < i%4; j++ {
			o.hits = append(o.hits, output.Hit{
				RuleName:    []string{"rule_a", "rule_b", "rule_c"}[(i+j)%3],
				EventTime:   time.Date(2024, 3, 1, 20, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour),
				SourceURI:   o.uri,
				SourceETag:  o.etag,
				RecordIndex: int64(j),
			})
		}
		objs = append(objs, o)
	}
	return objs
}

const (
	lakePrefix   = "lake/findings/"
	sweepState   = "state/sweep.state"
	checkpointAt = 3 // objects per checkpoint
)

// sweep is the reference driver of the protocol, as scan.Run and the CLI
// should drive it:
//
//  1. Load the state; Recover pending checkpoints against the lake (with
//     lake.Tombstone()); Recover saves.
//  2. Open the lake in explicit mode, adopting the parts of runs that
//     stopped before their manifest.
//  3. For each listed object the state Needs: write its hits, remember
//     its outcome. Every few objects (or when the lake is Full):
//     Checkpoint: the callback Stages the outcomes with the finished
//     part files and Saves the state; then the parts are committed;
//     then Commit the checkpoint in memory (the next Save records it).
//  4. A last checkpoint; Save; write the manifest; ClearParts; Save.
func sweep(ctx context.Context, st sources.Store, objs []sweepObj) error {
	s, err := state.Load(ctx, st, sweepState)
	if err != nil {
		return err
	}
	if _, err := s.Recover(ctx, st, lake.Tombstone()); err != nil {
		return err
	}
	adopt := s.Parts()
	lk, err := lake.New(ctx, st, lakePrefix, lake.Options{
		PartitionBy: []string{lake.ByDate, lake.ByRule}, MaxRows: 2, Explicit: true, Adopt: adopt,
	})
	if err != nil {
		return err
	}
	defer lk.Abort()
	s.SetRun(lk.RunID())

	var outs []state.Outcome
	checkpoint := func() error {
		var id int64
		_, err := lk.Checkpoint(func(files []lake.File) error {
			id = s.Stage(files, outs)
			return s.Save(ctx)
		})
		if err != nil {
			return err
		}
		s.Commit(id)
		outs = nil
		return nil
	}
	for _, o := range objs {
		if !s.Need(o.uri, o.etag, o.size, rulesA) {
			continue
		}
		if len(o.hits) > 0 {
			if err := lk.Write(append([]output.Hit(nil), o.hits...)); err != nil {
				return err
			}
		}
		outs = append(outs, state.Outcome{URI: o.uri, ETag: o.etag, Size: o.size, Status: scan.ObjectScanned, Hits: int64(len(o.hits)), Ruleset: rulesA})
		if len(outs) >= checkpointAt || lk.Full() {
			if err := checkpoint(); err != nil {
				return err
			}
		}
	}
	if err := checkpoint(); err != nil {
		return err
	}
	if err := s.Save(ctx); err != nil {
		return err
	}
	if err := lk.CloseWithManifest(map[string]int{"objects": len(objs)}); err != nil {
		return err
	}
	s.ClearParts()
	return s.Save(ctx)
}

// lakeHits reads every part file under the prefix, as a Hive reader
// would, and every manifest; it returns the hits' identities and the
// part keys no manifest lists.
func lakeHits(t *testing.T, st sources.Store) (ids []string, unlisted []string) {
	t.Helper()
	ctx := context.Background()
	listed := map[string]bool{}
	runs, err := lake.Manifests(ctx, st, lakePrefix)
	if err != nil {
		t.Fatal(err)
	}
	for _, run := range runs {
		m, err := lake.ReadManifest(ctx, st, lakePrefix, run)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range append(m.Files, m.Adopted...) {
			listed[f.Key] = true
		}
	}
	err = st.List(ctx, lakePrefix, func(o sources.Object) error {
		if !strings.HasSuffix(o.Key, ".parquet") || strings.HasPrefix(path.Base(o.Key), ".") {
			return nil
		}
		b, _, err := st.Get(ctx, o.Key)
		if err != nil {
			return err
		}
		rows := 0
		err = output.ReadHits(bytes.NewReader(b), int64(len(b)), output.ReadOptions{}, func(hs []output.Hit) error {
			for _, h := range hs {
				ids = append(ids, fmt.Sprintf("%s#%d/%s", h.SourceURI, h.RecordIndex, h.RuleName))
			}
			rows += len(hs)
			return nil
		})
		// Tombstones (no rows) need no manifest.
		if rows > 0 && !listed[o.Key] {
			unlisted = append(unlisted, o.Key)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(ids)
	return ids, unlisted
}

func wantIDs(objs []sweepObj) []string {
	var ids []string
	for _, o := range objs {
		for _, h := range o.hits {
			ids = append(ids, fmt.Sprintf("%s#%d/%s", h.SourceURI, h.RecordIndex, h.RuleName))
		}
	}
	sort.Strings(ids)
	return ids
}

// TestResumeExactlyOnce kills the sweep at every write it makes, before
// and after the write lands, resumes it (killing the resume too, early,
// every other time), and checks the lake. Part files are committed in
// parallel, so a kill also catches uploads in flight, as kill -9 does.
func TestResumeExactlyOnce(t *testing.T) {
	ctx := context.Background()
	objs := sweepArchive(10)
	want := wantIDs(objs)

	// The clean run, and how many writes it makes.
	clean := &killer{Store: newLocal(t)}
	if err := sweep(ctx, clean, objs); err != nil {
		t.Fatal(err)
	}
	if got, unlisted := lakeHits(t, clean.Store); !equal(got, want) || len(unlisted) > 0 {
		t.Fatalf("clean run: %d hits, want %d; unlisted parts %v", len(got), len(want), unlisted)
	}
	total := clean.ops
	t.Logf("a clean sweep makes %d writes", total)

	for n := 1; n <= total; n += killStep {
		for _, after := range []bool{false, true} {
			name := fmt.Sprintf("kill at write %d, %s", n, map[bool]string{false: "before", true: "after"}[after])
			t.Run(name, func(t *testing.T) {
				t.Parallel() // the time goes to fsync, not CPU
				resumeAfterKill(t, n, after, objs, want)
			})
		}
	}
}

// resumeAfterKill kills a sweep at its write n, resumes it and checks
// the lake and the state.
func resumeAfterKill(t *testing.T, n int, after bool, objs []sweepObj, want []string) {
	ctx := context.Background()
	base := newLocal(t)
	if err := sweep(ctx, &killer{Store: base, n: n, after: after}, objs); !errors.Is(err, errKilled) {
		t.Fatalf("sweep = %v, want killed", err)
	}
	if n%2 == 0 {
		// The resume dies too, at one of its first writes: in Recover's
		// save of its decisions, or among its tombstones.
		k := 1 + n/2%3
		if err := sweep(ctx, &killer{Store: base, n: k, after: after}, objs); !errors.Is(err, errKilled) {
			t.Fatalf("first resume = %v, want killed at its write %d", err, k)
		}
	}
	if err := sweep(ctx, base, objs); err != nil {
		t.Fatalf("resume: %v", err)
	}
	got, unlisted := lakeHits(t, base)
	if !equal(got, want) {
		t.Errorf("the lake holds %d hits, want %d, each once:\n got %v\nwant %v", len(got), len(want), got, want)
	}
	if len(unlisted) > 0 {
		t.Errorf("part files in no manifest: %v", unlisted)
	}
	// And a further run scans nothing new.
	s, err := state.Load(ctx, base, sweepState)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		if s.Need(o.uri, o.etag, o.size, rulesA) {
			t.Errorf("%s still needed after the resume", o.uri)
		}
	}
	if p := s.Pending(); len(p) > 0 || len(s.Parts()) > 0 {
		t.Errorf("after the resume, %d checkpoints pending and %d parts unlisted", len(p), len(s.Parts()))
	}
}

// TestRecoverRemote runs the kill-and-resume check on versitygw and
// Azurite at a few points: inside a checkpoint's commits, and between
// the commits and the state save.
func TestRecoverRemote(t *testing.T) {
	ctx := context.Background()
	objs := sweepArchive(10)
	want := wantIDs(objs)
	for name, newStore := range map[string]func(*testing.T) sources.Store{"s3": newS3, "azblob": newAzure} {
		t.Run(name, func(t *testing.T) {
			for _, n := range []int{3, 4, 6} {
				base := newStore(t)
				if err := sweep(ctx, &killer{Store: base, n: n, after: n%2 == 0}, objs); !errors.Is(err, errKilled) {
					t.Fatalf("kill at %d: %v", n, err)
				}
				if err := sweep(ctx, base, objs); err != nil {
					t.Fatal(err)
				}
				if got, unlisted := lakeHits(t, base); !equal(got, want) || len(unlisted) > 0 {
					t.Errorf("kill at %d: %d hits, want %d; unlisted %v", n, len(got), len(want), unlisted)
				}
			}
		})
	}
}

// Recover on its own: all parts there → committed; some → the others
// deleted and the objects needed again; a part outside the lake → error.
func TestRecover(t *testing.T) {
	ctx := context.Background()
	st := newLocal(t)
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
	if _, err := s.Recover(ctx, &killer{Store: st, n: 2, after: true}, []byte("tomb")); !errors.Is(err, errKilled) {
		t.Fatalf("Recover = %v, want killed at its first tombstone", err)
	}
	s = load(t, st)
	if r, err := s.Recover(ctx, st, []byte("tomb")); err != nil || r.Committed != 0 || r.Undone != 1 {
		t.Errorf("Recover after a Recover killed mid-undo = %+v, %v; want the undo finished", r, err)
	}
	if !s.Need("s3://t/d", "e", 1, rulesA) {
		t.Error("the undone object is not needed")
	}

	other := newLocal(t)
	s.Stage([]lake.File{part("l/z")}, nil)
	if _, err := s.Recover(ctx, other, nil); err == nil || !strings.Contains(err.Error(), "same --out") {
		t.Errorf("Recover against another lake: %v", err)
	}
}

func newLocal(t *testing.T) sources.Store {
	st, err := local.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func equal(a, b []string) bool { return strings.Join(a, "\n") == strings.Join(b, "\n") }
