package rule

import (
	"slices"

	"github.com/retrohunt/retrohunt/scan/rule/fn"
)

// The conditions over value expressions: Cmp, Pred, InRef, and the
// quantifiers and event references.

func (x *Cmp) eval(c *ctx) bool {
	if x.def {
		return true // a placeholder's assignment binds it
	}
	return compareValues(x.Op, x.L.value(c), x.R.value(c), x.Nocase)
}

func (x *Pred) eval(c *ctx) bool {
	v := x.X.value(c)
	return v.Kind == fn.Bool && v.B
}

func (x *InRef) eval(c *ctx) bool {
	v := x.X.value(c)
	if v.Kind == fn.List {
		for _, e := range v.L {
			if x.List.Match(coerce(e, fn.String).S, x.Nocase) {
				return true
			}
		}
		return false
	}
	return x.List.Match(coerce(v, fn.String).S, x.Nocase)
}

// eval iterates the elements of the quantified fields (their product,
// at most MaxRows), restoring the row's binding afterwards.
func (x *Quant) eval(c *ctx) bool {
	if c.p == nil || len(x.slots) == 0 {
		return x.X.eval(c)
	}
	n := 1
	for _, s := range x.slots {
		if k := len(c.slot(s)); k > 1 {
			n = min(n*k, MaxRows)
		}
	}
	result := x.All
	for k := range n {
		r := k
		for i := len(x.slots) - 1; i >= 0; i-- {
			s := x.slots[i]
			if m := len(c.vals[s]); m > 1 {
				c.idx[s] = r % m
				r /= m
			} else {
				c.idx[s] = 0
			}
		}
		if x.X.eval(c) != x.All {
			result = !x.All
			break
		}
	}
	for _, s := range x.slots {
		c.idx[s] = 0
	}
	return result
}

func (x *EventRef) eval(c *ctx) bool { return c.matched != x.Negated }

func (x *Cmp) explain(c *ctx) *Trace {
	return &Trace{Pos: x.At, Text: x.String(), Result: x.eval(c), Values: traceValues(c, x.L, x.R), Expr: x}
}

func (x *Pred) explain(c *ctx) *Trace {
	return &Trace{Pos: x.At, Text: x.String(), Result: x.eval(c), Values: traceValues(c, x.X), Expr: x}
}

func (x *InRef) explain(c *ctx) *Trace {
	return &Trace{Pos: x.At, Text: x.String(), Result: x.eval(c), Values: traceValues(c, x.X), Expr: x}
}

func (x *Quant) explain(c *ctx) *Trace {
	return &Trace{Pos: x.At, Text: x.String(), Result: x.eval(c), Values: traceValues(c, x.X), Expr: x}
}

func (x *EventRef) explain(c *ctx) *Trace {
	return &Trace{Pos: x.At, Text: x.String(), Result: x.eval(c), Expr: x}
}

// traceValues lists the values of every field under the nodes, for a
// trace.
func traceValues(c *ctx, nodes ...any) []string {
	var out []string
	for _, n := range nodes {
		walkAll(n, func(n any) {
			if f, ok := n.(*Field); ok {
				out = append(out, c.ev.Values(f.Path)...)
			}
		})
	}
	return slices.Clip(out)
}
