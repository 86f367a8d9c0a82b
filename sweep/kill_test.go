package sweep_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/output/lake"
	"github.com/retrohunt/retrohunt/scan"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/testservers"
	"github.com/retrohunt/retrohunt/sweep"
	"github.com/retrohunt/retrohunt/sweep/state"
	"github.com/retrohunt/retrohunt/sweep/sweeptest"
)

// This file proves the checkpoint protocol on the driver the CLI runs: a
// sweep killed at any write it makes, then run again, leaves exactly the
// clean run's hits in the lake, each once, with every part file listed
// by a manifest.

func TestMain(m *testing.M) { testservers.Main(m) }

// object is an archive object with the hits a scan of it finds.
type object struct {
	key, etag string
	size      int64
	hits      []output.Hit
}

// archiveSrc names the archive's objects; Select asks it only for URIs.
var archiveSrc sources.Source = uriOnly{}

type uriOnly struct{ sources.Source }

func (uriOnly) URI(key string) string { return "s3://archive/" + key }

func archive(n int) []object {
	var objs []object
	for i := 0; i < n; i++ {
		o := object{key: fmt.Sprintf("trail/o%02d.json.gz", i), etag: fmt.Sprintf("e%d", i), size: int64(10 + i)}
		for j := 0; j < i%4; j++ {
			o.hits = append(o.hits, output.Hit{
				RuleName:    []string{"rule_a", "rule_b", "rule_c"}[(i+j)%3],
				EventTime:   time.Date(2024, 3, 1, 20, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour),
				SourceURI:   archiveSrc.URI(o.key),
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
	stateKey     = "state/sweep.state"
	checkpointAt = 3 // objects per checkpoint
)

var ruleset = state.Fingerprint(map[string][]byte{"rule_a": []byte("rule rule_a {}")})

// run is one sweep over objs with its state and lake in st, played the
// way scan.Run plays its hooks (scan.Config): Select for each listed
// object, then, for one selected, its hits from FromRecord on to Write,
// then its result to Done, one object at a time; the sweep is Finished
// after the last, and Aborted on an error, as the CLI does.
func run(ctx context.Context, st sources.Store, objs []object) error {
	sw, err := sweep.New(ctx, sweep.Stores{State: st, StateKey: stateKey, Lake: st, LakePrefix: lakePrefix}, sweep.Options{
		Ruleset:           ruleset,
		CheckpointObjects: checkpointAt,
		Lake:              lake.Options{PartitionBy: []string{lake.ByDate, lake.ByRule}, MaxRows: 2},
		// A fixed clock: no checkpoint falls by time, so every run
		// makes the same writes.
		Now: func() time.Time { return time.Date(2024, 3, 2, 2, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		return err
	}
	defer sw.Abort()
	if !sw.WritesLake() {
		return errors.New("the sweep writes no lake")
	}
	for _, o := range objs {
		obj := sources.Object{Key: o.key, ETag: o.etag, Size: o.size}
		sel := sw.Select(archiveSrc, obj)
		if !sel.Scan {
			continue
		}
		var hits []output.Hit
		for _, h := range o.hits {
			if h.RecordIndex >= sel.FromRecord {
				hits = append(hits, h)
			}
		}
		if len(hits) > 0 {
			if err := sw.Write(hits); err != nil {
				return err
			}
		}
		r := scan.ObjectResult{URI: archiveSrc.URI(o.key), Object: obj, Status: scan.ObjectScanned, NextRecord: int64(len(o.hits)), Hits: hits}
		if err := sw.Done(r); err != nil {
			return err
		}
	}
	return sw.Finish(map[string]int{"objects": len(objs)})
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
				ids = append(ids, hitID(h))
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

func hitID(h output.Hit) string {
	return fmt.Sprintf("%s#%d/%s", h.SourceURI, h.RecordIndex, h.RuleName)
}

// wantIDs are the archive's hits, from the archive itself.
func wantIDs(objs []object) []string {
	var ids []string
	for _, o := range objs {
		for _, h := range o.hits {
			ids = append(ids, hitID(h))
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
	objs := archive(10)
	want := wantIDs(objs)

	// The clean run, and how many writes it makes: the kill points.
	base := sweeptest.Local(t)
	clean := &sweeptest.Killer{}
	if err := run(ctx, clean.Wrap(base), objs); err != nil {
		t.Fatal(err)
	}
	if got, unlisted := lakeHits(t, base); !equal(got, want) || len(unlisted) > 0 {
		t.Fatalf("clean run: %d hits, want %d; unlisted parts %v", len(got), len(want), unlisted)
	}
	total := clean.Writes()
	t.Logf("a clean sweep makes %d writes", total)
	if total < 2*len(objs)/checkpointAt {
		t.Fatalf("a clean sweep makes %d writes: fewer than its checkpoints' state saves", total)
	}

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
func resumeAfterKill(t *testing.T, n int, after bool, objs []object, want []string) {
	ctx := context.Background()
	base := sweeptest.Local(t)
	if err := run(ctx, (&sweeptest.Killer{At: n, After: after}).Wrap(base), objs); !errors.Is(err, sweeptest.ErrKilled) {
		t.Fatalf("sweep = %v, want killed", err)
	}
	if n%2 == 0 {
		// The resume dies too, at one of its first writes: in Recover's
		// save of its decisions, or among its tombstones.
		k := 1 + n/2%3
		if err := run(ctx, (&sweeptest.Killer{At: k, After: after}).Wrap(base), objs); !errors.Is(err, sweeptest.ErrKilled) {
			t.Fatalf("first resume = %v, want killed at its write %d", err, k)
		}
	}
	if err := run(ctx, base, objs); err != nil {
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
	s, err := state.Load(ctx, base, stateKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		if s.Need(archiveSrc.URI(o.key), o.etag, o.size, ruleset) {
			t.Errorf("%s still needed after the resume", o.key)
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
	objs := archive(10)
	want := wantIDs(objs)
	for name, newStore := range map[string]func(*testing.T) sources.Store{"s3": sweeptest.S3, "azblob": sweeptest.Azure} {
		t.Run(name, func(t *testing.T) {
			for _, n := range []int{3, 4, 6} {
				base := newStore(t)
				if err := run(ctx, (&sweeptest.Killer{At: n, After: n%2 == 0}).Wrap(base), objs); !errors.Is(err, sweeptest.ErrKilled) {
					t.Fatalf("kill at %d: %v", n, err)
				}
				if err := run(ctx, base, objs); err != nil {
					t.Fatal(err)
				}
				if got, unlisted := lakeHits(t, base); !equal(got, want) || len(unlisted) > 0 {
					t.Errorf("kill at %d: %d hits, want %d; unlisted %v", n, len(got), len(want), unlisted)
				}
			}
		})
	}
}

func equal(a, b []string) bool { return strings.Join(a, "\n") == strings.Join(b, "\n") }
