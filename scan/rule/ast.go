package rule

import (
	"regexp"
	"strconv"

	"github.com/retrohunt/retrohunt/scan/rule/fn"
)

// Expr is a node of an events expression. The node types are exported so
// that other packages (the linter) can walk them; evaluation stays behind
// the unexported methods so that every node is built by the parser.
type Expr interface {
	Pos() Pos
	String() string

	// eval is the reference evaluator for the current copy of the
	// event (eval.go): short-circuit, no allocation beyond what
	// Event.Values does for comparisons of fields with literals.
	eval(c *ctx) bool
	// explain evaluates every sub-expression and records each result.
	explain(c *ctx) *Trace
	// appendTo appends the canonical source form, which parses back to
	// the same tree.
	appendTo(dst []byte) []byte
}

// And is true when every term is. Top-level lines of the events section
// form one And.
type And struct {
	At    Pos
	Terms []Expr
}

// Or is true when any term is.
type Or struct {
	At    Pos
	Terms []Expr
}

// Not negates the whole of X.
type Not struct {
	At Pos
	X  Expr
}

// Op is a comparison operator.
type Op int

const (
	OpEq Op = iota + 1
	OpNe
	OpLt
	OpGt
	OpLe
	OpGe
)

var opText = [...]string{OpEq: "=", OpNe: "!=", OpLt: "<", OpGt: ">", OpLe: "<=", OpGe: ">="}

func (o Op) String() string {
	if o >= OpEq && o <= OpGe {
		return opText[o]
	}
	return "Op(" + strconv.Itoa(int(o)) + ")"
}

// flip returns the operator that gives the same result with the operands
// swapped: "x" < $e.f is $e.f > "x".
func (o Op) flip() Op {
	switch o {
	case OpLt:
		return OpGt
	case OpGt:
		return OpLt
	case OpLe:
		return OpGe
	case OpGe:
		return OpLe
	}
	return o
}

// LitKind is the type of a literal.
type LitKind int

const (
	LitString LitKind = iota + 1
	LitNumber
	LitBool
	// LitDuration is an option's duration, as suppression_window = 5m.
	LitDuration
)

func (k LitKind) String() string {
	switch k {
	case LitString:
		return "string"
	case LitNumber:
		return "number"
	case LitBool:
		return "boolean"
	case LitDuration:
		return "duration"
	}
	return "LitKind(" + strconv.Itoa(int(k)) + ")"
}

// Literal is a constant operand. Text is the unescaped value of a string
// and the source spelling of a number or boolean; Num and Bool hold the
// parsed value of the other two kinds.
type Literal struct {
	At   Pos
	Kind LitKind
	Text string
	Num  float64
	Bool bool
	// Slash marks a string written as a regex literal /.../, as a
	// function's pattern argument: re.capture($e.f, /x(.*)/).
	Slash bool
}

// Compare is "$e.field op literal [nocase]". A literal written on the left
// is moved to the right with the operator flipped.
type Compare struct {
	At       Pos
	Var      string // the event variable, e.g. "$e"
	Field    string // UDM path without the variable, e.g. "principal.ip"
	FieldPos Pos
	Op       Op
	Value    Literal
	Nocase   bool
	F        *Field // the field read
}

// InList is "x in [nocase] (lit, ...)". Var and Field are set when x is a
// field (F); otherwise they are empty and X is the value tested.
type InList struct {
	At       Pos
	Var      string
	Field    string
	FieldPos Pos
	Values   []Literal
	Nocase   bool
	F        *Field
	X        Value
}

// Regex is either "x = /re/ [nocase]" (Negated for "!=") or, with Func
// set, "re.regex(x, `re`) [nocase]". Pattern is the regex as written,
// without the "(?i)" that nocase adds to Re. It matches as fn.Regex does:
// the first line of a value unless the pattern starts with (?s).
type Regex struct {
	At         Pos
	Var        string
	Field      string
	FieldPos   Pos
	Pattern    string
	PatternPos Pos
	Nocase     bool
	Func       bool
	Negated    bool
	Re         *regexp.Regexp
	F          *Field // the field matched, when the operand is one
	X          Value  // the operand (F when it is a field; else Var and Field are "")
	m          *fn.Regex
}

