package rule

import (
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/retrohunt/retrohunt/scan/rule/fn"
)

// The repeated-field model. Google SecOps evaluates an event whose
// repeated field holds several elements as one copy ("row") of the event
// per element, and an event with several repeated fields as the
// cartesian product of their elements. A rule matches when some row
// satisfies the events section (and then the condition); within a row
// every reference to a field reads the same element, so
//
//	$e.target.resource.name = "i-aaa" and $e.target.resource.name = "i-bbb"
//
// never holds, and "not $e.target.resource.name = "i-aaa"" holds through
// the row of another element. "any" and "all" are explicit quantifiers
// over the elements of the fields under them.
//
// Every field a rule reads has a slot: its values for the event being
// evaluated and the element of the current row. Slots under a quantifier
// are iterated by that quantifier, the others by the row loop. A field
// read as a whole list (an argument of kind fn.List) has no slot.

// MaxRows bounds the rows (copies) of one event a rule evaluates: the
// product of the sizes of the repeated fields it reads can be large
// (three fields of 100 elements are a million rows). Rows past the bound
// are not evaluated, in a fixed order (the first field's elements vary
// slowest), so that both paths decide alike; docs/yaral.md says so.
const MaxRows = 4096

// plan is what the checker compiled for evaluation.
type plan struct {
	paths []string // per slot: the field path
	top   []int    // slots the row loop iterates
	// trivial: the condition is the event variable alone, so the first
	// matching row decides and outcomes need not be computed.
	trivial bool
	pool    sync.Pool
}

// ctx is the state of one evaluation of a rule on an event.
type ctx struct {
	ev     Event
	r      *Rule
	p      *plan
	vals   [][]string // per slot, read on first use
	loaded []bool     // per slot: vals read
	idx    []int      // per slot: the element of the current row
	rows   []int      // the rows that satisfied the events section
	outs   []fn.Value
	done   []uint8 // per outcome: 0 not computed, 1 computing, 2 done
	args   []fn.Value
	// matched: some row satisfied the events section (what "$e" means
	// in condition:).
	matched bool
}

func (r *Rule) acquire(ev Event) *ctx {
	p := r.plan
	if p == nil {
		return &ctx{ev: ev, r: r, matched: true}
	}
	c, _ := p.pool.Get().(*ctx)
	if c == nil {
		c = &ctx{r: r, p: p, vals: make([][]string, len(p.paths)), loaded: make([]bool, len(p.paths)), idx: make([]int, len(p.paths)),
			outs: make([]fn.Value, len(r.OutcomeVars)), done: make([]uint8, len(r.OutcomeVars))}
	}
	c.ev = ev
	return c
}

func (r *Rule) release(c *ctx) {
	if r.plan == nil {
		return
	}
	c.ev = nil
	clear(c.vals)
	clear(c.loaded)
	clear(c.idx)
	clear(c.outs)
	clear(c.done)
	c.rows = c.rows[:0]
	c.args = c.args[:0]
	c.matched = false
	r.plan.pool.Put(c)
}

// rowCount is the number of rows to evaluate: the product of the sizes
// of the row loop's fields (an absent field is one row), at most
// MaxRows.
func (c *ctx) rowCount() int {
	if c.p == nil {
		return 1
	}
	n := 1
	for _, s := range c.p.top {
		if k := len(c.slot(s)); k > 1 {
			n *= k
			if n >= MaxRows {
				return MaxRows
			}
		}
	}
	return n
}

// setRow binds the row loop's fields to row k (mixed radix, the last
// field varying fastest).
func (c *ctx) setRow(k int) {
	if c.p == nil {
		return
	}
	for i := len(c.p.top) - 1; i >= 0; i-- {
		s := c.p.top[i]
		if n := len(c.vals[s]); n > 1 {
			c.idx[s] = k % n
			k /= n
		} else {
			c.idx[s] = 0
		}
	}
}

