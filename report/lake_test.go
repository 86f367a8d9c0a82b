package report

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/output/lake"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/local"
)

func hit(rule, who string, at time.Time, index int64) output.Hit {
	return output.Hit{RuleName: rule, EventTime: at, PrincipalUser: who, LogType: "AWS_CLOUDTRAIL", AccountID: "111122223333",
		SourceURI: "s3://trail/x.json.gz", RecordIndex: index, Result: "success"}
}

func march(d, h int) time.Time { return time.Date(2024, 3, d, h, 0, 0, 0, time.UTC) }

// finished hits are what the one finished run wrote; stray ones what a
// run killed before its manifest committed. The expected counts below
// are counted by hand from these two lists.
var (
	finished = []output.Hit{
		hit("r1", "alice", march(1, 10), 0),
		hit("r2", "bob", march(1, 11), 1),
		hit("r1", "alice", march(3, 9), 2),
	}
	stray = []output.Hit{
		hit("r1", "mallory", march(1, 12), 10),
		hit("r3", "mallory", march(2, 8), 11),
	}
)

// writeLake builds, under prefix "lake/" of a local store, a lake
// partitioned by date: one finished run (manifest written), one killed
// run whose committed part files no manifest names, and an empty
// tombstone over the part name of a third run's undone checkpoint.
func writeLake(t *testing.T) (dir string, st sources.Store) {
	t.Helper()
	ctx := context.Background()
	dir = t.TempDir()
	st, err := local.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	o := lake.Options{PartitionBy: []string{lake.ByDate}, TempDir: t.TempDir()}

	o.RunID = "20240304T000000Z-aaaaaaaa"
	w, err := lake.New(ctx, st, "lake/", o)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(append([]output.Hit(nil), finished...)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	o.RunID = "20240305T000000Z-bbbbbbbb"
	k, err := lake.New(ctx, st, "lake/", o)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Write(append([]output.Hit(nil), stray...)); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Checkpoint(nil); err != nil { // committed, then killed
		t.Fatal(err)
	}
	if n := len(k.Files()); n != 2 {
		t.Fatalf("the killed run committed %d part files, want 2", n)
	}

	tomb := lake.Tombstone()
	if _, err := st.Put(ctx, "lake/date=2024-03-01/part-20240305T010000Z-cccccccc-0.parquet", bytes.NewReader(tomb), int64(len(tomb)), sources.Condition{}); err != nil {
		t.Fatal(err)
	}
	return dir, st
}

func check(t *testing.T, s *Set, wantHits, wantFiles int, wantRules map[string]int64) {
	t.Helper()
	r := s.Report()
	if len(r.Hits) != wantHits || len(r.Files) != wantFiles {
		t.Errorf("%d hits from %d files, want %d from %d (files %v)", len(r.Hits), len(r.Files), wantHits, wantFiles, r.Files)
	}
	got := map[string]int64{}
	for _, g := range r.Rules {
		got[g.Key] = g.Hits
	}
	if len(got) != len(wantRules) {
		t.Errorf("rules %v, want %v", got, wantRules)
	}
	for k, v := range wantRules {
		if got[k] != v {
			t.Errorf("rule %s: %d hits, want %d", k, got[k], v)
		}
	}
	for _, f := range r.Files {
		if strings.Contains(f, "bbbbbbbb") || strings.Contains(f, "cccccccc") {
			t.Errorf("read %s, which no manifest names", f)
		}
	}
}

// TestLakeReadByManifest: the killed run's parts and the tombstone are
// never read; a partition folder reads the part files of that partition.
func TestLakeReadByManifest(t *testing.T) {
	dir, st := writeLake(t)
	ctx := context.Background()

	// The finished run: r1 at 03-01 10:00 and 03-03 09:00, r2 at
	// 03-01 11:00, in two part files (one per day).
	all := map[string]int64{"r1": 2, "r2": 1}
	s := NewSet()
	if err := s.ReadLocal(ctx, filepath.Join(dir, "lake")); err != nil {
		t.Fatal(err)
	}
	check(t, s, 3, 2, all)
	var out strings.Builder
	if err := WriteText(&out, s.Report(), 0); err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(out.String(), "\n"); first != "3 hits from 2 file(s), 2024-03-01 10:00 to 2024-03-03 09:00 UTC" {
		t.Errorf("first line %q", first)
	}

	// The same through a Source wrapped as the CLI wraps it.
	s = NewSet()
	if err := s.ReadPrefix(ctx, sources.Limit(st, 2), "lake/"); err != nil {
		t.Fatal(err)
	}
	check(t, s, 3, 2, all)

	// One partition: the two hits of 03-01 in one file; the killed run's
	// r1 hit of that day and the tombstone beside them are not read.
	day1 := map[string]int64{"r1": 1, "r2": 1}
	s = NewSet()
	if err := s.ReadLocal(ctx, filepath.Join(dir, "lake", "date=2024-03-01")); err != nil {
		t.Fatal(err)
	}
	check(t, s, 2, 1, day1)
	s = NewSet()
	if err := s.ReadPrefix(ctx, st, "lake/date=2024-03-01/"); err != nil {
		t.Fatal(err)
	}
	check(t, s, 2, 1, day1)

	// The killed run's day (03-02) has no part file of a finished run.
	var ie InputError
	if err := NewSet().ReadPrefix(ctx, st, "lake/date=2024-03-02/"); !errors.As(err, &ie) {
		t.Errorf("a partition only the killed run wrote: %v, want an InputError", err)
	}

	// A single part file is still read as a file.
	s = NewSet()
	if err := s.ReadLocal(ctx, filepath.Join(dir, "lake", "date=2024-03-03", "part-20240304T000000Z-aaaaaaaa-1.parquet")); err != nil {
		t.Fatal(err)
	}
	check(t, s, 1, 1, map[string]int64{"r1": 1})
}

// TestLakeWithoutFinishedRun: part files but no manifest is a lake none of
// whose runs finished: nothing to report, rather than uncommitted hits.
func TestLakeWithoutFinishedRun(t *testing.T) {
	dir, st := writeLake(t)
	ctx := context.Background()
	if err := st.(sources.Deleter).Delete(ctx, "lake/_manifest/20240304T000000Z-aaaaaaaa.json"); err != nil {
		t.Fatal(err)
	}
	var ie InputError
	if err := NewSet().ReadLocal(ctx, filepath.Join(dir, "lake")); !errors.As(err, &ie) || !strings.Contains(err.Error(), "no run manifest") {
		t.Errorf("local: %v", err)
	}
	if err := NewSet().ReadPrefix(ctx, st, "lake/"); !errors.As(err, &ie) || !strings.Contains(err.Error(), "no run manifest") {
		t.Errorf("store: %v", err)
	}
}

// TestLakeReplacedPart: a manifested part file that no longer holds the
// rows its manifest counts is an error, not a smaller count.
func TestLakeReplacedPart(t *testing.T) {
	dir, st := writeLake(t)
	ctx := context.Background()
	keys := []string{}
	st.List(ctx, "lake/date=2024-03-03/", func(o sources.Object) error { keys = append(keys, o.Key); return nil })
	sort.Strings(keys)
	var victim string
	for _, k := range keys {
		if strings.Contains(k, "aaaaaaaa") {
			victim = k
		}
	}
	tomb := lake.Tombstone()
	if _, err := st.Put(ctx, victim, bytes.NewReader(tomb), int64(len(tomb)), sources.Condition{}); err != nil {
		t.Fatal(err)
	}
	if err := NewSet().ReadLocal(ctx, filepath.Join(dir, "lake")); err == nil || !strings.Contains(err.Error(), "manifest says 1") {
		t.Errorf("replaced part: %v", err)
	}
}
