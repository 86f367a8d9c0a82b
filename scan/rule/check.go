package rule

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/retrohunt/retrohunt/scan/rule/fn"
)

// check resolves names, type-checks calls, rejects what retrohunt does
// not run (naming the construct and why) and compiles the evaluation
// plan. Every problem is recorded; none stops the others.
func (p *parser) check(r *Rule) {
	before := len(p.errs)
	ck := &checker{p: p, r: r, defs: map[string]Value{}, outs: map[string]int{}, slotOf: map[slotKey]int{}}
	ck.eventVars()
	if m := r.MatchSec; m != nil {
		kw := "over"
		if m.Tumbling {
			kw = "by"
		}
		ck.multiEvent(m.At, "match: section (%s %s %s) groups events into time windows: multi-event rules need match windows, which retrohunt does not run yet",
			strings.Join(m.Vars, ", "), kw, m.Window)
	}
	ck.options()
	ck.placeholders()
	for i, o := range r.OutcomeVars {
		if j, ok := ck.outs[o.Name]; ok {
			at := r.OutcomeVars[j].At
			p.add(p.errAt(p.offOf(o.At), "outcome variable %s is assigned twice (first at %d:%d)", o.Name, at.Line, at.Col))
			continue
		}
		if _, ok := ck.defs[o.Name]; ok {
			p.add(p.errAt(p.offOf(o.At), "outcome variable %s has the name of a placeholder of events:", o.Name))
		}
		ck.outs[o.Name] = i
	}
	ck.section = secEvents
	ck.walk(r.Events, nil, false)
	ck.section = secOutcome
	for i, o := range r.OutcomeVars {
		ck.outIndex = i
		ck.walk(o.X, nil, false)
	}
	ck.section = secCondition
	ck.walk(r.Condition, nil, false)
	if ck.noVars && len(p.errs) == before {
		ck.errAt(r.Events.Pos(), "events: reads no event field (as $e.metadata.event_type)")
	}

	pl := &plan{paths: ck.paths}
	for i, q := range ck.slotQuant {
		if q == nil {
			pl.top = append(pl.top, i)
		} else {
			q.slots = append(q.slots, i)
		}
	}
	if e, ok := r.Condition.(*EventRef); ok && !e.Negated && e.Var == r.Var {
		pl.trivial = true
	}
	r.plan = pl
	r.fields = fieldsOf(r.Events)
}

type section uint8

const (
	secEvents section = iota
	secOutcome
	secCondition
)

type slotKey struct {
	path  string
	quant *Quant
}

type checker struct {
	p        *parser
	r        *Rule
	defs     map[string]Value // placeholders and their defining values
	outs     map[string]int   // outcome variables and their index
	section  section
	outIndex int
	noVars   bool // no event variable: reported only when nothing else is wrong

	paths     []string
	slotQuant []*Quant
	slotOf    map[slotKey]int
}

func (ck *checker) errAt(at Pos, format string, args ...any) {
	ck.p.add(&Error{Pos: at, Msg: fmt.Sprintf(format, args...), Rule: ck.r.Name})
}

// options checks the options: section. Google's options page: "key
// must be a predefined option name and value must be a valid value for
// the option"; it defines allow_zero_values (true or false) and
// suppression_window (a duration, checked where the rule is compiled).
// A misspelt option would otherwise change nothing, silently.
func (ck *checker) options() {
	seen := map[string]Pos{}
	for _, o := range ck.r.Options {
		key := strings.ToLower(o.Key)
		if first, ok := seen[key]; ok {
			ck.errAt(o.Pos, "option %s is set twice (first at %d:%d)", o.Key, first.Line, first.Col)
			continue
		}
		seen[key] = o.Pos
		switch key {
		case "allow_zero_values":
			if o.Kind != LitBool {
				ck.errAt(o.Pos, "option allow_zero_values takes true or false, not %s", o.Value)
			}
		case "suppression_window":
			if ck.r.MatchSec == nil {
				ck.unsupported(o.Pos, "suppression_window on a single-event rule: retrohunt writes every hit and does not suppress them")
			}
		default:
			ck.errAt(o.Pos, "unknown option %s (SecOps defines allow_zero_values and suppression_window)", o.Key)
		}
	}
}

func (ck *checker) unsupported(at Pos, format string, args ...any) {
	ck.p.add(ck.p.unsupported(at, format, args...))
}

