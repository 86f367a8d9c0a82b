package rule

import (
	"slices"

	"github.com/retrohunt/retrohunt/scan/rule/fn"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Comparisons against literals: Compare and InList. A field with no values
// is compared as one zero value of the literal's kind; a repeated field
// matches when any of its values does.

func (x *Compare) eval(c *ctx) bool {
	vals, i := x.F.bound(c)
	if len(vals) == 0 {
		return x.Value.compare(x.Op, "", true, x.Nocase)
	}
	if i >= 0 {
		// Fast path: the row binds one element.
		return x.Value.compare(x.Op, vals[i], false, x.Nocase)
	}
	for _, v := range vals {
		if x.Value.compare(x.Op, v, false, x.Nocase) {
			return true
		}
	}
	return false
}

func (x *InList) eval(c *ctx) bool {
	if x.F == nil {
		v := x.X.value(c)
		if v.Kind == 0 {
			return x.contains("", true)
		}
		return x.contains(coerce(v, fn.String).S, false)
	}
	vals, i := x.F.bound(c)
	if len(vals) == 0 {
		return x.contains("", true)
	}
	if i >= 0 {
		return x.contains(vals[i], false)
	}
	for _, v := range vals {
		if x.contains(v, false) {
			return true
		}
	}
	return false
}

func (x *InList) contains(v string, absent bool) bool {
	for i := range x.Values {
		if x.Values[i].compare(OpEq, v, absent, x.Nocase) {
			return true
		}
	}
	return false
}

func (x *Compare) explain(c *ctx) *Trace {
	return &Trace{Pos: x.At, Text: x.String(), Result: x.eval(c), Values: slices.Clone(c.ev.Values(x.Field)), Expr: x}
}

func (x *InList) explain(c *ctx) *Trace {
	return &Trace{Pos: x.At, Text: x.String(), Result: x.eval(c), Values: traceValues(c, x.X), Expr: x}
}

// compare reports whether the field value v (the zero value when absent)
// stands in relation op to l. A value that does not parse as l's kind
// makes every comparison false, != included.
func (l *Literal) compare(op Op, v string, absent, nocase bool) bool {
	switch l.Kind {
	case LitString:
		if !nocase {
			return op.holds(strings.Compare(v, l.Text))
		}
		switch op {
		case OpEq:
			return strings.EqualFold(v, l.Text)
		case OpNe:
			return !strings.EqualFold(v, l.Text)
		}
		return op.holds(compareFold(v, l.Text))
	case LitNumber:
		f := 0.0
		if !absent {
			var ok bool
			if f, ok = parseNumber(v); !ok {
				return false
			}
		}
		switch op {
		case OpEq:
			return f == l.Num
		case OpNe:
			return f != l.Num
		case OpLt:
			return f < l.Num
		case OpGt:
			return f > l.Num
		case OpLe:
			return f <= l.Num
		case OpGe:
			return f >= l.Num
		}
	case LitBool:
		b := false
		if !absent {
			switch {
			case strings.EqualFold(v, "true"):
				b = true
			case strings.EqualFold(v, "false"):
			default:
				return false
			}
		}
		switch op {
		case OpEq:
			return b == l.Bool
		case OpNe:
			return b != l.Bool
		}
	}
	return false
}

// holds reports whether a three-way comparison result satisfies o.
func (o Op) holds(c int) bool {
	switch o {
	case OpEq:
		return c == 0
	case OpNe:
		return c != 0
	case OpLt:
		return c < 0
	case OpGt:
		return c > 0
	case OpLe:
		return c <= 0
	case OpGe:
		return c >= 0
	}
	return false
}

// parseNumber parses a field value with strconv.ParseFloat. Values that
// cannot start a float are turned away first because ParseFloat allocates
// its error, and most string values are not numbers.
func parseNumber(v string) (float64, bool) {
	if v == "" {
		return 0, false
	}
	switch c := v[0]; {
	case isDigit(c), c == '-', c == '+', c == '.', c|0x20 == 'i', c|0x20 == 'n':
	default:
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	return f, err == nil
}

// compareFold orders a and b under Unicode simple case folding, consistent
// with strings.EqualFold: each rune is replaced by the smallest rune of its
// folding orbit.
func compareFold(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			if fa, fb := foldRune(ra), foldRune(rb); fa != fb {
				if fa < fb {
					return -1
				}
				return 1
			}
		}
		a, b = a[na:], b[nb:]
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	}
	return 1
}

func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			r -= 'a' - 'A'
		}
		return r
	}
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		m = min(m, f)
	}
	return m
}
