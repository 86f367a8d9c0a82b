package rule

import (
	"slices"

	"github.com/retrohunt/retrohunt/scan/rule/fn"
	"github.com/retrohunt/retrohunt/scan/window"
)

// candidatesRef is Candidates as it was before the reusable context
// (a context per variable, every variable evaluated): the reference
// the differential tests compare Candidates with.
func (m *Multi) candidatesRef(ev Event, source string, record int64, add func(window.Candidate) error) error {
	ev = timestampParts{ev}
	var t int64
	timed := false
	for v, mv := range m.vars {
		c := newCtxRef(m.Rule, mv.plan, ev)
		rows := rowsWhereRef(c, mv.filter)
		if len(rows) == 0 {
			continue
		}
		if !timed {
			var ok bool
			if t, ok = EventTime(ev); !ok {
				return ErrNoTime
			}
			timed = true
		}
		// A partial rule's candidate: Key is the group values, the
		// match key (unassigned columns unknown) goes first in Values.
		type group struct {
			key  []string
			sub  string
			rows []int
		}
		var groups []group
	rowLoop:
		for _, k := range rows {
			c.setRow(k)
			key := make([]string, len(mv.keys))
			known := make([]bool, len(mv.keys))
			for j, x := range mv.keys {
				if x == nil {
					continue
				}
				val := x.value(c)
				if isZero(val) && !m.allowZero {
					continue rowLoop
				}
				key[j], known[j] = val.String(), true
			}
			var sub string
			if m.partial {
				sub = window.EncodeKey(key, known)
				key = make([]string, len(mv.group))
				for j, x := range mv.group {
					key[j] = x.value(c).String()
				}
			}
			i := slices.IndexFunc(groups, func(g group) bool { return g.sub == sub && slices.Equal(g.key, key) })
			if i < 0 {
				groups = append(groups, group{key: key, sub: sub})
				i = len(groups) - 1
			}
			groups[i].rows = append(groups[i].rows, k)
		}
		for _, g := range groups {
			off := 0
			if m.partial {
				off = 1
			}
			vals := make([]string, off+len(mv.inputs))
			if m.partial {
				vals[0] = g.sub
			}
			for i, x := range mv.inputs {
				var b []byte
				for _, k := range g.rows {
					c.setRow(k)
					b = appendEncoded(b, x.value(c))
				}
				vals[off+i] = string(b)
			}
			err := add(window.Candidate{Rule: m.Rule.Name, Var: v, Key: g.key, Time: t, Values: vals, Source: source, Record: record})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func newCtxRef(r *Rule, p *plan, ev Event) *ctx {
	return &ctx{ev: ev, r: r, p: p, vals: make([][]string, len(p.paths)), loaded: make([]bool, len(p.paths)),
		idx: make([]int, len(p.paths)), outs: make([]fn.Value, len(r.OutcomeVars)), done: make([]uint8, len(r.OutcomeVars))}
}

// rowsWhere returns the rows of c's event on which every term holds
// (the row loop of ctx.match over the plan's fields).
func rowsWhereRef(c *ctx, terms []Expr) []int {
	all := func() bool {
		for _, t := range terms {
			if !t.eval(c) {
				return false
			}
		}
		return true
	}
	var rows []int
	first := all()
	if first {
		rows = append(rows, 0)
	}
	n := 1
	if first || c.splitRead() {
		n = c.rowCount()
	}
	for k := 1; k < n; k++ {
		c.setRow(k)
		if all() {
			rows = append(rows, k)
		}
	}
	return rows
}
