package rule

// The boolean connectives. eval short-circuits; explain does not, so that
// a trace shows every clause.

func (x *And) eval(c *ctx) bool {
	for _, t := range x.Terms {
		if !t.eval(c) {
			return false
		}
	}
	return true
}

func (x *Or) eval(c *ctx) bool {
	for _, t := range x.Terms {
		if t.eval(c) {
			return true
		}
	}
	return false
}

func (x *Not) eval(c *ctx) bool { return !x.X.eval(c) }

func (x *And) explain(c *ctx) *Trace {
	tr := &Trace{Pos: x.At, Text: x.String(), Result: true, Expr: x}
	for _, t := range x.Terms {
		k := t.explain(c)
		tr.Result = tr.Result && k.Result
		tr.Kids = append(tr.Kids, k)
	}
	return tr
}

func (x *Or) explain(c *ctx) *Trace {
	tr := &Trace{Pos: x.At, Text: x.String(), Expr: x}
	for _, t := range x.Terms {
		k := t.explain(c)
		tr.Result = tr.Result || k.Result
		tr.Kids = append(tr.Kids, k)
	}
	return tr
}

func (x *Not) explain(c *ctx) *Trace {
	k := x.X.explain(c)
	return &Trace{Pos: x.At, Text: x.String(), Result: !k.Result, Expr: x, Kids: []*Trace{k}}
}
