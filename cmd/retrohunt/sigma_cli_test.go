package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSigmaBadRuleExits2: a Sigma file with three mistakes stops the scan
// with exit 2 and names all three at file:line:col (counted by hand).
func TestSigmaBadRuleExits2(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "bad.yml")
	src := "title: Bad\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n    sel:\n        eventName|containz: x\n        eventName: y\n        eventName: z\n    condition: sel or other\n"
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := cli(t, "scan", "--rule", p, "--quiet", "../../testdata/samples/aws_ssm_StartSession__stratus.json")
	if code != 2 {
		t.Fatalf("exit %d, want 2\n%s", code, errOut)
	}
	for _, want := range []string{p + ":5:19: unknown modifier", p + ":7:9: duplicate key", p + ":8:23: unknown search identifier \"other\""} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

// TestSigmaAndYARALDirectory: one --rule directory holding a .yaral and a
// .yml rule runs both on the same records.
func TestSigmaAndYARALDirectory(t *testing.T) {
	dir := t.TempDir()
	yl := `rule yl_start_session {
  events:
    $e.metadata.product_event_type = "StartSession"
  condition:
    $e
}
`
	sg := "title: Sigma Start Session\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n    sel:\n        eventName: startsession\n    condition: sel\n"
	for name, s := range map[string]string{"a.yaral": yl, "b.yml": sg} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := cli(t, "scan", "--rule", dir, "--format", "jsonl", "--quiet", "../../testdata/samples/aws_ssm_StartSession__stratus.json")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	got := map[string]bool{}
	for _, h := range jsonlHits(t, out) {
		got[h["rule_name"].(string)] = true
	}
	if !got["yl_start_session"] || !got["Sigma Start Session"] || len(got) != 2 {
		t.Errorf("rules fired: %v", got)
	}
	code, out, _ = cli(t, "rules", "lint", filepath.Join(dir, "b.yml"))
	if code != 0 || !strings.Contains(out, "rule Sigma Start Session: no findings") {
		t.Errorf("lint: exit %d\n%s", code, out)
	}
}

// TestSigmaEntraSignIn: an azure/signinlogs rule runs on Entra ID sign-in
// records, reading the Log Analytics column names under properties
// (docs/sigma.md). The samples' values, read by hand: the success sign-in
// is to "Azure Portal" with resultType "0", the failure to "Office 365"
// with 50140.
func TestSigmaEntraSignIn(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "s.yml")
	src := "title: Entra Sign-in Failure\nlogsource: {product: azure, service: signinlogs}\ndetection:\n    sel:\n        ResultType: 50140\n        AppDisplayName|contains: 'office'\n    condition: sel\n"
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for sample, want := range map[string]int{
		"entra_signin_SignInLogs_failure_50140__elastic_raw.json": 1,
		"entra_signin_SignInLogs_success__elastic_sample.json":    0,
	} {
		code, out, errOut := cli(t, "scan", "--rule", p, "--format", "jsonl", "--quiet", "../../testdata/samples/"+sample)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", sample, code, errOut)
		}
		if got := len(jsonlHits(t, out)); got != want {
			t.Errorf("%s: %d hits, want %d", sample, got, want)
		}
	}
}
