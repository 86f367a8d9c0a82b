package rule

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseEvents(t *testing.T) {
	f := func(events, want string) {
		t.Helper()
		r := mustParseEvents(t, events)
		if got := r.Events.String(); got != want {
			t.Fatalf("events %q:\ngot  %s\nwant %s", events, got, want)
		}
		// The canonical form must read back as the same tree.
		again := mustParse(t, r.String())[0]
		if got := again.Events.String(); got != want {
			t.Fatalf("events %q: String() reparsed to\n%s\nwant\n%s", events, got, want)
		}
	}

	// comparisons
	f(`$e.metadata.event_type = "USER_LOGIN"`, `$e.metadata.event_type = "USER_LOGIN"`)
	f(`$e.a != "x"`, `$e.a != "x"`)
	f(`$e.a < "m"`, `$e.a < "m"`)
	f(`$e.a > 5`, `$e.a > 5`)
	f(`$e.a <= -1.5`, `$e.a <= -1.5`)
	f(`$e.a >= 0.25`, `$e.a >= 0.25`)
	f(`$e.a=1`, `$e.a = 1`)
	f(`$e.a = TRUE`, `$e.a = true`)
	f(`$e.a != false`, `$e.a != false`)
	f(`$e.a = "X" NOCASE`, `$e.a = "X" nocase`)
	f(`$e.a < "X" nocase`, `$e.a < "X" nocase`)

	// literal on the left
	f(`"x" = $e.a`, `$e.a = "x"`)
	f(`3 < $e.a`, `$e.a > 3`)
	f(`-3 >= $e.a`, `$e.a <= -3`)
	f(`"x" != $e.a nocase`, `$e.a != "x" nocase`)

	// strings
	f(`$e.a = "q\"b\\s\n\t"`, `$e.a = "q\"b\\s\n\t"`)
	f("$e.a = `C:\\Windows`", `$e.a = "C:\\Windows"`)
	f("$e.a = `two\nlines`", `$e.a = "two\nlines"`)
	f(`$e.a = ""`, `$e.a = ""`)
	f(`$e.a = "ünïcødé"`, `$e.a = "ünïcødé"`)

	// lists
	f(`$e.a in ("x", "y")`, `$e.a in ("x", "y")`)
	f(`$e.a in ( "x", "y", )`, `$e.a in ("x", "y")`)
	f(`$e.a in nocase ("x")`, `$e.a in nocase ("x")`)
	f(`$e.a IN NOCASE ("x")`, `$e.a in nocase ("x")`)
	f(`$e.a in (1, "b", true)`, `$e.a in (1, "b", true)`)
	f(`not $e.a in ("x")`, `not $e.a in ("x")`)

	// regex literals
	f(`$e.a = /^10\./`, `$e.a = /^10\./`)
	f(`$e.a = /a\/b/`, `$e.a = /a\/b/`)
	f(`$e.a = /x\\/`, `$e.a = /x\\/`)
	f(`$e.a = /admin/ nocase`, `$e.a = /admin/ nocase`)
	f(`$e.a != /admin/`, `$e.a != /admin/`)

	// re.regex
	f("re.regex($e.a, `\\d+`)", "re.regex($e.a, `\\d+`)")
	f(`re.regex($e.a, "\\.exe$")`, "re.regex($e.a, `\\.exe$`)")
	f("re.regex($e.a, `x`) nocase", "re.regex($e.a, `x`) nocase")
	f("re.regex($e.a, \"a`b\")", "re.regex($e.a, \"a`b\")")

	// precedence: not > and > or
	f(`not $e.a = "1" and $e.b = "2" or $e.c = "3"`, `(not $e.a = "1" and $e.b = "2") or $e.c = "3"`)
	f(`$e.a = "1" or $e.b = "2" and $e.c = "3"`, `$e.a = "1" or ($e.b = "2" and $e.c = "3")`)
	f(`not ($e.a = "1" or $e.b = "2")`, `not ($e.a = "1" or $e.b = "2")`)
	f(`not not $e.a = "1"`, `not not $e.a = "1"`)
	f(`NOT $e.a = "1" AND $e.b = "2" Or $e.c = "3"`, `(not $e.a = "1" and $e.b = "2") or $e.c = "3"`)
	f(`(($e.a = "1"))`, `$e.a = "1"`)
	f(`$e.a = "1" and ($e.b = "2" and $e.c = "3")`, `$e.a = "1" and ($e.b = "2" and $e.c = "3")`)

	// top-level expressions are found by grammar, not by lines
	f("$e.a = \"1\"\n$e.b = \"2\"", `$e.a = "1" and $e.b = "2"`)
	f(`$e.a = "1" $e.b = "2"`, `$e.a = "1" and $e.b = "2"`)
	f("$e.a\n=\n\"1\"", `$e.a = "1"`)
	f("$e.a = \"1\"\nor $e.b = \"2\"\n$e.c = 3", `($e.a = "1" or $e.b = "2") and $e.c = 3`)
	f("$e.a = 1\n-2 < $e.b", `$e.a = 1 and $e.b > -2`)

	// comments anywhere whitespace is
	f("$e.a = \"1\" // one\n/* two\n lines */ $e.b /**/ = \"2\"", `$e.a = "1" and $e.b = "2"`)
	f(`$e.a = "// not a comment"`, `$e.a = "// not a comment"`)

	// path segments may be keywords
	f(`$e.about.in = "x"`, `$e.about.in = "x"`)
}

