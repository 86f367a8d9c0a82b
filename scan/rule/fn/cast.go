package fn

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode/utf8"
)

var castFuncs = []Func{
	{
		Name:    "cast.as_bool",
		Args:    []Arg{{Name: "string_or_int", Kind: Any}},
		Result:  Bool,
		Doc:     "true only for the int 1 and the string \"true\" in any case; false for everything else",
		Example: `cast.as_bool("TRUE") = true`,
		Bind: pure(func(a []Value) Value {
			switch v := argAt(a, 0); v.Kind {
			case Int:
				return B(v.I == 1)
			case Bool:
				return v
			case String:
				return B(strings.EqualFold(v.S, "true"))
			}
			return B(false)
		}),
	},
	{
		Name:    "cast.as_float",
		Args:    []Arg{{Name: "string_to_cast", Kind: String}},
		Result:  Float,
		Doc:     "the number the string holds as a float, 0 when it holds none",
		Example: `cast.as_float("1.012345678") = 1.0123456`,
		Bind: pure(func(a []Value) Value {
			v := argAt(a, 0)
			if v.Kind == String {
				f, err := strconv.ParseFloat(strings.TrimSpace(v.S), 64)
				if err != nil {
					return F(0)
				}
				return F(f)
			}
			f, _ := AsFloat(v)
			return F(f)
		}),
	},
	{
		Name:    "cast.as_int",
		Args:    []Arg{{Name: "string_or_float", Kind: Any}},
		Result:  Int,
		Doc:     "the number the value holds as an int (floats truncated), 0 when it holds none; called by Google's community rules, no reference page",
		Example: `cast.as_int("1708598631") = 1708598631`,
		Bind: pure(func(a []Value) Value {
			i, _ := AsInt(argAt(a, 0))
			return I(i)
		}),
	},
	{
		Name:    "cast.as_string",
		Args:    []Arg{{Name: "int_or_bytes_or_bool", Kind: Any}, {Name: "optional_default_string", Kind: String, Optional: true}},
		Result:  String,
		Doc:     "the value as a string (ints in decimal, bools as true/false); the default (or \"\") for no value or bytes that are not UTF-8",
		Example: `cast.as_string(123) = "123"`,
		Bind: pure(func(a []Value) Value {
			v := argAt(a, 0)
			if v.Kind == 0 || v.Kind == List || v.Kind == String && !utf8.ValidString(v.S) {
				return S(str(argAt(a, 1)))
			}
			return S(str(v))
		}),
	},
}

var bytesFuncs = []Func{
	{
		Name:    "bytes.to_base64",
		Args:    []Arg{{Name: "bytes", Kind: String}, {Name: "optional_default_string", Kind: String, Optional: true}},
		Result:  String,
		Doc:     "the bytes in standard padded base64; the default (or \"\") for no value",
		Example: `bytes.to_base64(strings.from_hex("000000006f8ec5586d026f9ddac56e9f2fe15b8a0000000001000000cd000000")) = "AAAAAG+OxVhtAm+d2sVuny/hW4oAAAAAAQAAAM0AAAA="`,
		Bind: pure(func(a []Value) Value {
			v := argAt(a, 0)
			if v.Kind == 0 || v.Kind == List {
				return S(str(argAt(a, 1)))
			}
			return S(base64.StdEncoding.EncodeToString([]byte(str(v))))
		}),
	},
}

var hashFuncs = []Func{
	{
		Name:    "hash.sha256",
		Args:    []Arg{{Name: "string", Kind: String}},
		Result:  String,
		Doc:     "the SHA-256 of the string's bytes, in lower-case hex",
		Example: `hash.sha256("abc") = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"`,
		Bind: unary(func(s string) string {
			sum := sha256.Sum256([]byte(s))
			return hex.EncodeToString(sum[:])
		}),
	},
}
