package rule

import (
	"slices"
	"strings"
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

// Rule is one parsed single-event rule. A Rule is immutable after
// ParseFile and safe for concurrent use.
type Rule struct {
	Name   string
	Pos    Pos         // position of the "rule" keyword
	Meta   []MetaEntry // in source order
	Var    string      // the event variable, e.g. "$e"
	Events Expr        // the events section; several lines form one *And
	Text   []byte      // exact source from "rule" to the closing brace

	fields []string
}

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

// Match reports whether ev satisfies the events section. It is the
// reference evaluator: faster paths must agree with it.
func (r *Rule) Match(ev Event) bool {
	return r.Events != nil && r.Events.eval(ev)
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
	Walk(x, func(x Expr) bool {
		switch x := x.(type) {
		case *Compare:
			out = append(out, x.Field)
		case *InList:
			out = append(out, x.Field)
		case *Regex:
			out = append(out, x.Field)
		}
		return true
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
	if len(r.Meta) > 0 {
		b = append(b, "  meta:\n"...)
		for _, m := range r.Meta {
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
	}
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
	b = append(b, "  condition:\n    "...)
	b = append(b, r.Var...)
	b = append(b, "\n}\n"...)
	return string(b)
}
