package sweep_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/output/lake"
	"github.com/retrohunt/retrohunt/scan"
	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/udm"
	"github.com/retrohunt/retrohunt/scan/window"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sweep"
	"github.com/retrohunt/retrohunt/sweep/shard"
	"github.com/retrohunt/retrohunt/sweep/state"
	"github.com/retrohunt/retrohunt/sweep/sweeptest"
)

// The kill matrix for a windowed sweep: two day-long runs of a
// multi-event rule, whose one window straddles the two days, killed at
// every write either makes (candidate parts, detection parts, state
// saves, tombstones, manifests), resumed, and then continued: the lake
// holds exactly the detections worked out by hand, each once.

const multiRuleText = `rule sweep_brute_force {
  events:
    $e.metadata.product_event_type = "ConsoleLogin"
    $e.security_result.description = "Reason: Failed authentication"
    $ip = $e.principal.ip
  match:
    $ip over 10m
  condition:
    #e >= 5
}
`

func failedLogin(at, ip string) string {
	return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","accountId":"111122223333","userName":"alice"},"eventTime":%q,"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":%q,"eventID":"%s-%s","errorMessage":"Failed authentication","responseElements":{"ConsoleLogin":"Failure"}}`, at, ip, ip, at)
}

// multiObject is an archive object of one day with its records.
type multiObject struct {
	day, key string
	records  []string
}

// multiArchive: by hand, with the hop semantics of
// docs/yaral_windows.md, 192.0.2.2 fails five times in 03-01 10:00 to
// 10:04 (one detection [10:00, 10:10], 5 events, found by the first
// day's run); 192.0.2.1 fails at 03-01 23:57, 23:58, 23:59 and 03-02
// 00:00, 00:02 (one detection [23:57, 00:07], 5 events, complete only
// once the second day is covered); 192.0.2.4 fails five times in
// 03-01 23:41 to 23:45 (one detection [23:41, 23:51], found by the first
// day's run, whose candidates the second day's run loads again: it must
// not write it twice); 192.0.2.3 fails four times (none).
// Each event is in its own object, so checkpoints (every 3 objects)
// fall inside the bursts.
func multiArchive() []multiObject {
	ev := []struct{ at, ip string }{
		{"2024-03-01T10:00:00Z", "192.0.2.2"}, {"2024-03-01T10:01:00Z", "192.0.2.2"}, {"2024-03-01T10:02:00Z", "192.0.2.2"},
		{"2024-03-01T10:03:00Z", "192.0.2.2"}, {"2024-03-01T10:04:00Z", "192.0.2.2"},
		{"2024-03-01T23:41:00Z", "192.0.2.4"}, {"2024-03-01T23:42:00Z", "192.0.2.4"}, {"2024-03-01T23:43:00Z", "192.0.2.4"},
		{"2024-03-01T23:44:00Z", "192.0.2.4"}, {"2024-03-01T23:45:00Z", "192.0.2.4"},
		{"2024-03-01T23:57:00Z", "192.0.2.1"}, {"2024-03-01T23:58:00Z", "192.0.2.1"}, {"2024-03-01T23:59:00Z", "192.0.2.1"},
		{"2024-03-02T00:00:00Z", "192.0.2.1"}, {"2024-03-02T00:02:00Z", "192.0.2.1"},
		{"2024-03-02T05:00:00Z", "192.0.2.3"}, {"2024-03-02T05:01:00Z", "192.0.2.3"}, {"2024-03-02T05:02:00Z", "192.0.2.3"}, {"2024-03-02T05:03:00Z", "192.0.2.3"},
	}
	var objs []multiObject
	for i, e := range ev {
		day := e.at[:10]
		objs = append(objs, multiObject{day: day, key: fmt.Sprintf("trail/%s/o%02d.json.gz", day, i), records: []string{failedLogin(e.at, e.ip)}})
	}
	return objs
}

var multiWant = []string{
	`sweep_brute_force [2024-03-01T10:00:00Z, 2024-03-01T10:10:00Z] {"ip":"192.0.2.2"} n=5 truncated=false`,
	`sweep_brute_force [2024-03-01T23:41:00Z, 2024-03-01T23:51:00Z] {"ip":"192.0.2.4"} n=5 truncated=false`,
	`sweep_brute_force [2024-03-01T23:57:00Z, 2024-03-02T00:07:00Z] {"ip":"192.0.2.1"} n=5 truncated=false`,
}

func multiRule(t testing.TB) *scan.MultiRule {
	t.Helper()
	rs, err := rule.ParseFileOptions("brute.yaral", []byte(multiRuleText), rule.Options{MultiEvent: true})
	if err != nil {
		t.Fatal(err)
	}
	mr, err := scan.NewMultiRule(rs[0], "test")
	if err != nil {
		t.Fatal(err)
	}
	return mr
}

