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
	f(ev(`  $e.a = "a\.b"`), `r.yaral:3:12: unknown escape sequence \. in string (use \\ for a backslash, or a backtick string)`)
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
	f("rule r {\nevents:\n  $e.a = \"1\"\nfilter:\n  $e\n}", `r.yaral:4:1: unknown section "filter:" (expected meta:, events: or condition:)`)
	f("rule r {\nevents:\n  $e.a = \"1\"\ncondition:\n  $e\n", `r.yaral:6:1: expected "}" to close rule r, found end of file`)
	f("rule r {\nevents:\n  $e.a = \"1\"\ncondition:\n  $e\nrule s {}", `r.yaral:6:1: expected "}" to close rule r, found "rule"`)
	f("rule r {\nevents:\n  $e.a = \"1\"\n}", `r.yaral:4:1: expected section "condition:", found "}"`)
	f("rule r {\ncondition:\n  $e\n}", `r.yaral:2:1: expected section "events:", found section "condition:"`)
	f("rule r {\nevents:\ncondition:\n  $e\n}", `r.yaral:2:1: events: section is empty`)
	f("rule r {\n  meta:\n    a = \"b\"\n  meta:\n", `r.yaral:4:3: expected section "events:", found section "meta:"`)
	f("rule r {\n  meta:\n    a = b\n", `r.yaral:3:9: expected string, number or boolean for meta key a, found "b"`)
	f("rule r {\n  meta:\n    a : \"b\"\n", `r.yaral:3:5: unknown section "a:" (expected meta:, events: or condition:)`)
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
	f(ev(`  $e.a = "1"`+"\n  $e = \"2\""), `r.yaral:4:6: expected "." and a field name after $e, found "="`)
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
	f(ev(`  "x" = "y"`), `r.yaral:3:9: expected field after "=", found string "y"`)
	f(ev(`  $e.a = 1`+strings.Repeat("0", 400)), `r.yaral:3:10: number 1000000000000000000000000000000000000000... is out of range`)
	f(ev("  re.regex(\"x\", `y`)"), `r.yaral:3:12: expected field as the first argument of re.regex, found string "x"`)
	f(ev("  re.regex($e.a `y`)"), `r.yaral:3:17: expected "," after the field in re.regex, found string "y"`)
	f(ev("  re.regex($e.a, /y/)"), `r.yaral:3:18: expected string pattern as the second argument of re.regex, found regex /y/`)
	f(ev("  re.regex($e.a, `y`"), `r.yaral:4:1: expected ")" after the pattern in re.regex, found "condition"`)
	f(ev("  re.regex"), `r.yaral:3:3: expected expression, found "re"`)
	f(ev(strings.Repeat("(", maxDepth+1)+`$e.a = "1"`), `r.yaral:3:501: expression nested too deeply (more than 500 levels)`)

	// unsupported YARA-L
	f("rule r {\nevents:\n  $e.a = \"1\"\nmatch:\n  $e.b over 5m\ncondition:\n  $e\n}", `r.yaral:4:1: match: section is not supported (single-event rules only)`)
	f("rule r {\nevents:\n  $e.a = \"1\"\noutcome:\n  $risk = 10\ncondition:\n  $e\n}", `r.yaral:4:1: outcome: section is not supported (single-event rules only)`)
	f("rule r {\nevents:\n  $e.a = \"1\"\ncondition:\n  $e\noptions:\n  allow_zero_values = true\n}", `r.yaral:6:1: options: section is not supported`)
	f("rule r {\nevents:\n  $e.a = \"1\"\ncondition:\n  $e\nevents:\n}", `r.yaral:6:1: unexpected section "events:" after condition:`)
	f(ev(`  $e.a in %admins`), `r.yaral:3:11: reference lists (%name) are not supported`)
	f(ev(`  $e.a in regex %admins`), `r.yaral:3:17: reference lists (%name) are not supported`)
	f(ev(`  $e.a = %admins`), `r.yaral:3:10: reference lists (%name) are not supported`)
	f(ev(`  strings.lower($e.a) = "x"`), `r.yaral:3:3: function strings.lower is not supported (only re.regex)`)
	f(ev(`  $e.a = strings.lower("X")`), `r.yaral:3:10: function strings.lower is not supported (only re.regex)`)
	f(ev("  re.capture($e.a, `x`) = \"y\""), `r.yaral:3:3: function re.capture is not supported (only re.regex)`)
	f(ev(`  net.ip_in_range_cidr($e.principal.ip, "10.0.0.0/8")`), `r.yaral:3:3: function net.ip_in_range_cidr is not supported (only re.regex)`)
	f(ev(`  $user = $e.principal.user.userid`), `r.yaral:3:3: placeholder variables ($user) are not supported`)
	f(ev(`  $e.principal.user.userid = $user`), `r.yaral:3:30: placeholder variables ($user) are not supported`)
	f(ev(`  $e.a = $e.b`), `r.yaral:3:10: comparing two fields is not supported`)
	f(ev("  $e.a = \"1\"\n  $f.b = \"2\""), `r.yaral:4:3: multiple event variables ($e, $f) are not supported`)
	f(ev(`  $e.a = $f.b`), `r.yaral:3:10: multiple event variables ($e, $f) are not supported`)
	f(ev("  re.regex($e.a, `(abc`)"), `r.yaral:3:18: invalid regex: missing closing ): "(abc"`)
	f(ev(`  $e.a = /a**/`), `r.yaral:3:10: invalid regex: invalid nested repetition operator: "**"`)
	f(ev(`  re.regex($e.a, "x{2,1}")`), `r.yaral:3:18: invalid regex: invalid repeat count: "{2,1}"`)
	f(ev(`  any $e.a = "x"`), `r.yaral:3:3: "any" is not supported (a comparison on a repeated field already matches when any value does)`)
	f(ev(`  ALL $e.a = "x"`), `r.yaral:3:3: "ALL" is not supported (a comparison on a repeated field already matches when any value does)`)
	f(ev(`  $e.a + 1 > 2`), `r.yaral:3:8: arithmetic (+) is not supported`)
	f(ev(`  $e.a / 2 > 2`), `r.yaral:3:8: arithmetic (/) is not supported`)
	f(ev(`  $e.a = 1 - 2`), `r.yaral:3:12: arithmetic (-) is not supported`)
	f(ev(`  $e.a = 1 * 2`), `r.yaral:3:12: arithmetic (*) is not supported`)
	f(ev(`  $e.a["k"] = "v"`), `r.yaral:3:7: map and index access ("[") is not supported`)
	f(ev(`  #e > 1`), `r.yaral:3:3: event counts (#e) are not supported (single-event rules only)`)
	f("rule r {\nevents:\n  $e.a = \"1\"\ncondition:\n  $e and $f\n}", `r.yaral:5:6: condition: only the event variable $e is supported (single-event rules only), found "and" after it`)
	f("rule r {\nevents:\n  $e.a = \"1\"\ncondition:\n  $f\n}", `r.yaral:5:3: condition: only the event variable $e is supported (single-event rules only), found variable $f`)
	f("rule r {\nevents:\n  $e.a = \"1\"\ncondition:\n  #e > 2\n}", `r.yaral:5:3: condition: only the event variable $e is supported (single-event rules only), found event count #e`)
	f("rule r {\nevents:\n  $e.a = \"1\"\ncondition:\n  $e + 1\n}", `r.yaral:5:6: condition: only the event variable $e is supported (single-event rules only), found "+" after it`)
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
