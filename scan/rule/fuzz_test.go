package rule

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

// fuzzSnippets seed FuzzParseFile next to the seed rule. The same inputs
// are stored in testdata/fuzz/FuzzParseFile so that `go test` replays them
// even without -fuzz.
var fuzzSnippets = []string{
	"rule r { events: $e.a = \"x\" condition: $e }",
	"rule r {\n meta:\n  a = \"s\\\"q\"\n  n = \"-1.5\"\n events:\n  $e.a != \"\"\n  $e.n >= 10\n condition:\n  $e\n}",
	"rule r { events: $e.a = /a\\/b\\\\/ nocase $e.b != /x/ re.regex($e.c, `(?i)x`) nocase re.regex($e.d, \"\\\\.\") condition: $e }",
	"rule r { events: \"x\" = $e.a -2 < $e.b true != $e.c condition: $e }",
	"rule r { events: $e.a in nocase ( \"a\", \"b\", ) and not $e.b in (1, true) condition: $e }",
	"rule r { events: // c\n (($e.a = \"1\" OR $e.b = \"2\") and /* c */ NOT $e.c = `3`) or $e.d < \"z\" nocase condition: $e }",
	"rule a { events: $e.a = 1 condition: $e }\nrule b { events: $x.a = 2 condition: $x }",
	"rule r { events: $e.a = \"1\" match: $e.a over 5m condition: $e }",
	"rule r { events: $e.a in %list condition: $e }",
	"rule r { events: strings.lower($e.a) = \"x\" condition: $e }",
	"rule r { events: $x = $e.a condition: $e }",
	"rule r { events: $e.a = \"1\" $f.b = \"2\" condition: $e }",
	"rule r { events: $e.a = \"unterminated condition: $e }",
	"rule r { events: re.regex($e.a, `(`) condition: $e }",
	"rule r { events: $e.a = 1 condition: $e and $e }",
	"rule r { events: $ip = $e.principal.ip any $e.b = $ip not all $e.c = /x/ $e.d[\"k\"] = \"v\" outcome: $risk_score = max(if($e.a = \"x\", 10, 2) * 3 - 1) $s = array_distinct($e.c) $t = $risk_score / 2 condition: $e and $risk_score > 5 }",
	"rule r { events: strings.to_lower($e.a) = re.capture($e.b, `(x)`) and ($e.n + 1) * 2 >= $e.m and re.regex(strings.to_lower($e.c), `^a`) condition: $e }",
	"rule r { events: $e.a = \"1\" condition: #e > 1 or !$e options: allow_zero_values = true }",
}

func FuzzParseFile(f *testing.F) {
	seed, err := os.ReadFile(seedFile)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	for _, s := range fuzzSnippets {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		rules, err := ParseFile("f.yaral", src)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *Error: %v", err, err)
			}
			if pe.Pos.Line < 1 || pe.Pos.Col < 1 || pe.Pos.Line > bytes.Count(src, []byte("\n"))+1 {
				t.Fatalf("error position out of the source: %v", err)
			}
			return
		}
		for _, r := range rules {
			checkReparse(t, r, r.Text)
			checkReparse(t, r, []byte(r.String()))
			for _, ev := range fuzzEvents(r) {
				if m, e := r.Match(ev), r.Explain(ev).Result; m != e {
					t.Fatalf("rule %s on %v: Match %v, Explain %v", r.Name, ev, m, e)
				}
			}
		}
	})
}

// checkReparse parses src and requires a rule equivalent to r.
func checkReparse(t *testing.T, r *Rule, src []byte) {
	t.Helper()
	again, err := ParseFile("again.yaral", src)
	if err != nil {
		t.Fatalf("rule %s does not reparse: %v\n%s", r.Name, err, src)
	}
	if len(again) != 1 {
		t.Fatalf("rule %s reparses to %d rules\n%s", r.Name, len(again), src)
	}
	a := again[0]
	if a.Name != r.Name || a.Var != r.Var || a.Events.String() != r.Events.String() || len(a.Meta) != len(r.Meta) || a.String() != r.String() {
		t.Fatalf("rule %s reparses differently:\n%s\n%s\nfrom\n%s", r.Name, r.Events, a.Events, src)
	}
	for i := range a.Meta {
		if a.Meta[i].Key != r.Meta[i].Key || a.Meta[i].Value != r.Meta[i].Value || a.Meta[i].Kind != r.Meta[i].Kind {
			t.Fatalf("rule %s meta %d reparses as %+v, want %+v", r.Name, i, a.Meta[i], r.Meta[i])
		}
	}
}

// fuzzEvents returns an empty event and one that gives each field the
// literals the rule compares it with, so that both branches get exercised.
func fuzzEvents(r *Rule) []Event {
	full := mapEvent{}
	Walk(r.Events, func(x Expr) bool {
		switch x := x.(type) {
		case *Compare:
			full[x.Field] = append(full[x.Field], x.Value.Text)
		case *InList:
			full[x.Field] = append(full[x.Field], x.Values[0].Text)
		case *Regex:
			full[x.Field] = append(full[x.Field], x.Pattern)
		}
		return true
	})
	return []Event{mapEvent{}, full}
}