// splitRead reports whether row 0's evaluation read a field of several
// elements. When it did not, every row evaluates alike (a row differs
// from row 0 only in fields row 0 never read, and evaluation reads the
// same fields as long as it sees the same values), so row 0 decides.
func (c *ctx) splitRead() bool {
	if c.p == nil {
		return false
	}
	for _, s := range c.p.top {
		if c.loaded[s] && len(c.vals[s]) > 1 {
			return true
		}
	}
	return false
}

// slot returns the values of slot s, reading them on first use.
func (c *ctx) slot(s int) []string {
	if !c.loaded[s] {
		c.vals[s] = c.ev.Values(c.p.paths[s])
		c.loaded[s] = true
	}
	return c.vals[s]
}

// match runs the row loop and the condition. Row 0 (every field at its
// first element) is evaluated first, reading fields as the evaluation
// reaches them, so that a record failing an early clause costs only the
// fields read up to it; only then are the other rows counted.
func (c *ctx) match() bool {
	trivial := c.p == nil || c.p.trivial
	first := c.r.Events.eval(c)
	if first && trivial {
		return true
	}
	if first {
		c.rows = append(c.rows, 0)
	}
	n := 1
	if first || c.splitRead() {
		n = c.rowCount()
	}
	for k := 1; k < n; k++ {
		c.setRow(k)
		if c.r.Events.eval(c) {
			if trivial {
				return true
			}
			c.rows = append(c.rows, k)
		}
	}
	if trivial {
		return false
	}
	c.matched = len(c.rows) > 0
	if c.matched {
		c.setRow(c.rows[0])
	}
	return c.r.Condition.eval(c)
}

// outcome returns outcome variable i, computed once per evaluation with
// the first matching row bound (aggregations go over every matching row).
func (c *ctx) outcome(i int) fn.Value {
	switch c.done[i] {
	case 2:
		return c.outs[i]
	case 1:
		return fn.Value{} // a cycle, refused by the checker
	}
	c.done[i] = 1
	c.outs[i] = c.r.OutcomeVars[i].X.value(c)
	c.done[i] = 2
	return c.outs[i]
}

// bound returns the values of field f and the element the current row
// binds, or -1 when f is not bound (a node evaluated outside its rule,
// as the prefilter does): then a comparison holds when any value does.
func (f *Field) bound(c *ctx) ([]string, int) {
	if f.Index >= 0 {
		// "$e.principal.ip[0]": one element, the event not split.
		vs := c.ev.Values(f.Path)
		if f.Index < len(vs) {
			return vs[f.Index : f.Index+1], 0
		}
		return nil, 0
	}
	if f.slot >= 0 && f.slot < len(c.vals) {
		return c.slot(f.slot), c.idx[f.slot]
	}
	return c.ev.Values(f.Path), -1
}

func (f *Field) value(c *ctx) fn.Value {
	vs, i := f.bound(c)
	if f.whole {
		l := make([]fn.Value, len(vs))
		for j, v := range vs {
			l[j] = fn.Value{Kind: fn.String, S: v}
		}
		return fn.Value{Kind: fn.List, L: l}
	}
	if len(vs) == 0 {
		return fn.Value{}
	}
	return fn.Value{Kind: fn.String, S: vs[max(i, 0)]}
}

func (x *Const) value(*ctx) fn.Value { return litValue(x.Lit) }

func (x *VarRef) value(c *ctx) fn.Value {
	switch {
	case x.def != nil:
		return x.def.value(c)
	case x.out > 0 && c.done != nil:
		return c.outcome(x.out - 1)
	}
	return fn.Value{}
}

func (x *Count) value(*ctx) fn.Value { return fn.Value{} } // rejected by the checker

func (x *paren) value(c *ctx) fn.Value { return fn.Value{Kind: fn.Bool, B: x.X.eval(c)} }

func (x *If) value(c *ctx) fn.Value {
	if x.Cond.eval(c) {
		return x.Then.value(c)
	}
	if x.Else != nil {
		return x.Else.value(c)
	}
	return zeroOf(kindOf(x.Then))
}

func zeroOf(k fn.Kind) fn.Value {
	switch k {
	case fn.Int, fn.Float, fn.Bool, fn.String:
		return fn.Value{Kind: k}
	}
	return fn.Value{}
}

