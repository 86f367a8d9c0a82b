package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/scan/rule"
)

const brokenRule = "rule broken {\n  events:\n    $e.metadata.product_event_type = \n  condition:\n    $e\n}\n"

// multiRule is valid YARA-L with a match section (multi-event), which
// retrohunt does not run: rejected today as an error, and marked
// unsupported once the parser reports constructs that way.
// multiRule is valid YARA-L that retrohunt never runs: the entity graph
// is data only a SecOps instance holds.
const multiRule = "rule graph_lookup {\n  events:\n    $e.metadata.product_event_type = \"StartSession\"\n    $e.graph.entity.hostname = \"web-1\"\n  condition:\n    $e\n}\n"

func ruleDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		put(t, dir, name, []byte(src))
	}
	return dir
}

func builtinRuleFile(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("../../scan/rules/builtin/pack/aws_ssm_run_command.yaral")
	if err != nil {
		t.Fatal(err)
	}
	return string(src)
}

// unsupportedOnly reports whether the parser rejects src only for
// unsupported constructs (so --skip-unsupported may skip it).
func unsupportedOnly(src string) bool {
	_, err := rule.ParseFile("x.yaral", []byte(src))
	var list rule.ErrorList
	var one *rule.Error
	switch {
	case errors.As(err, &list):
	case errors.As(err, &one):
		list = rule.ErrorList{one}
	default:
		return false
	}
	for _, e := range list {
		if !e.Unsupported || e.Rule == "" {
			return false
		}
	}
	return len(list) > 0
}

// TestScanReportsEveryRuleError: `scan --rule DIR` and several --rule
// parse every file and refuse (exit 2) listing every error, not only
// the first file's.
func TestScanReportsEveryRuleError(t *testing.T) {
	dir := ruleDir(t, map[string]string{"a_broken.yaral": brokenRule, "b_good.yaral": builtinRuleFile(t), "c_multi.yaral": multiRule})
	other := ruleDir(t, map[string]string{"d_broken.yaral": "rule { }\n"})
	for _, args := range [][]string{
		{"--rule", dir, "--rule", filepath.Join(other, "d_broken.yaral")},
		{"--rule", filepath.Join(dir, "a_broken.yaral"), "--rule", filepath.Join(dir, "c_multi.yaral"), "--rule", filepath.Join(other, "d_broken.yaral")},
	} {
		code, _, errOut := cli(t, append([]string{"scan", oneHit(t)}, args...)...)
		if code != exitUsage {
			t.Fatalf("%v: exit %d, want 2\n%s", args, code, errOut)
		}
		for _, want := range []string{"a_broken.yaral:", "c_multi.yaral:", "d_broken.yaral:1:"} {
			if !strings.Contains(errOut, want) {
				t.Errorf("%v: stderr lacks %s:\n%s", args, want, errOut)
			}
		}
		if n := strings.Count(errOut, "\n  "); n < 3 {
			t.Errorf("%v: %d error lines, want one per error:\n%s", args, n, errOut)
		}
	}
	// --skip-unsupported does not skip a file with a syntax error.
	if code, _, errOut := cli(t, "scan", oneHit(t), "--rule", dir, "--skip-unsupported"); code != exitUsage || !strings.Contains(errOut, "a_broken.yaral:") {
		t.Errorf("--skip-unsupported with a syntax error: exit %d\n%s", code, errOut)
	}
}

// TestSkipUnsupportedNamesEveryRule: with --skip-unsupported a rule that
// only uses unsupported constructs is skipped and named with its reason
// on stderr, in --summary-json and in the lake manifest; the rest runs.
// While the parser reports a match section as a plain error, the rule
// is refused instead (exit 2, named).
func TestSkipUnsupportedNamesEveryRule(t *testing.T) {
	dir := ruleDir(t, map[string]string{"b_good.yaral": builtinRuleFile(t), "c_multi.yaral": multiRule})
	out := t.TempDir()
	sum := filepath.Join(out, "summary.json")
	code, _, errOut := cli(t, "scan", oneHit(t), "--rule", dir, "--skip-unsupported", "--summary-json", sum, "--format", "jsonl", "--out", filepath.Join(out, "hits.jsonl"))
	if !unsupportedOnly(multiRule) {
		t.Fatalf("the parser does not mark %q as unsupported only", multiRule)
	}
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if !strings.Contains(errOut, "graph_lookup") || !strings.Contains(errOut, "not run (--skip-unsupported)") {
		t.Errorf("stderr does not name the skipped rule:\n%s", errOut)
	}
	var doc struct {
		SkippedRules []struct {
			Rule    string   `json:"rule"`
			Origin  string   `json:"origin"`
			Reasons []string `json:"reasons"`
		} `json:"skipped_rules"`
	}
	b, err := os.ReadFile(sum)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &doc); err != nil || len(doc.SkippedRules) != 1 || doc.SkippedRules[0].Rule != "graph_lookup" ||
		len(doc.SkippedRules[0].Reasons) == 0 || !strings.Contains(doc.SkippedRules[0].Reasons[0], "c_multi.yaral:") {
		t.Errorf("summary JSON skipped_rules: %s (%v)", b, err)
	}
	lakeDir := filepath.Join(out, "lake") + "/"
	if code, _, errOut := cli(t, "scan", oneHit(t), "--rule", dir, "--skip-unsupported", "--out", lakeDir, "--quiet"); code != exitOK {
		t.Fatalf("lake: exit %d\n%s", code, errOut)
	}
	found := false
	filepath.WalkDir(lakeDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(p, "manifest") && !d.IsDir() {
			b, _ := os.ReadFile(p)
			found = found || strings.Contains(string(b), `"skipped_rules"`) && strings.Contains(string(b), "graph_lookup")
		}
		return nil
	})
	if !found {
		t.Error("the lake manifest does not name the skipped rule")
	}
}

// TestLintEveryFile: `rules lint DIR` lints every file past the bad
// ones and exits non-zero; --help and -h print help.
func TestLintEveryFile(t *testing.T) {
	dir := ruleDir(t, map[string]string{"a_broken.yaral": brokenRule, "b_good.yaral": builtinRuleFile(t), "c_multi.yaral": multiRule})
	code, out, errOut := cli(t, "rules", "lint", dir)
	if code == exitOK {
		t.Fatalf("exit 0 with two bad files\n%s", out)
	}
	for _, want := range []string{"a_broken.yaral:", "c_multi.yaral:", "rule aws_ssm_run_command"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s\n%s", want, out, errOut)
		}
	}
	for _, h := range []string{"--help", "-h"} {
		code, out, errOut := cli(t, "rules", "lint", h)
		if code != exitOK || !strings.Contains(out+errOut, "Usage: retrohunt rules lint") || strings.Contains(out+errOut, "no such rule") {
			t.Errorf("rules lint %s: exit %d\n%s%s", h, code, out, errOut)
		}
	}
}
