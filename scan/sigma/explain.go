package sigma

import (
	"strconv"
	"strings"
)

// Trace is the evaluation of one node of a rule, for `retrohunt explain`:
// a condition connective, a search identifier, one map of a list of
// maps, or an item with the field values it compared.
type Trace struct {
	Text   string
	Pos    Pos
	Result bool
	// Values are an item's field values (every scalar for keywords);
	// Absent is true when the field is not in the record.
	Values []string
	Absent bool
	Kids   []*Trace
}

// Explain evaluates every node of the rule on rec (no short cut) and
// returns the tree; its Result is Match's.
func (r *Rule) Explain(rec *Record) *Trace {
	if r.Condition == nil {
		return &Trace{Text: "(no condition)"}
	}
	t := explainCond(r.Condition, rec)
	t.Text = "condition: " + r.CondText + "  → " + t.Text
	return t
}

func explainCond(c Cond, rec *Record) *Trace {
	switch c := c.(type) {
	case *AndCond:
		t := &Trace{Text: "and", Result: true}
		for _, x := range c.Terms {
			k := explainCond(x, rec)
			t.Kids = append(t.Kids, k)
			t.Result = t.Result && k.Result
		}
		return t
	case *OrCond:
		t := &Trace{Text: "or"}
		for _, x := range c.Terms {
			k := explainCond(x, rec)
			t.Kids = append(t.Kids, k)
			t.Result = t.Result || k.Result
		}
		return t
	case *NotCond:
		k := explainCond(c.X, rec)
		return &Trace{Text: "not", Result: !k.Result, Kids: []*Trace{k}}
	case *Ref:
		return explainSel(c.Sel, rec)
	case *OfCond:
		q := "1"
		if c.All {
			q = "all"
		}
		t := &Trace{Text: q + " of " + c.Pattern, Result: c.All}
		for _, s := range c.Sels {
			k := explainSel(s, rec)
			t.Kids = append(t.Kids, k)
			if k.Result != c.All {
				t.Result = !c.All
			}
		}
		return t
	}
	return &Trace{Text: "?"}
}

func explainSel(s *Selection, rec *Record) *Trace {
	t := &Trace{Text: s.Name, Pos: s.Pos}
	for i, g := range s.Groups {
		gt := &Trace{Text: "map " + strconv.Itoa(i+1) + " of " + strconv.Itoa(len(s.Groups)), Result: true}
		for _, it := range g {
			k := explainItem(it, rec)
			gt.Kids = append(gt.Kids, k)
			gt.Result = gt.Result && k.Result
		}
		if len(s.Groups) == 1 {
			t.Kids = gt.Kids
		} else {
			t.Kids = append(t.Kids, gt)
		}
		t.Result = t.Result || gt.Result
	}
	return t
}

func explainItem(it *Item, rec *Record) *Trace {
	key := it.Field
	if key == "" {
		key = "(keywords)"
	}
	for _, m := range it.Modifiers {
		key += "|" + m
	}
	vals := make([]string, len(it.Values))
	for i, v := range it.Values {
		vals[i] = strconv.Quote(v)
	}
	t := &Trace{Text: key + ": " + strings.Join(vals, ", "), Pos: it.Pos, Result: it.Match(rec)}
	if it.Field == "" {
		t.Values = []string{"(every value of the record)"}
		return t
	}
	vs, exists := rec.Values(it.Field)
	t.Absent = !exists
	for _, v := range vs {
		switch v.Kind {
		case Null:
			t.Values = append(t.Values, "null")
		case String:
			t.Values = append(t.Values, strconv.Quote(v.S))
		default:
			t.Values = append(t.Values, v.S)
		}
	}
	return t
}
