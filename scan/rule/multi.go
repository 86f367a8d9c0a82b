package rule

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/retrohunt/retrohunt/scan/reflist"
	"github.com/retrohunt/retrohunt/scan/rule/fn"
	"github.com/retrohunt/retrohunt/scan/window"
)

// Multi-event rules. A rule with a match: section (or several event
// variables) runs in two halves. Per record, Candidates evaluates each
// event variable's own filter (the events-section terms that mention only
// that variable) and, for every row that passes, yields a
// window.Candidate carrying the match variables' values, the event time
// and the values the joins and outcomes read. The window package groups
// candidates by match key and window; Evaluate then applies the join
// terms (comparisons between two variables' values, as time ordering),
// the condition and the outcome aggregations to one window.
// docs/yaral_windows.md states the semantics and the choices made.

// multiEvent reports a multi-event construct as Unsupported unless the
// parse accepts them (Options.MultiEvent).
func (ck *checker) multiEvent(at Pos, format string, args ...any) {
	if ck.p.opt.MultiEvent {
		ck.r.multi = true
		return
	}
	ck.unsupported(at, format, args...)
}

// ErrMulti marks a rule that parses with Options.MultiEvent but uses a
// multi-event construct CompileMulti does not run yet.
var ErrMulti = errors.New("multi-event construct not supported yet")

// Multi is a compiled multi-event rule, immutable and safe for
// concurrent use.
type Multi struct {
	Rule *Rule
	// Keys are the match variables' names, without "$".
	Keys []string
	spec window.Spec

	vars  []*multiVar
	joins []multiJoin
	outs  []multiOut
	slots []multiSlot
	// bindings: each placeholder's assignments, for "#placeholder".
	bindings map[string][]binding
	// placeholderCounts: per "#placeholder" of the condition, the inputs
	// that carry its values.
	placeholderCounts map[string][]binding
	// allowZero is options: allow_zero_values = true: rows whose match
	// key holds a zero value are candidates too.
	allowZero bool
	// optional[v]: variable v is tested for non-existence (!$v), so
	// joins prune only its events, never the others'.
	optional []bool
	// partial: some event variable does not assign every match
	// variable (window.Spec.SubKey): candidates are grouped by the
	// variables' group values and carry their match key in Values[0].
	partial bool
	// suppress is options: suppression_window (0: none); see Suppressor.
	suppress time.Duration
	// condOutcomes: the condition reads an outcome variable, so
	// Evaluate decides it only after computing condOuts (the outcome
	// variables it reads and those they read, in order) from condSlots
	// (the slots those read, in order).
	condOutcomes bool
	condOuts     []int
	condSlots    []int
	// scratch holds *candScratch for CandidatesMay.
	scratch sync.Pool
}

// multiVar is one event variable's half of the rule.
type multiVar struct {
	name   string
	filter []Expr  // terms on this variable's event alone
	keys   []Value // per match variable: its value on this event (nil: not assigned)
	group  []Value // partial rules: the values all joined events share
	inputs []Value // values a candidate carries, for joins and outcomes
	plan   *plan   // the rule's slots, rows over this variable's fields
}

// binding is "$p = x" with x read from variable v's events; in is the
// input that carries x, once needed.
type binding struct {
	v  int
	x  Value
	in int
}

// multiJoin is "L op R" with L read from variable a's events and R from
// b's: the inputs ai and bi.
type multiJoin struct {
	op     Op
	nocase bool
	a, ai  int
	b, bi  int
}

// multiOut is an outcome variable: its expression with every
// aggregation and match variable replaced by a reference to a slot
// (slots after the rule's outcome variables) that Evaluate fills first.
type multiOut struct {
	name string
	x    Value
}

// multiSlot is a value Evaluate computes per window before the
// outcomes: an aggregation over variable v's input in (v < 0: of the
// constant x), or match variable key (key >= 0).
type multiSlot struct {
	// bound: window_start (1) or window_end (2).
	bound int
	agg   aggKind
	v     int
	in    int
	x     Value
	key   int
	// An aggregation whose argument x reads several event variables
	// (v == crossVars): it folds over the combinations of their events
	// that satisfy the joins between them. Each field x reads has a
	// slot of plan (its index in fields), filled from the input that
	// carries it.
	vars   []int
	fields []crossField
	plan   *plan
}

// crossVars marks a multiSlot over several event variables.
const crossVars = -2

// crossField is a field an aggregation over several variables reads:
// variable v's input in.
type crossField struct{ v, in int }

// Detection is one window that satisfied a rule's condition.
type Detection struct {
	Rule       string
	Start, End int64 // the window, Unix nanoseconds
	Truncated  bool
	Match      []Outcome // the match variables (names without "$"), as strings
	Outcomes   []Outcome // in the rule's order
	// Events are the contributing candidates (after joins), time order.
	Events []window.Candidate
}

// CompileMulti compiles a rule parsed with Options.MultiEvent that has a
// match: section. since and until bound the scanned event times (Unix
// nanoseconds, 0 unbounded) for the windows' truncation flag. An error
// wrapping ErrMulti names a construct this round does not run.
func CompileMulti(r *Rule, since, until int64) (*Multi, error) {
	if r.MatchSec == nil {
		return nil, fmt.Errorf("rule %s: no match: section: %w", r.Name, ErrMulti)
	}
	if r.plan == nil {
		return nil, fmt.Errorf("rule %s: BUG: not compiled by the parser", r.Name)
	}
	m := &Multi{Rule: r}
	size, err := parseWindow(r.MatchSec.Window)
	if err != nil {
		return nil, fmt.Errorf("rule %s: %w", r.Name, err)
	}
	m.spec = window.Spec{Kind: window.Hop, Size: size, Since: since, Until: until}
	if r.MatchSec.Tumbling {
		m.spec.Kind = window.Tumbling
	}
	if r.MatchSec.Pivot != "" {
		m.spec.Kind = window.Sliding
		m.spec.After = r.MatchSec.Pivot == "after"
		m.spec.Pivot = slices.Index(r.Vars, r.MatchSec.PivotVar)
		if m.spec.Pivot < 0 {
			return nil, fmt.Errorf("rule %s: sliding window pivot %s is not an event variable", r.Name, r.MatchSec.PivotVar)
		}
	}
	for _, k := range r.MatchSec.Vars {
		if !strings.HasPrefix(k, "$") || strings.Contains(k, ".") {
			return nil, fmt.Errorf("rule %s: match on %s (only placeholders): %w", r.Name, k, ErrMulti)
		}
		m.Keys = append(m.Keys, k[1:])
	}
	m.optional = make([]bool, len(r.Vars))
	for _, o := range r.Options {
		if strings.EqualFold(o.Key, "allow_zero_values") && o.Kind == LitBool && o.Value == "true" {
			m.allowZero = true
		}
		if strings.EqualFold(o.Key, "suppression_window") {
			d, err := parseWindow(o.Value)
			if err != nil || o.Kind != LitDuration {
				return nil, fmt.Errorf("rule %s: %s: suppression_window %s: want a duration", r.Name, o.Pos, o.Value)
			}
			// Google's options page: "The suppression_window value must
			// also be greater than the match window."
			if d <= size {
				return nil, fmt.Errorf("rule %s: %s: suppression_window %s must be longer than the match window %s", r.Name, o.Pos, o.Value, r.MatchSec.Window)
			}
			m.suppress = d
		}
	}
	for _, v := range r.Vars {
		m.vars = append(m.vars, &multiVar{name: v, keys: make([]Value, len(m.Keys))})
	}
	if err := m.splitEvents(); err != nil {
		return nil, fmt.Errorf("rule %s: %w", r.Name, err)
	}
	for _, mv := range m.vars {
		if slices.Contains(mv.keys, nil) {
			m.partial = true
		}
	}
	if m.partial {
		m.groupKey()
		m.spec.SubKey = true
		if err := m.keyLinked(); err != nil {
			return nil, fmt.Errorf("rule %s: %w", r.Name, err)
		}
	}
	if err := m.compileOutcomes(); err != nil {
		return nil, fmt.Errorf("rule %s: %w", r.Name, err)
	}
	if err := m.checkCondition(r.Condition); err != nil {
		return nil, fmt.Errorf("rule %s: %w", r.Name, err)
	}
	m.condNeeds()
	// Last: the inputs are all known.
	for i := range m.vars {
		m.vars[i].plan = m.varPlan(i)
	}
	return m, nil
}

