package fn

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The tests state each case as YARA-L text, `call = expected`, the form
// Google's function pages use; a tiny parser below evaluates both sides
// with literal arguments only (strings with the escapes \" \\ \n \t,
// backtick strings, ints, floats, true/false, NULL, [lists], calls and
// the binary minus the docs write negative numbers with: 0-1).

// testNow is the Env.Now of every test: 2024-02-22 10:43:51 UTC, the
// instant of timestamp.get_timestamp's documented examples.
var testNow = time.Unix(1708598631, 0).UTC()

type exprParser struct {
	src string
	pos int
}

func (p *exprParser) fail(format string, a ...any) error {
	return fmt.Errorf("at %d of %q: %s", p.pos, p.src, fmt.Sprintf(format, a...))
}

func (p *exprParser) ws() {
	for p.pos < len(p.src) && strings.IndexByte(" \t\n", p.src[p.pos]) >= 0 {
		p.pos++
	}
}

func (p *exprParser) peek() byte {
	p.ws()
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

// expr := term { "-" term }
func (p *exprParser) expr() (Value, error) {
	v, err := p.term()
	if err != nil {
		return v, err
	}
	for p.peek() == '-' {
		p.pos++
		w, err := p.term()
		if err != nil {
			return w, err
		}
		if v.Kind == Int && w.Kind == Int {
			v = I(v.I - w.I)
		} else {
			a, _ := AsFloat(v)
			b, _ := AsFloat(w)
			v = F(a - b)
		}
	}
	return v, nil
}

func (p *exprParser) term() (Value, error) {
	switch c := p.peek(); {
	case c == '"':
		return p.str()
	case c == '`':
		end := strings.IndexByte(p.src[p.pos+1:], '`')
		if end < 0 {
			return Value{}, p.fail("unterminated backtick string")
		}
		s := p.src[p.pos+1 : p.pos+1+end]
		p.pos += end + 2
		return S(s), nil
	case c == '[':
		p.pos++
		var l []Value
		for p.peek() != ']' {
			v, err := p.expr()
			if err != nil {
				return v, err
			}
			l = append(l, v)
			if p.peek() == ',' {
				p.pos++
			}
		}
		p.pos++
		return L(l...), nil
	case c == '-' || c >= '0' && c <= '9':
		start := p.pos
		p.pos++
		for p.pos < len(p.src) && strings.IndexByte("0123456789.e", p.src[p.pos]) >= 0 {
			p.pos++
		}
		lit := p.src[start:p.pos]
		if i, err := strconv.ParseInt(lit, 10, 64); err == nil {
			return I(i), nil
		}
		f, err := strconv.ParseFloat(lit, 64)
		if err != nil {
			return Value{}, p.fail("bad number %q", lit)
		}
		return F(f), nil
	}
	start := p.pos
	for p.pos < len(p.src) && (p.src[p.pos] == '_' || p.src[p.pos] == '.' ||
		p.src[p.pos] >= 'a' && p.src[p.pos] <= 'z' || p.src[p.pos] >= 'A' && p.src[p.pos] <= 'Z' || p.src[p.pos] >= '0' && p.src[p.pos] <= '9') {
		p.pos++
	}
	name := p.src[start:p.pos]
	switch name {
	case "true":
		return B(true), nil
	case "false":
		return B(false), nil
	case "NULL":
		return Value{}, nil
	case "":
		return Value{}, p.fail("unexpected %q", p.peek())
	}
	if p.peek() != '(' {
		return Value{}, p.fail("want ( after %s", name)
	}
	p.pos++
	var args []Value
	for p.peek() != ')' {
		v, err := p.expr()
		if err != nil {
			return v, err
		}
		args = append(args, v)
		if p.peek() == ',' {
			p.pos++
		}
	}
	p.pos++
	return call(name, args)
}

func (p *exprParser) str() (Value, error) {
	var b strings.Builder
	p.pos++
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		p.pos++
		switch c {
		case '"':
			return S(b.String()), nil
		case '\\':
			if p.pos >= len(p.src) {
				return Value{}, p.fail("dangling backslash")
			}
			e := p.src[p.pos]
			p.pos++
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
		}
	}
	return Value{}, p.fail("unterminated string")
}

