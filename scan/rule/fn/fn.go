// Package fn is the YARA-L 2.0 function table. This is the minimal form
// of the contract the rule parser builds on (the types and the few
// functions its tests use); the package proper replaces it.
package fn

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Kind is the type of a value.
type Kind uint8

const (
	String Kind = iota + 1
	Int
	Float
	Bool
	List // all values of a repeated field
	Any
)

func (k Kind) String() string {
	switch k {
	case 0:
		return "null"
	case String:
		return "string"
	case Int:
		return "int"
	case Float:
		return "float"
	case Bool:
		return "bool"
	case List:
		return "list"
	case Any:
		return "any"
	}
	return "Kind(?)"
}

// Value is a typed value; Kind zero is no value (null).
type Value struct {
	Kind Kind
	S    string
	I    int64
	F    float64
	B    bool
	L    []Value
}

// Arg describes one parameter.
type Arg struct {
	Name     string
	Kind     Kind
	Const    bool // must be a literal at parse time
	Variadic bool
	Optional bool
}

// Env is what a function may read besides its arguments.
type Env struct{ Now time.Time }

// Impl computes a call; a zero-Kind result is "no value".
type Impl func(args []Value) Value

// Func is one function of the table.
type Func struct {
	Name    string
	Args    []Arg
	Result  Kind
	Doc     string
	Example string
	Bind    func(env Env, consts []Value) (Impl, error)
}

// Lookup finds a function by name.
func Lookup(name string) (*Func, bool) {
	for i := range Table {
		if Table[i].Name == name {
			return &Table[i], true
		}
	}
	return nil, false
}

// Rejected names functions that need data only SecOps has.
var Rejected = map[string]string{
	"timestamp.get_timestamp_of_entity": "needs the entity graph",
}

// Table is every function.
var Table = []Func{
	{Name: "re.regex", Args: []Arg{{Name: "text", Kind: String}, {Name: "regex", Kind: String, Const: true}}, Result: Bool,
		Doc: "true when text contains a match of regex", Example: "re.regex(\"google.com\", `goo`) = true",
		Bind: func(_ Env, c []Value) (Impl, error) {
			re, err := regexp.Compile(c[1].S)
			if err != nil {
				return nil, fmt.Errorf("regex: %w", err)
			}
			return func(a []Value) Value { return Value{Kind: Bool, B: re.MatchString(a[0].S)} }, nil
		}},
	{Name: "re.capture", Args: []Arg{{Name: "text", Kind: String}, {Name: "regex", Kind: String, Const: true}}, Result: String,
		Doc: "the first capture group's match, or the whole match", Example: "re.capture(\"a@b.com\", \"@(.*)\") = \"b.com\"",
		Bind: func(_ Env, c []Value) (Impl, error) {
			re, err := regexp.Compile(c[1].S)
			if err != nil {
				return nil, fmt.Errorf("regex: %w", err)
			}
			return func(a []Value) Value {
				m := re.FindStringSubmatch(a[0].S)
				switch {
				case m == nil:
					return Value{}
				case len(m) > 1:
					return Value{Kind: String, S: m[1]}
				}
				return Value{Kind: String, S: m[0]}
			}, nil
		}},
	{Name: "strings.to_lower", Args: []Arg{{Name: "s", Kind: String}}, Result: String,
		Doc: "s in lower case", Example: "strings.to_lower(\"ABC\") = \"abc\"",
		Bind: func(Env, []Value) (Impl, error) {
			return func(a []Value) Value { return Value{Kind: String, S: strings.ToLower(a[0].S)} }, nil
		}},
	{Name: "strings.split", Args: []Arg{{Name: "s", Kind: String}, {Name: "sep", Kind: String, Optional: true}}, Result: List,
		Doc: "s split at sep (default \",\")", Example: "strings.split(\"a,b\") = [\"a\", \"b\"]",
		Bind: func(Env, []Value) (Impl, error) {
			return func(a []Value) Value {
				sep := ","
				if len(a) > 1 {
					sep = a[1].S
				}
				var out []Value
				for _, p := range strings.Split(a[0].S, sep) {
					out = append(out, Value{Kind: String, S: p})
				}
				return Value{Kind: List, L: out}
			}, nil
		}},
	{Name: "arrays.index_to_str", Args: []Arg{{Name: "array", Kind: List}, {Name: "index", Kind: Int}}, Result: String,
		Doc: "the element at index (negative from the end), \"\" outside", Example: "arrays.index_to_str(strings.split(\"a,b\"), 1) = \"b\"",
		Bind: func(Env, []Value) (Impl, error) {
			return func(a []Value) Value {
				i, l := a[1].I, a[0].L
				if i < 0 {
					i += int64(len(l))
				}
				if i < 0 || i >= int64(len(l)) {
					return Value{Kind: String}
				}
				return Value{Kind: String, S: l[i].S}
			}, nil
		}},
}