// condNeeds finds the outcome variables and slots the condition needs
// (condOutcomes, condOuts, condSlots): the outcome variables it reads,
// those they read, to a fixpoint, and every slot any of them reads.
func (m *Multi) condNeeds() {
	no := len(m.Rule.OutcomeVars)
	outs := make([]bool, no)
	slots := make([]bool, len(m.slots))
	mark := func(n any) {
		v, ok := n.(*VarRef)
		if !ok || v.out <= 0 {
			return
		}
		switch i := v.out - 1; {
		case i < no:
			outs[i] = true
		case i-no < len(slots):
			slots[i-no] = true
		}
	}
	walkAll(m.Rule.Condition, mark)
	walked := make([]bool, no)
	for again := true; again; {
		again = false
		for i := range outs {
			if outs[i] && !walked[i] && i < len(m.outs) {
				walked[i], again = true, true
				walkAll(m.outs[i].x, mark)
			}
		}
	}
	for i, ok := range outs {
		if ok {
			m.condOutcomes = true
			m.condOuts = append(m.condOuts, i)
		}
	}
	for i, ok := range slots {
		if ok {
			m.condSlots = append(m.condSlots, i)
		}
	}
}

// Spec is the rule's window (Since and Until as given to CompileMulti).
func (m *Multi) Spec() window.Spec { return m.spec }

// parseWindow reads "<n>s|m|h|d".
func parseWindow(s string) (time.Duration, error) {
	if len(s) < 2 {
		return 0, fmt.Errorf("window %q: want a number and s, m, h or d", s)
	}
	n, err := strconv.ParseInt(s[:len(s)-1], 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("window %q: want a positive number and s, m, h or d", s)
	}
	unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}[s[len(s)-1]]
	if unit == 0 {
		return 0, fmt.Errorf("window %q: want a number and s, m, h or d", s)
	}
	return time.Duration(n) * unit, nil
}

// varsOf returns the indexes of the event variables x reads, following
// placeholders to their defining values.
func (m *Multi) varsOf(x any) []int {
	var out []int
	var visit func(n any)
	visit = func(n any) {
		switch n := n.(type) {
		case *Field:
			if i := slices.Index(m.Rule.Vars, n.Var); i >= 0 && !slices.Contains(out, i) {
				out = append(out, i)
			}
		case *VarRef:
			if n.def != nil {
				walkAll(n.def, visit)
			}
		}
	}
	walkAll(x, visit)
	slices.Sort(out)
	return out
}

// placeholderSide returns the placeholder and the other side of
// "$p = X" (either way round), or nil.
func (m *Multi) placeholderSide(c *Cmp) (*VarRef, Value) {
	if c.Op != OpEq || c.Nocase {
		return nil, nil
	}
	if v, ok := c.L.(*VarRef); ok && v.def != nil {
		if _, ok := c.R.(*VarRef); !ok {
			return v, c.R
		}
	}
	if v, ok := c.R.(*VarRef); ok && v.def != nil {
		if _, ok := c.L.(*VarRef); !ok {
			return v, c.L
		}
	}
	return nil, nil
}

// splitEvents sorts the top-level events terms into per-variable
// filters, match-variable bindings and joins.
func (m *Multi) splitEvents() error {
	// A parenthesised group of terms is a conjunction like the section
	// itself: its terms are flattened into the section's.
	var terms []Expr
	var flatten func(x Expr)
	flatten = func(x Expr) {
		switch x := x.(type) {
		case *And:
			for _, t := range x.Terms {
				flatten(t)
			}
		default:
			terms = append(terms, x)
		}
	}
	flatten(m.Rule.Events)
	for _, t := range terms {
		if c, ok := t.(*Cmp); ok {
			if p, x := m.placeholderSide(c); p != nil {
				xv := m.varsOf(x)
				if len(xv) != 1 {
					return fmt.Errorf("%s: a placeholder assigned from %d event variables: %w", t, len(xv), ErrMulti)
				}
				v := xv[0]
				if m.bindings == nil {
					m.bindings = map[string][]binding{}
				}
				m.bindings[p.Name] = append(m.bindings[p.Name], binding{v: v, x: x})
				if k := slices.Index(m.Keys, p.Name[1:]); k >= 0 {
					if m.vars[v].keys[k] == nil {
						m.vars[v].keys[k] = x
					}
					if c.def {
						continue
					}
				}
				if c.def {
					continue // a placeholder's first assignment: no test
				}
				// A later assignment: a test of this event (same
				// variable) or a join with the defining one.
				pv := m.varsOf(p.def)
				if len(pv) == 1 && pv[0] != v {
					if slices.Contains(m.Keys, p.Name[1:]) {
						continue // grouping by the key joins them
					}
					m.addJoin(OpEq, false, pv[0], p.def, v, x)
					continue
				}
			}
		}
		vs := m.varsOf(t)
		switch len(vs) {
		case 1:
			m.vars[vs[0]].filter = append(m.vars[vs[0]].filter, t)
		case 2:
			c, ok := t.(*Cmp)
			if !ok {
				return fmt.Errorf("%s: a term over two event variables that is not a comparison: %w", t, ErrMulti)
			}
			lv, rv := m.varsOf(c.L), m.varsOf(c.R)
			if len(lv) != 1 || len(rv) != 1 || lv[0] == rv[0] {
				return fmt.Errorf("%s: each side of a join must read one event variable: %w", t, ErrMulti)
			}
			m.addJoin(c.Op, c.Nocase, lv[0], c.L, rv[0], c.R)
		default:
			return fmt.Errorf("%s: a term over %d event variables: %w", t, len(vs), ErrMulti)
		}
	}
	return nil
}

