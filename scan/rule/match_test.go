package rule

import (
	"testing"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		name   string
		events string
		ev     mapEvent
		want   bool
	}{
		// strings
		{"eq", `$e.a = "x"`, mapEvent{"a": {"x"}}, true},
		{"eq is case-sensitive", `$e.a = "x"`, mapEvent{"a": {"X"}}, false},
		{"eq nocase", `$e.a = "ADMIN" nocase`, mapEvent{"a": {"Admin"}}, true},
		{"eq nocase unicode", `$e.a = "STRASSE ÄÖ" nocase`, mapEvent{"a": {"strasse äö"}}, true},
		{"ne", `$e.a != "x"`, mapEvent{"a": {"y"}}, true},
		{"ne same", `$e.a != "x"`, mapEvent{"a": {"x"}}, false},
		{"ne nocase", `$e.a != "X" nocase`, mapEvent{"a": {"x"}}, false},
		{"lt lexical", `$e.a < "b"`, mapEvent{"a": {"a"}}, true},
		{"lt lexical digits", `$e.a < "10"`, mapEvent{"a": {"9"}}, false},
		{"ge lexical", `$e.a >= "b"`, mapEvent{"a": {"b"}}, true},
		{"lt upper before lower", `$e.a < "a"`, mapEvent{"a": {"B"}}, true},
		{"lt nocase", `$e.a < "a" nocase`, mapEvent{"a": {"B"}}, false},
		{"le nocase equal", `$e.a <= "abc" nocase`, mapEvent{"a": {"ABC"}}, true},
		{"gt nocase kelvin", `$e.a > "k" nocase`, mapEvent{"a": {"\u212a"}}, false}, // Kelvin sign folds to k
		{"literal on the left", `"x" = $e.a`, mapEvent{"a": {"x"}}, true},
		{"literal on the left flips", `"b" > $e.a`, mapEvent{"a": {"a"}}, true},

		// absent fields are one zero value
		{"absent ne empty", `$e.a != ""`, mapEvent{}, false},
		{"absent eq empty", `$e.a = ""`, mapEvent{}, true},
		{"empty slice is absent", `$e.a = ""`, mapEvent{"a": {}}, true},
		{"present empty ne empty", `$e.a != ""`, mapEvent{"a": {""}}, false},
		{"absent eq zero", `$e.n = 0`, mapEvent{}, true},
		{"absent gt zero", `$e.n > 0`, mapEvent{}, false},
		{"absent eq false", `$e.b = false`, mapEvent{}, true},
		{"absent in list with empty", `$e.a in ("", "x")`, mapEvent{}, true},
		{"absent in list", `$e.a in ("x")`, mapEvent{}, false},
		{"absent regex empty", `$e.a = /^$/`, mapEvent{}, true},
		{"absent regex", `$e.a = /x/`, mapEvent{}, false},
		{"absent negated regex", `$e.a != /x/`, mapEvent{}, true},

		// numbers
		{"num eq", `$e.n = 443`, mapEvent{"n": {"443"}}, true},
		{"num eq float", `$e.n = 1.5`, mapEvent{"n": {"1.50"}}, true},
		{"num gt", `$e.n > 1000`, mapEvent{"n": {"1024"}}, true},
		{"num gt not lexical", `$e.n > 10`, mapEvent{"n": {"9"}}, false},
		{"num lt negative", `$e.n < -1`, mapEvent{"n": {"-2"}}, true},
		{"num le", `$e.n <= 3`, mapEvent{"n": {"3"}}, true},
		{"num ge", `$e.n >= 3`, mapEvent{"n": {"2.99"}}, false},
		{"num ne", `$e.n != 3`, mapEvent{"n": {"4"}}, true},
		{"num unparsable eq", `$e.n = 0`, mapEvent{"n": {"zero"}}, false},
		{"num unparsable ne", `$e.n != 0`, mapEvent{"n": {"zero"}}, false},
		{"num empty string", `$e.n = 0`, mapEvent{"n": {""}}, false},
		{"num literal on the left", `1000 < $e.n`, mapEvent{"n": {"1024"}}, true},

		// booleans
		{"bool true", `$e.b = true`, mapEvent{"b": {"true"}}, true},
		{"bool case", `$e.b = true`, mapEvent{"b": {"TRUE"}}, true},
		{"bool false", `$e.b = true`, mapEvent{"b": {"false"}}, false},
		{"bool ne", `$e.b != true`, mapEvent{"b": {"False"}}, true},
		{"bool unparsable", `$e.b != true`, mapEvent{"b": {"yes"}}, false},
		{"bool in list", `$e.b in (true)`, mapEvent{"b": {"True"}}, true},

		// lists
		{"in", `$e.a in ("x", "y")`, mapEvent{"a": {"y"}}, true},
		{"in miss", `$e.a in ("x", "y")`, mapEvent{"a": {"Y"}}, false},
		{"in nocase", `$e.a in nocase ("x", "y")`, mapEvent{"a": {"Y"}}, true},
		{"in numbers", `$e.n in (22, 3389)`, mapEvent{"n": {"3389.0"}}, true},
		{"in mixed", `$e.n in ("ssh", 22)`, mapEvent{"n": {"SSH"}}, false},
		{"not in", `not $e.a in ("x", "y")`, mapEvent{"a": {"z"}}, true},
		{"not in hit", `not $e.a in ("x", "y")`, mapEvent{"a": {"x"}}, false},

		// regexes
		{"regex unanchored", `$e.a = /dmi/`, mapEvent{"a": {"Administrator"}}, true},
		{"regex anchored", `$e.a = /^dmi/`, mapEvent{"a": {"Administrator"}}, false},
		{"regex case", `$e.a = /ADMIN/`, mapEvent{"a": {"admin"}}, false},
		{"regex nocase", `$e.a = /ADMIN/ nocase`, mapEvent{"a": {"admin"}}, true},
		{"regex escaped slash", `$e.a = /^\/bin\/sh$/`, mapEvent{"a": {"/bin/sh"}}, true},
		{"regex negated", `$e.a != /admin/`, mapEvent{"a": {"root"}}, true},
		{"regex negated hit", `$e.a != /admin/`, mapEvent{"a": {"admin"}}, false},
		{"re.regex raw", "re.regex($e.a, `\\.exe$`)", mapEvent{"a": {"cmd.exe"}}, true},
		{"re.regex raw miss", "re.regex($e.a, `\\.exe$`)", mapEvent{"a": {"cmdexe"}}, false},
		{"re.regex quoted", `re.regex($e.a, "\\.exe$")`, mapEvent{"a": {"cmd.exe"}}, true},
		{"re.regex quoted miss", `re.regex($e.a, "\\.exe$")`, mapEvent{"a": {"cmdxexe"}}, false},
		{"re.regex nocase", "re.regex($e.a, `CMD`) nocase", mapEvent{"a": {"cmd.exe"}}, true},
		{"re.regex inline flag", "re.regex($e.a, `(?i)CMD`)", mapEvent{"a": {"cmd.exe"}}, true},
		{"not re.regex", "not re.regex($e.a, `cmd`)", mapEvent{"a": {"cmd.exe"}}, false},

		// repeated fields: one copy of the event per element
		{"repeated eq", `$e.ip = "10.0.0.1"`, mapEvent{"ip": {"192.168.0.1", "10.0.0.1"}}, true},
		{"repeated eq none", `$e.ip = "10.0.0.9"`, mapEvent{"ip": {"192.168.0.1", "10.0.0.1"}}, false},
		{"repeated ne any differs", `$e.ip != "10.0.0.1"`, mapEvent{"ip": {"10.0.0.1", "10.0.0.2"}}, true},
		{"repeated ne all same", `$e.ip != "10.0.0.1"`, mapEvent{"ip": {"10.0.0.1", "10.0.0.1"}}, false},
		{"repeated not eq matches through the other copy", `not $e.ip = "10.0.0.1"`, mapEvent{"ip": {"10.0.0.1", "10.0.0.2"}}, true},
		{"repeated not eq every copy", `not $e.ip = "10.0.0.1"`, mapEvent{"ip": {"10.0.0.1", "10.0.0.1"}}, false},
		{"repeated in", `$e.ip in ("10.0.0.2")`, mapEvent{"ip": {"10.0.0.1", "10.0.0.2"}}, true},
		{"repeated regex", `$e.ip = /^10\./`, mapEvent{"ip": {"192.168.0.1", "10.0.0.1"}}, true},
		{"repeated negated regex", `$e.ip != /^10\./`, mapEvent{"ip": {"192.168.0.1", "10.0.0.1"}}, true},
		{"repeated num", `$e.port > 1000`, mapEvent{"port": {"22", "8080"}}, true},

		// and / or / not and their precedence
		{"lines are anded", "$e.a = \"1\"\n$e.b = \"2\"", mapEvent{"a": {"1"}, "b": {"2"}}, true},
		{"lines are anded miss", "$e.a = \"1\"\n$e.b = \"2\"", mapEvent{"a": {"1"}}, false},
		{"or", `$e.a = "1" or $e.b = "2"`, mapEvent{"b": {"2"}}, true},
		{"or none", `$e.a = "1" or $e.b = "2"`, mapEvent{}, false},
		{"and over or", `$e.a = "1" or $e.b = "2" and $e.c = "3"`, mapEvent{"a": {"1"}}, true},
		{"and over or right", `$e.a = "1" or $e.b = "2" and $e.c = "3"`, mapEvent{"b": {"2"}}, false},
		{"parens", `($e.a = "1" or $e.b = "2") and $e.c = "3"`, mapEvent{"a": {"1"}}, false},
		{"not over and", `not $e.a = "1" and $e.b = "2"`, mapEvent{"a": {"1"}, "b": {"2"}}, false},
		{"not over and 2", `not $e.a = "1" and $e.b = "2"`, mapEvent{"b": {"2"}}, true},
		{"not parens", `not ($e.a = "1" and $e.b = "2")`, mapEvent{"a": {"1"}}, true},
		{"double not", `not not $e.a = "1"`, mapEvent{"a": {"1"}}, true},
		{"keywords any case", `NOT $e.a = "1" AND $e.b = "2" Or $e.c = "3"`, mapEvent{"c": {"3"}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustParseEvents(t, tt.events)
			if got := r.Match(tt.ev); got != tt.want {
				t.Errorf("Match(%v) = %v, want %v\n%s", tt.ev, got, tt.want, r.Explain(tt.ev))
			}
			if got := r.Explain(tt.ev).Result; got != tt.want {
				t.Errorf("Explain(%v).Result = %v, want %v", tt.ev, got, tt.want)
			}
		})
	}
}

