package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/retrohunt/retrohunt/output"
)

// TestTumblingAndSuppressionCLI: a tumbling window and
// suppression_window through `retrohunt scan`, on bruteArchive's failed
// logins (worked out by hand there). With "$ip by 5m" and "#e >= 2":
// 192.0.2.10 fails at 10:01 and 10:03 (slot 10:00: 2, a detection),
// 10:05, 10:06, 10:08 (slot 10:05: 3, a detection), 10:30 (1);
// 198.51.100.20 at 10:02 and 10:04 (slot 10:00: a detection) and 10:07
// (1). With suppression_window = 1h, each IP keeps its first: the slot
// 10:05 of 192.0.2.10 goes. window_start is the slot's start in Unix
// seconds (10:00 is 1709287200, 10:05 1709287500).
func TestTumblingAndSuppressionCLI(t *testing.T) {
	root, _, _ := bruteArchive(t)
	const rule = `rule failures_per_slot {
  events:
    $e.metadata.product_event_type = "ConsoleLogin"
    $e.security_result.description = "Reason: Failed authentication"
    $ip = $e.principal.ip
  match:
    $ip by 5m
  outcome:
    $from = window_start
  condition:
    #e >= 2
%s}
`
	for _, tc := range []struct {
		options string
		want    []string
	}{
		{"", []string{`{"ip":"192.0.2.10"} {"from":1709287200} 2`, `{"ip":"192.0.2.10"} {"from":1709287500} 3`, `{"ip":"198.51.100.20"} {"from":1709287200} 2`}},
		{"  options:\n    suppression_window = 1h\n", []string{`{"ip":"192.0.2.10"} {"from":1709287200} 2`, `{"ip":"198.51.100.20"} {"from":1709287200} 2`}},
	} {
		dir := t.TempDir()
		rf, pq := filepath.Join(dir, "r.yaral"), filepath.Join(dir, "hits.parquet")
		os.WriteFile(rf, []byte(fmt.Sprintf(rule, tc.options)), 0o644)
		code, _, errOut := cli(t, "scan", root, "--since", "2024-03-01", "--until", "2024-03-01", "--rule", rf, "--out", pq)
		if code != 0 {
			t.Fatalf("options %q: exit %d\n%s", tc.options, code, errOut)
		}
		rows, err := parquet.ReadFile[output.Hit](pq)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range rows {
			if h.RowKind == "detection" {
				got = append(got, fmt.Sprintf("%s %s %d", h.Match, h.Outcomes, *h.EventCount))
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("options %q: detections\n%q\nwant\n%q", tc.options, got, tc.want)
		}
	}
}
