package rule

import (
	"strconv"

	"github.com/retrohunt/retrohunt/scan/reflist"
	"github.com/retrohunt/retrohunt/scan/rule/fn"
)

// Value is a node of a value expression: a field, a literal, a
// placeholder or outcome variable, a function call, arithmetic, if(...)
// or an event count. Like Expr, the evaluation is unexported so that
// every node is built (and checked) by the parser.
type Value interface {
	Pos() Pos
	String() string
	appendTo(dst []byte) []byte
	// value evaluates the node for the current copy of the event.
	value(c *ctx) fn.Value
}

// Field is "$e.path". Path is the UDM path rule.Event.Values reads: dotted
// names, a map access as `labels["key"]` with the key unescaped.
type Field struct {
	At   Pos
	Var  string
	Path string
	text string // canonical source form
	// slot indexes the rule's table of field reads (see eval.go); -1
	// for a field outside any compiled rule.
	slot int
	// whole marks a field read as the list of all its values (an
	// argument of kind fn.List): it does not split the event.
	whole bool
	// Index is n for "$e.principal.ip[0]" (the n-th value of Path,
	// without splitting the event), -1 without an index.
	Index int
}

// Const is a literal used as a value.
type Const struct{ Lit Literal }

// VarRef is "$name" without a field: a placeholder of the events
// section, an outcome variable, or (in condition:) the event variable.
type VarRef struct {
	At   Pos
	Name string
	def  Value // placeholder: its defining value
	out  int   // outcome variable: its index + 1
}

// Call is "ns.name(args)" or an aggregation "max(x)".
type Call struct {
	At   Pos
	Name string
	Args []Value
	fn   *fn.Func
	impl fn.Impl
	agg  aggKind
}

// Arith is "L op R" with op one of + - * /.
type Arith struct {
	At   Pos
	Op   byte
	L, R Value
}

// If is "if(cond, then[, else])"; a missing else is the zero value of
// then's kind.
type If struct {
	At   Pos
	Cond Expr
	Then Value
	Else Value // nil when absent
}

// Count is "#e", the number of events of a variable in a match window.
type Count struct {
	At  Pos
	Var string
}

// Paren keeps a parenthesised boolean that appears where a value is
// parsed; it is unwrapped where a boolean is expected.
type paren struct {
	At Pos
	X  Expr
}

// WindowBound is window_start or window_end: a bound of the match
// window, Unix seconds (condition: and outcome: of multi-event rules).
type WindowBound struct {
	At  Pos
	End bool
}

func (x *WindowBound) Pos() Pos { return x.At }
func (x *WindowBound) String() string {
	if x.End {
		return "window_end"
	}
	return "window_start"
}
func (x *WindowBound) appendTo(dst []byte) []byte { return append(dst, x.String()...) }
func (x *WindowBound) value(*ctx) fn.Value        { return fn.Value{} } // a multi-event slot

// Cmp compares two value expressions: anything but a field against a
// literal, which is a Compare. Re is set for "x = /re/".
type Cmp struct {
	At     Pos
	L, R   Value
	Op     Op
	Nocase bool
	def    bool // a placeholder's defining assignment: always true
}

// Pred is a boolean value used as a condition, as a call of a
// boolean-valued function.
type Pred struct {
	At Pos
	X  Value
}

// InRef is "x in %list", "x in regex %list" or "x in cidr %list".
type InRef struct {
	At     Pos
	X      Value
	Kind   reflist.Kind // as written: String for a plain "in"
	Name   string       // without "%"
	List   *reflist.List
	Nocase bool
}

// Quant is "any X" or "all X": X holds for some (every) element of the
// repeated fields it reads.
type Quant struct {
	At    Pos
	All   bool
	X     Expr
	slots []int
}

// EventRef is an event variable used as a condition ("$e" in
// condition:), true when the event exists; Negated for "!$e".
type EventRef struct {
	At      Pos
	Var     string
	Negated bool
}

func (x *Field) Pos() Pos    { return x.At }
func (x *Const) Pos() Pos    { return x.Lit.At }
func (x *VarRef) Pos() Pos   { return x.At }
func (x *Call) Pos() Pos     { return x.At }
func (x *Arith) Pos() Pos    { return x.At }
func (x *If) Pos() Pos       { return x.At }
func (x *Count) Pos() Pos    { return x.At }
func (x *paren) Pos() Pos    { return x.At }
func (x *Cmp) Pos() Pos      { return x.At }
func (x *Pred) Pos() Pos     { return x.At }
func (x *InRef) Pos() Pos    { return x.At }
func (x *Quant) Pos() Pos    { return x.At }
func (x *EventRef) Pos() Pos { return x.At }