// groupKey chooses, for a rule whose event variables do not all assign
// the whole match key, the values every joined event shares: the
// classes of values made equal by placeholder assignments and equality
// joins that hold a value of every event variable. Events of one
// detection agree on each, so grouping by them loses none; with no such
// class the rule's candidates form one group (memory: the rule's
// candidates of one window length).
func (m *Multi) groupKey() {
	parent := map[string]string{}
	var order []string
	at := map[string]struct {
		v int
		x Value
	}{}
	node := func(v int, x Value) string {
		n := fmt.Sprintf("%d\x00%s", v, x)
		if _, ok := parent[n]; !ok {
			parent[n] = n
			order = append(order, n)
			at[n] = struct {
				v int
				x Value
			}{v, x}
		}
		return n
	}
	var find func(n string) string
	find = func(n string) string {
		if parent[n] != n {
			parent[n] = find(parent[n])
		}
		return parent[n]
	}
	union := func(a, b string) { parent[find(a)] = find(b) }
	names := make([]string, 0, len(m.bindings))
	for p := range m.bindings {
		names = append(names, p)
	}
	slices.Sort(names)
	for _, p := range names {
		pn := "p\x00" + p
		if _, ok := parent[pn]; !ok {
			parent[pn] = pn
		}
		for _, b := range m.bindings[p] {
			union(pn, node(b.v, b.x))
		}
	}
	for _, j := range m.joins {
		if j.op == OpEq && !j.nocase {
			union(node(j.a, m.vars[j.a].inputs[j.ai]), node(j.b, m.vars[j.b].inputs[j.bi]))
		}
	}
	done := map[string]bool{}
	for _, n := range order {
		root := find(n)
		if done[root] {
			continue
		}
		done[root] = true
		cols := make([]Value, len(m.vars))
		for _, o := range order {
			if a := at[o]; find(o) == root && cols[a.v] == nil {
				cols[a.v] = a.x
			}
		}
		if slices.Contains(cols, nil) {
			continue
		}
		for v, x := range cols {
			m.vars[v].group = append(m.vars[v].group, x)
		}
	}
}

// keyLinked checks, for a partial rule without a group key, that the
// event variables are connected by the match variables they share: the
// window package then completes a key only from candidates that agree
// on a column both assign. Variables that share neither a join value
// nor a match variable would make every pair of their events a key (a
// cross product), which the rule is refused for.
func (m *Multi) keyLinked() error {
	if len(m.vars[0].group) > 0 {
		return nil
	}
	seen := make([]bool, len(m.vars))
	seen[0] = true
	for changed := true; changed; {
		changed = false
		for a := range m.vars {
			for b := range m.vars {
				if !seen[a] || seen[b] {
					continue
				}
				for j := range m.Keys {
					if m.vars[a].keys[j] != nil && m.vars[b].keys[j] != nil {
						seen[b], changed = true, true
						break
					}
				}
			}
		}
	}
	if i := slices.Index(seen, false); i >= 0 {
		return fmt.Errorf("event variable %s shares no match variable and no join value with %s: every pair of their events would make a match key (a cross product): %w",
			m.vars[i].name, m.vars[0].name, ErrMulti)
	}
	return nil
}

func (m *Multi) addJoin(op Op, nocase bool, a int, l Value, b int, r Value) {
	m.joins = append(m.joins, multiJoin{op: op, nocase: nocase, a: a, ai: m.addInput(a, l), b: b, bi: m.addInput(b, r)})
}

func (m *Multi) addInput(v int, x Value) int {
	mv := m.vars[v]
	mv.inputs = append(mv.inputs, x)
	return len(mv.inputs) - 1
}

// varPlan is the rule's plan with the row loop over the fields of
// variable v only: another variable's fields never split v's events.
func (m *Multi) varPlan(v int) *plan {
	name := m.Rule.Vars[v]
	mine := map[int]bool{}
	visit := func(n any) {
		if f, ok := n.(*Field); ok && f.Var == name && f.slot >= 0 {
			mine[f.slot] = true
		}
	}
	mv := m.vars[v]
	for _, t := range mv.filter {
		walkAll(t, visit)
	}
	for _, k := range mv.keys {
		walkAll(k, visit)
	}
	for _, k := range mv.group {
		walkAll(k, visit)
	}
	for _, x := range mv.inputs {
		walkAll(x, visit)
	}
	p := &plan{paths: m.Rule.plan.paths}
	for _, s := range m.Rule.plan.top {
		if mine[s] {
			p.top = append(p.top, s)
		}
	}
	return p
}

// compileOutcomes rewrites each outcome expression so that it
// evaluates without an event: aggregations and match variables become
// slots; constants, arithmetic, functions, if() and earlier outcome
// variables stay. A field outside an aggregation has no single value
// over a window and is refused.
func (m *Multi) compileOutcomes() error {
	for _, o := range m.Rule.OutcomeVars {
		x, err := m.outValue(o.X)
		if err != nil {
			return fmt.Errorf("outcome %s = %s: %w", o.Name, o.X, err)
		}
		m.outs = append(m.outs, multiOut{name: o.Name[1:], x: x})
	}
	return nil
}

// slotRef adds a slot and returns the reference that reads it.
func (m *Multi) slotRef(at Pos, s multiSlot) *VarRef {
	m.slots = append(m.slots, s)
	return &VarRef{At: at, Name: "$" + strconv.Itoa(len(m.slots)), out: len(m.Rule.OutcomeVars) + len(m.slots)}
}

func (m *Multi) outValue(x Value) (Value, error) {
	switch x := x.(type) {
	case *Const:
		return x, nil
	case *WindowBound:
		b := 1
		if x.End {
			b = 2
		}
		return m.slotRef(x.At, multiSlot{bound: b, key: -1, v: -1}), nil
	case *VarRef:
		if x.out > 0 {
			return x, nil
		}
		if k := slices.Index(m.Keys, x.Name[1:]); k >= 0 {
			return m.slotRef(x.At, multiSlot{key: k, v: -1}), nil
		}
		return nil, fmt.Errorf("placeholder %s outside an aggregation (not a match variable): %w", x.Name, ErrMulti)
	case *Call:
		if x.agg != aggNone {
			if len(x.Args) != 1 {
				return nil, fmt.Errorf("%s: %w", x, ErrMulti)
			}
			vs := m.varsOf(x.Args[0])
			switch len(vs) {
			case 0:
				return m.slotRef(x.At, multiSlot{agg: x.agg, v: -1, key: -1, x: x.Args[0]}), nil
			case 1:
				return m.slotRef(x.At, multiSlot{agg: x.agg, v: vs[0], in: m.addInput(vs[0], x.Args[0]), key: -1}), nil
			}
			return m.crossSlot(x, vs)
		}
		cp := *x
		cp.Args = make([]Value, len(x.Args))
		for i, a := range x.Args {
			v, err := m.outValue(a)
			if err != nil {
				return nil, err
			}
			cp.Args[i] = v
		}
		return &cp, nil
	case *Arith:
		l, err := m.outValue(x.L)
		if err != nil {
			return nil, err
		}
		r, err := m.outValue(x.R)
		if err != nil {
			return nil, err
		}
		return &Arith{At: x.At, Op: x.Op, L: l, R: r}, nil
	case *If:
		cond, err := m.outExpr(x.Cond)
		if err != nil {
			return nil, err
		}
		then, err := m.outValue(x.Then)
		if err != nil {
			return nil, err
		}
		cp := &If{At: x.At, Cond: cond, Then: then}
		if x.Else != nil {
			if cp.Else, err = m.outValue(x.Else); err != nil {
				return nil, err
			}
		}
		return cp, nil
	case *paren:
		e, err := m.outExpr(x.X)
		if err != nil {
			return nil, err
		}
		return &paren{At: x.At, X: e}, nil
	}
	return nil, fmt.Errorf("%s outside an aggregation has no one value over a window: %w", x, ErrMulti)
}

