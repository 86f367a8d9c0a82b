package rule

import "github.com/retrohunt/retrohunt/scan/rule/fn"

// Regex matching is unanchored, as in YARA-L, and sees only the first line
// of a value unless the pattern starts with "(?s)" (the re.regex
// function's documentation). An absent field is matched as the empty
// string.

func (x *Regex) eval(c *ctx) bool {
	if x.F == nil {
		v := x.X.value(c)
		return x.match(coerce(v, fn.String).S) != x.Negated
	}
	vals, i := x.F.bound(c)
	if len(vals) == 0 {
		return x.match("") != x.Negated
	}
	if i >= 0 {
		return x.match(vals[i]) != x.Negated
	}
	for _, v := range vals {
		if x.match(v) != x.Negated {
			return true
		}
	}
	return false
}

func (x *Regex) match(v string) bool { return x.m.MatchString(v) }

func (x *Regex) explain(c *ctx) *Trace {
	return &Trace{Pos: x.At, Text: x.String(), Result: x.eval(c), Values: traceValues(c, x.X), Expr: x}
}
