package scan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/scan/decode"
	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/window"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/local"
)

const bruteForceRule = `rule console_brute_force {
  meta:
    severity = "High"
    mitre_attack_tactic = "Credential Access"
  events:
    $e.metadata.product_event_type = "ConsoleLogin"
    $e.security_result.description = "Reason: Failed authentication"
    $ip = $e.principal.ip
  match:
    $ip over 10m
  outcome:
    $users = array_distinct($e.principal.user.user_display_name)
    $risk_score = max(60)
  condition:
    #e >= 5
}
`

const singleRule = `rule console_login_failed {
  events:
    $e.metadata.product_event_type = "ConsoleLogin"
    $e.security_result.description = "Reason: Failed authentication"
  condition:
    $e
}
`

// consoleLogin is a CloudTrail ConsoleLogin record, failed or not.
func consoleLogin(at, ip, user string, failed bool) string {
	r := fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","accountId":"111122223333","userName":%q},"eventTime":%q,"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":%q,"eventID":"%s-%s"`, user, at, ip, ip, at)
	if failed {
		r += `,"errorMessage":"Failed authentication","responseElements":{"ConsoleLogin":"Failure"}`
	} else {
		r += `,"responseElements":{"ConsoleLogin":"Success"}`
	}
	return r + "}"
}