func (x *And) Pos() Pos     { return x.At }
func (x *Or) Pos() Pos      { return x.At }
func (x *Not) Pos() Pos     { return x.At }
func (x *Compare) Pos() Pos { return x.At }
func (x *InList) Pos() Pos  { return x.At }
func (x *Regex) Pos() Pos   { return x.At }

func (x *And) String() string     { return string(x.appendTo(nil)) }
func (x *Or) String() string      { return string(x.appendTo(nil)) }
func (x *Not) String() string     { return string(x.appendTo(nil)) }
func (x *Compare) String() string { return string(x.appendTo(nil)) }
func (x *InList) String() string  { return string(x.appendTo(nil)) }
func (x *Regex) String() string   { return string(x.appendTo(nil)) }
func (l Literal) String() string  { return string(l.appendTo(nil)) }

func (x *And) appendTo(dst []byte) []byte { return appendTerms(dst, x.Terms, " and ") }
func (x *Or) appendTo(dst []byte) []byte  { return appendTerms(dst, x.Terms, " or ") }

func (x *Not) appendTo(dst []byte) []byte {
	return appendOperand(append(dst, "not "...), x.X)
}

func (x *Compare) appendTo(dst []byte) []byte {
	dst = x.F.appendTo(dst)
	dst = append(dst, ' ')
	dst = append(dst, x.Op.String()...)
	dst = append(dst, ' ')
	dst = x.Value.appendTo(dst)
	return appendNocase(dst, x.Nocase)
}

func (x *InList) appendTo(dst []byte) []byte {
	dst = x.X.appendTo(dst)
	dst = append(dst, " in "...)
	if x.Nocase {
		dst = append(dst, "nocase "...)
	}
	dst = append(dst, '(')
	for i := range x.Values {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = x.Values[i].appendTo(dst)
	}
	return append(dst, ')')
}

func (x *Regex) appendTo(dst []byte) []byte {
	if x.Func {
		dst = append(dst, "re.regex("...)
		dst = x.X.appendTo(dst)
		dst = append(dst, ", "...)
		dst = appendPattern(dst, x.Pattern)
		dst = append(dst, ')')
	} else {
		dst = x.X.appendTo(dst)
		if x.Negated {
			dst = append(dst, " != "...)
		} else {
			dst = append(dst, " = "...)
		}
		dst = appendSlashRegex(dst, x.Pattern)
	}
	return appendNocase(dst, x.Nocase)
}

func (l Literal) appendTo(dst []byte) []byte {
	switch l.Kind {
	case LitString:
		if l.Slash {
			return appendSlashRegex(dst, l.Text)
		}
		return appendQuoted(dst, l.Text)
	case LitBool:
		return strconv.AppendBool(dst, l.Bool)
	}
	return append(dst, l.Text...)
}

// appendTerms joins and/or terms. A compound term is parenthesised even
// where precedence would not need it, so that the printed form parses back
// to the same tree.
func appendTerms(dst []byte, terms []Expr, sep string) []byte {
	for i, t := range terms {
		if i > 0 {
			dst = append(dst, sep...)
		}
		dst = appendOperand(dst, t)
	}
	return dst
}

func appendOperand(dst []byte, x Expr) []byte {
	switch x.(type) {
	case *And, *Or:
		return append(x.appendTo(append(dst, '(')), ')')
	}
	return x.appendTo(dst)
}

func appendNocase(dst []byte, nocase bool) []byte {
	if nocase {
		dst = append(dst, " nocase"...)
	}
	return dst
}

// Walk calls fn for x and then, while fn returns true, for each of its
// sub-expressions, depth-first in source order.
func Walk(x Expr, fn func(Expr) bool) {
	if x == nil || !fn(x) {
		return
	}
	switch x := x.(type) {
	case *And:
		for _, t := range x.Terms {
			Walk(t, fn)
		}
	case *Or:
		for _, t := range x.Terms {
			Walk(t, fn)
		}
	case *Not:
		Walk(x.X, fn)
	case *Quant:
		Walk(x.X, fn)
	}
}
