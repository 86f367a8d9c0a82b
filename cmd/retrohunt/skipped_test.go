package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/scan"
	"github.com/retrohunt/retrohunt/scan/rules"
)

// TestSkippedRulesInSummary: the rules --skip-unsupported left out are
// in the summary document (--summary-json and the lake manifest take it
// whole) and in the stderr summary, escaped.
func TestSkippedRulesInSummary(t *testing.T) {
	skipped := []rules.Skipped{{Rule: "many_sessions", Origin: "rules/multi.yaral",
		Reasons: []string{"rules/multi.yaral:5:3: match: multi-event rules are not supported\x1b[2J"}}}
	doc := newSummaryDoc(&scan.Summary{}, newTally(nil), skipped)
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if want := `"skipped_rules":[{"rule":"many_sessions","origin":"rules/multi.yaral","reasons":["rules/multi.yaral:5:3: match: multi-event rules are not supported\u001b[2J"]}]`; !strings.Contains(string(b), want) {
		t.Errorf("summary JSON lacks %s:\n%s", want, b)
	}
	if b, _ := json.Marshal(newSummaryDoc(&scan.Summary{}, newTally(nil), nil)); strings.Contains(string(b), "skipped_rules") {
		t.Errorf("skipped_rules without skipped rules: %s", b)
	}
	var w bytes.Buffer
	printSkipped(&w, skipped)
	if want := "\n  1 rule(s) not run (--skip-unsupported):\n    many_sessions (rules/multi.yaral)\n      rules/multi.yaral:5:3: match: multi-event rules are not supported\\x1b[2J\n"; w.String() != want {
		t.Errorf("stderr summary:\n%q\nwant\n%q", w.String(), want)
	}
}