func (x *Arith) value(c *ctx) fn.Value {
	a, b := toNumber(x.L.value(c)), toNumber(x.R.value(c))
	if a.Kind == 0 || b.Kind == 0 {
		return fn.Value{}
	}
	if a.Kind == fn.Int && b.Kind == fn.Int {
		switch x.Op {
		case '+':
			return intValue(a.I + b.I)
		case '-':
			return intValue(a.I - b.I)
		case '*':
			return intValue(a.I * b.I)
		case '/':
			if b.I == 0 {
				return fn.Value{}
			}
			if a.I%b.I == 0 {
				return intValue(a.I / b.I)
			}
		}
	}
	var f float64
	switch x.Op {
	case '+':
		f = fl(a) + fl(b)
	case '-':
		f = fl(a) - fl(b)
	case '*':
		f = fl(a) * fl(b)
	case '/':
		if fl(b) == 0 {
			return fn.Value{}
		}
		f = fl(a) / fl(b)
	}
	return fn.Value{Kind: fn.Float, F: f}
}

func intValue(i int64) fn.Value { return fn.I(i) }

// fl is a number's value as a float.
func fl(v fn.Value) float64 {
	if v.Kind == fn.Int {
		return float64(v.I)
	}
	return v.F
}

// toNumber reads v as a number (an Int or a Float): a null is 0 (the zero
// value of a missing field), a string is parsed, anything else is null.
func toNumber(v fn.Value) fn.Value {
	switch v.Kind {
	case 0:
		return intValue(0)
	case fn.Int:
		return intValue(v.I)
	case fn.Float:
		return v
	case fn.String:
		if i, err := strconv.ParseInt(v.S, 10, 64); err == nil {
			return intValue(i)
		}
		if f, ok := parseNumber(v.S); ok {
			return fn.Value{Kind: fn.Float, F: f}
		}
	}
	return fn.Value{}
}

func (x *Call) value(c *ctx) fn.Value {
	if x.agg != 0 {
		return x.aggregate(c)
	}
	if x.impl == nil {
		return fn.Value{}
	}
	base := len(c.args)
	for i, a := range x.Args {
		c.args = append(c.args, coerce(a.value(c), x.argKind(i)))
	}
	v := x.impl(c.args[base:])
	c.args = c.args[:base]
	return v
}

// argKind is the declared kind of argument i.
func (x *Call) argKind(i int) fn.Kind {
	args := x.fn.Args
	if i >= len(args) {
		i = len(args) - 1
	}
	return args[i].Kind
}

// coerce converts v to kind k where YARA-L would: a missing value is the
// zero value, a field's string is read as a number or boolean, a single
// value is a list of one.
func coerce(v fn.Value, k fn.Kind) fn.Value {
	if v.Kind == k || k == fn.Any {
		return v
	}
	switch k {
	case fn.String:
		switch v.Kind {
		case 0:
			return fn.Value{Kind: fn.String}
		case fn.Int, fn.Float, fn.Bool:
			return fn.S(v.String())
		}
	case fn.Int:
		n := toNumber(v)
		switch n.Kind {
		case fn.Int:
			return n
		case fn.Float:
			return intValue(int64(n.F))
		}
		return fn.Value{}
	case fn.Float:
		n := toNumber(v)
		if n.Kind == 0 {
			return n
		}
		return fn.Value{Kind: fn.Float, F: fl(n)}
	case fn.Bool:
		switch v.Kind {
		case 0:
			return fn.Value{Kind: fn.Bool}
		case fn.String:
			switch {
			case strings.EqualFold(v.S, "true"):
				return fn.Value{Kind: fn.Bool, B: true}
			case strings.EqualFold(v.S, "false"):
				return fn.Value{Kind: fn.Bool}
			}
		}
		return fn.Value{}
	case fn.List:
		if v.Kind == 0 {
			return fn.Value{Kind: fn.List}
		}
		return fn.Value{Kind: fn.List, L: []fn.Value{v}}
	}
	return v
}