// eventVars collects the event variables in order of first use; a second
// one makes a multi-event rule.
func (ck *checker) eventVars() {
	r := ck.r
	first := map[string]Pos{}
	visit := func(n any) {
		if f, ok := n.(*Field); ok {
			if _, seen := first[f.Var]; !seen {
				first[f.Var] = f.At
				r.Vars = append(r.Vars, f.Var)
			}
		}
	}
	walkAll(r.Events, visit)
	for _, o := range r.OutcomeVars {
		walkAll(o.X, visit)
	}
	walkAll(r.Condition, visit)
	if len(r.Vars) == 0 {
		ck.noVars = true
		return
	}
	r.Var = r.Vars[0]
	if len(r.Vars) > 1 {
		ck.multiEvent(first[r.Vars[1]], "several event variables (%s) join events: multi-event rules need match windows, which retrohunt does not run yet",
			strings.Join(r.Vars, ", "))
	}
}

// placeholders finds each placeholder's defining assignment: the first
// top-level "$p = value" of the events section.
func (ck *checker) placeholders() {
	// Assignments are looked for through and/or (multi-event rules
	// assign inside a parenthesised "or"), the first one winning.
	var terms []Expr
	Walk(ck.r.Events, func(x Expr) bool {
		switch x.(type) {
		case *And, *Or:
			return true
		case *Cmp:
			terms = append(terms, x)
		}
		return false
	})
	for _, t := range terms {
		c, ok := t.(*Cmp)
		if !ok || c.Op != OpEq || c.Nocase {
			continue
		}
		v, isVar := c.L.(*VarRef)
		other := c.R
		if !isVar {
			v, isVar = c.R.(*VarRef)
			other = c.L
		}
		if !isVar || slices.Contains(ck.r.Vars, v.Name) {
			continue
		}
		if _, ok := other.(*VarRef); ok {
			continue
		}
		if _, ok := ck.defs[v.Name]; ok {
			continue // a second assignment compares
		}
		ck.defs[v.Name] = other
		v.def = other
		c.def = true
	}
}

// walk checks x and its sub-nodes. quant is the innermost quantifier,
// inAgg whether x is under an aggregation.
func (ck *checker) walk(x any, quant *Quant, inAgg bool) {
	switch x := x.(type) {
	case nil:
	case *And:
		for _, t := range x.Terms {
			ck.walk(t, quant, inAgg)
		}
	case *Or:
		for _, t := range x.Terms {
			ck.walk(t, quant, inAgg)
		}
	case *Not:
		ck.walk(x.X, quant, inAgg)
	case *Quant:
		if ck.section != secEvents {
			ck.errAt(x.At, "%s is only allowed in events:", quantWord(x))
		}
		ck.walk(x.X, x, inAgg)
	case *Compare:
		ck.walk(x.F, quant, inAgg)
		ck.nocase(x.F, x.Nocase)
	case *InList:
		ck.walk(x.X, quant, inAgg)
		ck.nocase(x.X, x.Nocase)
	case *Regex:
		ck.walk(x.X, quant, inAgg)
		ck.nocase(x.X, x.Nocase)
	case *Cmp:
		ck.walk(x.L, quant, inAgg)
		ck.walk(x.R, quant, inAgg)
		ck.nocase(x.L, x.Nocase)
		ck.nocase(x.R, x.Nocase)
	case *Pred:
		ck.walk(x.X, quant, inAgg)
		if k := kindOf(x.X); k != fn.Bool && k != fn.Any {
			ck.errAt(x.At, "%s is a %s, not a condition (compare it)", x.X, k)
		}
	case *InRef:
		ck.walk(x.X, quant, inAgg)
	case *EventRef:
		switch {
		case ck.section != secCondition:
			ck.errAt(x.At, "%s alone is not a condition here (compare a field, as %s.field = \"value\")", x.Var, x.Var)
		case ck.noVars:
		case !slices.Contains(ck.r.Vars, x.Var):
			if _, ok := ck.outs[x.Var]; ok {
				ck.errAt(x.At, "condition: outcome variable %s must be compared (as %s > 50)", x.Var, x.Var)
			} else {
				ck.errAt(x.At, "condition: %s is neither an event variable nor an outcome variable of rule %s", x.Var, ck.r.Name)
			}
		case x.Negated:
			ck.multiEvent(x.At, "non-existence (!%s) is a multi-event construct: it needs match windows, which retrohunt does not run yet", x.Var[1:])
		}
	case *Field:
		ck.field(x, quant)
	case *Const:
	case *VarRef:
		ck.varRef(x)
	case *WindowBound:
		if ck.section == secEvents {
			ck.errAt(x.At, "%s is only allowed in condition: and outcome:", x)
		} else if ck.r.MatchSec == nil {
			ck.unsupported(x.At, "%s is the bound of a match window: it needs a match: section", x)
		}
	case *Count:
		ck.multiEvent(x.At, "event count #%s counts the events of a match window: it needs match windows, which retrohunt does not run yet", x.Var[1:])
	case *Arith:
		ck.walk(x.L, quant, inAgg)
		ck.walk(x.R, quant, inAgg)
		for _, v := range []Value{x.L, x.R} {
			if k := kindOf(v); k == fn.Bool || k == fn.List {
				ck.errAt(v.Pos(), "arithmetic on a %s (%s)", k, v)
			}
		}
	case *If:
		ck.walk(x.Cond, quant, inAgg)
		ck.walk(x.Then, quant, inAgg)
		ck.walk(x.Else, quant, inAgg)
	case *paren:
		ck.walk(x.X, quant, inAgg)
	case *Call:
		ck.call(x, quant, inAgg)
	default:
		panic(fmt.Sprintf("BUG: check: unknown node %T", x))
	}
}

