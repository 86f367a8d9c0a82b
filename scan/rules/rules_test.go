package rules

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/scan/rule"
)

const goodRule = `rule good_one {
  meta:
    severity = "LOW"
  events:
    $e.metadata.product_event_type = "StartSession"
  condition:
    $e
}
`

// A rule with a match section: a multi-event rule the loader compiles.
const multiEventRule = `rule many_sessions {
  events:
    $e.metadata.product_event_type = "StartSession"
    $e.principal.user.userid = $user
  match:
    $user over 10m
  condition:
    #e > 5
}
`

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestLoadReportsEveryFile: a directory with two bad files, a good one
// and one of multi-event rules the engine refuses fails naming the bad
// files (and the refused rules unless skipped), not only the first.
func TestLoadReportsEveryFile(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a_broken.yaral": "rule broken {\n  events:\n    $e.metadata.product_event_type = \n  condition:\n    $e\n}\n",
		"b_good.yaral":   goodRule,
		"c_multi.yaral":  refusedMulti,
	})
	extra := writeFiles(t, map[string]string{"d_broken.yaral": "rule { }\n"})
	for _, skip := range []bool{false, true} {
		_, _, err := LoadWith([]string{dir, filepath.Join(extra, "d_broken.yaral")}, Options{SkipUnsupported: skip})
		var le *LoadError
		if !errors.As(err, &le) {
			t.Fatalf("skip=%v: err = %v, want a *LoadError", skip, err)
		}
		msg := err.Error()
		for _, f := range []string{"a_broken.yaral:", "d_broken.yaral:1:"} {
			if !strings.Contains(msg, f) {
				t.Errorf("skip=%v: error lacks %s:\n%s", skip, f, msg)
			}
		}
		if !skip && !strings.Contains(msg, "c_multi.yaral:") {
			t.Errorf("error lacks c_multi.yaral:\n%s", msg)
		}
		if strings.Contains(msg, "b_good") {
			t.Errorf("error names the good file:\n%s", msg)
		}
	}
}