// compareValues reports whether a op b. A missing value is the zero
// value of the other side's kind; a string against a number or boolean
// is parsed as one, and one that does not parse makes every comparison
// false; a list holds when some element does.
func compareValues(op Op, a, b fn.Value, nocase bool) bool {
	if a.Kind == fn.List {
		for _, e := range a.L {
			if compareValues(op, e, b, nocase) {
				return true
			}
		}
		return false
	}
	if b.Kind == fn.List {
		for _, e := range b.L {
			if compareValues(op, a, e, nocase) {
				return true
			}
		}
		return false
	}
	switch {
	case a.Kind == 0 && b.Kind == 0:
		a, b = fn.Value{Kind: fn.String}, fn.Value{Kind: fn.String}
	case a.Kind == 0:
		a = zeroOf(b.Kind)
	case b.Kind == 0:
		b = zeroOf(a.Kind)
	}
	switch {
	case a.Kind == fn.String && b.Kind == fn.String:
		if !nocase {
			return op.holds(strings.Compare(a.S, b.S))
		}
		switch op {
		case OpEq:
			return strings.EqualFold(a.S, b.S)
		case OpNe:
			return !strings.EqualFold(a.S, b.S)
		}
		return op.holds(compareFold(a.S, b.S))
	case a.Kind == fn.Bool || b.Kind == fn.Bool:
		a, b = coerce(a, fn.Bool), coerce(b, fn.Bool)
		if a.Kind != fn.Bool || b.Kind != fn.Bool {
			return false
		}
		switch op {
		case OpEq:
			return a.B == b.B
		case OpNe:
			return a.B != b.B
		}
		return false
	}
	x, y := toNumber(a), toNumber(b)
	if x.Kind == 0 || y.Kind == 0 || a.Kind == 0 && b.Kind == 0 {
		return false
	}
	if x.Kind == fn.Int && y.Kind == fn.Int {
		switch {
		case x.I < y.I:
			return op.holds(-1)
		case x.I > y.I:
			return op.holds(1)
		}
		return op.holds(0)
	}
	switch fx, fy := fl(x), fl(y); {
	case fx < fy:
		return op.holds(-1)
	case fx > fy:
		return op.holds(1)
	case fx == fy:
		return op.holds(0)
	}
	return op == OpNe // NaN
}

// aggKind is an outcome aggregation.
type aggKind uint8

const (
	aggNone aggKind = iota
	aggMax
	aggMin
	aggSum
	aggAvg
	aggCount
	aggCountDistinct
	aggArray
	aggArrayDistinct
	aggStddev
)

var aggNames = map[string]aggKind{
	"max": aggMax, "min": aggMin, "sum": aggSum, "avg": aggAvg, "count": aggCount,
	"count_distinct": aggCountDistinct, "array": aggArray, "array_distinct": aggArrayDistinct, "stddev": aggStddev,
}

// aggregate folds the argument over every row that matched the events
// section. A rule without match: aggregates over the rows of its one
// event: max(75) is 75, count($e.target.ip) counts the elements.
func (x *Call) aggregate(c *ctx) fn.Value {
	rows := c.rows
	if len(rows) == 0 {
		rows = []int{0}
	}
	var vals []fn.Value
	for _, k := range rows {
		c.setRow(k)
		v := x.Args[0].value(c)
		if v.Kind == fn.List {
			vals = append(vals, v.L...)
		} else {
			vals = append(vals, v)
		}
	}
	if len(c.rows) > 0 {
		c.setRow(c.rows[0])
	}
	return foldAgg(x.agg, vals)
}