func quantWord(q *Quant) string {
	if q.All {
		return "all"
	}
	return "any"
}

// field rejects what only SecOps has and gives the field its slot.
func (ck *checker) field(f *Field, quant *Quant) {
	if f.Path == "graph" || strings.HasPrefix(f.Path, "graph.") {
		ck.unsupported(f.At, "%s reads the entity graph, data only SecOps has", f)
		return
	}
	if f.whole || f.Index >= 0 {
		return
	}
	k := slotKey{f.Path, quant}
	s, ok := ck.slotOf[k]
	if !ok {
		s = len(ck.paths)
		ck.paths = append(ck.paths, f.Path)
		ck.slotQuant = append(ck.slotQuant, quant)
		ck.slotOf[k] = s
	}
	f.slot = s
}

func (ck *checker) varRef(v *VarRef) {
	if v.def != nil {
		return
	}
	name := v.Name
	if slices.Contains(ck.r.Vars, name) {
		ck.errAt(v.At, `%s is the event variable: expected "." and a field name after it`, name)
		return
	}
	switch ck.section {
	case secEvents:
		if d, ok := ck.defs[name]; ok {
			v.def = d
			return
		}
		if _, ok := ck.outs[name]; ok {
			ck.errAt(v.At, "outcome variable %s cannot be used in events:", name)
			return
		}
		ck.errAt(v.At, "placeholder %s is never assigned (assign it in events:, as %s = $e.field)", name, name)
	case secOutcome:
		if d, ok := ck.defs[name]; ok {
			v.def = d
			return
		}
		if i, ok := ck.outs[name]; ok {
			if i >= ck.outIndex {
				ck.errAt(v.At, "outcome variable %s is used before it is assigned", name)
				return
			}
			v.out = i + 1
			return
		}
		ck.errAt(v.At, "%s is neither a placeholder of events: nor an outcome variable", name)
	case secCondition:
		if i, ok := ck.outs[name]; ok {
			v.out = i + 1
			return
		}
		if _, ok := ck.defs[name]; ok {
			ck.errAt(v.At, "condition: placeholder %s cannot be tested (only event and outcome variables)", name)
			return
		}
		ck.errAt(v.At, "condition: %s is not an outcome variable of rule %s", name, ck.r.Name)
	}
}