// TestSkipUnsupported drives the grouping with ErrorLists built by hand,
// as the parser reports them: every error with its rule's name and
// whether it is an unsupported construct.
func TestSkipUnsupported(t *testing.T) {
	good, err := rule.ParseFile("x.yaral", []byte(goodRule))
	if err != nil {
		t.Fatal(err)
	}
	unsupported := func(file, name, msg string, line int) *rule.Error {
		return &rule.Error{Pos: rule.Pos{File: file, Line: line, Col: 3}, Rule: name, Msg: msg, Unsupported: true}
	}
	fake := map[string]func() ([]*rule.Rule, error){
		// One good rule, one rule with two unsupported constructs.
		"x.yaral": func() ([]*rule.Rule, error) {
			return good, rule.ErrorList{
				unsupported("x.yaral", "many_sessions", "match: a multi-event construct retrohunt does not run yet", 14),
				unsupported("x.yaral", "many_sessions", "#e: event counts need a match section", 17),
			}
		},
		// An unsupported construct and a mistake in one rule: fails.
		"y.yaral": func() ([]*rule.Rule, error) {
			return nil, rule.ErrorList{
				unsupported("y.yaral", "mixed", "match: a multi-event construct retrohunt does not run yet", 5),
				{Pos: rule.Pos{File: "y.yaral", Line: 7, Col: 9}, Rule: "mixed", Msg: "unknown function strings.nope"},
			}
		},
		// Unsupported, but outside any rule: fails.
		"z.yaral": func() ([]*rule.Rule, error) {
			return nil, rule.ErrorList{unsupported("z.yaral", "", "import: not supported", 1)}
		},
	}
	prev := parseFile
	t.Cleanup(func() { parseFile = prev })
	parseFile = func(name string, src []byte, o Options) ([]*rule.Rule, error) { return fake[filepath.Base(name)]() }

	dir := writeFiles(t, map[string]string{"x.yaral": "", "y.yaral": "", "z.yaral": ""})
	x, y, z := filepath.Join(dir, "x.yaral"), filepath.Join(dir, "y.yaral"), filepath.Join(dir, "z.yaral")

	ls, sk, err := LoadWith([]string{x}, Options{SkipUnsupported: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 1 || ls[0].Rule.Name != "good_one" {
		t.Errorf("loaded %v, want good_one", ls)
	}
	want := []Skipped{{Rule: "many_sessions", Origin: x, Reasons: []string{
		"x.yaral:14:3: match: a multi-event construct retrohunt does not run yet",
		"x.yaral:17:3: #e: event counts need a match section",
	}}}
	if !reflect.DeepEqual(sk, want) {
		t.Errorf("skipped %+v, want %+v", sk, want)
	}

	if _, _, err := LoadWith([]string{x}, Options{}); err == nil || !strings.Contains(err.Error(), "x.yaral:14:3: match:") || !strings.Contains(err.Error(), "x.yaral:17:3:") {
		t.Errorf("without SkipUnsupported: err = %v", err)
	}
	_, _, err = LoadWith([]string{x, y, z}, Options{SkipUnsupported: true})
	var le *LoadError
	if !errors.As(err, &le) || len(le.Errs) != 3 {
		t.Fatalf("x, y, z: err = %v, want 3 errors", err)
	}
	if got := err.Error(); got != "y.yaral:5:3: match: a multi-event construct retrohunt does not run yet\ny.yaral:7:9: unknown function strings.nope\nz.yaral:1:3: import: not supported" {
		t.Errorf("x, y, z: err =\n%s", got)
	}
}

// refusedMulti: two multi-event rules that parse but CompileMulti does
// not run: one with two event variables and no match: section (line 1),
// one whose outcome reads a field outside an aggregation (its match: at
// line 16, column 3).
const refusedMulti = `rule two_vars {
  events:
    $a.metadata.product_event_type = "CreateUser"
    $b.metadata.product_event_type = "DeleteUser"
    $a.target.user.userid = $b.target.user.userid
  condition:
    $a and $b
}

rule field_outcome {
  events:
    $a.metadata.product_event_type = "CreateUser"
    $a.principal.user.userid = $user
    $b.metadata.product_event_type = "DeleteUser"
    $b.principal.user.userid = $user
  match:
    $user over 1h
  outcome:
    $ip = $a.principal.ip
  condition:
    $a and $b
}
`

// TestLoadMultiEvent: a rule with a match: section loads as a
// multi-event rule; multi-event rules the engine does not run are
// Unsupported errors at their position (the match: section, or the
// rule without one), so --skip-unsupported skips them by name.
func TestLoadMultiEvent(t *testing.T) {
	dir := writeFiles(t, map[string]string{"multi.yaral": multiEventRule, "refused.yaral": refusedMulti, "single.yaral": goodRule})
	ls, sk, err := LoadWith([]string{filepath.Join(dir, "multi.yaral"), filepath.Join(dir, "single.yaral")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 2 || ls[0].Multi == nil || ls[0].Rule.Name != "many_sessions" || ls[1].Multi != nil || len(sk) != 0 {
		t.Fatalf("loaded %+v skipped %v: want many_sessions multi-event, good_one not", ls, sk)
	}
	if got := ls[0].Multi.Keys; !reflect.DeepEqual(got, []string{"user"}) {
		t.Errorf("many_sessions keys %v, want [user]", got)
	}
	refused := filepath.Join(dir, "refused.yaral")
	_, _, err = LoadWith([]string{refused}, Options{})
	var le *LoadError
	if !errors.As(err, &le) || len(le.Errs) != 2 {
		t.Fatalf("refused: err = %v, want 2 errors", err)
	}
	for i, want := range []string{refused + ":1:1: rule two_vars: ", refused + ":16:3: rule field_outcome: "} {
		var re *rule.Error
		if !errors.As(le.Errs[i], &re) || !re.Unsupported || !strings.HasPrefix(re.Error(), want) {
			t.Errorf("error %d = %v, want an Unsupported rule.Error starting %q", i, le.Errs[i], want)
		}
	}
	if msg := err.Error(); !strings.Contains(msg, "no match: section") || !strings.Contains(msg, "$a.principal.ip outside an aggregation has no one value over a window") {
		t.Errorf("errors do not name the constructs:\n%s", msg)
	}
	ls, sk, err = LoadWith([]string{refused, filepath.Join(dir, "multi.yaral")}, Options{SkipUnsupported: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 1 || ls[0].Rule.Name != "many_sessions" || len(sk) != 2 || sk[0].Rule != "two_vars" || sk[1].Rule != "field_outcome" || sk[1].Origin != refused {
		t.Errorf("skip: loaded %+v skipped %+v", ls, sk)
	}
}