// countingEvent records which fields were read, to observe short-circuit.
type countingEvent struct {
	mapEvent
	reads []string
}

func (c *countingEvent) Values(path string) []string {
	c.reads = append(c.reads, path)
	return c.mapEvent[path]
}

func TestMatchShortCircuits(t *testing.T) {
	r := mustParseEvents(t, `($e.a = "1" or $e.b = "2") and ($e.c = "3" and $e.d = "4")`)
	ev := &countingEvent{mapEvent: mapEvent{"a": {"1"}}}
	if r.Match(ev) {
		t.Fatal("matched")
	}
	if got := len(ev.reads); got != 2 {
		t.Fatalf("Match read %q, want only a and c", ev.reads)
	}
	ev.reads = nil
	r.Explain(ev)
	if got := len(ev.reads); got < 4 {
		t.Fatalf("Explain read %q, want every field", ev.reads)
	}
}

func TestExplain(t *testing.T) {
	r := mustParseEvents(t, "$e.a = \"1\"\nnot $e.b in (\"x\") or $e.c = /z/")
	tr := r.Explain(mapEvent{"a": {"1", "2"}, "b": {"x"}})
	want := "false 3:1 and\n" +
		"  true  3:1 $e.a = \"1\"  values=[\"1\", \"2\"]\n" +
		"  false 4:1 or\n" +
		"    false 4:1 not\n" +
		"      true  4:5 $e.b in (\"x\")  values=[\"x\"]\n" +
		"    false 4:22 $e.c = /z/  values=[]\n"
	if got := tr.String(); got != want {
		t.Fatalf("trace:\n%s\nwant:\n%s", got, want)
	}
	if tr.Kids[0].Text != `$e.a = "1"` || tr.Kids[1].Values != nil || tr.Kids[1].Kids[1].Values != nil {
		t.Fatalf("trace fields: %+v", tr)
	}
}

func TestMatchDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	r := mustParseEvents(t, "$e.a = \"X\" nocase\n$e.n > 5\n$e.n != 7\n$e.b in nocase (\"p\", \"q\")\n"+
		"re.regex($e.c, `^z`)\n$e.d != /y/\n$e.e = true\nnot $e.f < \"m\" nocase")
	ev := mapEvent{"a": {"x"}, "n": {"6", "oops"}, "b": {"Q"}, "c": {"zz"}, "d": {"d"}, "e": {"TRUE"}, "f": {"Z"}}
	if !r.Match(ev) {
		t.Fatalf("no match:\n%s", r.Explain(ev))
	}
	if n := testing.AllocsPerRun(100, func() { r.Match(ev) }); n != 0 {
		t.Fatalf("Match allocates %v times per call", n)
	}
}
