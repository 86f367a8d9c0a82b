package rule

// The boolean connectives. eval short-circuits; explain does not, so that
// a trace shows every clause.

func (x *And) eval(ev Event) bool {
	for _, t := range x.Terms {
		if !t.eval(ev) {
			return false
		}
	}
	return true
}

func (x *Or) eval(ev Event) bool {
	for _, t := range x.Terms {
		if t.eval(ev) {
			return true
		}
	}
	return false
}

func (x *Not) eval(ev Event) bool { return !x.X.eval(ev) }

func (x *And) explain(ev Event) *Trace {
	tr := &Trace{Pos: x.At, Text: x.String(), Result: true, Expr: x}
	for _, t := range x.Terms {
		k := t.explain(ev)
		tr.Result = tr.Result && k.Result
		tr.Kids = append(tr.Kids, k)
	}
	return tr
}

func (x *Or) explain(ev Event) *Trace {
	tr := &Trace{Pos: x.At, Text: x.String(), Expr: x}
	for _, t := range x.Terms {
		k := t.explain(ev)
		tr.Result = tr.Result || k.Result
		tr.Kids = append(tr.Kids, k)
	}
	return tr
}

func (x *Not) explain(ev Event) *Trace {
	k := x.X.explain(ev)
	return &Trace{Pos: x.At, Text: x.String(), Result: !k.Result, Expr: x, Kids: []*Trace{k}}
}
