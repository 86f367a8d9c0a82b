package sigma

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Correlation rules (Sigma specification, "Sigma Correlation Rules"): a
// rule whose correlation: section counts or orders the events that other
// Sigma rules (its base rules, referred to by name or id) match, per
// group of group-by values, within a timespan. The scan package runs
// them on the windowed engine (docs/sigma.md, "Correlation rules").

// CorrType is a correlation's type.
type CorrType uint8

const (
	EventCount CorrType = iota + 1
	ValueCount
	Temporal
	TemporalOrdered
)

func (t CorrType) String() string {
	switch t {
	case EventCount:
		return "event_count"
	case ValueCount:
		return "value_count"
	case Temporal:
		return "temporal"
	case TemporalOrdered:
		return "temporal_ordered"
	}
	return fmt.Sprintf("CorrType(%d)", uint8(t))
}

// Correlation is a rule's correlation section.
type Correlation struct {
	Type CorrType
	// Rules are the base rules' names or ids as written; RulePos where.
	Rules   []string
	RulePos []Pos
	// GroupBy are the group-by fields (or aliases), in order.
	GroupBy []string
	// Timespan is the window length.
	Timespan time.Duration
	// Conds are the condition's comparisons of the count (event_count,
	// value_count, temporal), all of which must hold.
	Conds []Compare
	// Field is the value_count condition's field.
	Field string
	// Aliases map an alias to the field each base rule (by reference as
	// written in Rules) holds its value in.
	Aliases map[string]map[string]string
	// Generate is generate: true: the base rules also report their own
	// matches.
	Generate bool
	// Bases are the base rules, in Rules order, set by Resolve.
	Bases []*Rule
}

// Compare is one comparison of a condition: count Op N.
type Compare struct {
	Op string // gt, gte, lt, lte, eq, neq
	N  int64
}

// Holds reports whether n satisfies the comparison.
func (c Compare) Holds(n int64) bool {
	switch c.Op {
	case "gt":
		return n > c.N
	case "gte":
		return n >= c.N
	case "lt":
		return n < c.N
	case "lte":
		return n <= c.N
	case "eq":
		return n == c.N
	case "neq":
		return n != c.N
	}
	return false
}

// Field returns the field base rule i holds group-by entry g's value in:
// the alias's field for that rule, or g itself.
func (c *Correlation) GroupField(i int, g string) string {
	if a, ok := c.Aliases[g]; ok {
		return a[c.Rules[i]]
	}
	return g
}

var corrTypes = map[string]CorrType{
	"event_count": EventCount, "value_count": ValueCount, "temporal": Temporal, "temporal_ordered": TemporalOrdered,
}

func (p *parser) correlation(n *yaml.Node) *Correlation {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "correlation is a mapping")
		return nil
	}
	c := &Correlation{}
	var typ, cond, span *yaml.Node
	for _, e := range p.pairs(n) {
		k, v := e[0], e[1]
		switch k.Value {
		case "type":
			typ = v
			t, ok := corrTypes[v.Value]
			switch {
			case ok:
				c.Type = t
			case v.Kind == yaml.ScalarNode && strings.HasPrefix(v.Value, "value_"):
				p.unsupported(v, "correlation type %s is not run (retrohunt runs event_count, value_count, temporal and temporal_ordered)", v.Value)
			default:
				p.errorf(v, "unknown correlation type %q (the specification's are event_count, value_count, temporal, temporal_ordered)", v.Value)
			}
		case "rules":
			if v.Kind == yaml.ScalarNode {
				c.Rules, c.RulePos = []string{v.Value}, []Pos{p.pos(v)}
				break
			}
			if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
				p.errorf(v, "rules is a list of rule names or ids")
				break
			}
			for _, x := range v.Content {
				s := p.str(x)
				for i, prev := range c.Rules {
					if prev == s {
						p.errorf(x, "rule %s is listed twice (first at line %d)", s, c.RulePos[i].Line)
					}
				}
				c.Rules, c.RulePos = append(c.Rules, s), append(c.RulePos, p.pos(x))
			}
		case "group-by":
			c.GroupBy = p.strs(v)
		case "timespan":
			span = v
			d, err := parseTimespan(v.Value)
			if v.Kind != yaml.ScalarNode || err != nil {
				p.errorf(v, "timespan %q: want a positive number and s, m, h or d (as 10m)", v.Value)
			}
			c.Timespan = d
		case "condition":
			cond = v
		case "aliases":
			c.Aliases = p.aliases(v)
		case "generate":
			b, err := strconv.ParseBool(v.Value)
			if v.Kind != yaml.ScalarNode || err != nil {
				p.errorf(v, "generate is true or false")
			}
			c.Generate = b
		default:
			p.unsupported(k, "correlation key %q is not run (retrohunt reads type, rules, group-by, timespan, condition, aliases, generate)", k.Value)
		}
	}
	if typ == nil {
		p.errorf(n, "correlation has no type")
	}
	if c.Rules == nil {
		p.errorf(n, "correlation has no rules")
	}
	if span == nil {
		p.errorf(n, "correlation has no timespan")
	}
	switch {
	case cond != nil:
		p.corrCondition(c, cond)
	case c.Type == EventCount || c.Type == ValueCount:
		p.errorf(n, "a correlation of type %s needs a condition", c.Type)
	}
	if c.Type == ValueCount && c.Field == "" && cond != nil {
		p.errorf(cond, "a value_count condition names the field whose distinct values it counts (field:)")
	}
	if (c.Type == Temporal || c.Type == TemporalOrdered) && len(c.Rules) < 2 && c.Rules != nil {
		p.errorf(n, "a correlation of type %s refers to at least two rules", c.Type)
	}
	for g, a := range c.Aliases {
		for ref := range a {
			found := false
			for _, r := range c.Rules {
				found = found || r == ref
			}
			if !found {
				p.errorf(n, "alias %s maps rule %s, which the correlation does not list", g, ref)
			}
		}
	}
	return c
}

