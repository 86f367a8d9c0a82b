package report

import (
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/output"
)

// TestDetectionSetKeepsOnlyDetections: `explain --detection N LAKE` reads
// a lake that may hold millions of single-event hits to find one
// detection row: its Set keeps the detection rows only (and remembers
// only their keys), so its memory is the detections', not the lake's.
func TestDetectionSetKeepsOnlyDetections(t *testing.T) {
	s := NewDetectionSet()
	start := march(1, 10)
	end := start.Add(10 * time.Minute)
	det := output.Hit{RuleName: "brute", RowKind: "detection", WindowStart: &start, WindowEnd: &end, Match: `{"ip":"192.0.2.1"}`}
	s.add([]output.Hit{hit("single", "alice", march(1, 9), 0), hit("single", "bob", march(1, 11), 1), det, det})
	r := s.Report()
	if len(r.Hits) != 0 || len(r.Detections) != 1 || len(s.seen) != 1 || r.Duplicates != 1 {
		t.Errorf("hits %d, detections %d, keys kept %d, duplicates %d; want 0, 1, 1, 1", len(r.Hits), len(r.Detections), len(s.seen), r.Duplicates)
	}
}
