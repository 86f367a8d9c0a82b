package fn

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind is the type of a Value or of a function's argument or result.
type Kind uint8

// The kinds. The zero Kind is "no value" (null).
const (
	String Kind = iota + 1
	Int
	Float
	Bool
	List // all values of a repeated field, or a list literal
	Any  // an argument or result whose kind depends on the call
)

var kindNames = [...]string{"null", "string", "int", "float", "bool", "list", "any"}

// String names the kind as the documentation does: "string", "int"...
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is one value a function takes or returns. Kind zero is "no value"
// (null): an absent field, or a result that does not exist.
type Value struct {
	Kind Kind
	S    string
	I    int64
	F    float64
	B    bool
	L    []Value
}

// S, I, F, B and L build values of each kind.
func S(s string) Value       { return Value{Kind: String, S: s} }
func I(i int64) Value        { return Value{Kind: Int, I: i} }
func F(f float64) Value      { return Value{Kind: Float, F: f} }
func B(b bool) Value         { return Value{Kind: Bool, B: b} }
func L(vs ...Value) Value    { return Value{Kind: List, L: vs} }
func (v Value) IsNull() bool { return v.Kind == 0 }

// String renders v as strings.concat does: a string as itself, an int in
// decimal, a float in its shortest decimal form without a trailing ".0"
// and cut after 16 decimal places, a bool as true/false, null as "" and a
// list as its elements in brackets, comma-separated.
func (v Value) String() string {
	switch v.Kind {
	case String:
		return v.S
	case Int:
		return strconv.FormatInt(v.I, 10)
	case Float:
		return formatFloat(v.F)
	case Bool:
		return strconv.FormatBool(v.B)
	case List:
		var b strings.Builder
		b.WriteByte('[')
		for i, e := range v.L {
			if i > 0 {
				b.WriteString(", ")
			}
			if e.Kind == String {
				b.WriteString(strconv.Quote(e.S))
			} else {
				b.WriteString(e.String())
			}
		}
		b.WriteByte(']')
		return b.String()
	}
	return ""
}

// formatFloat is the documented rendering of a float as a string
// (strings.concat, example 3): whole numbers have no decimal point, and
// more than sixteen decimal digits are cut at the sixteenth.
func formatFloat(f float64) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if dot := strings.IndexByte(s, '.'); dot >= 0 && len(s)-dot-1 > 16 {
		s = strings.TrimRight(s[:dot+17], "0")
		s = strings.TrimSuffix(s, ".")
		if s == "-0" {
			s = "0"
		}
	}
	return s
}

// AsInt converts v to an integer the way the functions read numeric
// arguments: ints as they are, floats truncated toward zero, strings
// parsed as decimal integers or floats (UDM values are strings), bools as
// 0/1 and null as 0 (SecOps' default for an unset numeric field). ok is
// false for a string that is not a number and for a list.
func AsInt(v Value) (int64, bool) {
	switch v.Kind {
	case 0:
		return 0, true
	case Int:
		return v.I, true
	case Float:
		return truncInt(v.F)
	case Bool:
		if v.B {
			return 1, true
		}
		return 0, true
	case String:
		if i, f, isInt, ok := parseNumber(v.S); ok {
			if isInt {
				return i, true
			}
			return truncInt(f)
		}
	}
	return 0, false
}

// parseNumber reads a decimal integer, else a float, from s without
// allocating an error for the common failures.
func parseNumber(s string) (i int64, f float64, isInt, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, 0, false, false
	}
	digits := s
	if digits[0] == '-' || digits[0] == '+' {
		digits = digits[1:]
	}
	if isDigits(digits) {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, float64(n), true, true
		}
		// Past int64: read as a float below.
	} else if !looksNumeric(s) {
		return 0, 0, false, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return 0, f, false, err == nil
}

// looksNumeric is false for strings ParseFloat would surely reject,
// sparing its error; "inf" and "nan" spellings pass on to it.
func looksNumeric(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E' || c == '_' || c == 'x' || c == 'X' || c == 'p' || c == 'P' {
			continue
		}
		if c|0x20 >= 'a' && c|0x20 <= 'z' {
			continue // inf, nan, hex digits
		}
		return false
	}
	return true
}

