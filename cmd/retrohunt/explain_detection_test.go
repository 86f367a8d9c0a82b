package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExplainDetectionCLI: `retrohunt explain --detection N HITS`
// explains a detection row of a scan's output: the rule, window and
// match, then each contributing event fetched again from its
// provenance with the conditions of its event variable clause by
// clause, then the condition over the window. The detection is
// bruteArchive's (worked out by hand there): five failed logins from
// 192.0.2.10 in [10:01, 10:11], records 0, 1, 3 of the second object
// and 0, 2 of the first.
func TestExplainDetectionCLI(t *testing.T) {
	root, first, second := bruteArchive(t)
	rdir := t.TempDir()
	brute := filepath.Join(rdir, "brute.yaral")
	os.WriteFile(brute, []byte(bruteRule), 0o644)
	pq := filepath.Join(t.TempDir(), "hits.parquet")
	code, _, errOut := cli(t, "scan", root, "--since", "2024-03-01", "--until", "2024-03-01", "--rule", brute, "--out", pq)
	if code != 0 {
		t.Fatalf("scan: exit %d\n%s", code, errOut)
	}
	code, out, errOut := cli(t, "explain", "--rule", brute, "--detection", "1", pq)
	if code != 0 {
		t.Fatalf("explain: exit %d\n%s", code, errOut)
	}
	for _, want := range []string{
		"detection 1 of 1: rule console_brute_force",
		"window    2024-03-01T10:01:00Z - 2024-03-01T10:11:00Z (hop, 10m0s)",
		`match     ip = "192.0.2.10"`,
		"events    5 contributing, 5 listed",
		"event 1  $e  " + fileURI(root, second) + " record 0  2024-03-01T10:01:00Z",
		"event 2  $e  " + fileURI(root, second) + " record 1  2024-03-01T10:03:00Z",
		"event 3  $e  " + fileURI(root, second) + " record 3  2024-03-01T10:05:00Z",
		"event 4  $e  " + fileURI(root, first) + " record 0  2024-03-01T10:06:00Z",
		"event 5  $e  " + fileURI(root, first) + " record 2  2024-03-01T10:08:00Z",
		"condition #e >= 4: true",
		"#e = 5",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("explain lacks %q:\n%s", want, out)
		}
	}
	// Each event's conditions, clause by clause, with the values read.
	if n := strings.Count(out, `$e.security_result.description = "Reason: Failed authentication"  ← "Reason: Failed authentication"`); n != 5 {
		t.Errorf("%d events show the failed-authentication clause true, want 5:\n%s", n, out)
	}
	// A detection the file does not hold, and a rule not loaded.
	if code, _, errOut := cli(t, "explain", "--rule", brute, "--detection", "2", pq); code != 2 || !strings.Contains(errOut, "holds 1 detection") {
		t.Errorf("--detection 2: exit %d\n%s", code, errOut)
	}
	other := filepath.Join(rdir, "single.yaral")
	os.WriteFile(other, []byte(singleFailRule), 0o644)
	if code, _, errOut := cli(t, "explain", "--rule", other, "--detection", "1", pq); code != 2 || !strings.Contains(errOut, "rule console_brute_force is not among the rules loaded") {
		t.Errorf("rule not loaded: exit %d\n%s", code, errOut)
	}
}
