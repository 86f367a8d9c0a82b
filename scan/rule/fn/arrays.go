package fn

import "strings"

// list reads an argument as a list: a List as it is, null as the empty
// list, any other value as a list of that one value.
func list(v Value) []Value {
	switch v.Kind {
	case List:
		return v.L
	case 0:
		return nil
	}
	return []Value{v}
}

// index returns the element at i (negative counts from the end); ok is
// false out of bounds.
func index(a []Value) (Value, bool) {
	l := list(argAt(a, 0))
	i, ok := AsInt(argAt(a, 1))
	if !ok {
		return Value{}, false
	}
	if i < 0 {
		i += int64(len(l))
	}
	if i < 0 || i >= int64(len(l)) {
		return Value{}, false
	}
	return l[i], true
}

var arrayIndex = []Arg{{Name: "array", Kind: List}, {Name: "index", Kind: Int}}

// extreme binds arrays.max (sign 1) and arrays.min (sign -1).
func extreme(sign float64) func(Env, []Value) (Impl, error) {
	return pure(func(a []Value) Value {
		ignoreZeros := len(a) > 1 && a[1].Kind == Bool && a[1].B
		best, found := 0.0, false
		for _, e := range list(argAt(a, 0)) {
			x, ok := AsFloat(e)
			if !ok || e.Kind == 0 || ignoreZeros && x == 0 {
				continue
			}
			if !found || sign*x > sign*best {
				best, found = x, true
			}
		}
		return F(best)
	})
}

func arrayLen(a []Value) Value { return I(int64(len(list(argAt(a, 0))))) }

var arrayFuncs = []Func{
	{
		Name:    "arrays.concat",
		Args:    []Arg{{Name: "string_array", Kind: List}, {Name: "string_array", Kind: List}},
		Result:  List,
		Doc:     "a new list holding the elements of the first list, then those of the second",
		Example: `arrays.concat(["test1", "test2"], ["test3"]) = ["test1", "test2", "test3"]`,
		Bind: pure(func(a []Value) Value {
			x, y := list(argAt(a, 0)), list(argAt(a, 1))
			out := make([]Value, 0, len(x)+len(y))
			return L(append(append(out, x...), y...)...)
		}),
	},
	{
		Name:    "arrays.index_to_float",
		Args:    arrayIndex,
		Result:  Float,
		Doc:     "the element at the index (negative counts from the end) as a float; 0 out of bounds or for a non-number",
		Example: `arrays.index_to_float([1.2, 2.1, 3.5, 4.6], 0-1) = 4.6`,
		Bind: pure(func(a []Value) Value {
			e, ok := index(a)
			if !ok {
				return F(0)
			}
			x, _ := AsFloat(e)
			return F(x)
		}),
	},
	{
		Name:    "arrays.index_to_int",
		Args:    arrayIndex,
		Result:  Int,
		Doc:     "the element at the index (negative counts from the end) as an int, floats truncated; 0 out of bounds or for a non-number",
		Example: `arrays.index_to_int(["44", "11", "22", "33"], 0-1) = 33`,
		Bind: pure(func(a []Value) Value {
			e, ok := index(a)
			if !ok {
				return I(0)
			}
			i, _ := AsInt(e)
			return I(i)
		}),
	},
	{
		Name:    "arrays.index_to_str",
		Args:    arrayIndex,
		Result:  String,
		Doc:     "the element at the index (negative counts from the end) as a string; \"\" out of bounds",
		Example: `arrays.index_to_str(["test1", "test2", "test3", "test4"], 1) = "test2"`,
		Bind: pure(func(a []Value) Value {
			e, ok := index(a)
			if !ok {
				return S("")
			}
			return S(str(e))
		}),
	},
	{
		Name:    "arrays.join_string",
		Args:    []Arg{{Name: "array_of_strings", Kind: List}, {Name: "optional_delimiter", Kind: String, Optional: true}},
		Result:  String,
		Doc:     "the list's elements joined by the delimiter (default \"\"), null elements left out",
		Example: `arrays.join_string(["foo", NULL, "bar"], ",") = "foo,bar"`,
		Bind: pure(func(a []Value) Value {
			sep := str(argAt(a, 1))
			var b strings.Builder
			first := true
			for _, e := range list(argAt(a, 0)) {
				if e.Kind == 0 {
					continue
				}
				if !first {
					b.WriteString(sep)
				}
				first = false
				b.WriteString(str(e))
			}
			return S(b.String())
		}),
	},
	{
		Name:    "arrays.length",
		Args:    []Arg{{Name: "repeatedField", Kind: List}},
		Result:  Int,
		Doc:     "the number of elements of a repeated field or list",
		Example: `arrays.length(["10.0.0.1", "10.0.0.2"]) = 2`,
		Bind:    pure(arrayLen),
	},
	{
		Name:    "arrays.max",
		Args:    []Arg{{Name: "array_of_ints_or_floats", Kind: List}},
		Result:  Float,
		Doc:     "the largest number of the list as a float, 0 for an empty list",
		Example: `arrays.max([10, 20]) = 20.000000`,
		Bind:    extreme(1),
	},
	{
		Name:    "arrays.min",
		Args:    []Arg{{Name: "array_of_ints_or_floats", Kind: List}, {Name: "ignore_zeros", Kind: Bool, Optional: true}},
		Result:  Float,
		Doc:     "the smallest number of the list as a float (zeros skipped when ignore_zeros is true), 0 for an empty list",
		Example: `arrays.min([10.000000, 20.000000, 0.0], true) = 10.000000`,
		Bind:    extreme(-1),
	},
	{
		Name:    "arrays.size",
		Args:    []Arg{{Name: "array", Kind: List}},
		Result:  Int,
		Doc:     "the number of elements of a list or repeated field",
		Example: `arrays.size(["test1", "test2", "test3"]) = 3`,
		Bind:    pure(arrayLen),
	},
}
