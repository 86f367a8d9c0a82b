package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const corrBase = `title: Failed login
name: failed
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventName: ConsoleLogin}
  condition: sel
`

// TestLoadCorrelations: a correlation's base rule in another file is
// found by name and marked BaseOnly (no generate: true); with
// generate: true it is not.
func TestLoadCorrelations(t *testing.T) {
	for _, gen := range []bool{false, true} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "a_base.yml"), []byte(corrBase), 0o644)
		corr := "title: Many\ncorrelation:\n  type: event_count\n  rules: [failed]\n  group-by: [sourceIPAddress]\n  timespan: 10m\n  condition: {gte: 5}\n"
		if gen {
			corr += "  generate: true\n"
		}
		os.WriteFile(filepath.Join(dir, "b_corr.yml"), []byte(corr), 0o644)
		ls, _, err := LoadWith([]string{dir}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(ls) != 2 || ls[1].Sigma.Correlation == nil || ls[1].Sigma.Correlation.Bases[0] != ls[0].Sigma || ls[0].BaseOnly == gen {
			t.Errorf("generate=%v: %+v", gen, ls)
		}
	}
}

// TestLoadCorrelationErrors: a reference to no rule is an error at its
// file:line:col; a correlation of a correlation is Unsupported, skipped
// by name under SkipUnsupported.
func TestLoadCorrelationErrors(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "c.yml")
	os.WriteFile(p, []byte("title: Many\ncorrelation:\n  type: event_count\n  rules: [nosuch]\n  timespan: 10m\n  condition: {gte: 5}\n"), 0o644)
	_, _, err := LoadWith([]string{p}, Options{SkipUnsupported: true})
	if err == nil || !strings.Contains(err.Error(), p+":4:11: ") || !strings.Contains(err.Error(), "nosuch") {
		t.Fatalf("got %v", err)
	}
	os.WriteFile(filepath.Join(dir, "a.yml"), []byte(corrBase+"---\ntitle: Many\nname: many\ncorrelation:\n  type: event_count\n  rules: [failed]\n  timespan: 10m\n  condition: {gte: 5}\n"), 0o644)
	os.WriteFile(p, []byte("title: Chained\ncorrelation:\n  type: temporal\n  rules: [many, failed]\n  timespan: 1h\n"), 0o644)
	ls, sk, err := LoadWith([]string{dir}, Options{SkipUnsupported: true})
	if err != nil || len(ls) != 2 || len(sk) != 1 || sk[0].Rule != "Chained" || !strings.Contains(sk[0].Reasons[0], "chained") {
		t.Fatalf("got %v, %+v, %v", ls, sk, err)
	}
}
