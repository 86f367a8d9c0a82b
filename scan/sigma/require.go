package sigma

import "github.com/retrohunt/retrohunt/scan/udm"

// ReqOp is the kind of a requirement node.
type ReqOp uint8

const (
	// ReqLit: the record, with its JSON escapes decoded, contains Text
	// (ASCII case-insensitively when Fold).
	ReqLit ReqOp = iota + 1
	// ReqRegex: some value matches the Go regular expression Text, so
	// the record contains the literals any match must.
	ReqRegex
	ReqAnd
	ReqOr
)

// Req is what a record must contain for a rule to match it. A nil *Req
// is no requirement: every record may match.
type Req struct {
	Op   ReqOp
	Text string
	Fold bool
	Kids []*Req
}

func lit(s string, fold bool) *Req {
	if s == "" {
		return nil
	}
	return &Req{Op: ReqLit, Text: s, Fold: fold}
}

// runsReq: a value matching a pattern contains each of its runs.
func runsReq(runs []string, fold bool) *Req {
	var kids []*Req
	for _, r := range runs {
		kids = append(kids, lit(r, fold))
	}
	return andReq(kids)
}

// andReq drops terms without a requirement: the conjunction still
// requires the others.
func andReq(kids []*Req) *Req {
	var out []*Req
	for _, k := range kids {
		if k != nil {
			out = append(out, k)
		}
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return &Req{Op: ReqAnd, Kids: out}
}

// orReq is no requirement as soon as one term has none.
func orReq(kids []*Req) *Req {
	if len(kids) == 0 {
		return nil
	}
	for _, k := range kids {
		if k == nil {
			return nil
		}
	}
	if len(kids) == 1 {
		return kids[0]
	}
	return &Req{Op: ReqOr, Kids: kids}
}

// Require returns what a record must contain for the rule to match it:
// sound, never stronger than Match (docs/sigma.md, "Prefilter").
// Negations, exists, null, neq, numeric and time comparisons, cidr,
// fieldref and UTF-16 values require nothing.
func (r *Rule) Require() *Req {
	if r.Condition == nil {
		return nil
	}
	return condReq(r.Condition, r.Type)
}

func condReq(c Cond, t udm.LogType) *Req {
	switch c := c.(type) {
	case *AndCond:
		var kids []*Req
		for _, x := range c.Terms {
			kids = append(kids, condReq(x, t))
		}
		return andReq(kids)
	case *OrCond:
		var kids []*Req
		for _, x := range c.Terms {
			kids = append(kids, condReq(x, t))
		}
		return orReq(kids)
	case *Ref:
		return c.Sel.require(t)
	case *OfCond:
		var kids []*Req
		for _, s := range c.Sels {
			kids = append(kids, s.require(t))
		}
		if c.All {
			return andReq(kids)
		}
		return orReq(kids)
	}
	return nil // not: nothing is required
}

func (s *Selection) require(t udm.LogType) *Req {
	var groups []*Req
	for _, g := range s.Groups {
		var items []*Req
		for _, it := range g {
			items = append(items, it.require(t))
		}
		groups = append(groups, andReq(items))
	}
	return orReq(groups)
}

func (it *Item) require(t udm.LogType) *Req {
	if it.exists != 0 || it.neq || it.Field != "" && derived(t, it.Field) {
		return nil
	}
	if it.All {
		return andReq(it.req)
	}
	return orReq(it.req)
}

// String renders a requirement for tests and explain: i"x" is a
// case-insensitive literal, re(...) a regular expression.
func (q *Req) String() string {
	if q == nil {
		return "any"
	}
	switch q.Op {
	case ReqLit:
		if q.Fold {
			return `i"` + q.Text + `"`
		}
		return `"` + q.Text + `"`
	case ReqRegex:
		return "re(" + q.Text + ")"
	}
	s := "and("
	if q.Op == ReqOr {
		s = "or("
	}
	for i, k := range q.Kids {
		if i > 0 {
			s += " "
		}
		s += k.String()
	}
	return s + ")"
}