// crossSlot compiles an aggregation whose argument reads the event
// variables vs: each field of the argument becomes an input of its
// variable and a slot of a private plan, so that the argument evaluates
// over one combination of events at a time (Evaluate).
func (m *Multi) crossSlot(x *Call, vs []int) (Value, error) {
	sl := multiSlot{agg: x.agg, v: crossVars, key: -1, vars: vs}
	var err error
	// The argument is copied (the rule's AST stays as parsed: a rule
	// may be compiled more than once), each field of the copy reading
	// a slot of the private plan; the input reads the event itself.
	memo := map[*Field]*Field{}
	arg, cerr := cloneValue(x.Args[0], func(f *Field) *Field {
		if c, ok := memo[f]; ok {
			return c
		}
		v := slices.Index(m.Rule.Vars, f.Var)
		if v < 0 {
			if err == nil {
				err = fmt.Errorf("%s: %s is not an event variable: %w", x, f.Var, ErrMulti)
			}
			return f
		}
		sl.fields = append(sl.fields, crossField{v: v, in: m.addInput(v, f)})
		c := *f
		c.slot = len(sl.fields) - 1
		memo[f] = &c
		return &c
	})
	if cerr != nil {
		return nil, fmt.Errorf("%s: %w", x, cerr)
	}
	if err != nil {
		return nil, err
	}
	sl.x = arg
	sl.plan = &plan{paths: make([]string, len(sl.fields))}
	for i := range sl.fields {
		sl.plan.top = append(sl.plan.top, i)
	}
	return m.slotRef(x.At, sl), nil
}

// cloneValue copies a value expression, each field replaced by
// field(f); an error names a node it cannot copy (a placeholder, a
// quantifier).
func cloneValue(x Value, field func(*Field) *Field) (Value, error) {
	var err error
	var val func(x Value) Value
	var expr func(x Expr) Expr
	fail := func(n any) {
		if err == nil {
			err = fmt.Errorf("%v in an aggregation over several event variables: %w", n, ErrMulti)
		}
	}
	val = func(x Value) Value {
		switch x := x.(type) {
		case nil:
			return nil
		case *Field:
			return field(x)
		case *Const, *WindowBound:
			return x
		case *Call:
			c := *x
			c.Args = make([]Value, len(x.Args))
			for i, a := range x.Args {
				c.Args[i] = val(a)
			}
			return &c
		case *Arith:
			c := *x
			c.L, c.R = val(x.L), val(x.R)
			return &c
		case *If:
			c := *x
			c.Cond, c.Then = expr(x.Cond), val(x.Then)
			if x.Else != nil {
				c.Else = val(x.Else)
			}
			return &c
		case *paren:
			c := *x
			c.X = expr(x.X)
			return &c
		}
		fail(x)
		return x
	}
	fieldOf := func(f *Field) *Field {
		if f == nil {
			return nil
		}
		return field(f)
	}
	expr = func(x Expr) Expr {
		switch x := x.(type) {
		case *And:
			c := *x
			c.Terms = make([]Expr, len(x.Terms))
			for i, t := range x.Terms {
				c.Terms[i] = expr(t)
			}
			return &c
		case *Or:
			c := *x
			c.Terms = make([]Expr, len(x.Terms))
			for i, t := range x.Terms {
				c.Terms[i] = expr(t)
			}
			return &c
		case *Not:
			c := *x
			c.X = expr(x.X)
			return &c
		case *Cmp:
			c := *x
			c.L, c.R = val(x.L), val(x.R)
			return &c
		case *Pred:
			c := *x
			c.X = val(x.X)
			return &c
		case *InRef:
			c := *x
			c.X = val(x.X)
			return &c
		case *Compare:
			c := *x
			c.F = fieldOf(x.F)
			return &c
		case *InList:
			c := *x
			c.F, c.X = fieldOf(x.F), val(x.X)
			return &c
		case *Regex:
			c := *x
			c.F, c.X = fieldOf(x.F), val(x.X)
			return &c
		}
		fail(x)
		return x
	}
	out := val(x)
	return out, err
}