// foldAgg folds an aggregation over values: those of one event's rows
// (Call.aggregate) or of a match window's events (multi.go). Zero values
// are not collected by count and array; the arithmetic ones read
// numbers and pass over values that hold none.
func foldAgg(agg aggKind, vals []fn.Value) fn.Value {
	switch agg {
	case aggCount, aggCountDistinct, aggArray, aggArrayDistinct:
		kept := []fn.Value{}
		type key struct {
			k fn.Kind
			s string
			i int64
			f float64
			b bool
		}
		seen := map[key]bool{}
		for _, v := range vals {
			if v.Kind == 0 || v.Kind == fn.String && v.S == "" {
				continue
			}
			if agg == aggCountDistinct || agg == aggArrayDistinct {
				k := key{v.Kind, v.S, v.I, v.F, v.B}
				if seen[k] {
					continue
				}
				seen[k] = true
			}
			kept = append(kept, v)
		}
		if agg == aggCount || agg == aggCountDistinct {
			return fn.I(int64(len(kept)))
		}
		return fn.Value{Kind: fn.List, L: kept}
	}
	var nums []fn.Value
	allInt := true
	for _, v := range vals {
		n := toNumber(v)
		if n.Kind == 0 {
			continue
		}
		allInt = allInt && n.Kind == fn.Int
		nums = append(nums, n)
	}
	if len(nums) == 0 {
		return fn.Value{}
	}
	switch agg {
	case aggMax, aggMin:
		best := nums[0]
		for _, n := range nums[1:] {
			if agg == aggMax && fl(n) > fl(best) || agg == aggMin && fl(n) < fl(best) {
				best = n
			}
		}
		return best
	case aggSum:
		if allInt {
			var s int64
			for _, n := range nums {
				s += n.I
			}
			return fn.I(s)
		}
		s := 0.0
		for _, n := range nums {
			s += fl(n)
		}
		return fn.F(s)
	}
	mean := 0.0
	for _, n := range nums {
		mean += fl(n)
	}
	mean /= float64(len(nums))
	if agg == aggAvg {
		return fn.F(mean)
	}
	if len(nums) < 2 {
		return fn.F(0)
	}
	v := 0.0
	for _, n := range nums {
		v += (fl(n) - mean) * (fl(n) - mean)
	}
	return fn.F(math.Sqrt(v / float64(len(nums)-1)))
}

// kindOf is the static kind of a value expression.
func kindOf(v Value) fn.Kind {
	switch v := v.(type) {
	case *Field:
		if v.whole {
			return fn.List
		}
		return fn.String
	case *Const:
		return litValue(v.Lit).Kind
	case *VarRef:
		if v.def != nil {
			return kindOf(v.def)
		}
		return fn.Any
	case *Call:
		switch v.agg {
		case aggNone:
			if v.fn != nil {
				return v.fn.Result
			}
			return fn.Any
		case aggCount, aggCountDistinct:
			return fn.Int
		case aggArray, aggArrayDistinct:
			return fn.List
		case aggAvg, aggStddev:
			return fn.Float
		}
		if len(v.Args) == 1 {
			return kindOf(v.Args[0])
		}
		return fn.Any
	case *Arith:
		if kindOf(v.L) == fn.Float || kindOf(v.R) == fn.Float {
			return fn.Float
		}
		return fn.Int
	case *If:
		return kindOf(v.Then)
	case *Count, *WindowBound:
		return fn.Int
	case *paren:
		return fn.Bool
	}
	return fn.Any
}

// walkAll calls f for every node under x (Expr and Value nodes),
// depth-first in source order.
func walkAll(x any, f func(any)) {
	if x == nil {
		return
	}
	f(x)
	switch x := x.(type) {
	case *And:
		for _, t := range x.Terms {
			walkAll(t, f)
		}
	case *Or:
		for _, t := range x.Terms {
			walkAll(t, f)
		}
	case *Not:
		walkAll(x.X, f)
	case *Quant:
		walkAll(x.X, f)
	case *Compare:
		walkAll(x.F, f)
	case *InList:
		walkAll(x.X, f)
	case *Regex:
		walkAll(x.X, f)
	case *Cmp:
		walkAll(x.L, f)
		walkAll(x.R, f)
	case *Pred:
		walkAll(x.X, f)
	case *InRef:
		walkAll(x.X, f)
	case *Call:
		for _, a := range x.Args {
			walkAll(a, f)
		}
	case *Arith:
		walkAll(x.L, f)
		walkAll(x.R, f)
	case *If:
		walkAll(x.Cond, f)
		walkAll(x.Then, f)
		if x.Else != nil {
			walkAll(x.Else, f)
		}
	case *paren:
		walkAll(x.X, f)
	}
}