func truncInt(f float64) (int64, bool) {
	if math.IsNaN(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0 {
		return 0, false
	}
	return int64(f), true
}

// AsFloat converts v to a float as AsInt does to an integer.
func AsFloat(v Value) (float64, bool) {
	switch v.Kind {
	case 0:
		return 0, true
	case Int:
		return float64(v.I), true
	case Float:
		return v.F, true
	case Bool:
		if v.B {
			return 1, true
		}
		return 0, true
	case String:
		if _, f, _, ok := parseNumber(v.S); ok {
			return f, true
		}
	}
	return 0, false
}

// number reads v as an int when it is one (an Int, or a string holding a
// decimal integer) and as a float otherwise; ok is false for non-numbers.
func number(v Value) (Value, bool) {
	switch v.Kind {
	case 0:
		return I(0), true
	case Int, Float:
		return v, true
	case Bool:
		i, _ := AsInt(v)
		return I(i), true
	case String:
		if i, f, isInt, ok := parseNumber(v.S); ok {
			if isInt {
				return I(i), true
			}
			return F(f), true
		}
	}
	return Value{}, false
}

// Compare orders a and b: numbers (ints and floats, and strings that
// parse as numbers when the other side is a number) by value, strings
// byte-wise, bools false < true. ok is false when the two cannot be
// compared (a list, null, or a string against a non-numeric string).
func Compare(a, b Value) (int, bool) {
	if a.Kind == 0 || b.Kind == 0 || a.Kind == List || b.Kind == List {
		return 0, false
	}
	if a.Kind == String && b.Kind == String {
		return strings.Compare(a.S, b.S), true
	}
	if a.Kind == Bool && b.Kind == Bool {
		switch {
		case a.B == b.B:
			return 0, true
		case !a.B:
			return -1, true
		}
		return 1, true
	}
	if a.Kind == Int && b.Kind == Int {
		switch {
		case a.I < b.I:
			return -1, true
		case a.I > b.I:
			return 1, true
		}
		return 0, true
	}
	x, ok1 := number(a)
	y, ok2 := number(b)
	if !ok1 || !ok2 || a.Kind == Bool || b.Kind == Bool {
		return 0, false
	}
	if x.Kind == Int && y.Kind == Int {
		return Compare(x, y)
	}
	fx, _ := AsFloat(x)
	fy, _ := AsFloat(y)
	switch {
	case fx < fy:
		return -1, true
	case fx > fy:
		return 1, true
	case fx == fy:
		return 0, true
	}
	return 0, false // NaN
}

// Arg describes one parameter of a function.
type Arg struct {
	Name     string
	Kind     Kind // Float accepts Int too; every numeric parameter accepts a string holding a number
	Const    bool // must be a literal at parse time
	Variadic bool // the last parameter, repeated one or more times
	Optional bool // may be left out (only trailing parameters are optional)
}

// Env is what Bind may read besides the constant arguments.
type Env struct {
	Now time.Time // current time, fixed once per run (timestamp.current_seconds)
}

// Impl evaluates one call; args has one Value per argument at the call
// site. A zero-Kind result means "no value".
type Impl func(args []Value) Value

// Func is one function of the YARA-L 2.0 library.
type Func struct {
	Name    string // "strings.to_lower"
	Args    []Arg
	Result  Kind
	Doc     string // one line: what it returns
	Example string // a documented example, e.g. `strings.to_lower("ABC") = "abc"`
	// Bind prepares one call site at parse time: consts has one entry per
	// argument at the call site, set (non-zero Kind) for the literals and
	// at least for every Const parameter. It compiles regexes, parses
	// CIDRs and time zones; its errors name the bad argument (*ArgError),
	// including a Const parameter given something other than a literal.
	Bind func(env Env, consts []Value) (Impl, error)
}

// Accepts reports whether an argument of kind k may be passed for a: any
// kind for Any, an int for Float, a string (a UDM value, read as a number
// at run time) for Int and Float, a single value for List (a list of one),
// and an argument whose kind is not known until run time (0).
func (a Arg) Accepts(k Kind) bool {
	switch {
	case k == 0 || a.Kind == Any || a.Kind == k || a.Kind == List:
		return true
	case a.Kind == Float:
		return k == Int || k == String
	case a.Kind == Int:
		return k == String
	}
	return false
}

// checkConsts wraps a Bind so that a Const parameter without a literal is
// an error before the function's own Bind runs: a regex or a time zone
// must be known when the rule is parsed.
func checkConsts(f *Func) {
	bind := f.Bind
	f.Bind = func(env Env, consts []Value) (Impl, error) {
		for i, a := range f.Args {
			if !a.Const {
				continue
			}
			if i >= len(consts) {
				if a.Optional {
					break
				}
				return nil, argErr(f.Name, a.Name, i, "must be a literal")
			}
			if consts[i].Kind == 0 {
				return nil, argErr(f.Name, a.Name, i, "must be a literal")
			}
		}
		return bind(env, consts)
	}
}

// Arity returns how many arguments a call may pass: at least min, at most
// max (-1: no limit).
func (f *Func) Arity() (min, max int) {
	for _, a := range f.Args {
		if a.Variadic {
			if !a.Optional {
				min++
			}
			return min, -1
		}
		if !a.Optional {
			min++
		}
		max++
	}
	return min, max
}

// ArgAt returns the parameter the i-th argument of a call binds to (the
// variadic one for every argument past it); ok is false past the end.
func (f *Func) ArgAt(i int) (Arg, bool) {
	if i < len(f.Args) {
		return f.Args[i], true
	}
	if n := len(f.Args); n > 0 && f.Args[n-1].Variadic {
		return f.Args[n-1], true
	}
	return Arg{}, false
}

// Signature renders the call form, e.g. "strings.ltrim(string_to_trim
// string, cutset string) string".
func (f *Func) Signature() string {
	var b strings.Builder
	b.WriteString(f.Name)
	b.WriteByte('(')
	for i, a := range f.Args {
		if i > 0 {
			b.WriteString(", ")
		}
		if a.Optional {
			b.WriteByte('[')
		}
		b.WriteString(a.Name)
		b.WriteByte(' ')
		b.WriteString(a.Kind.String())
		if a.Const {
			b.WriteString(" literal")
		}
		if a.Variadic {
			b.WriteString(", ...")
		}
		if a.Optional {
			b.WriteByte(']')
		}
	}
	b.WriteString(") ")
	b.WriteString(f.Result.String())
	return b.String()
}

// ArgError is a Bind error: a constant argument that cannot be used.
type ArgError struct {
	Func  string // function name
	Index int    // 0-based argument index
	Arg   string // parameter name
	Err   error
}

func (e *ArgError) Error() string {
	return fmt.Sprintf("%s: argument %d (%s): %v", e.Func, e.Index+1, e.Arg, e.Err)
}

func (e *ArgError) Unwrap() error { return e.Err }

// argErr builds an *ArgError for argument i of f.
func argErr(f, arg string, i int, format string, a ...any) error {
	return &ArgError{Func: f, Index: i, Arg: arg, Err: fmt.Errorf(format, a...)}
}

// pure binds a function without constant arguments.
func pure(impl Impl) func(Env, []Value) (Impl, error) {
	return func(Env, []Value) (Impl, error) { return impl, nil }
}

// constAt returns consts[i], or null when the call site has none there.
func constAt(consts []Value, i int) Value {
	if i < len(consts) {
		return consts[i]
	}
	return Value{}
}

// argAt returns args[i], or null when the call passed fewer.
func argAt(args []Value, i int) Value {
	if i < len(args) {
		return args[i]
	}
	return Value{}
}

// Table is every implemented function, sorted by name. docs/yaral_functions.md
// and lint are generated from it.
var Table = sortedTable()

var byName = func() map[string]*Func {
	m := make(map[string]*Func, len(Table))
	for i := range Table {
		m[Table[i].Name] = &Table[i]
	}
	return m
}()

// Lookup finds a function by its full name ("re.regex").
func Lookup(name string) (*Func, bool) {
	f, ok := byName[name]
	return f, ok
}

func sortedTable() []Func {
	var t []Func
	for _, family := range [][]Func{stringFuncs, reFuncs, netFuncs, mathFuncs, timestampFuncs, arrayFuncs, castFuncs, bytesFuncs, hashFuncs} {
		t = append(t, family...)
	}
	slices.SortFunc(t, func(a, b Func) int { return strings.Compare(a.Name, b.Name) })
	for i := range t {
		checkConsts(&t[i])
	}
	return t
}

// AppendJSON appends v as JSON: a string quoted, an int or float as a
// number (a float that is NaN or infinite, which JSON cannot hold, as
// null), a bool, a list as an array, null as null.
func (v Value) AppendJSON(b []byte) []byte {
	switch v.Kind {
	case String:
		return appendJSONString(b, v.S)
	case Int:
		return strconv.AppendInt(b, v.I, 10)
	case Float:
		if math.IsNaN(v.F) || math.IsInf(v.F, 0) {
			return append(b, "null"...)
		}
		return strconv.AppendFloat(b, v.F, 'g', -1, 64)
	case Bool:
		return strconv.AppendBool(b, v.B)
	case List:
		b = append(b, '[')
		for i, e := range v.L {
			if i > 0 {
				b = append(b, ',')
			}
			b = e.AppendJSON(b)
		}
		return append(b, ']')
	}
	return append(b, "null"...)
}

// appendJSONString quotes s for JSON: ", \ and control characters
// escaped, invalid UTF-8 replaced by U+FFFD, everything else as is.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			b = append(b, c)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, "\\ufffd"...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