// call binds and runs a function as a rule's call site would: every
// argument is a literal, so every one is passed to Bind as a constant.
func call(name string, args []Value) (Value, error) {
	f, ok := Lookup(name)
	if !ok {
		return Value{}, fmt.Errorf("no function %s", name)
	}
	if min, max := f.Arity(); len(args) < min || max >= 0 && len(args) > max {
		return Value{}, fmt.Errorf("%s: %d arguments, want %d..%d", name, len(args), min, max)
	}
	impl, err := f.Bind(Env{Now: testNow}, args)
	if err != nil {
		return Value{}, err
	}
	return impl(args), nil
}

// eval evaluates a `lhs = rhs` example and says whether both sides agree,
// with what each side evaluated to.
func eval(example string) (got, want Value, err error) {
	lhs, rhs, ok := strings.Cut(example, " = ")
	if !ok {
		return got, want, fmt.Errorf("%q: no \" = \"", example)
	}
	p := &exprParser{src: lhs}
	if got, err = p.expr(); err == nil && p.peek() != 0 {
		err = p.fail("trailing text")
	}
	if err != nil {
		return got, want, err
	}
	q := &exprParser{src: rhs}
	if want, err = q.expr(); err == nil && q.peek() != 0 {
		err = q.fail("trailing text")
	}
	return got, want, err
}

// same compares a result with the documented one: floats to the six
// decimals the documentation prints them with (relative for big values),
// ints and floats across kinds by value, lists element-wise.
func same(got, want Value) bool {
	if got.Kind == List || want.Kind == List {
		if got.Kind != want.Kind || len(got.L) != len(want.L) {
			return false
		}
		for i := range got.L {
			if !same(got.L[i], want.L[i]) {
				return false
			}
		}
		return true
	}
	if got.Kind == Float || want.Kind == Float {
		if got.Kind != Float && got.Kind != Int || want.Kind != Float && want.Kind != Int {
			return false
		}
		a, _ := AsFloat(got)
		b, _ := AsFloat(want)
		return math.Abs(a-b) <= 5e-7*math.Max(1, math.Abs(b))
	}
	return got.Kind == want.Kind && got.S == want.S && got.I == want.I && got.B == want.B
}

// check runs `call = expected` cases.
func check(t *testing.T, cases ...string) {
	t.Helper()
	for _, c := range cases {
		got, want, err := eval(c)
		if err != nil {
			t.Errorf("%s: %v", c, err)
			continue
		}
		if !same(got, want) {
			t.Errorf("%s: got %s %q", c, got.Kind, got.String())
		}
	}
}

// TestTableExamples: every function has a one-line Doc and an Example,
// and the Example evaluates true.
func TestTableExamples(t *testing.T) {
	if len(Table) == 0 {
		t.Fatal("empty Table")
	}
	for i, f := range Table {
		if i > 0 && Table[i-1].Name >= f.Name {
			t.Errorf("Table not sorted at %s", f.Name)
		}
		if f.Doc == "" || strings.Contains(f.Doc, "\n") {
			t.Errorf("%s: Doc %q is not one line", f.Name, f.Doc)
		}
		if f.Result == 0 || f.Bind == nil {
			t.Errorf("%s: no Result or Bind", f.Name)
		}
		if !strings.HasPrefix(f.Example, f.Name+"(") {
			t.Errorf("%s: Example %q does not call it", f.Name, f.Example)
			continue
		}
		check(t, f.Example)
		if _, rejected := Rejected[f.Name]; rejected {
			t.Errorf("%s both implemented and Rejected", f.Name)
		}
	}
	for name, why := range Rejected {
		if why == "" {
			t.Errorf("Rejected[%s] gives no reason", name)
		}
	}
}