// call checks a function call or an aggregation.
func (ck *checker) call(c *Call, quant *Quant, inAgg bool) {
	if a, ok := aggNames[c.Name]; ok {
		switch {
		case ck.section != secOutcome:
			ck.errAt(c.At, "aggregation %s() is only allowed in outcome:", c.Name)
		case inAgg:
			ck.errAt(c.At, "aggregation %s() inside another aggregation", c.Name)
		case len(c.Args) != 1:
			ck.errAt(c.At, "aggregation %s() takes 1 argument, found %d", c.Name, len(c.Args))
		}
		c.agg = a
		for _, arg := range c.Args {
			ck.walk(arg, quant, true)
		}
		return
	}
	if why, ok := fn.Rejected[c.Name]; ok {
		ck.unsupported(c.At, "function %s is not run: it %s", c.Name, why)
		return
	}
	f, ok := fn.Lookup(c.Name)
	if !ok {
		ck.errAt(c.At, "unknown function %s", c.Name)
		return
	}
	c.fn = f
	minArgs, maxArgs := f.Arity()
	if len(c.Args) < minArgs || maxArgs >= 0 && len(c.Args) > maxArgs {
		ck.errAt(c.At, "%s takes %s, found %d", c.Name, argCount(minArgs, maxArgs), len(c.Args))
		return
	}
	consts := make([]fn.Value, len(c.Args))
	bad := false
	for i, arg := range c.Args {
		param, _ := f.ArgAt(i)
		if fld, ok := arg.(*Field); ok && param.Kind == fn.List {
			fld.whole = true
		}
		ck.walk(arg, quant, inAgg)
		k, isConst := arg.(*Const)
		if isConst {
			consts[i] = coerce(litValue(k.Lit), param.Kind)
		} else if param.Const {
			ck.errAt(arg.Pos(), "argument %d (%s) of %s must be a literal", i+1, param.Name, c.Name)
			bad = true
			continue
		}
		got := kindOf(arg)
		if got == fn.Any {
			got = 0 // known at run time
		}
		if isConst && k.Lit.Kind == LitString && (param.Kind == fn.Int || param.Kind == fn.Float) {
			if _, ok := parseNumber(k.Lit.Text); !ok {
				got = fn.String // a string literal that holds no number
				ck.errAt(arg.Pos(), "argument %d (%s) of %s must be %s, found %s (%s)", i+1, param.Name, c.Name, article(param.Kind), arg, article(got))
				bad = true
				continue
			}
		}
		if !param.Accepts(got) {
			ck.errAt(arg.Pos(), "argument %d (%s) of %s must be %s, found %s (%s)", i+1, param.Name, c.Name, article(param.Kind), arg, article(got))
			bad = true
		}
	}
	if bad || f.Bind == nil {
		return
	}
	impl, err := f.Bind(fn.Env{Now: ck.p.opt.Now}, consts)
	if err != nil {
		at := c.At
		var ae *fn.ArgError
		if errors.As(err, &ae) && ae.Index < len(c.Args) {
			at = c.Args[ae.Index].Pos()
		}
		ck.errAt(at, "%v", err)
		return
	}
	c.impl = impl
}

func argCount(lo, hi int) string {
	switch {
	case hi < 0:
		return fmt.Sprintf("at least %d arguments", lo)
	case lo == hi && lo == 1:
		return "1 argument"
	case lo == hi:
		return fmt.Sprintf("%d arguments", lo)
	}
	return fmt.Sprintf("%d to %d arguments", lo, hi)
}

// enumFields are UDM fields of an enumerated type: SecOps rejects nocase
// on them (their values are the enum's names, exactly).
var enumFields = []string{
	"metadata.event_type",
	"security_result.action",
	"security_result.severity",
	"security_result.category",
	"security_result.priority",
	"security_result.confidence",
	"network.direction",
	"network.ip_protocol",
	"network.application_protocol",
	"extensions.auth.type",
	"extensions.auth.mechanism",
	"principal.platform",
	"target.platform",
	"src.platform",
	"observer.platform",
	"principal.resource.resource_type",
	"target.resource.resource_type",
	"principal.user.account_type",
	"target.user.account_type",
}

// nocase rejects nocase on an enumerated field.
func (ck *checker) nocase(v Value, nocase bool) {
	f, ok := v.(*Field)
	if !ok || !nocase {
		return
	}
	if slices.Contains(enumFields, f.Path) {
		ck.errAt(f.At, "nocase cannot be used with %s: it is an enumerated field, and SecOps rejects the rule (compare its exact value)", f)
	}
}

// article renders a kind with its indefinite article.
func article(k fn.Kind) string {
	if k == 0 {
		return "a value"
	}
	if k == fn.Int || k == fn.Any {
		return "an " + k.String()
	}
	return "a " + k.String()
}