func (m *Multi) outExpr(x Expr) (Expr, error) {
	switch x := x.(type) {
	case *And, *Or:
		var terms []Expr
		if a, ok := x.(*And); ok {
			terms = a.Terms
		} else {
			terms = x.(*Or).Terms
		}
		out := make([]Expr, len(terms))
		for i, t := range terms {
			e, err := m.outExpr(t)
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		if a, ok := x.(*And); ok {
			return &And{At: a.At, Terms: out}, nil
		}
		return &Or{At: x.Pos(), Terms: out}, nil
	case *Not:
		e, err := m.outExpr(x.X)
		if err != nil {
			return nil, err
		}
		return &Not{At: x.At, X: e}, nil
	case *Cmp:
		l, err := m.outValue(x.L)
		if err != nil {
			return nil, err
		}
		r, err := m.outValue(x.R)
		if err != nil {
			return nil, err
		}
		cp := *x
		cp.L, cp.R, cp.def = l, r, false
		return &cp, nil
	case *Pred:
		v, err := m.outValue(x.X)
		if err != nil {
			return nil, err
		}
		return &Pred{At: x.At, X: v}, nil
	}
	return nil, fmt.Errorf("%s in an outcome's if() reads an event outside an aggregation: %w", x, ErrMulti)
}

// checkCondition accepts and/or/not of $e, !$e, and comparisons of #e,
// outcome variables and constants; it marks the variables tested for
// non-existence.
func (m *Multi) checkCondition(x Expr) error {
	switch x := x.(type) {
	case nil:
		return nil
	case *And:
		for _, t := range x.Terms {
			if err := m.checkCondition(t); err != nil {
				return err
			}
		}
		return nil
	case *Or:
		for _, t := range x.Terms {
			if err := m.checkCondition(t); err != nil {
				return err
			}
		}
		return nil
	case *Not:
		return m.checkCondition(x.X)
	case *EventRef:
		v := slices.Index(m.Rule.Vars, x.Var)
		if v < 0 {
			return fmt.Errorf("condition %s: not an event variable: %w", x, ErrMulti)
		}
		if x.Negated {
			m.optional[v] = true
		}
		return nil
	case *Cmp:
		for _, s := range []Value{x.L, x.R} {
			if err := m.checkCondValue(x, s); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("condition %s: %w", x, ErrMulti)
}

// checkCondValue accepts a side of a condition's comparison: #e,
// #placeholder, constants, outcome variables, window_start and
// window_end, and arithmetic of them.
func (m *Multi) checkCondValue(x *Cmp, s Value) error {
	switch s := s.(type) {
	case *WindowBound, *Const:
	case *Arith:
		if err := m.checkCondValue(x, s.L); err != nil {
			return err
		}
		return m.checkCondValue(x, s.R)
	case *Count:
		if slices.Contains(m.Rule.Vars, s.Var) {
			break
		}
		bs := m.bindings[s.Var]
		if len(bs) == 0 {
			return fmt.Errorf("condition %s: #%s is neither an event variable nor an assigned placeholder: %w", x, s.Var[1:], ErrMulti)
		}
		if m.placeholderCounts == nil {
			m.placeholderCounts = map[string][]binding{}
		}
		if _, done := m.placeholderCounts[s.Var]; !done {
			for _, b := range bs {
				b.in = m.addInput(b.v, b.x)
				m.placeholderCounts[s.Var] = append(m.placeholderCounts[s.Var], b)
			}
		}
	case *VarRef:
		if s.out == 0 {
			return fmt.Errorf("condition %s: %s is not an outcome variable: %w", x, s.Name, ErrMulti)
		}
	default:
		return fmt.Errorf("condition %s: %w", x, ErrMulti)
	}
	return nil
}

// EventTime reads metadata.event_timestamp as Unix nanoseconds: its
// .seconds and .nanos, else the RFC 3339 form the mapper serves under
// the bare path; false when the event has none.
func EventTime(ev Event) (int64, bool) {
	secs := ev.Values("metadata.event_timestamp.seconds")
	if len(secs) == 0 {
		if ts := ev.Values("metadata.event_timestamp"); len(ts) > 0 {
			if t, err := time.Parse(time.RFC3339Nano, ts[0]); err == nil {
				return t.UnixNano(), true
			}
		}
		return 0, false
	}
	s, err := strconv.ParseInt(secs[0], 10, 64)
	if err != nil {
		return 0, false
	}
	var n int64
	if ns := ev.Values("metadata.event_timestamp.nanos"); len(ns) > 0 {
		n, _ = strconv.ParseInt(ns[0], 10, 64)
	}
	return s*1e9 + n, true
}

// timestampParts serves metadata.event_timestamp.seconds and .nanos
// from the RFC 3339 metadata.event_timestamp when the event has no
// parts, so that time ordering between events
// ($e1.metadata.event_timestamp.seconds < $e2...) works whichever form
// the mapper gives.
type timestampParts struct{ Event }

func (e timestampParts) Values(path string) []string {
	vs := e.Event.Values(path)
	if len(vs) > 0 || !strings.HasPrefix(path, "metadata.event_timestamp.") {
		return vs
	}
	part := path[len("metadata.event_timestamp."):]
	if part != "seconds" && part != "nanos" {
		return vs
	}
	ts := e.Event.Values("metadata.event_timestamp")
	if len(ts) == 0 {
		return vs
	}
	t, err := time.Parse(time.RFC3339Nano, ts[0])
	if err != nil {
		return vs
	}
	if part == "seconds" {
		return []string{strconv.FormatInt(t.Unix(), 10)}
	}
	return []string{strconv.Itoa(t.Nanosecond())}
}

// ErrNoTime is returned by Candidates for an event without
// metadata.event_timestamp: it never joins a window.
var ErrNoTime = errors.New("event has no metadata.event_timestamp")

// Candidates calls add for each event variable whose filter ev passes:
// one candidate per distinct match key among the rows that pass (a row
// whose key holds a zero value is left out, as SecOps excludes zero
// values of match placeholders, unless options: allow_zero_values =
// true). It returns ErrNoTime, and adds
// nothing, for an event without a time that passes some filter.
func (m *Multi) Candidates(ev Event, source string, record int64, add func(window.Candidate) error) error {
	return m.CandidatesMay(ev, nil, source, record, add)
}

// CandidatesMay is Candidates evaluating only the variables v for which
// may(v) holds (nil: every variable): may must be true for every
// variable whose filter ev can pass, as a prefilter's verdict is
// (fast.Checker.MayMatch), so that the candidates are Candidates'.
//
// One evaluation context serves every variable of the call (the
// variables share the rule's field slots, so a field is read once per
// record), and the context, the rows and the groups are reused from
// call to call: a candidate costs two allocations, its strings and its
// slices, which the Store keeps.
func (m *Multi) CandidatesMay(ev Event, may func(v int) bool, source string, record int64, add func(window.Candidate) error) error {
	// Most records of a scan can match none of a rule's variables:
	// they cost may's answers, not a context. may is asked once per
	// variable (it may count).
	if may != nil && len(m.vars) <= 64 {
		var mask uint64
		for v := range m.vars {
			if may(v) {
				mask |= 1 << v
			}
		}
		if mask == 0 {
			return nil
		}
		may = func(v int) bool { return mask&(1<<v) != 0 }
	}
	sc, _ := m.scratch.Get().(*candScratch)
	if sc == nil {
		p := m.Rule.plan
		sc = &candScratch{c: ctx{r: m.Rule, vals: make([][]string, len(p.paths)), loaded: make([]bool, len(p.paths)),
			idx: make([]int, len(p.paths)), outs: make([]fn.Value, len(m.Rule.OutcomeVars)), done: make([]uint8, len(m.Rule.OutcomeVars))}}
	}
	sc.tp.Event = ev
	sc.c.ev = &sc.tp
	err := m.candidates(sc, may, source, record, add)
	sc.reset()
	m.scratch.Put(sc)
	return err
}

// candScratch is the reusable state of one CandidatesMay call.
type candScratch struct {
	c      ctx
	tp     timestampParts
	rows   []int
	groups []candGroup
	key    []string
	known  []bool
	gkey   []string
	buf    []byte
	ends   []int
}

// candGroup is the rows of one variable sharing a match key (a partial
// rule: group values and match key).
type candGroup struct {
	key  []string
	sub  string
	rows []int
}

func (sc *candScratch) reset() {
	c := &sc.c
	c.ev, c.p = nil, nil
	sc.tp.Event = nil
	// Only the slots read and the outcomes computed hold anything: a
	// rule has many slots, a record reads few.
	for s, l := range c.loaded {
		if l {
			c.vals[s], c.loaded[s] = nil, false
		}
	}
	clear(c.idx)
	for i, d := range c.done {
		if d != 0 {
			c.outs[i], c.done[i] = fn.Value{}, 0
		}
	}
	c.rows = c.rows[:0]
	c.args = c.args[:0]
	c.matched = false
	for i := range sc.groups {
		g := &sc.groups[i]
		clear(g.key)
		g.key, g.sub, g.rows = g.key[:0], "", g.rows[:0]
	}
	sc.groups = sc.groups[:0]
	clear(sc.key)
	clear(sc.gkey)
}

func (m *Multi) candidates(sc *candScratch, may func(v int) bool, source string, record int64, add func(window.Candidate) error) error {
	c := &sc.c
	var t int64
	timed := false
	for v, mv := range m.vars {
		if may != nil && !may(v) {
			continue
		}
		// The slots' values stay (same event, same paths); the row
		// loop is this variable's.
		c.p = mv.plan
		clear(c.idx)
		sc.rows = appendRowsWhere(sc.rows[:0], c, mv.filter)
		if len(sc.rows) == 0 {
			continue
		}
		if !timed {
			var ok bool
			if t, ok = EventTime(c.ev); !ok {
				return ErrNoTime
			}
			timed = true
		}
		// A partial rule's candidate: Key is the group values, the
		// match key (unassigned columns unknown) goes first in Values.
		for i := range sc.groups {
			g := &sc.groups[i]
			clear(g.key)
			g.key, g.sub, g.rows = g.key[:0], "", g.rows[:0]
		}
		groups := sc.groups[:0]
		sc.key = slices.Grow(sc.key[:0], len(mv.keys))[:len(mv.keys)]
		sc.known = slices.Grow(sc.known[:0], len(mv.keys))[:len(mv.keys)]
	rowLoop:
		for _, k := range sc.rows {
			c.setRow(k)
			key, known := sc.key, sc.known
			clear(key)
			clear(known)
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
				key = sc.gkey[:0]
				for _, x := range mv.group {
					key = append(key, x.value(c).String())
				}
				sc.gkey = key
			}
			i := slices.IndexFunc(groups, func(g candGroup) bool { return g.sub == sub && slices.Equal(g.key, key) })
			if i < 0 {
				if len(groups) < cap(groups) {
					groups = groups[:len(groups)+1]
				} else {
					groups = append(groups, candGroup{})
				}
				i = len(groups) - 1
				groups[i].key = append(groups[i].key[:0], key...)
				groups[i].sub = sub
			}
			groups[i].rows = append(groups[i].rows, k)
		}
		sc.groups = groups
		for gi := range groups {
			if err := add(m.candidate(sc, v, mv, &groups[gi], t, source, record)); err != nil {
				return err
			}
		}
	}
	return nil
}

// candidate builds the Candidate of group g: its key and values are
// substrings of one string and share one slice.
func (m *Multi) candidate(sc *candScratch, v int, mv *multiVar, g *candGroup, t int64, source string, record int64) window.Candidate {
	c := &sc.c
	off := 0
	if m.partial {
		off = 1
	}
	b, ends := sc.buf[:0], sc.ends[:0]
	for _, k := range g.key {
		b = append(b, k...)
		ends = append(ends, len(b))
	}
	if m.partial {
		b = append(b, g.sub...)
		ends = append(ends, len(b))
	}
	for _, x := range mv.inputs {
		for _, k := range g.rows {
			c.setRow(k)
			b = appendEncoded(b, x.value(c))
		}
		ends = append(ends, len(b))
	}
	sc.buf, sc.ends = b, ends
	all := string(b)
	strs := make([]string, len(ends))
	start := 0
	for i, e := range ends {
		strs[i] = all[start:e]
		start = e
	}
	nk := len(g.key)
	return window.Candidate{Rule: m.Rule.Name, Var: v, Key: strs[:nk:nk], Time: t, Values: strs[nk : nk+off+len(mv.inputs)], Source: source, Record: record}
}

func newCtx(r *Rule, p *plan, ev Event) *ctx {
	return &ctx{ev: ev, r: r, p: p, vals: make([][]string, len(p.paths)), loaded: make([]bool, len(p.paths)),
		idx: make([]int, len(p.paths)), outs: make([]fn.Value, len(r.OutcomeVars)), done: make([]uint8, len(r.OutcomeVars))}
}

// appendRowsWhere appends the rows of c's event on which every term
// holds (the row loop of ctx.match over the plan's fields).
func appendRowsWhere(rows []int, c *ctx, terms []Expr) []int {
	all := func() bool {
		for _, t := range terms {
			if !t.eval(c) {
				return false
			}
		}
		return true
	}
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

func isZero(v fn.Value) bool {
	switch v.Kind {
	case 0:
		return true
	case fn.String:
		return v.S == ""
	case fn.Int:
		return v.I == 0
	case fn.Float:
		return v.F == 0
	case fn.Bool:
		return !v.B
	case fn.List:
		return len(v.L) == 0
	}
	return false
}

// appendEncoded appends v (a list's elements one by one) as a kind byte
// and a length-prefixed text.
func appendEncoded(b []byte, v fn.Value) []byte {
	if v.Kind == fn.List {
		for _, e := range v.L {
			b = appendEncoded(b, e)
		}
		return b
	}
	var s string
	switch v.Kind {
	case fn.String:
		s = v.S
	case fn.Int:
		s = strconv.FormatInt(v.I, 10)
	case fn.Float:
		s = strconv.FormatFloat(v.F, 'g', -1, 64)
	case fn.Bool:
		s = strconv.FormatBool(v.B)
	}
	b = append(b, byte(v.Kind))
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendDecoded appends the values appendEncoded encoded in s.
func appendDecoded(out []fn.Value, s string) []fn.Value {
	for len(s) > 0 {
		k := fn.Kind(s[0])
		n, w := binary.Uvarint([]byte(s[1:min(len(s), 11)]))
		if w <= 0 || uint64(len(s)-1-w) < n {
			return out
		}
		text := s[1+w : 1+w+int(n)]
		s = s[1+w+int(n):]
		v := fn.Value{Kind: k}
		switch k {
		case fn.String:
			v.S = text
		case fn.Int:
			v.I, _ = strconv.ParseInt(text, 10, 64)
		case fn.Float:
			v.F, _ = strconv.ParseFloat(text, 64)
		case fn.Bool:
			v.B = text == "true"
		}
		out = append(out, v)
	}
	return out
}

// Evaluate applies the joins, the condition and the outcomes to one
// window; false when the condition does not hold.
func (m *Multi) Evaluate(w *window.Window) (*Detection, bool) {
	n := len(m.vars)
	byVar := make([][]int, n) // indexes into w.Events
	perVar := make([]int, n)
	for i := range w.Events {
		if v := w.Events[i].Var; v >= 0 && v < n {
			perVar[v]++
		}
	}
	all := make([]int, 0, len(w.Events))
	for v, k := range perVar {
		byVar[v], all = all[len(all):len(all):len(all)+k], all[:len(all)+k]
	}
	for i := range w.Events {
		if v := w.Events[i].Var; v >= 0 && v < n {
			byVar[v] = append(byVar[v], i)
		}
	}
	off := 0
	if m.partial {
		off = 1 // Values[0] is the match key
	}
	// Each event's inputs decode once, on first use, into one arena:
	// inputs[e*nin+i] is where event e's input i lies in it, to being
	// its end plus one (0: not decoded yet). A slice handed out keeps
	// its backing array when the arena grows.
	nin := 0
	for _, mv := range m.vars {
		nin = max(nin, len(mv.inputs))
	}
	type span struct{ from, to int }
	var inputs []span // made on first use: a window its counts refuse may need none
	var arena []fn.Value
	in := func(e, i int) []fn.Value {
		if inputs == nil {
			inputs = make([]span, len(w.Events)*nin)
		}
		k := e*nin + i
		sp := inputs[k]
		if sp.to == 0 {
			from := len(arena)
			arena = appendDecoded(arena, w.Events[e].Values[off+i])
			sp = span{from, len(arena) + 1}
			inputs[k] = sp
		}
		return arena[sp.from : sp.to-1 : sp.to-1]
	}
	holds := func(j multiJoin, ea, eb int) bool {
		for _, x := range in(ea, j.ai) {
			for _, y := range in(eb, j.bi) {
				if joinCompare(j.op, x, y, j.nocase) {
					return true
				}
			}
		}
		return false
	}
	// Keep the events that take part in some assignment satisfying the
	// joins: each join prunes the events of either side without a
	// partner on the other (only the optional side, when one side is
	// tested for non-existence), to a fixpoint. Exact for joins that
	// form a tree, as rules' joins do.
	for changed := true; changed; {
		changed = false
		for _, j := range m.joins {
			prune := func(side, other int, left bool) {
				kept := byVar[side][:0:0]
				for _, e := range byVar[side] {
					ok := false
					for _, o := range byVar[other] {
						if left && holds(j, e, o) || !left && holds(j, o, e) {
							ok = true
							break
						}
					}
					if ok {
						kept = append(kept, e)
					}
				}
				if len(kept) != len(byVar[side]) {
					byVar[side] = kept
					changed = true
				}
			}
			if !m.optional[j.a] || m.optional[j.b] {
				prune(j.a, j.b, true)
			}
			if !m.optional[j.b] || m.optional[j.a] {
				prune(j.b, j.a, false)
			}
		}
	}
	if m.spec.Kind == window.Sliding {
		p := m.spec.Pivot
		if !slices.Contains(byVar[p], w.PivotIndex) {
			return nil, false
		}
	}
	if m.partial && !m.keyAssigned(byVar) {
		return nil, false
	}
	counts := make([]int, n)
	for v := range byVar {
		counts[v] = len(byVar[v])
	}
	cond := m.Rule.Condition
	if cond == nil {
		return nil, false
	}
	env := &condEnv{counts: counts, start: floorSeconds(w.Start), end: floorSeconds(w.End), distinct: func(p string) int {
		// "#placeholder": the distinct non-zero values it takes over
		// the window's events.
		var vals []fn.Value
		for _, b := range m.placeholderCounts[p] {
			for _, e := range byVar[b.v] {
				vals = append(vals, in(e, b.in)...)
			}
		}
		return int(foldAgg(aggCountDistinct, vals).I)
	}}
	// A condition that reads no outcome variable is decided before the
	// outcomes are computed: most windows fail it.
	if !m.condOutcomes && !m.condHolds(cond, env) {
		return nil, false
	}
	no := len(m.Rule.OutcomeVars)
	slot := func(oc *ctx, i int) {
		sl := m.slots[i]
		var val fn.Value
		switch {
		case sl.bound == 1:
			val = fn.I(floorSeconds(w.Start))
		case sl.bound == 2:
			val = fn.I(floorSeconds(w.End))
		case sl.key >= 0:
			val = fn.S(w.Key[sl.key])
		case sl.v == crossVars:
			val = foldAgg(sl.agg, m.crossValues(sl, byVar, in, holds))
		case sl.v < 0:
			val = foldAgg(sl.agg, []fn.Value{sl.x.value(oc)})
		default:
			vals := make([]fn.Value, 0, len(byVar[sl.v]))
			for _, e := range byVar[sl.v] {
				vals = append(vals, in(e, sl.in)...)
			}
			val = foldAgg(sl.agg, vals)
		}
		oc.outs[no+i], oc.done[no+i] = val, 2
	}
	if m.condOutcomes {
		// The condition reads outcome variables: compute those and
		// what they read first (the slots, then the outcomes in
		// order, as below), and only a window that passes gets the
		// rest.
		oc := &ctx{r: m.Rule, outs: make([]fn.Value, no+len(m.slots)), done: make([]uint8, no+len(m.slots))}
		for _, i := range m.condSlots {
			slot(oc, i)
		}
		outs := make([]Outcome, no)
		for _, i := range m.condOuts {
			oc.outs[i], oc.done[i] = m.outs[i].x.value(oc), 2
			outs[i] = Outcome{Name: m.outs[i].name, Value: oc.outs[i]}
		}
		env.outs = outs
		if !m.condHolds(cond, env) {
			return nil, false
		}
	}
	d := &Detection{Rule: m.Rule.Name, Start: w.Start, End: w.End, Truncated: w.Truncated}
	for j, k := range m.Keys {
		d.Match = append(d.Match, Outcome{Name: k, Value: fn.S(w.Key[j])})
	}
	oc := &ctx{r: m.Rule, outs: make([]fn.Value, no+len(m.slots)), done: make([]uint8, no+len(m.slots))}
	for i := range m.slots {
		slot(oc, i)
	}
	d.Outcomes = make([]Outcome, 0, len(m.outs))
	for i, o := range m.outs {
		oc.outs[i], oc.done[i] = o.x.value(oc), 2
		d.Outcomes = append(d.Outcomes, Outcome{Name: o.name, Value: oc.outs[i]})
	}
	keep := make([]int, 0, len(w.Events))
	for _, es := range byVar {
		keep = append(keep, es...)
	}
	slices.Sort(keep)
	d.Events = make([]window.Candidate, 0, len(keep))
	for _, e := range keep {
		d.Events = append(d.Events, w.Events[e])
	}
	return d, true
}

// crossValues evaluates the argument of an aggregation over several
// event variables on every combination of one kept event per variable
// that satisfies the joins between them, each combination's rows (the
// fields' values, as an event's repeated fields make rows) one value.
func (m *Multi) crossValues(sl multiSlot, byVar [][]int, in func(e, i int) []fn.Value, holds func(multiJoin, int, int) bool) []fn.Value {
	var out []fn.Value
	combo := make([]int, len(m.vars)) // per variable: its event in this combination
	var walk func(i int)
	walk = func(i int) {
		if i < len(sl.vars) {
			for _, e := range byVar[sl.vars[i]] {
				combo[sl.vars[i]] = e
				walk(i + 1)
			}
			return
		}
		for _, j := range m.joins {
			if slices.Contains(sl.vars, j.a) && slices.Contains(sl.vars, j.b) && !holds(j, combo[j.a], combo[j.b]) {
				return
			}
		}
		c := newCtx(m.Rule, sl.plan, nil)
		for k, f := range sl.fields {
			var vs []string
			for _, v := range in(combo[f.v], f.in) {
				if v.Kind == fn.String {
					vs = append(vs, v.S)
				} else if v.Kind != 0 {
					vs = append(vs, v.String())
				}
			}
			c.vals[k], c.loaded[k] = vs, true
		}
		n := c.rowCount()
		for k := range n {
			c.setRow(k)
			out = append(out, sl.x.value(c))
		}
	}
	walk(0)
	return out
}

// keyAssigned reports whether the kept events of a partial rule's
// window assign every match variable between them: a key column no
// event gives has no value, and SecOps leaves out match keys with
// zero values.
func (m *Multi) keyAssigned(byVar [][]int) bool {
	have := make([]bool, len(m.Keys))
	for v, es := range byVar {
		if m.optional[v] || len(es) == 0 {
			continue
		}
		for j, k := range m.vars[v].keys {
			if k != nil {
				have[j] = true
			}
		}
	}
	return !slices.Contains(have, false)
}

// joinCompare is compareValues, except that an ordering of two strings
// that both read as numbers compares the numbers: UDM serves
// metadata.event_timestamp.seconds as decimal strings, and "9000" <
// "10000" must hold.
func joinCompare(op Op, a, b fn.Value, nocase bool) bool {
	if op != OpEq && op != OpNe && a.Kind == fn.String && b.Kind == fn.String {
		if x, y := toNumber(a), toNumber(b); x.Kind != 0 && y.Kind != 0 {
			return compareValues(op, x, y, false)
		}
	}
	return compareValues(op, a, b, nocase)
}

// condEnv is what the condition reads of one window.
type condEnv struct {
	counts     []int     // per event variable: its events after the joins
	outs       []Outcome // the outcome variables
	start, end int64     // window_start, window_end (Unix seconds)
	distinct   func(placeholder string) int
}

func (m *Multi) condHolds(x Expr, env *condEnv) bool {
	switch x := x.(type) {
	case *And:
		for _, t := range x.Terms {
			if !m.condHolds(t, env) {
				return false
			}
		}
		return true
	case *Or:
		for _, t := range x.Terms {
			if m.condHolds(t, env) {
				return true
			}
		}
		return false
	case *Not:
		return !m.condHolds(x.X, env)
	case *EventRef:
		return (env.counts[slices.Index(m.Rule.Vars, x.Var)] > 0) != x.Negated
	case *Cmp:
		return compareValues(x.Op, m.condValue(x.L, env), m.condValue(x.R, env), x.Nocase)
	}
	return false
}

func (m *Multi) condValue(x Value, env *condEnv) fn.Value {
	switch x := x.(type) {
	case *Count:
		if v := slices.Index(m.Rule.Vars, x.Var); v >= 0 {
			return fn.I(int64(env.counts[v]))
		}
		return fn.I(int64(env.distinct(x.Var)))
	case *Const:
		return litValue(x.Lit)
	case *VarRef:
		if x.out > 0 {
			return env.outs[x.out-1].Value
		}
	case *WindowBound:
		if x.End {
			return fn.I(env.end)
		}
		return fn.I(env.start)
	case *Arith:
		a := &Arith{At: x.At, Op: x.Op, L: known{m.condValue(x.L, env)}, R: known{m.condValue(x.R, env)}}
		return a.value(nil)
	}
	return fn.Value{}
}

// known is a value already computed, as an operand of Arith.
type known struct{ v fn.Value }

func (k known) Pos() Pos                   { return Pos{} }
func (k known) String() string             { return k.v.String() }
func (k known) appendTo(dst []byte) []byte { return append(dst, k.v.String()...) }
func (k known) value(*ctx) fn.Value        { return k.v }

// floorSeconds is Unix nanoseconds as whole seconds, rounded down.
func floorSeconds(ns int64) int64 {
	s := ns / 1e9
	if ns%1e9 < 0 {
		s--
	}
	return s
}

// Suppressor applies options: suppression_window to a rule's detections
// in the order window.Detect makes them (time order within a match
// key). Google's options page: the window is "a tumbling window
// approach—a fixed-size, non-overlapping window that suppresses
// duplicate detections", and multi-event rules suppress by their match
// variables. retrohunt's slots are aligned on the Unix epoch, so that
// they do not depend on where a scan starts; of a match key's
// detections whose windows start in one slot, the first is kept. Memory:
// one entry per match key with a detection. Not safe for concurrent use.
type Suppressor struct {
	size int64
	last map[string]int64 // match key -> slot of its last kept detection
}

// NewSuppressor returns the rule's Suppressor, nil (which keeps every
// detection) when it has no suppression_window.
func (m *Multi) NewSuppressor() *Suppressor {
	if m.suppress <= 0 {
		return nil
	}
	return &Suppressor{size: int64(m.suppress), last: map[string]int64{}}
}

// Keep reports whether d is kept, and records it if so.
func (s *Suppressor) Keep(d *Detection) bool {
	if s == nil {
		return true
	}
	var kb []byte
	for _, k := range d.Match {
		kb = appendEncoded(kb, k.Value)
	}
	key := string(kb)
	slot := d.Start / s.size
	if d.Start%s.size < 0 {
		slot--
	}
	if last, ok := s.last[key]; ok && last == slot {
		return false
	}
	s.last[key] = slot
	return true
}

// VarRules returns, per event variable, a single-event rule that holds
// the variable's own filter and match-variable assignments (as
// "$e"-style source re-parsed): what a record must satisfy to be a
// candidate. The engine gives them to the prefilter and runs Match on
// them exactly as on single-event rules, so that every other record
// stays on the fast path.
func (m *Multi) VarRules() ([]*Rule, error) {
	lists := reflist.Set{}
	var out []*Rule
	for i, mv := range m.vars {
		var b strings.Builder
		fmt.Fprintf(&b, "rule %s__%s {\n  events:\n", m.Rule.Name, mv.name[1:])
		terms := slices.Clone(mv.filter)
		// The assignments of the match variables (zero values are
		// excluded, so each key must be set) and of the placeholders the
		// filter reads.
		for j, k := range mv.keys {
			if k != nil {
				terms = append(terms, &Cmp{L: &VarRef{Name: "$" + m.Keys[j]}, Op: OpEq, R: k})
			}
		}
		for _, t := range mv.filter {
			walkAll(t, func(n any) {
				if v, ok := n.(*VarRef); ok && v.def != nil && !slices.Contains(m.Keys, v.Name[1:]) {
					for _, bd := range m.bindings[v.Name] {
						if bd.v == i {
							terms = append(terms, &Cmp{L: &VarRef{Name: v.Name}, Op: OpEq, R: bd.x})
							break
						}
					}
				}
			})
		}
		for _, t := range terms {
			walkAll(t, func(n any) {
				if r, ok := n.(*InRef); ok && r.List != nil {
					lists[r.Name] = r.List
				}
			})
			b.WriteString("    ")
			b.Write(t.appendTo(nil))
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "  condition:\n    %s\n}\n", mv.name)
		rs, err := ParseFileOptions(m.Rule.Name+".yaral", []byte(b.String()), Options{Lists: lists})
		if err != nil {
			return nil, fmt.Errorf("rule %s: the filter of %s: %w", m.Rule.Name, mv.name, err)
		}
		out = append(out, rs[0])
	}
	return out, nil
}
