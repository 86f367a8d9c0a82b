package sweep_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/scan"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sweep"
	"github.com/retrohunt/retrohunt/sweep/shard"
	"github.com/retrohunt/retrohunt/sweep/sweeptest"
)

// runShardsOpen runs the archive as two shards the way deploy/ runs a
// nightly sweep: --since and no --until, each shard starting at its own
// time (start[i]), so that --since=4d and the lateness cap differ.
func runShardsOpen(ctx context.Context, t testing.TB, st sources.Store, mr *scan.MultiRule, objs []multiObject, start [2]time.Time) {
	for i := 0; i < 2; i++ {
		now := start[i]
		since := now.Add(-96 * time.Hour) // --since=4d
		sw, err := sweep.New(ctx, sweep.Stores{State: st, StateKey: fmt.Sprintf("%s-%d-of-2", stateKey, i), Lake: st, LakePrefix: lakePrefix}, sweep.Options{
			Shard: shard.Shard{Index: i, Count: 2}, Ruleset: ruleset, CheckpointObjects: checkpointAt,
			Window: scan.Span{Since: since},
			Multi:  []*scan.MultiRule{mr}, CandidateDir: t.TempDir(),
			Now: func() time.Time { return now },
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objs {
			obj := sources.Object{Key: o.key, ETag: "e-" + o.key, Size: 100}
			if !sw.Select(archiveSrc, obj).Scan {
				continue
			}
			if err := sw.Done(multiResult(t, mr, o, obj)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := sw.Detect(sw, false); err != nil {
			t.Fatal(err)
		}
		if err := sw.Finish(nil); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCorrelateShardsStartedApart: the nightly deploy (indexed-job.yaml
// runs the shards with --since=2d and no --until, correlate-job.yaml runs
// correlate with --state and no range) has shards that start a minute
// apart, so their coverage starts (now minus --since) and ends (start
// minus the lateness) differ by a minute. Every shard completed 03-01
// 02:01 to 03-05 00:00: correlate must write the windows inside that, not
// refuse (every night, since the union of a shard's runs keeps its first
// start) because one shard's coverage begins or ends a minute later.
func TestCorrelateShardsStartedApart(t *testing.T) {
	ctx := context.Background()
	mr := multiRule(t)
	base := sweeptest.Local(t)
	start := time.Date(2024, 3, 5, 2, 0, 0, 0, time.UTC)
	runShardsOpen(ctx, t, base, mr, multiArchive(), [2]time.Time{start, start.Add(time.Minute)})
	ds, err := sweep.RunCorrelate(ctx, sweep.Stores{State: base, StateKey: "state/correlate.state", Lake: base, LakePrefix: lakePrefix},
		sweep.CorrelateRun{Multi: []*scan.MultiRule{mr}, CorrelateOptions: sweep.CorrelateOptions{CandidateDir: t.TempDir()}},
		func(sweep.DetectStats) any { return nil })
	if err != nil {
		t.Fatalf("correlate after two shards that started a minute apart: %v", err)
	}
	if got, _, _ := lakeDetections(t, base); strings.Join(got, "\n") != strings.Join(multiWant, "\n") {
		t.Fatalf("detections (%+v):\n%s\nwant\n%s", ds, strings.Join(got, "\n"), strings.Join(multiWant, "\n"))
	}
}

// TestCorrelateShardsDisjoint: shards that completed no time in common
// (shard 0 ran one nightly window, shard 1 another) prove nothing:
// correlate refuses and names them rather than writing nothing.
func TestCorrelateShardsDisjoint(t *testing.T) {
	ctx := context.Background()
	mr := multiRule(t)
	base := sweeptest.Local(t)
	start := time.Date(2024, 3, 5, 2, 0, 0, 0, time.UTC)
	runShardsOpen(ctx, t, base, mr, nil, [2]time.Time{start, start.Add(200 * time.Hour)})
	_, err := sweep.RunCorrelate(ctx, sweep.Stores{State: base, StateKey: "state/correlate.state", Lake: base, LakePrefix: lakePrefix},
		sweep.CorrelateRun{Multi: []*scan.MultiRule{mr}, CorrelateOptions: sweep.CorrelateOptions{CandidateDir: t.TempDir()}},
		func(sweep.DetectStats) any { return nil })
	if !errors.Is(err, sweep.ErrShardsIncomplete) || !strings.Contains(err.Error(), "shard 0/2 completed only") || !strings.Contains(err.Error(), "shard 1/2 completed only") {
		t.Fatalf("correlate over shards with no time in common = %v, want ErrShardsIncomplete naming both", err)
	}
}

// TestCorrelateSinceWithoutUntil: `correlate --since 2024-03-01` (no
// --until, as a scan reads it: up to now) over shards that completed
// 03-01 and 03-02 writes the windows from 03-01 up to what every shard
// completed, rather than refusing for ever because no shard can complete
// an open end; likewise --until alone from what they completed.
func TestCorrelateSinceWithoutUntil(t *testing.T) {
	ctx := context.Background()
	mr := multiRule(t)
	for _, rng := range []scan.Span{{Since: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)}, {Until: time.Date(2024, 3, 3, 0, 0, 0, 0, time.UTC)}} {
		base := sweeptest.Local(t)
		runShards(ctx, t, base, mr, multiArchive())
		_, err := sweep.RunCorrelate(ctx, sweep.Stores{State: base, StateKey: "state/correlate.state", Lake: base, LakePrefix: lakePrefix},
			sweep.CorrelateRun{Multi: []*scan.MultiRule{mr}, Range: rng, CorrelateOptions: sweep.CorrelateOptions{CandidateDir: t.TempDir()}},
			func(sweep.DetectStats) any { return nil })
		if err != nil {
			t.Fatalf("correlate %+v: %v", rng, err)
		}
		if got, _, _ := lakeDetections(t, base); strings.Join(got, "\n") != strings.Join(multiWant, "\n") {
			t.Fatalf("correlate %+v:\n%s\nwant\n%s", rng, strings.Join(got, "\n"), strings.Join(multiWant, "\n"))
		}
	}
}

// TestHopWindowBackwardsWritesAnExtraWindow: docs/sweeps.md says day runs
// in any order write the same detections but for the window_truncated
// flag. By hand, 192.0.2.8 fails at 03-01 23:58 and 03-02 00:00, 00:01,
// 00:02, 00:03, 00:04: forwards (03-01 then 03-02) the hop window at
// 23:58 holds all six, and the one at 00:00 holds no event it does not,
// so it is dropped: one detection. Backwards (03-02 first) the 03-02 run
// has not seen 23:58: its window at 00:00 holds five, is complete in
// the coverage and is written, flagged truncated; the 03-01 run then
// writes the window at 23:58. The backwards order writes a second,
// overlapping detection, not only a different flag.
func TestHopWindowBackwardsWritesAnExtraWindow(t *testing.T) {
	ctx := context.Background()
	mr := multiRule(t)
	var objs []multiObject
	for i, at := range []string{"2024-03-01T23:58:00Z", "2024-03-02T00:00:00Z", "2024-03-02T00:01:00Z", "2024-03-02T00:02:00Z", "2024-03-02T00:03:00Z", "2024-03-02T00:04:00Z"} {
		day := at[:10]
		objs = append(objs, multiObject{day: day, key: fmt.Sprintf("trail/%s/o%02d.json.gz", day, i), records: []string{failedLogin(at, "192.0.2.8")}})
	}
	one := `sweep_brute_force [2024-03-01T23:58:00Z, 2024-03-02T00:08:00Z] {"ip":"192.0.2.8"} n=6 truncated=false`
	for _, c := range []struct {
		days []string
		want []string
	}{
		{[]string{"2024-03-01", "2024-03-02"}, []string{one}},
		{[]string{"2024-03-02", "2024-03-01"}, []string{one,
			`sweep_brute_force [2024-03-02T00:00:00Z, 2024-03-02T00:10:00Z] {"ip":"192.0.2.8"} n=5 truncated=true`}},
	} {
		st := sweeptest.Local(t)
		for _, day := range c.days {
			if err := runDay(ctx, t, st, mr, objs, day); err != nil {
				t.Fatal(err)
			}
		}
		if got, _, _ := lakeDetections(t, st); strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("days %v:\n%s\nwant\n%s", c.days, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
		}
	}
}

// TestCorrelateRefusesAShardANightBehind: a shard whose last complete
// run is a night older than the others' (it failed tonight) is not the
// few minutes or hours shards start apart: correlate refuses and names
// it, as deploy/kubernetes/correlate-job.yaml promises, rather than
// quietly carrying every window past it night after night.
func TestCorrelateRefusesAShardANightBehind(t *testing.T) {
	ctx := context.Background()
	mr := multiRule(t)
	base := sweeptest.Local(t)
	start := time.Date(2024, 3, 5, 2, 0, 0, 0, time.UTC)
	runShardsOpen(ctx, t, base, mr, multiArchive(), [2]time.Time{start, start.Add(-24 * time.Hour)})
	_, err := sweep.RunCorrelate(ctx, sweep.Stores{State: base, StateKey: "state/correlate.state", Lake: base, LakePrefix: lakePrefix},
		sweep.CorrelateRun{Multi: []*scan.MultiRule{mr}, CorrelateOptions: sweep.CorrelateOptions{CandidateDir: t.TempDir()}},
		func(sweep.DetectStats) any { return nil })
	if !errors.Is(err, sweep.ErrShardsIncomplete) || !strings.Contains(err.Error(), "shard 1/2 completed only") || strings.Contains(err.Error(), "shard 0/2") {
		t.Fatalf("correlate with shard 1 a night behind = %v, want ErrShardsIncomplete naming shard 1 only", err)
	}
}