// TestDetectionsEndToEnd: a brute force spread over two CloudTrail
// objects, the later events in the object listed first, found by
// scan.Run on both paths with a candidate budget that spills: one
// detection row (row_kind "detection") beside the single-event hits in
// the same output. By hand: 198.51.100.7 fails at 00:00, 00:01, 00:02
// (second object) and 00:03, 00:04 (first object) and succeeds at 00:05
// (no candidate): 5 events in [00:00, 00:10], users alice and bob.
// 203.0.113.9 fails three times (below 5). The scan covers the whole of
// 2024-03-01 and the window starts at 00:00, so a login before the scan
// could have joined it: window_truncated.
func TestDetectionsEndToEnd(t *testing.T) {
	root := t.TempDir()
	put := func(name string, recs ...string) {
		p := filepath.Join(root, "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01", name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(`{"Records":[`+strings.Join(recs, ",")+`]}`), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const a, b = "198.51.100.7", "203.0.113.9"
	put("111122223333_CloudTrail_us-east-1_20240301T0000Z_a.json",
		consoleLogin("2024-03-01T00:03:00Z", a, "bob", true), consoleLogin("2024-03-01T00:04:00Z", a, "alice", true),
		consoleLogin("2024-03-01T00:05:00Z", a, "alice", false), consoleLogin("2024-03-01T00:04:30Z", b, "root", true))
	put("111122223333_CloudTrail_us-east-1_20240301T0005Z_b.json",
		consoleLogin("2024-03-01T00:00:00Z", a, "alice", true), consoleLogin("2024-03-01T00:01:00Z", a, "alice", true),
		consoleLogin("2024-03-01T00:02:00Z", a, "bob", true), consoleLogin("2024-03-01T00:00:30Z", b, "root", true),
		consoleLogin("2024-03-01T00:01:30Z", b, "root", true))

	single, err := rule.ParseFile("s.yaral", []byte(singleRule))
	if err != nil {
		t.Fatal(err)
	}
	multi, err := rule.ParseFileOptions("m.yaral", []byte(bruteForceRule), rule.Options{MultiEvent: true})
	if err != nil {
		t.Fatal(err)
	}
	mr, err := NewMultiRule(multi[0], "test")
	if err != nil {
		t.Fatal(err)
	}
	src, err := local.New(root)
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	// With the single-event rule, and alone: then only its variable's
	// rule lets the records through the prefilter.
	for i, reference := range []bool{false, true, false, true} {
		rs, wantHits := []*Rule{NewRule(single[0], "test")}, 8
		if i >= 2 {
			rs, wantHits = nil, 0
		}
		var c collect
		cfg := Config{Rules: rs, Multi: []*MultiRule{mr}, Reference: reference, Workers: 2,
			Window: sources.Window{Since: day, Until: day.Add(24 * time.Hour)}, CandidateDir: t.TempDir(), CandidateBudget: 300,
			Limits: decode.Limits{MaxRecordBytes: 1 << 20, MaxDepth: 64}}
		want := []string{"00:00:00", "00:01:00", "00:02:00", "00:03:00", "00:04:00"}
		if reference {
			// The events listed are capped per event variable; the
			// count stays true.
			cfg.DetectionEvents = 3
			want = want[:3]
		}
		sum, err := Run(context.Background(), cfg, []Target{{Source: src}}, &c)
		if err != nil {
			t.Fatal(err)
		}
		var dets []output.Hit
		hits := 0
		for _, h := range c.hits {
			if h.RowKind == "detection" {
				dets = append(dets, h)
			} else {
				hits++
			}
		}
		// The summary counts detections apart from hits.
		if hits != wantHits || sum.Hits != int64(wantHits) || sum.Detections != 1 || sum.DetectionsByRule["console_brute_force"] != 1 || sum.HitsByRule["console_brute_force"] != 0 {
			t.Errorf("reference=%v: %d hit rows, summary %d hits, %d detections (%v); want %d hits and 1 detection", reference, hits, sum.Hits, sum.Detections, sum.DetectionsByRule, wantHits)
		}
		if len(dets) != 1 {
			t.Fatalf("reference=%v: %d detections, want 1: %+v", reference, len(dets), dets)
		}
		d := dets[0]
		var events []struct {
			Var         string `json:"var"`
			SourceURI   string `json:"source_uri"`
			RecordIndex int64  `json:"record_index"`
			EventTime   string `json:"event_time"`
		}
		if err := json.Unmarshal([]byte(d.Events), &events); err != nil {
			t.Fatal(err)
		}
		var times []string
		for _, e := range events {
			times = append(times, e.EventTime[11:19])
			if e.Var != "$e" || !strings.HasSuffix(e.SourceURI, ".json") {
				t.Errorf("event %+v", e)
			}
		}
		switch {
		case d.RuleName != "console_brute_force" || d.Severity != "HIGH" || d.Tactic != "Credential Access":
			t.Errorf("metadata: %+v", d)
		case !d.WindowStart.Equal(day) || !d.WindowEnd.Equal(day.Add(10*time.Minute)) || !d.EventTime.Equal(day):
			t.Errorf("window %v - %v, event_time %v", d.WindowStart, d.WindowEnd, d.EventTime)
		case d.Match != `{"ip":"198.51.100.7"}`:
			t.Errorf("match %s", d.Match)
		case d.Outcomes != `{"users":["alice","bob"],"risk_score":60}` || d.RiskScore == nil || *d.RiskScore != 60:
			t.Errorf("outcomes %s, risk %v", d.Outcomes, d.RiskScore)
		case *d.EventCount != 5 || !slices.Equal(times, want):
			t.Errorf("event_count %d, events at %v; want 5 at %v", *d.EventCount, times, want)
		case !*d.WindowTruncated:
			t.Errorf("window not truncated, but the scan starts at its start")
		}
	}
}

// TestDetectionsSpillFailureFailsRun: candidates that cannot spill (the
// spill directory cannot be made) fail the scan with a
// *window.SpillError, never a silent loss of candidates.
func TestDetectionsSpillFailureFailsRun(t *testing.T) {
	root := t.TempDir()
	p := filepath.Join(root, "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01/111122223333_CloudTrail_us-east-1_20240301T0000Z_a.json")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	var recs []string
	for i := range 20 {
		recs = append(recs, consoleLogin(fmt.Sprintf("2024-03-01T00:%02d:00Z", i), "198.51.100.7", "alice", true))
	}
	if err := os.WriteFile(p, []byte(`{"Records":[`+strings.Join(recs, ",")+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	multi, err := rule.ParseFileOptions("m.yaral", []byte(bruteForceRule), rule.Options{MultiEvent: true})
	if err != nil {
		t.Fatal(err)
	}
	mr, err := NewMultiRule(multi[0], "test")
	if err != nil {
		t.Fatal(err)
	}
	src, err := local.New(root)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Multi: []*MultiRule{mr}, Workers: 1, CandidateDir: filepath.Join(notDir, "spill"), CandidateBudget: 100,
		Limits: decode.Limits{MaxRecordBytes: 1 << 20, MaxDepth: 64}}
	_, err = Run(context.Background(), cfg, []Target{{Source: src}}, &collect{})
	var se *window.SpillError
	if !errors.As(err, &se) {
		t.Fatalf("Run = %v, want a *window.SpillError", err)
	}
}
