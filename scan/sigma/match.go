package sigma

import "fmt"

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// Match reports whether the rule's condition holds for the record. The
// caller routes records: a rule is asked only about records of its Type.
func (r *Rule) Match(rec *Record) bool {
	return r.Condition != nil && evalCond(r.Condition, rec)
}

func evalCond(c Cond, rec *Record) bool {
	switch c := c.(type) {
	case *AndCond:
		for _, t := range c.Terms {
			if !evalCond(t, rec) {
				return false
			}
		}
		return true
	case *OrCond:
		for _, t := range c.Terms {
			if evalCond(t, rec) {
				return true
			}
		}
		return false
	case *NotCond:
		return !evalCond(c.X, rec)
	case *Ref:
		return c.Sel.Match(rec)
	case *OfCond:
		for _, s := range c.Sels {
			if s.Match(rec) != c.All {
				return !c.All
			}
		}
		return c.All
	}
	panic(fmt.Sprintf("BUG: sigma condition %T", c))
}

// Match reports whether some group of the selection has all its items
// hold.
func (s *Selection) Match(rec *Record) bool {
	for _, g := range s.Groups {
		ok := true
		for _, it := range g {
			if !it.Match(rec) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// Match evaluates the item on the record: a field's values (or, for
// keywords, every scalar of the record) against its values, ORed or,
// with all, ANDed. A value matches when any of the field's values does;
// null matches a field that is absent or has no value but null.
func (it *Item) Match(rec *Record) bool {
	var vals []Value
	exists := true
	if it.Field == "" {
		vals = rec.Words()
	} else {
		vals, exists = rec.Values(it.Field)
	}
	if it.exists != 0 {
		return exists == (it.exists > 0)
	}
	if it.neq {
		present := false
		for _, v := range vals {
			if v.Kind == Null {
				continue
			}
			present = true
			for _, alts := range it.preds {
				for _, p := range alts {
					if p.test(rec, v) {
						return false
					}
				}
			}
		}
		return present
	}
	for _, alts := range it.preds {
		ok := false
		for _, p := range alts {
			if anyValue(rec, p, vals) {
				ok = true
				break
			}
		}
		if it.All && !ok {
			return false
		}
		if !it.All && ok {
			return true
		}
	}
	return it.All && len(it.preds) > 0
}

func anyValue(rec *Record, p pred, vals []Value) bool {
	if _, ok := p.(nullPred); ok {
		for _, v := range vals {
			if v.Kind != Null {
				return false
			}
		}
		return true
	}
	for _, v := range vals {
		if p.test(rec, v) {
			return true
		}
	}
	return false
}