func (p *parser) corrCondition(c *Correlation, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "a correlation condition is a mapping (gte: 5)")
		return
	}
	if c.Type == TemporalOrdered {
		p.unsupported(n, "a temporal_ordered correlation takes no condition: every rule matches, in order")
		return
	}
	ops := 0
	for _, e := range p.pairs(n) {
		k, v := e[0], e[1]
		switch k.Value {
		case "gt", "gte", "lt", "lte", "eq", "neq":
			ops++
			x, err := strconv.ParseInt(v.Value, 10, 64)
			if v.Kind != yaml.ScalarNode || err != nil {
				p.errorf(v, "condition %s: want an integer", k.Value)
				continue
			}
			c.Conds = append(c.Conds, Compare{Op: k.Value, N: x})
		case "field":
			if c.Type != ValueCount && c.Type != 0 {
				p.errorf(k, "field: belongs to value_count conditions")
			}
			c.Field = p.str(v)
		default:
			p.errorf(k, "unknown condition operator %q (gt, gte, lt, lte, eq, neq, field)", k.Value)
		}
	}
	if ops == 0 {
		p.errorf(n, "the condition compares nothing (gt, gte, lt, lte, eq, neq)")
	}
}

func (p *parser) aliases(n *yaml.Node) map[string]map[string]string {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "aliases is a mapping of alias names to {rule: field}")
		return nil
	}
	out := map[string]map[string]string{}
	for _, e := range p.pairs(n) {
		if e[1].Kind != yaml.MappingNode {
			p.errorf(e[1], "alias %s is a mapping of rule names to fields", e[0].Value)
			continue
		}
		m := map[string]string{}
		for _, f := range p.pairs(e[1]) {
			m[f[0].Value] = p.str(f[1])
		}
		out[e[0].Value] = m
	}
	return out
}

// parseTimespan reads "<n>s|m|h|d".
func parseTimespan(s string) (time.Duration, error) {
	if len(s) < 2 {
		return 0, fmt.Errorf("timespan %q", s)
	}
	n, err := strconv.ParseInt(s[:len(s)-1], 10, 64)
	unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}[s[len(s)-1]]
	if err != nil || n <= 0 || unit == 0 || n > int64(1<<62)/int64(unit) {
		return 0, fmt.Errorf("timespan %q", s)
	}
	return time.Duration(n) * unit, nil
}

// Resolve finds each correlation's base rules among rules by name or
// id, sets Correlation.Bases and the correlation's Type (its first base
// rule's), and returns an error for each reference that names no
// detection rule, a correlation (chained correlations are not run) or
// several rules, and for an alias that has no field for a base rule.
func Resolve(corrs, rules []*Rule) ErrorList {
	var errs ErrorList
	for _, cr := range corrs {
		c := cr.Correlation
		c.Bases = make([]*Rule, len(c.Rules))
		for i, ref := range c.Rules {
			var found []*Rule
			for _, r := range rules {
				if r.Name == ref || r.ID == ref {
					found = append(found, r)
				}
			}
			at := c.RulePos[i]
			switch {
			case len(found) == 0:
				errs = append(errs, &Error{Pos: at, Rule: cr.Title, Msg: fmt.Sprintf("correlation refers to rule %s, which no loaded Sigma rule has as its name or id", ref)})
			case len(found) > 1:
				errs = append(errs, &Error{Pos: at, Rule: cr.Title, Msg: fmt.Sprintf("correlation refers to rule %s, which %d loaded Sigma rules have as name or id (%s and %s)", ref, len(found), found[0].Pos, found[1].Pos)})
			case found[0].Correlation != nil:
				errs = append(errs, &Error{Pos: at, Rule: cr.Title, Unsupported: true, Msg: fmt.Sprintf("correlation refers to correlation %s: chained correlations are not run", ref)})
			default:
				c.Bases[i] = found[0]
			}
		}
		for _, g := range c.GroupBy {
			if a, ok := c.Aliases[g]; ok {
				for _, ref := range c.Rules {
					if a[ref] == "" {
						errs = append(errs, &Error{Pos: cr.Pos, Rule: cr.Title, Msg: fmt.Sprintf("alias %s has no field for rule %s", g, ref)})
					}
				}
			}
		}
		if len(c.Bases) > 0 && c.Bases[0] != nil {
			cr.Type = c.Bases[0].Type
		}
	}
	return errs
}