// runDay is one day-long sweep over the day's objects, played the way
// scan.Run plays its hooks with Config.Carry: Select, the object's
// candidates (made by the rule from each record's UDM view) to Done,
// then Detect and Finish.
// multiResult is the scan of o (listed as obj) as the engine reports it:
// every record mapped and its window candidates for mr.
func multiResult(t testing.TB, mr *scan.MultiRule, o multiObject, obj sources.Object) scan.ObjectResult {
	t.Helper()
	r := scan.ObjectResult{URI: archiveSrc.URI(o.key), Object: obj, Status: scan.ObjectScanned, NextRecord: int64(len(o.records))}
	for i, rec := range o.records {
		ev, err := udm.Map([]byte(rec))
		if err != nil {
			t.Fatal(err)
		}
		if err := mr.M.Candidates(ev, r.URI, int64(i), func(c window.Candidate) error {
			r.Candidates = append(r.Candidates, c)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func runDay(ctx context.Context, t testing.TB, st sources.Store, mr *scan.MultiRule, objs []multiObject, day string) error {
	since, _ := time.Parse("2006-01-02", day)
	sw, err := sweep.New(ctx, sweep.Stores{State: st, StateKey: stateKey, Lake: st, LakePrefix: lakePrefix}, sweep.Options{
		Ruleset:           ruleset,
		CheckpointObjects: checkpointAt,
		Window:            scan.Span{Since: since, Until: since.Add(24 * time.Hour)},
		Lake:              lake.Options{PartitionBy: []string{lake.ByDate, lake.ByRule}},
		Multi:             []*scan.MultiRule{mr},
		CandidateDir:      t.TempDir(),
		// A few candidates per spilled run: Detect merges runs.
		CandidateBudget: 1024,
		Now:             func() time.Time { return time.Date(2024, 3, 5, 2, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		return err
	}
	defer sw.Abort()
	if !sw.Carry() {
		return errors.New("the sweep does not carry candidates")
	}
	for _, o := range objs {
		if o.day != day {
			continue
		}
		obj := sources.Object{Key: o.key, ETag: "e-" + o.key, Size: 100}
		if sel := sw.Select(archiveSrc, obj); !sel.Scan {
			continue
		}
		if err := sw.Done(multiResult(t, mr, o, obj)); err != nil {
			return err
		}
	}
	if _, err := sw.Detect(sw, false); err != nil {
		return err
	}
	return sw.Finish(map[string]string{"day": day})
}

// lakeDetections reads every part file under the lake prefix: the
// detection rows of the hits table, and the candidates table's row
// count; it returns the part keys with rows that no manifest of their
// table lists.
func lakeDetections(t *testing.T, st sources.Store) (ids []string, candidates int, unlisted []string) {
	t.Helper()
	ctx := context.Background()
	listed := map[string]bool{}
	for _, prefix := range []string{lakePrefix, lakePrefix + lake.CandidatesDir} {
		runs, err := lake.Manifests(ctx, st, prefix)
		if err != nil {
			t.Fatal(err)
		}
		for _, run := range runs {
			m, err := lake.ReadManifest(ctx, st, prefix, run)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range append(m.Files, m.Adopted...) {
				listed[f.Key] = true
			}
		}
	}
	err := st.List(ctx, lakePrefix, func(o sources.Object) error {
		if !strings.HasSuffix(o.Key, ".parquet") || !strings.Contains(o.Key, "/part-") {
			return nil
		}
		b, _, err := st.Get(ctx, o.Key)
		if err != nil {
			return err
		}
		rows := 0
		if strings.HasPrefix(o.Key, lakePrefix+lake.CandidatesDir) {
			err = output.ReadCandidates(bytes.NewReader(b), int64(len(b)), func(cs []output.Candidate) error {
				rows += len(cs)
				return nil
			})
			candidates += rows
		} else {
			err = output.ReadHits(bytes.NewReader(b), int64(len(b)), output.ReadOptions{}, func(hs []output.Hit) error {
				for _, h := range hs {
					ids = append(ids, fmt.Sprintf("%s [%s, %s] %s n=%d truncated=%v", h.RuleName, h.WindowStart.UTC().Format(time.RFC3339),
						h.WindowEnd.UTC().Format(time.RFC3339), h.Match, *h.EventCount, *h.WindowTruncated))
				}
				rows += len(hs)
				return nil
			})
		}
		if rows > 0 && !listed[o.Key] {
			unlisted = append(unlisted, o.Key)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(ids)
	return ids, candidates, unlisted
}

// runDays runs both days (each killed or not by its wrapper) and
// reports the first run killed.
func runDays(ctx context.Context, t *testing.T, st sources.Store, mr *scan.MultiRule, objs []multiObject, k *sweeptest.Killer) error {
	for _, day := range []string{"2024-03-01", "2024-03-02"} {
		s := st
		if k != nil {
			s = k.Wrap(st)
		}
		if err := runDay(ctx, t, s, mr, objs, day); err != nil {
			return fmt.Errorf("%s: %w", day, err)
		}
	}
	return nil
}

// TestResumeExactlyOnceMultiEvent kills the two-day windowed sweep at
// every write it makes, before and after the write lands, runs the
// killed day again (killed once more, early, every other time), then
// the rest, and checks the detections, the candidates (each record's
// once per scan) and the manifests.
func TestResumeExactlyOnceMultiEvent(t *testing.T) {
	ctx := context.Background()
	mr := multiRule(t)
	objs := multiArchive()
	base := sweeptest.Local(t)
	clean := &sweeptest.Killer{}
	if err := runDays(ctx, t, base, mr, objs, clean); err != nil {
		t.Fatal(err)
	}
	got, cands, unlisted := lakeDetections(t, base)
	if strings.Join(got, "\n") != strings.Join(multiWant, "\n") || cands != len(objs) || len(unlisted) > 0 {
		t.Fatalf("clean runs: detections\n%s\nwant\n%s\n%d candidates (want %d), unlisted %v", strings.Join(got, "\n"), strings.Join(multiWant, "\n"), cands, len(objs), unlisted)
	}
	total := clean.Writes()
	t.Logf("the two clean runs make %d writes", total)
	for n := 1; n <= total; n += killStep {
		for _, after := range []bool{false, true} {
			t.Run(fmt.Sprintf("kill at write %d, after %v", n, after), func(t *testing.T) {
				t.Parallel()
				resumeMultiAfterKill(t, mr, objs, n, after)
			})
		}
	}
}

func resumeMultiAfterKill(t *testing.T, mr *scan.MultiRule, objs []multiObject, n int, after bool) {
	ctx := context.Background()
	base := sweeptest.Local(t)
	// One Killer over both days: write n of the sequence.
	err := runDays(ctx, t, base, mr, objs, &sweeptest.Killer{At: n, After: after})
	if !errors.Is(err, sweeptest.ErrKilled) {
		t.Fatalf("sweep = %v, want killed", err)
	}
	if n%2 == 0 {
		k := 1 + n/2%3
		if err := runDays(ctx, t, base, mr, objs, &sweeptest.Killer{At: k, After: after}); !errors.Is(err, sweeptest.ErrKilled) {
			t.Fatalf("first resume = %v, want killed at its write %d", err, k)
		}
	}
	// The same commands again, in order: the killed day resumes.
	if err := runDays(ctx, t, base, mr, objs, nil); err != nil {
		t.Fatalf("resume: %v", err)
	}
	got, _, unlisted := lakeDetections(t, base)
	if strings.Join(got, "\n") != strings.Join(multiWant, "\n") {
		t.Errorf("killed at write %d (after %v), resumed: detections\n%s\nwant, each once,\n%s", n, after, strings.Join(got, "\n"), strings.Join(multiWant, "\n"))
	}
	if len(unlisted) > 0 {
		t.Errorf("part files in no manifest: %v", unlisted)
	}
	s, err := state.Load(ctx, base, stateKey)
	if err != nil {
		t.Fatal(err)
	}
	cov := s.RuleCoverage(state.RuleKey(mr.Name, mr.Version))
	if len(cov) != 1 || !cov[0].Since.Equal(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)) || !cov[0].Until.Equal(time.Date(2024, 3, 3, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("coverage after the resume: %v, want [03-01, 03-03)", cov)
	}
	if p := s.Pending(); len(p) > 0 || len(s.Parts()) > 0 {
		t.Errorf("after the resume, %d checkpoints pending and %d parts unlisted", len(p), len(s.Parts()))
	}
}

// TestRecoverRemoteMultiEvent runs the windowed kill-and-resume check on
// versitygw and Azurite at a few points of each day: among the first
// day's candidate commits, in the first day's detection checkpoint, and
// in the second day's.
func TestRecoverRemoteMultiEvent(t *testing.T) {
	ctx := context.Background()
	mr := multiRule(t)
	objs := multiArchive()
	for name, newStore := range map[string]func(*testing.T) sources.Store{"s3": sweeptest.S3, "azblob": sweeptest.Azure} {
		t.Run(name, func(t *testing.T) {
			for _, n := range []int{3, 9, 12, 20, 23} {
				base := newStore(t)
				if err := runDays(ctx, t, base, mr, objs, &sweeptest.Killer{At: n, After: n%2 == 0}); !errors.Is(err, sweeptest.ErrKilled) {
					t.Fatalf("kill at %d: %v", n, err)
				}
				if err := runDays(ctx, t, base, mr, objs, nil); err != nil {
					t.Fatal(err)
				}
				if got, _, unlisted := lakeDetections(t, base); strings.Join(got, "\n") != strings.Join(multiWant, "\n") || len(unlisted) > 0 {
					t.Errorf("kill at %d: detections\n%s\nwant\n%s\nunlisted %v", n, strings.Join(got, "\n"), strings.Join(multiWant, "\n"), unlisted)
				}
			}
		})
	}
}

// runShards runs both days of the archive as two shards each, which
// write candidates only.
func runShards(ctx context.Context, t testing.TB, st sources.Store, mr *scan.MultiRule, objs []multiObject) {
	for _, day := range []string{"2024-03-01", "2024-03-02"} {
		since, _ := time.Parse("2006-01-02", day)
		for i := 0; i < 2; i++ {
			sw, err := sweep.New(ctx, sweep.Stores{State: st, StateKey: fmt.Sprintf("%s-%d-of-2", stateKey, i), Lake: st, LakePrefix: lakePrefix}, sweep.Options{
				Shard: shard.Shard{Index: i, Count: 2}, Ruleset: ruleset, CheckpointObjects: checkpointAt,
				Window: scan.Span{Since: since, Until: since.Add(24 * time.Hour)},
				Multi:  []*scan.MultiRule{mr}, CandidateDir: t.TempDir(),
				Now: func() time.Time { return time.Date(2024, 3, 5, 2, 0, 0, 0, time.UTC) },
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range objs {
				obj := sources.Object{Key: o.key, ETag: "e-" + o.key, Size: 100}
				if o.day != day || !sw.Select(archiveSrc, obj).Scan {
					continue
				}
				if err := sw.Done(multiResult(t, mr, o, obj)); err != nil {
					t.Fatal(err)
				}
			}
			if ds, err := sw.Detect(sw, false); err != nil || ds.Detections != 0 {
				t.Fatalf("shard %d Detect: %+v, %v; want nothing", i, ds, err)
			}
			if err := sw.Finish(nil); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestCorrelateResumesExactlyOnce kills `correlate` over two days of two
// shards at each of its writes, before and after it lands, and runs it
// again: the detections worked out by hand, each once; a further run
// writes nothing.
func TestCorrelateResumesExactlyOnce(t *testing.T) {
	ctx := context.Background()
	mr := multiRule(t)
	objs := multiArchive()
	correlate := func(st sources.Store) (sweep.DetectStats, error) {
		return sweep.RunCorrelate(ctx, sweep.Stores{State: st, StateKey: "state/correlate.state", Lake: st, LakePrefix: lakePrefix},
			sweep.CorrelateRun{Multi: []*scan.MultiRule{mr}, CorrelateOptions: sweep.CorrelateOptions{CandidateDir: t.TempDir()}},
			func(sweep.DetectStats) any { return nil })
	}
	base := sweeptest.Local(t)
	runShards(ctx, t, base, mr, objs)
	clean := &sweeptest.Killer{}
	if _, err := correlate(clean.Wrap(base)); err != nil {
		t.Fatal(err)
	}
	if got, _, unlisted := lakeDetections(t, base); strings.Join(got, "\n") != strings.Join(multiWant, "\n") || len(unlisted) > 0 {
		t.Fatalf("shards and correlate:\n%s\nwant\n%s\nunlisted %v", strings.Join(got, "\n"), strings.Join(multiWant, "\n"), unlisted)
	}
	total := clean.Writes()
	for n := 1; n <= total; n += killStep {
		for _, after := range []bool{false, true} {
			t.Run(fmt.Sprintf("kill at write %d, after %v", n, after), func(t *testing.T) {
				base := sweeptest.Local(t)
				runShards(ctx, t, base, mr, objs)
				if _, err := correlate((&sweeptest.Killer{At: n, After: after}).Wrap(base)); !errors.Is(err, sweeptest.ErrKilled) {
					t.Fatalf("correlate = %v, want killed", err)
				}
				if _, err := correlate(base); err != nil {
					t.Fatalf("resume: %v", err)
				}
				if ds, err := correlate(base); err != nil || ds.Detections != 0 {
					t.Fatalf("a further correlate: %+v, %v; want nothing new", ds, err)
				}
				if got, _, unlisted := lakeDetections(t, base); strings.Join(got, "\n") != strings.Join(multiWant, "\n") || len(unlisted) > 0 {
					t.Errorf("killed at write %d (after %v), resumed:\n%s\nwant, each once,\n%s\nunlisted %v", n, after, strings.Join(got, "\n"), strings.Join(multiWant, "\n"), unlisted)
				}
			})
		}
	}
	t.Logf("correlate makes %d writes", total)
}
