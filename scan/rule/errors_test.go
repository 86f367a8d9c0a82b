package rule

import (
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	f := func(src, want string) {
		t.Helper()
		if got := parseErr(t, "r.yaral", src).Error(); got != want {
			t.Errorf("ParseFile(%q):\ngot  %s\nwant %s", src, got, want)
		}
	}
	// ev builds a rule whose events section is line 3 onwards.
	ev := func(events string) string { return "rule r {\nevents:\n" + events + "\ncondition:\n  $e\n}\n" }

	// lexical
	f(ev(`  $e.a = "abc`), `r.yaral:3:10: unterminated string`)
	f(ev("  $e.a = `abc"), `r.yaral:3:10: unterminated raw string`)
	f(ev(`  $e.a = /abc`), `r.yaral:3:10: unterminated regex`)
	f(ev(`  $e.a = "1" /* never closed`), `r.yaral:3:14: unterminated comment`)
	f(ev(`  $e.a = "1" && $e.b = "2"`), `r.yaral:3:14: unexpected character '&'`)
	f(ev(`  !$e.a = "1"`), `r.yaral:3:3: unexpected character "!" (use "not" to negate)`)
	f(ev(`  $ = "1"`), `r.yaral:3:3: expected a variable name after "$"`)
	f(ev("  $e.a = \"1\" \x01"), `r.yaral:3:14: unexpected character U+0001 '\x01'`)
	f(ev("  $e.a = \"1\" \xff"), `r.yaral:3:14: unexpected byte 0xff`)
	f(ev(`  $e.a = 1e5`), `r.yaral:3:10: malformed number "1e5" (only decimal integers and fractions)`)
	f(ev(`  $e.a = -0x1F`), `r.yaral:3:10: malformed number "-0x1F" (only decimal integers and fractions)`)
	f(ev(`  $e.a = 1.2.3`), `r.yaral:3:10: malformed number "1.2.3" (only decimal integers and fractions)`)

	// structure
	f(ev("  ($e.a = \"1\""), `r.yaral:4:1: expected ")" to close "(" at 3:3, found "condition"`)
	f("rule r {\nevents:\n  $e.a = \"1\"\nfilter:\n  $e\n}", `r.yaral:4:1: unknown section "filter:" (expected meta:, events:, match:, outcome:, condition: or options:)`)
	f("rule r {\nevents:\n  $e.a = \"1\"\ncondition:\n  $e\n", `r.yaral:6:1: expected "}" to close rule r, found end of file`)
	f("rule r {\nevents:\n  $e.a = \"1\"\ncondition:\n  $e\nrule s {}", `r.yaral:6:1: expected "}" to close rule r, found "rule"`)
	f("rule r {\nevents:\n  $e.a = \"1\"\n}", `r.yaral:4:1: expected section "condition:", found "}"`)
	f("rule r {\ncondition:\n  $e\n}", `r.yaral:2:1: expected section "events:", found section "condition:"`)
	f("rule r {\nevents:\ncondition:\n  $e\n}", `r.yaral:2:1: events: section is empty`)
	f("rule r {\n  meta:\n    a = \"b\"\n  meta:\n", `r.yaral:4:3: section "meta:" appears twice (first at 2:3)`)
	f("rule r {\n  meta:\n    a = b\n", `r.yaral:3:9: expected string, number or boolean for meta key a, found "b"`)
	f("rule r {\n  meta:\n    a = 12\n    b = true\n  events:\n    $e.a = 1\n  condition:\n    $e\n}", `r.yaral:3:9: meta value of a must be a quoted string ("12"), as SecOps requires`)
	f("rule r {\n  meta:\n    a : \"b\"\n", `r.yaral:3:5: unknown section "a:" (expected meta:, events:, match:, outcome:, condition: or options:)`)
	// Google's options page: "key must be a predefined option name and
	// value must be a valid value for the option".
	opt := func(options string) string {
		return "rule r {\nevents:\n  $e.a = \"1\"\ncondition:\n  $e\noptions:\n" + options + "\n}\n"
	}
	f(opt("    allow_zero_vales = true"), `r.yaral:7:5: unknown option allow_zero_vales (SecOps defines allow_zero_values and suppression_window)`)
	f(opt(`    allow_zero_values = "yes"`), `r.yaral:7:5: option allow_zero_values takes true or false, not yes`)
	f(opt("    allow_zero_values = true\n    allow_zero_values = false"), `r.yaral:8:5: option allow_zero_values is set twice (first at 7:5)`)
	f("rule {", `r.yaral:1:6: expected rule name after "rule", found "{"`)
	f("rule r\nevents:", `r.yaral:2:1: expected "{" after rule name r, found "events"`)
	f(`$e.a = "1"`, `r.yaral:1:1: expected "rule", found variable $e`)
	f("rule r {\n  $e.a = \"1\"\n}", `r.yaral:2:3: expected section "meta:" or "events:", found variable $e`)
	f(ev(`  $e.a = "1"`)+ev(`  $e.b = "2"`), `r.yaral:7:6: duplicate rule name r (first defined at 1:6)`)
	f(ev(`  $e.a = "1" )`), `r.yaral:3:14: expected expression, found ")"`)
	f(ev(`  $e.a`), `r.yaral:4:1: expected comparison operator after $e.a, found "condition"`)
	f(ev(`  $e.a =`), `r.yaral:4:1: expected value after "=", found "condition"`)
	f(ev(`  $e.a = foo`), `r.yaral:3:10: expected value after "=", found "foo"`)
	f(ev(`  $e. = "1"`), `r.yaral:3:7: expected field name after ".", found "="`)
	f(ev(`  $e.a = "1"`+"\n  $e = \"2\""), `r.yaral:4:3: $e is the event variable: expected "." and a field name after it`)
	f(ev(`  $e.a in "x"`), `r.yaral:3:11: expected "(" after "in", found string "x"`)
	f(ev(`  $e.a in nocase "x"`), `r.yaral:3:18: expected "(" after "in nocase", found string "x"`)
	f(ev(`  $e.a in ("x" "y")`), `r.yaral:3:16: expected "," or ")" to close the list at 3:11, found string "y"`)
	f(ev(`  $e.a in ("x",`), `r.yaral:4:1: expected string, number or boolean in list, found "condition"`)
	f(ev(`  $e.a in ()`), `r.yaral:3:12: empty list after "in"`)
	f(ev(`  $e.a < /x/`), `r.yaral:3:8: a regex literal needs "=" or "!=", found "<"`)
	f(ev(`  /x/ = $e.a`), `r.yaral:3:3: a regex literal must be on the right of "=" or "!="`)
	f(ev(`  $e.a = 1 nocase`), `r.yaral:3:12: nocase applies to strings and regexes, not to a number`)
	f(ev(`  $e.a > true`), `r.yaral:3:10: a boolean can only be compared with "=" or "!="`)
	f(ev(`  "x" $e.a`), `r.yaral:3:7: expected comparison operator after "x", found variable $e`)
	f(ev(`  "x" = "y"`), `r.yaral:3:3: events: reads no event field (as $e.metadata.event_type)`)
	f(ev(`  $e.a = 1`+strings.Repeat("0", 400)), `r.yaral:3:10: number 1000000000000000000000000000000000000000... is out of range`)
	f(ev("  re.regex(\"x\", `y`)"), `r.yaral:3:3: events: reads no event field (as $e.metadata.event_type)`)
	f(ev("  re.regex($e.a `y`)"), `r.yaral:3:17: expected "," or ")" to close the call of re.regex at 3:11, found string "y"`)
	f(ev("  re.regex($e.a)"), `r.yaral:3:3: re.regex takes 2 arguments (a value and a pattern string), found 1`)
	f(ev("  re.regex($e.a, `y`"), `r.yaral:4:1: expected "," or ")" to close the call of re.regex at 3:11, found "condition"`)
	f(ev("  re.regex"), `r.yaral:3:3: expected value, found "re"`)
	f(ev(strings.Repeat("(", maxDepth+1)+`$e.a = "1"`), `r.yaral:3:501: expression nested too deeply (more than 500 levels)`)

	// multi-event constructs: valid YARA-L that retrohunt does not run yet
	u := func(src, want string) {
		t.Helper()
		e := parseErr(t, "r.yaral", src)
		if got := e.Error(); got != want || !e.Unsupported || e.Rule != "r" {
			t.Errorf("ParseFile(%q):\ngot  %s (unsupported %v, rule %q)\nwant %s", src, got, e.Unsupported, e.Rule, want)
		}
	}
	u("rule r {\nevents:\n  $e.a = \"1\"\nmatch:\n  $e.b over 5m\ncondition:\n  $e\n}", `r.yaral:4:1: match: section ($e.b over 5m) groups events into time windows: multi-event rules need match windows, which retrohunt does not run yet`)
	u(ev("  $e.a = \"1\"\n  $f.b = \"2\""), `r.yaral:4:3: several event variables ($e, $f) join events: multi-event rules need match windows, which retrohunt does not run yet`)
	u(ev(`  $e.a = $f.b`), `r.yaral:3:10: several event variables ($e, $f) join events: multi-event rules need match windows, which retrohunt does not run yet`)
	u("rule r {\nevents:\n  $e.a = \"1\"\ncondition:\n  #e > 2\n}", `r.yaral:5:3: event count #e counts the events of a match window: it needs match windows, which retrohunt does not run yet`)
	u("rule r {\nevents:\n  $e.a = \"1\"\ncondition:\n  !$e\n}", `r.yaral:5:3: non-existence (!e) is a multi-event construct: it needs match windows, which retrohunt does not run yet`)
	u(ev(`  $e.graph.entity.hostname = "x"`), `r.yaral:3:3: $e.graph.entity.hostname reads the entity graph, data only SecOps has`)

	// errors in the new constructs
	f("rule r {\nevents:\n  $e.a = \"1\"\ncondition:\n  $e\nevents:\n}", `r.yaral:6:1: section "events:" appears twice (first at 2:1)`)
	f(ev(`  $e.a in %admins`), `r.yaral:3:11: reference list admins is not loaded (give it with --reference-list admins=PATH or --reference-lists DIR)`)
	f(ev(`  $e.a in regex %admins`), `r.yaral:3:17: reference list admins is not loaded (give it with --reference-list admins=PATH or --reference-lists DIR)`)
	f(ev(`  $e.a = %admins`), `r.yaral:3:10: expected value after "=", found reference list %admins`)
	f(ev(`  strings.lower($e.a) = "x"`), `r.yaral:3:3: unknown function strings.lower`)
	f(ev(`  strings.to_lower($e.a, "x") = "y"`), `r.yaral:3:3: strings.to_lower takes 1 argument, found 2`)
	f(ev(`  re.capture($e.a, $e.b) = "y"`), `r.yaral:3:20: argument 2 (regex) of re.capture must be a literal`)
	f(ev(`  arrays.index_to_str($e.a, "x") = "y"`), `r.yaral:3:29: argument 2 (index) of arrays.index_to_str must be an int, found "x" (a string)`)
	f(ev(`  $e.a != $user`), `r.yaral:3:11: placeholder $user is never assigned (assign it in events:, as $user = $e.field)`)
	f(ev(`  $e.a["k"] = "v" nocase`+"\n  $e.metadata.event_type = \"USER_LOGIN\" nocase"), `r.yaral:4:3: nocase cannot be used with $e.metadata.event_type: it is an enumerated field, and SecOps rejects the rule (compare its exact value)`)
	f(ev(`  $e.a[0][1] = "v"`), `r.yaral:3:10: expected "." and a field name after $e, found "["`)
	f(ev("  re.regex($e.a, `(abc`)"), `r.yaral:3:18: invalid regex: missing closing ): "(abc"`)
	f(ev(`  $e.a = /a**/`), `r.yaral:3:10: invalid regex: invalid nested repetition operator: "**"`)
	f(ev(`  re.regex($e.a, "x{2,1}")`), `r.yaral:3:18: invalid regex: invalid repeat count: "{2,1}"`)
	f("rule r {\nevents:\n  $e.a = \"1\"\ncondition:\n  $e and $f\n}", `r.yaral:5:10: condition: $f is neither an event variable nor an outcome variable of rule r`)
	f("rule r {\nevents:\n  $e.a = \"1\"\noutcome:\n  $x = max($e.b)\n  $y = $z\ncondition:\n  $e\n}", `r.yaral:6:8: $z is neither a placeholder of events: nor an outcome variable`)
	f("rule r {\nevents:\n  $e.a = \"1\"\n  $n = count($e.b)\ncondition:\n  $e\n}", `r.yaral:4:8: aggregation count() is only allowed in outcome:`)
}

func TestErrorFormat(t *testing.T) {
	e := &Error{Pos: Pos{File: "a.yaral", Line: 3, Col: 7}, Msg: "boom"}
	if got := e.Error(); got != "a.yaral:3:7: boom" {
		t.Fatalf("Error() = %q", got)
	}
	if got := (Pos{Line: 1, Col: 2}).String(); got != "1:2" {
		t.Fatalf("Pos without file = %q", got)
	}
	// ParseFile errors are *Error, also when wrapped by a caller.
	pe := parseErr(t, "", "rule")
	if pe.Pos != (Pos{Line: 1, Col: 5}) || pe.Msg != `expected rule name after "rule", found end of file` {
		t.Fatalf("got %#v", pe)
	}
}
