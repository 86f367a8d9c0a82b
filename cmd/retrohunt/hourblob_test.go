package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Issue 15, item 12, through the CLI with a sweep's state: an hour blob
// whose last line stays half written is reported again by every run
// (a skip and exit 3 once its hour closed, a warning while it is open),
// never passed over as unchanged, and the hits of its first lines are
// written once. A blob dated in the future is not an open hour.
func TestIssue15IncompleteHourBlobAcrossRuns(t *testing.T) {
	run := mustJSON(sample(t, "azure_RUNCOMMAND_ACTION__SYNTH_export.json"))
	body := append(append(run, '\n'), run[:40]...)
	hour := func(when string) string {
		return "insights-activity-logs/resourceId=/SUBSCRIPTIONS/S1/" + when + "/m=00/PT1H.json"
	}
	f := func(name, key string, wantCode int, wantErr string) {
		t.Helper()
		root, work := t.TempDir(), t.TempDir()
		put(t, root, key, body)
		for i, wantHits := range []int64{1, 0} {
			sum := filepath.Join(work, "summary.json")
			code, _, errOut := cli(t, "scan", root, "--state", filepath.Join(work, "sweep.state"), "--out", filepath.Join(work, "lake")+"/", "--summary-json", sum)
			if code != wantCode || !strings.Contains(errOut, wantErr) {
				t.Errorf("%s, run %d: exit %d (want %d), stderr lacks %q:\n%s", name, i+1, code, wantCode, wantErr, errOut)
			}
			var s struct {
				Hits           int64 `json:"hits"`
				ObjectsScanned int64 `json:"objects_scanned"`
			}
			b, err := os.ReadFile(sum)
			if err == nil {
				err = json.Unmarshal(b, &s)
			}
			if err != nil || s.ObjectsScanned != 1 || s.Hits != wantHits {
				t.Errorf("%s, run %d: %v; %d objects scanned (want 1), %d hits (want %d)", name, i+1, err, s.ObjectsScanned, s.Hits, wantHits)
			}
		}
	}
	f("closed hour", hour("y=2024/m=01/d=15/h=10"), exitPartial, "incomplete in a closed hour")
	f("open hour", hour(time.Now().UTC().Format("y=2006/m=01/d=02/h=15")), exitOK, "open append blob")
	f("future hour", hour("y=2099/m=01/d=01/h=00"), exitPartial, "ahead of the clock")
}