func TestParseVariableName(t *testing.T) {
	r := mustParse(t, "rule t { events: $evt.a = \"1\" $evt.b = \"2\" condition: $evt }")[0]
	if r.Var != "$evt" {
		t.Fatalf("Var = %q, want $evt", r.Var)
	}
	if got, want := r.Events.String(), `$evt.a = "1" and $evt.b = "2"`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestParseNodes(t *testing.T) {
	r := mustParseEvents(t, "  $e.a.b = \"x\" nocase\n  re.regex($e.c, `y`)\n  $e.d != /z/\n  \"v\" > $e.f")
	and, ok := r.Events.(*And)
	if !ok || len(and.Terms) != 4 {
		t.Fatalf("events = %#v, want an And of 4 terms", r.Events)
	}
	c := and.Terms[0].(*Compare)
	if c.Field != "a.b" || c.Var != "$e" || c.Op != OpEq || !c.Nocase || c.Value.Kind != LitString || c.Value.Text != "x" {
		t.Errorf("compare = %+v", c)
	}
	if c.At != (Pos{"t.yaral", 3, 3}) || c.FieldPos != c.At || c.Value.At != (Pos{"t.yaral", 3, 12}) {
		t.Errorf("compare positions = %v %v %v", c.At, c.FieldPos, c.Value.At)
	}
	re := and.Terms[1].(*Regex)
	if !re.Func || re.Negated || re.Field != "c" || re.Pattern != "y" || re.At != (Pos{"t.yaral", 4, 3}) ||
		re.FieldPos != (Pos{"t.yaral", 4, 12}) || re.PatternPos != (Pos{"t.yaral", 4, 18}) {
		t.Errorf("re.regex = %+v", re)
	}
	neg := and.Terms[2].(*Regex)
	if neg.Func || !neg.Negated || neg.Pattern != "z" || neg.PatternPos != (Pos{"t.yaral", 5, 11}) {
		t.Errorf("negated regex = %+v", neg)
	}
	left := and.Terms[3].(*Compare)
	if left.Op != OpLt || left.At != (Pos{"t.yaral", 6, 3}) || left.FieldPos != (Pos{"t.yaral", 6, 9}) {
		t.Errorf("literal-first compare = %+v", left)
	}
	if and.At != c.At {
		t.Errorf("and.At = %v, want %v", and.At, c.At)
	}
}

func TestParseMeta(t *testing.T) {
	src := `rule t {
  meta:
    author = "a \"b\""
    Severity = "HIGH"
    score = "-12.5"
    enabled = "TRUE"
    events = "a key named like a section"
  events:
    $e.a = "1"
  condition:
    $e
}`
	r := mustParse(t, src)[0]
	want := []MetaEntry{
		{Key: "author", Value: `a "b"`, Kind: LitString, Pos: Pos{"t.yaral", 3, 5}},
		{Key: "Severity", Value: "HIGH", Kind: LitString, Pos: Pos{"t.yaral", 4, 5}},
		{Key: "score", Value: "-12.5", Kind: LitString, Pos: Pos{"t.yaral", 5, 5}},
		{Key: "enabled", Value: "TRUE", Kind: LitString, Pos: Pos{"t.yaral", 6, 5}},
		{Key: "events", Value: "a key named like a section", Kind: LitString, Pos: Pos{"t.yaral", 7, 5}},
	}
	if !reflect.DeepEqual(r.Meta, want) {
		t.Fatalf("meta:\ngot  %+v\nwant %+v", r.Meta, want)
	}
	for key, want := range map[string]string{"severity": "HIGH", "SEVERITY": "HIGH", "score": "-12.5", "missing": ""} {
		if got := r.MetaValue(key); got != want {
			t.Errorf("MetaValue(%q) = %q, want %q", key, got, want)
		}
	}
	again := mustParse(t, r.String())[0]
	for i := range again.Meta {
		again.Meta[i].Pos = want[i].Pos
	}
	if !reflect.DeepEqual(again.Meta, want) {
		t.Fatalf("meta after String():\ngot  %+v\nwant %+v", again.Meta, want)
	}
}

func TestParseFileSeveralRules(t *testing.T) {
	first := "rule one {\n  events:\n    $e.a = \"1\" // note\n  condition:\n    $e\n}"
	second := "RULE two { meta: k = \"1\" events: $x.b = 2 condition: $x }"
	src := "/* header */\n" + first + "\n\n// between\n" + second + "\n"
	rules := mustParse(t, src)
	if len(rules) != 2 {
		t.Fatalf("got %d rules, want 2", len(rules))
	}
	if r := rules[0]; r.Name != "one" || string(r.Text) != first || r.Pos != (Pos{"t.yaral", 2, 1}) || r.Var != "$e" {
		t.Errorf("rule one = %q %q %v %q", r.Name, r.Text, r.Pos, r.Var)
	}
	if r := rules[1]; r.Name != "two" || string(r.Text) != second || r.Pos != (Pos{"t.yaral", 10, 1}) || r.Var != "$x" {
		t.Errorf("rule two = %q %q %v %q", r.Name, r.Text, r.Pos, r.Var)
	}
	for _, src := range []string{"", "  \n// only a comment\n", "/* */"} {
		if rules := mustParse(t, src); len(rules) != 0 {
			t.Errorf("ParseFile(%q) = %d rules, want 0", src, len(rules))
		}
	}
	// A byte order mark is skipped.
	if rules := mustParse(t, "\xef\xbb\xbf"+second); len(rules) != 1 {
		t.Errorf("with BOM: %d rules", len(rules))
	}
}

func TestFields(t *testing.T) {
	r := mustParseEvents(t, "$e.b = \"1\" or re.regex($e.a, `x`)\nnot $e.c in (\"x\")\n$e.b != /y/")
	if got, want := r.Fields(), []string{"a", "b", "c"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Fields() = %q, want %q", got, want)
	}
	r.Fields()[0] = "changed"
	if r.Fields()[0] != "a" {
		t.Fatal("Fields() returned the rule's own slice")
	}
}

func TestWalk(t *testing.T) {
	r := mustParseEvents(t, `not ($e.a = "1" or $e.b = "2") and $e.c = "3"`)
	var kinds []string
	Walk(r.Events, func(x Expr) bool {
		kinds = append(kinds, strings.TrimPrefix(reflect.TypeOf(x).String(), "*rule."))
		_, isOr := x.(*Or)
		return !isOr // do not descend into the or
	})
	if got, want := strings.Join(kinds, " "), "And Not Or Compare"; got != want {
		t.Fatalf("walk order = %s, want %s", got, want)
	}
}
