package rule

import "slices"

// Regex matching is unanchored, as in YARA-L. An absent field is matched
// as the empty string.

func (x *Regex) eval(ev Event) bool {
	vals := ev.Values(x.Field)
	if len(vals) == 0 {
		return x.Re.MatchString("") != x.Negated
	}
	for _, v := range vals {
		if x.Re.MatchString(v) != x.Negated {
			return true
		}
	}
	return false
}

func (x *Regex) explain(ev Event) *Trace {
	return &Trace{Pos: x.At, Text: x.String(), Result: x.eval(ev), Values: slices.Clone(ev.Values(x.Field)), Expr: x}
}
