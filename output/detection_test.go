package output

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestDetectionRowRoundTrip: a detection row and a hit row share one
// Parquet file; the detection columns read back as written and stay
// null (nil, "") on the hit row; JSON Lines leaves them out of hit rows.
func TestDetectionRowRoundTrip(t *testing.T) {
	start := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	end := start.Add(10 * time.Minute)
	n, tr := int64(6), true
	det := Hit{RuleName: "brute", EventTime: start, RowKind: "detection", WindowStart: &start, WindowEnd: &end,
		Match: `{"ip":"198.51.100.7"}`, Events: `[{"var":"$e","source_uri":"s3://b/k","record_index":0,"event_time":"2024-03-01T00:00:00Z"}]`,
		EventCount: &n, WindowTruncated: &tr, Outcomes: `{"attempts":6}`}
	hit := Hit{RuleName: "single", EventTime: start, SourceURI: "s3://b/k", Raw: "{}"}
	path := filepath.Join(t.TempDir(), "h.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := NewParquet(f)
	if err := w.Write([]Hit{det, hit}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	got, err := ReadFile(path, ReadOptions{Raw: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !reflect.DeepEqual(got[0], det) || !reflect.DeepEqual(got[1], hit) {
		t.Fatalf("read back:\n%+v\nwant\n%+v", got, []Hit{det, hit})
	}

	var b bytes.Buffer
	j := NewJSONL(&b)
	if err := j.Write([]Hit{hit, det}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	for _, col := range []string{"row_kind", "window_start", "match", "events", "event_count", "window_truncated"} {
		if strings.Contains(lines[0], `"`+col+`"`) {
			t.Errorf("hit row carries %s: %s", col, lines[0])
		}
		if !strings.Contains(lines[1], `"`+col+`"`) {
			t.Errorf("detection row lacks %s: %s", col, lines[1])
		}
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &m); err != nil || m["event_count"] != 6.0 {
		t.Errorf("detection row %s: event_count %v (%v)", lines[1], m["event_count"], err)
	}
	// match and events are embedded as JSON, as outcomes are.
	match, _ := m["match"].(map[string]any)
	if ip, _ := match["ip"].(string); ip != "198.51.100.7" {
		t.Errorf("detection row %s: match %#v, want the object", lines[1], m["match"])
	}
	if ev, _ := m["events"].([]any); len(ev) != 1 || ev[0].(map[string]any)["record_index"] != 0.0 {
		t.Errorf("detection row %s: events %#v, want the list", lines[1], m["events"])
	}
}
