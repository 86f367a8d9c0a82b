package scan

import (
	"fmt"

	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/rule/fn"
	"github.com/retrohunt/retrohunt/scan/sigma"
	"github.com/retrohunt/retrohunt/scan/udm"
	"github.com/retrohunt/retrohunt/scan/window"
)

// Sigma correlation rules on the windowed engine (docs/sigma.md,
// "Correlation rules"). Each base rule is an event variable: its filter
// is the base rule itself (the Sigma evaluator on the record's own JSON,
// in the prefilter like any Sigma rule), the match key the group-by
// fields' values read from the record (through the correlation's
// aliases), the window a hop window of the timespan. Per window the
// type's count is compared with the condition.

// sigmaCorr is the correlation half of a MultiRule.
type sigmaCorr struct {
	c    *sigma.Correlation
	spec window.Spec
}

// NewSigmaCorrelation makes a multi-event rule of a Sigma correlation
// rule whose base rules are resolved (sigma.Resolve).
func NewSigmaCorrelation(r *sigma.Rule, origin string) (*MultiRule, error) {
	c := r.Correlation
	if c == nil {
		return nil, fmt.Errorf("rule %s: not a correlation rule", r.Title)
	}
	mr := &MultiRule{Rule: NewSigmaRule(r, origin), corr: &sigmaCorr{c: c,
		spec: window.Spec{Kind: window.Hop, Size: c.Timespan}}}
	for i, b := range c.Bases {
		if b == nil {
			return nil, fmt.Errorf("rule %s: base rule %s not resolved", r.Title, c.Rules[i])
		}
		mr.vars = append(mr.vars, NewSigmaRule(b, origin))
		mr.varNames = append(mr.varNames, c.Rules[i])
	}
	return mr, nil
}

// candidates adds a candidate for each base rule the record matches:
// the group-by values are the first value of each field; a record
// lacking one (or, for value_count, the counted field) is no candidate.
func (sc *sigmaCorr) candidates(name string, vars []*Rule, may func(v int) bool, ev *udm.Event, rec *sigma.Record, t int64, uri string, index int, add func(window.Candidate) error) error {
	for i, v := range vars {
		if !may(i) || !v.matches(ev, rec) {
			continue
		}
		key, ok := sc.values(rec, i)
		if !ok {
			continue
		}
		c := window.Candidate{Rule: name, Var: i, Key: key, Time: t, Source: uri, Record: int64(index)}
		if sc.c.Type == sigma.ValueCount {
			vs, _ := rec.Values(sc.c.Field)
			if len(vs) == 0 {
				continue
			}
			c.Values = []string{vs[0].S}
		}
		if err := add(c); err != nil {
			return err
		}
	}
	return nil
}

func (sc *sigmaCorr) values(rec *sigma.Record, i int) ([]string, bool) {
	key := make([]string, len(sc.c.GroupBy))
	for j, g := range sc.c.GroupBy {
		vs, _ := rec.Values(sc.c.GroupField(i, g))
		if len(vs) == 0 || vs[0].Kind == sigma.Null {
			return nil, false
		}
		key[j] = vs[0].S
	}
	return key, true
}

// evaluate applies the correlation's condition to one window.
func (sc *sigmaCorr) evaluate(win *window.Window) (*rule.Detection, bool) {
	c := sc.c
	ok := false
	switch c.Type {
	case sigma.EventCount:
		ok = holds(c.Conds, int64(len(win.Events)))
	case sigma.ValueCount:
		seen := map[string]bool{}
		for _, e := range win.Events {
			seen[e.Values[0]] = true
		}
		ok = holds(c.Conds, int64(len(seen)))
	case sigma.Temporal:
		seen := make([]bool, len(c.Rules))
		n := int64(0)
		for _, e := range win.Events {
			if !seen[e.Var] {
				seen[e.Var], n = true, n+1
			}
		}
		if len(c.Conds) == 0 {
			ok = n == int64(len(c.Rules))
		} else {
			ok = holds(c.Conds, n)
		}
	case sigma.TemporalOrdered:
		// The rules in the listed order: the first event of rule 0,
		// then the first event of rule 1 at or after it, and so on.
		next := 0
		for _, e := range win.Events {
			if next < len(c.Rules) && e.Var == next {
				next++
			}
		}
		ok = next == len(c.Rules)
	}
	if !ok {
		return nil, false
	}
	d := &rule.Detection{Rule: win.Rule, Start: win.Start, End: win.End, Truncated: win.Truncated, Events: win.Events}
	for j, g := range c.GroupBy {
		d.Match = append(d.Match, rule.Outcome{Name: g, Value: fn.S(win.Key[j])})
	}
	return d, true
}

func holds(cs []sigma.Compare, n int64) bool {
	for _, c := range cs {
		if !c.Holds(n) {
			return false
		}
	}
	return true
}
