package state_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/output/lake"
	"github.com/retrohunt/retrohunt/scan"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sweep/state"
	"github.com/retrohunt/retrohunt/sweep/sweeptest"
)

// testdata/state-v1.json is a state file written by hand in the format
// of docs/sweeps.md, as retrohunt wrote it before the status became
// scan.ObjectStatus and the parts lake.File (statuses by name, parts
// without keys). It must load as it did, and a save must keep the
// fields that older retrohunt reads.
func TestLoadsVersion1(t *testing.T) {
	ctx := context.Background()
	b, err := os.ReadFile("testdata/state-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	st := sweeptest.Local(t)
	if _, err := st.Put(ctx, stateKey, strings.NewReader(string(b)), int64(len(b)), sources.Condition{}); err != nil {
		t.Fatal(err)
	}
	s := load(t, st)
	for uri, want := range map[string]scan.ObjectStatus{
		"s3://trail/a.json.gz": scan.ObjectScanned,
		"s3://trail/b.json.gz": scan.ObjectFailed,
		"s3://trail/c.json.gz": scan.ObjectSkipped,
	} {
		if e, ok := s.Get(uri); !ok || e.Status != want {
			t.Errorf("%s: status %v (known %v), want %v", uri, e.Status, ok, want)
		}
	}
	if s.Need("s3://trail/a.json.gz", "ea", 10, "sha256:9f2c") || !s.Need("s3://trail/b.json.gz", "eb", 11, "sha256:9f2c") {
		t.Error("Need: a scanned object is needed, or a failed one is not")
	}
	const part1 = "s3://lake/findings/date=2024-03-01/part-20240302T023000Z-1a2b3c4d-1.parquet"
	if p := s.Parts(); len(p) != 1 || p[0].URI != part1 || p[0].Rows != 2 || p[0].Partition != "date=2024-03-01" {
		t.Errorf("Parts = %+v", p)
	}
	if p := s.Pending(); len(p) != 1 || p[0].ID != 3 || len(p[0].Parts) != 1 || p[0].Parts[0].Rows != 4 || p[0].Objects["s3://trail/d.json.gz"].Status != scan.ObjectScanned {
		t.Errorf("Pending = %+v", p)
	}

	// Saved again, the statuses are names and the parts keep the fields
	// the old reader knows.
	s.Stage([]lake.File{{Key: "findings/x.parquet", URI: "s3://lake/findings/x.parquet", Run: "r", Rows: 1}},
		[]state.Outcome{{URI: "s3://trail/e.json.gz", ETag: "ee", Status: scan.ObjectFailed, Reason: "x"}})
	save(t, s)
	out, _, err := st.Get(ctx, stateKey)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Objects map[string]struct{ Status string }
		Pending []struct {
			Parts   []map[string]any
			Objects map[string]struct{ Status string }
		}
		Parts []map[string]any
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Objects["s3://trail/b.json.gz"].Status != "failed" || doc.Objects["s3://trail/c.json.gz"].Status != "skipped" || doc.Objects["s3://trail/a.json.gz"].Status != "scanned" {
		t.Errorf("saved statuses: %+v", doc.Objects)
	}
	if len(doc.Pending) != 2 || doc.Pending[1].Objects["s3://trail/e.json.gz"].Status != "failed" || doc.Pending[1].Parts[0]["uri"] != "s3://lake/findings/x.parquet" {
		t.Errorf("saved pending: %+v", doc.Pending)
	}
	if len(doc.Parts) != 1 || doc.Parts[0]["uri"] != part1 || doc.Parts[0]["rows"] != 2.0 {
		t.Errorf("saved parts: %+v", doc.Parts)
	}
}

// An entry with no status, or one this version does not know, makes the
// file unreadable rather than silently scanned (ObjectScanned is the
// zero value).
func TestLoadRefusesBadStatus(t *testing.T) {
	ctx := context.Background()
	for _, entry := range []string{`{"etag": "e", "size": 1, "hits": 0}`, `{"etag": "e", "size": 1, "status": "done"}`} {
		st := sweeptest.Local(t)
		body := `{"version": 1, "objects": {"s3://trail/a": ` + entry + `}}`
		if _, err := st.Put(ctx, stateKey, strings.NewReader(body), int64(len(body)), sources.Condition{}); err != nil {
			t.Fatal(err)
		}
		if _, err := state.Load(ctx, st, stateKey); err == nil {
			t.Errorf("Load of an entry %s: no error", entry)
		}
	}
}
