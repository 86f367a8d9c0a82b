package sweep_test

import (
	"context"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/output/lake"
	"github.com/retrohunt/retrohunt/scan"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sweep"
	"github.com/retrohunt/retrohunt/sweep/state"
	"github.com/retrohunt/retrohunt/sweep/sweeptest"
)

// After an interrupt (SIGINT cancels the scan's context) the sweep still
// commits what it found: the last checkpoint, the manifest and the
// state.
func TestFinishAfterInterrupt(t *testing.T) {
	st := sweeptest.Local(t)
	ctx, cancel := context.WithCancel(context.Background())
	sw, err := sweep.New(ctx, sweep.Stores{State: st, StateKey: stateKey, Lake: st, LakePrefix: lakePrefix}, sweep.Options{Ruleset: ruleset})
	if err != nil {
		t.Fatal(err)
	}
	defer sw.Abort()
	o := sources.Object{Key: "trail/a.json.gz", ETag: "ea", Size: 1}
	uri := archiveSrc.URI(o.Key)
	hits := []output.Hit{{RuleName: "rule_a", EventTime: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), SourceURI: uri, SourceETag: "ea"}}
	if sel := sw.Select(archiveSrc, o); !sel.Scan {
		t.Fatalf("Select = %+v", sel)
	}
	if err := sw.Write(hits); err != nil {
		t.Fatal(err)
	}
	if err := sw.Done(scan.ObjectResult{URI: uri, Object: o, Status: scan.ObjectScanned, NextRecord: 1, Hits: hits}); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := sw.Finish(nil); err != nil {
		t.Fatalf("Finish after an interrupt: %v", err)
	}
	if got, unlisted := lakeHits(t, st); len(got) != 1 || len(unlisted) > 0 {
		t.Errorf("the lake holds %v, unlisted %v; want the one hit, listed", got, unlisted)
	}
	if runs, err := lake.Manifests(context.Background(), st, lakePrefix); err != nil || len(runs) != 1 {
		t.Errorf("manifests %v, %v; want one", runs, err)
	}
	s, err := state.Load(context.Background(), st, stateKey)
	if err != nil {
		t.Fatal(err)
	}
	if s.Need(uri, "ea", 1, ruleset) {
		t.Error("the object is needed again")
	}
}
