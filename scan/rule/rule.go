package rule

import (
	"slices"
	"strings"
	"sync"

	"github.com/retrohunt/retrohunt/scan/rule/fn"
)

// Event is the UDM view of one record that a rule reads.
type Event interface {
	// Values returns the values of a UDM field path such as
	// "principal.ip" or "metadata.vendor_name" (without the "$e."
	// prefix): nil or empty when the field is absent, several values for
	// a repeated field. The rule does not keep or modify the slice.
	Values(path string) []string
}

// MetaEntry is one "key = value" line of the meta section. Value is a
// string's unescaped text, or a number or boolean as written.
type MetaEntry struct {
	Key   string
	Value string
	Kind  LitKind
	Pos   Pos
}

// Rule is one parsed rule. A Rule is immutable after ParseFile and safe
// for concurrent use.
type Rule struct {
	Name        string
	Pos         Pos           // position of the "rule" keyword
	Meta        []MetaEntry   // in source order
	Var         string        // the (first) event variable, e.g. "$e"
	Vars        []string      // every event variable, in order of first use
	Events      Expr          // the events section; several lines form one *And
	MatchSec    *MatchSection // the match: section, nil without one
	OutcomeVars []*OutcomeVar // the outcome: section, in source order
	// Condition is the condition: section; nil is "$e" (a Rule built
	// by hand with only Events).
	Condition Expr
	Options   []MetaEntry // the options: section
	Text      []byte      // exact source from "rule" to the closing brace

	fields []string
	plan   *plan // the compiled evaluation (eval.go); nil for a Rule built by hand
	multi  bool  // uses a multi-event construct (parsed with Options.MultiEvent)
}

// IsMulti reports whether the rule, parsed with Options.MultiEvent, uses
// a multi-event construct (match:, several event variables, #e, !$e):
// it runs through CompileMulti, never Match.
func (r *Rule) IsMulti() bool { return r.multi }

// MatchSection is "match: vars over window [before|after $e]" or
// "match: vars by window" (a tumbling window). It is
// parsed so that the AST serves multi-event rules; retrohunt rejects
// rules that have one (they need match windows).
type MatchSection struct {
	At       Pos
	Vars     []string // placeholders (or fields) grouped on
	Window   string   // as written: "5m"
	Tumbling bool     // "by" instead of "over"
	Pivot    string   // "before", "after" or ""
	PivotVar string
}

// OutcomeVar is "$name = value" of the outcome: section.
type OutcomeVar struct {
	At   Pos
	Name string // with "$"
	X    Value
}

// Outcome is the value of one outcome variable for a matched event.
type Outcome struct {
	Name  string // without "$"
	Value fn.Value
}

var _ sync.Pool

// MetaValue returns the value of the first meta entry whose key equals key
// ignoring case, or "" when there is none.
func (r *Rule) MetaValue(key string) string {
	for _, m := range r.Meta {
		if strings.EqualFold(m.Key, key) {
			return m.Value
		}
	}
	return ""
}

// Match reports whether ev satisfies the rule: the events section for
// some copy of the event (one per element of each repeated field the
// rule reads, see eval.go), then the condition. It is the reference
// evaluator: faster paths must agree with it.
func (r *Rule) Match(ev Event) bool {
	if r.Events == nil {
		return false
	}
	c := r.acquire(ev)
	ok := c.match()
	r.release(c)
	return ok
}

// Outcomes returns the outcome variables' values for ev, in the rule's
// order, or nil when ev does not match (or the rule has no outcome:).
func (r *Rule) Outcomes(ev Event) []Outcome {
	if r.Events == nil || len(r.OutcomeVars) == 0 {
		return nil
	}
	c := r.acquire(ev)
	defer r.release(c)
	if !c.match() {
		return nil
	}
	out := make([]Outcome, len(r.OutcomeVars))
	for i, o := range r.OutcomeVars {
		out[i] = Outcome{Name: o.Name[1:], Value: c.outcome(i)}
	}
	return out
}

// Fields returns the distinct UDM paths the rule reads, sorted.
func (r *Rule) Fields() []string {
	if r.fields != nil {
		return slices.Clone(r.fields)
	}
	return fieldsOf(r.Events)
}

func fieldsOf(x Expr) []string {
	var out []string
	walkAll(x, func(n any) {
		if f, ok := n.(*Field); ok {
			out = append(out, f.Path)
		}
	})
	slices.Sort(out)
	return slices.Compact(out)
}

// String renders the rule in canonical form: comments dropped, one
// events line per top-level term, literals re-quoted. It parses back to
// an equivalent rule.
func (r *Rule) String() string {
	b := []byte("rule ")
	b = append(b, r.Name...)
	b = append(b, " {\n"...)
	b = appendEntries(b, "meta", r.Meta)
	b = append(b, "  events:\n"...)
	lines := []Expr{r.Events}
	if and, ok := r.Events.(*And); ok {
		lines = and.Terms
	}
	for _, x := range lines {
		if x == nil {
			continue
		}
		b = append(b, "    "...)
		b = x.appendTo(b)
		b = append(b, '\n')
	}
	if m := r.MatchSec; m != nil {
		b = append(b, "  match:\n    "...)
		b = append(b, strings.Join(m.Vars, ", ")...)
		if m.Tumbling {
			b = append(b, " by "...)
		} else {
			b = append(b, " over "...)
		}
		b = append(b, m.Window...)
		if m.Pivot != "" {
			b = append(b, ' ')
			b = append(b, m.Pivot...)
			b = append(b, ' ')
			b = append(b, m.PivotVar...)
		}
		b = append(b, '\n')
	}
	if len(r.OutcomeVars) > 0 {
		b = append(b, "  outcome:\n"...)
		for _, o := range r.OutcomeVars {
			b = append(b, "    "...)
			b = append(b, o.Name...)
			b = append(b, " = "...)
			b = o.X.appendTo(b)
			b = append(b, '\n')
		}
	}
	b = append(b, "  condition:\n    "...)
	if r.Condition != nil {
		b = r.Condition.appendTo(b)
	} else {
		b = append(b, r.Var...)
	}
	b = append(b, '\n')
	b = appendEntries(b, "options", r.Options)
	b = append(b, "}\n"...)
	return string(b)
}

// appendEntries renders a "key = value" section (meta:, options:), or
// nothing when it has no entries.
func appendEntries(b []byte, section string, entries []MetaEntry) []byte {
	if len(entries) == 0 {
		return b
	}
	b = append(b, "  "...)
	b = append(b, section...)
	b = append(b, ":\n"...)
	for _, m := range entries {
		b = append(b, "    "...)
		b = append(b, m.Key...)
		b = append(b, " = "...)
		if m.Kind == LitString {
			b = appendQuoted(b, m.Value)
		} else {
			b = append(b, m.Value...)
		}
		b = append(b, '\n')
	}
	return b
}
