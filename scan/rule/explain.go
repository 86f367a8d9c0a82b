package rule

import (
	"strconv"
	"strings"
)

// Trace is the evaluation of one clause and of everything under it.
type Trace struct {
	Pos    Pos
	Text   string // the clause in canonical form
	Result bool
	Values []string // leaf clauses: the field values compared (nil when absent)
	Kids   []*Trace // and/or/not: their operands, in order
	Expr   Expr     // the clause itself
}

// Explain evaluates the events section against ev without short-circuit,
// so that the trace has a result for every clause. It traces the first
// copy of the event (eval.go) that satisfies the events section, or the
// first copy when none does; with a condition other than the event
// variable, the trace's root is the condition, with the events' trace
// and the condition's as its children. Its Result always equals
// Match(ev).
func (r *Rule) Explain(ev Event) *Trace {
	if r.Events == nil {
		return &Trace{Pos: r.Pos}
	}
	c := r.acquire(ev)
	defer r.release(c)
	match := c.match()
	row := 0
	if len(c.rows) > 0 {
		row = c.rows[0]
	} else {
		for k := range c.rowCount() {
			c.setRow(k)
			if r.Events.eval(c) {
				row = k
				break
			}
		}
	}
	c.setRow(row)
	tr := r.Events.explain(c)
	if r.plan == nil || r.plan.trivial {
		return tr
	}
	cond := r.Condition.explain(c)
	return &Trace{Pos: r.Condition.Pos(), Text: "condition: " + r.Condition.String(), Result: match, Expr: r.Condition, Kids: []*Trace{tr, cond}}
}

// String renders the trace as an indented tree, one clause per line:
// compound clauses by their connective, leaves by their text and values.
func (t *Trace) String() string {
	var b strings.Builder
	t.write(&b, 0)
	return b.String()
}

func (t *Trace) write(b *strings.Builder, depth int) {
	for range depth {
		b.WriteString("  ")
	}
	b.WriteString(strconv.FormatBool(t.Result))
	if t.Result {
		b.WriteByte(' ') // align with "false"
	}
	b.WriteByte(' ')
	b.WriteString(strconv.Itoa(t.Pos.Line) + ":" + strconv.Itoa(t.Pos.Col) + " ")
	switch t.Expr.(type) {
	case *And:
		b.WriteString("and")
	case *Or:
		b.WriteString("or")
	case *Not:
		b.WriteString("not")
	default:
		b.WriteString(t.Text)
		b.WriteString("  values=[")
		for i, v := range t.Values {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Quote(v))
		}
		b.WriteByte(']')
	}
	b.WriteByte('\n')
	for _, k := range t.Kids {
		k.write(b, depth+1)
	}
}