func (x *Field) String() string    { return x.text }
func (x *Const) String() string    { return x.Lit.String() }
func (x *VarRef) String() string   { return x.Name }
func (x *Call) String() string     { return string(x.appendTo(nil)) }
func (x *Arith) String() string    { return string(x.appendTo(nil)) }
func (x *If) String() string       { return string(x.appendTo(nil)) }
func (x *Count) String() string    { return "#" + x.Var[1:] }
func (x *paren) String() string    { return string(x.appendTo(nil)) }
func (x *Cmp) String() string      { return string(x.appendTo(nil)) }
func (x *Pred) String() string     { return string(x.appendTo(nil)) }
func (x *InRef) String() string    { return string(x.appendTo(nil)) }
func (x *Quant) String() string    { return string(x.appendTo(nil)) }
func (x *EventRef) String() string { return string(x.appendTo(nil)) }

func (x *Field) appendTo(dst []byte) []byte  { return append(dst, x.text...) }
func (x *Const) appendTo(dst []byte) []byte  { return x.Lit.appendTo(dst) }
func (x *VarRef) appendTo(dst []byte) []byte { return append(dst, x.Name...) }
func (x *Count) appendTo(dst []byte) []byte  { return append(append(dst, '#'), x.Var[1:]...) }
func (x *paren) appendTo(dst []byte) []byte  { return append(x.X.appendTo(append(dst, '(')), ')') }

func (x *Call) appendTo(dst []byte) []byte {
	dst = append(dst, x.Name...)
	dst = append(dst, '(')
	for i, a := range x.Args {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = a.appendTo(dst)
	}
	return append(dst, ')')
}

func (x *Arith) appendTo(dst []byte) []byte {
	dst = appendArithOperand(dst, x.L, false)
	dst = append(dst, ' ', x.Op, ' ')
	return appendArithOperand(dst, x.R, true)
}

// appendArithOperand parenthesises a nested Arith so that the printed
// form keeps the tree whatever the precedence.
func appendArithOperand(dst []byte, v Value, _ bool) []byte {
	if _, ok := v.(*Arith); ok {
		return append(v.appendTo(append(dst, '(')), ')')
	}
	return v.appendTo(dst)
}

func (x *If) appendTo(dst []byte) []byte {
	dst = append(dst, "if("...)
	dst = x.Cond.appendTo(dst)
	dst = append(dst, ", "...)
	dst = x.Then.appendTo(dst)
	if x.Else != nil {
		dst = append(dst, ", "...)
		dst = x.Else.appendTo(dst)
	}
	return append(dst, ')')
}

func (x *Cmp) appendTo(dst []byte) []byte {
	dst = x.L.appendTo(dst)
	dst = append(dst, ' ')
	dst = append(dst, x.Op.String()...)
	dst = append(dst, ' ')
	dst = x.R.appendTo(dst)
	return appendNocase(dst, x.Nocase)
}

func (x *Pred) appendTo(dst []byte) []byte { return x.X.appendTo(dst) }

func (x *InRef) appendTo(dst []byte) []byte {
	dst = x.X.appendTo(dst)
	dst = append(dst, " in "...)
	switch x.Kind {
	case reflist.Regex:
		dst = append(dst, "regex "...)
	case reflist.CIDR:
		dst = append(dst, "cidr "...)
	}
	dst = append(dst, '%')
	dst = append(dst, x.Name...)
	return appendNocase(dst, x.Nocase)
}

func (x *Quant) appendTo(dst []byte) []byte {
	if x.All {
		dst = append(dst, "all "...)
	} else {
		dst = append(dst, "any "...)
	}
	return appendOperand(dst, x.X)
}

func (x *EventRef) appendTo(dst []byte) []byte {
	if x.Negated {
		dst = append(dst, '!')
	}
	return append(dst, x.Var...)
}

// fieldText renders $v.path with map keys re-quoted.
func fieldText(v string, segs []pathSeg) string {
	b := []byte(v)
	for _, s := range segs {
		if s.index {
			b = append(b, '[')
			b = append(b, s.name...)
			b = append(b, ']')
			continue
		}
		if s.key {
			b = append(b, '[')
			b = appendQuoted(b, s.name)
			b = append(b, ']')
			continue
		}
		b = append(b, '.')
		b = append(b, s.name...)
	}
	return string(b)
}

// fieldPath renders the path Event.Values reads.
func fieldPath(segs []pathSeg) string {
	var b []byte
	for i, s := range segs {
		if s.index {
			continue
		}
		if s.key {
			b = append(b, `["`...)
			b = append(b, s.name...)
			b = append(b, `"]`...)
			continue
		}
		if i > 0 {
			b = append(b, '.')
		}
		b = append(b, s.name...)
	}
	return string(b)
}

type pathSeg struct {
	name  string
	key   bool // a map key: ["name"]
	index bool // an array index: [name], dropped from the path
}

// litValue turns a literal into a typed value.
func litValue(l Literal) fn.Value {
	switch l.Kind {
	case LitString:
		return fn.Value{Kind: fn.String, S: l.Text}
	case LitBool:
		return fn.Value{Kind: fn.Bool, B: l.Bool}
	case LitNumber:
		if i, err := strconv.ParseInt(l.Text, 10, 64); err == nil {
			return fn.I(i)
		}
		return fn.Value{Kind: fn.Float, F: l.Num}
	}
	return fn.Value{}
}
