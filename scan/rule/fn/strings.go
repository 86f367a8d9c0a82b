package fn

import (
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"strings"
	"unicode/utf8"
)

// str reads an argument as a string: null is "" (SecOps' default for an
// unset string field), numbers and bools are rendered as Value.String.
func str(v Value) string {
	if v.Kind == String {
		return v.S
	}
	return v.String()
}

var one = []Arg{{Name: "string", Kind: String}}

// unary binds a string → string function.
func unary(f func(string) string) func(Env, []Value) (Impl, error) {
	return pure(func(a []Value) Value { return S(f(str(argAt(a, 0)))) })
}

var stringFuncs = []Func{
	{
		Name:    "strings.base64_decode",
		Args:    []Arg{{Name: "encodedString", Kind: String}},
		Result:  String,
		Doc:     "the base64-decoded string (standard alphabet, padding optional); input that is not base64 comes back unchanged",
		Example: `strings.base64_decode("dGVzdA==") = "test"`,
		Bind:    unary(base64Decode),
	},
	{
		Name:    "strings.coalesce",
		Args:    []Arg{{Name: "a", Kind: String, Variadic: true}},
		Result:  String,
		Doc:     "the first argument that is not the empty string (an unset field is empty), or \"\"",
		Example: `strings.coalesce("", "suspicious@gmail.com") = "suspicious@gmail.com"`,
		Bind: pure(func(a []Value) Value {
			for _, v := range a {
				if s := str(v); s != "" {
					return S(s)
				}
			}
			return S("")
		}),
	},
	{
		Name:    "strings.concat",
		Args:    []Arg{{Name: "a", Kind: Any, Variadic: true}},
		Result:  String,
		Doc:     "the arguments (strings, ints, floats) concatenated; a whole float has no decimal point, decimals past the 16th are cut",
		Example: `strings.concat("google", ":", 80) = "google:80"`,
		Bind: pure(func(a []Value) Value {
			if len(a) == 1 {
				return S(str(a[0]))
			}
			var b strings.Builder
			for _, v := range a {
				b.WriteString(str(v))
			}
			return S(b.String())
		}),
	},
	{
		Name:    "strings.contains",
		Args:    []Arg{{Name: "str", Kind: String}, {Name: "substr", Kind: String}},
		Result:  Bool,
		Doc:     "whether substr occurs in str (case-sensitive)",
		Example: `strings.contains("moon", "moo") = true`,
		Bind: pure(func(a []Value) Value {
			return B(strings.Contains(str(argAt(a, 0)), str(argAt(a, 1))))
		}),
	},
	{
		Name:    "strings.count_substrings",
		Args:    []Arg{{Name: "string_to_search_in", Kind: String}, {Name: "substring_to_count", Kind: String}},
		Result:  Int,
		Doc:     "how many non-overlapping times the substring occurs (0 for an empty substring)",
		Example: `strings.count_substrings("fooABAbarABAbazABA", "AB") = 3`,
		Bind: pure(func(a []Value) Value {
			sub := str(argAt(a, 1))
			if sub == "" {
				return I(0)
			}
			return I(int64(strings.Count(str(argAt(a, 0)), sub)))
		}),
	},
	{
		Name:    "strings.extract_domain",
		Args:    []Arg{{Name: "url_string", Kind: String}},
		Result:  String,
		Doc:     "the registrable domain of the URL's host (public suffix plus one label, ICANN suffixes only), or \"\"",
		Example: `strings.extract_domain("http://www.google.com") = "google.com"`,
		Bind:    unary(extractDomain),
	},
	{
		Name:    "strings.extract_hostname",
		Args:    []Arg{{Name: "string", Kind: String}},
		Result:  String,
		Doc:     "the host part of a URL or URI (case kept, no port, no user), or \"\"",
		Example: `strings.extract_hostname("https://user@www.google.com:443/x") = "www.google.com"`,
		Bind:    unary(extractHostname),
	},
	{
		Name:    "strings.from_hex",
		Args:    []Arg{{Name: "hex_string", Kind: String}},
		Result:  String,
		Doc:     "the bytes the hex digits spell, as a string; \"\" when the input is not an even number of hex digits",
		Example: `strings.from_hex("616263") = "abc"`,
		Bind: unary(func(s string) string {
			b, err := hex.DecodeString(s)
			if err != nil {
				return ""
			}
			return string(b)
		}),
	},
	{
		Name:    "strings.ltrim",
		Args:    []Arg{{Name: "string_to_trim", Kind: String}, {Name: "cutset", Kind: String}},
		Result:  String,
		Doc:     "the string without the leading characters found in cutset",
		Example: `strings.ltrim("a aastraa aa ", " a") = "straa aa "`,
		Bind: pure(func(a []Value) Value {
			return S(strings.TrimLeft(str(argAt(a, 0)), str(argAt(a, 1))))
		}),
	},
	{
		Name:    "strings.reverse",
		Args:    one,
		Result:  String,
		Doc:     "the string with its characters in reverse order",
		Example: `strings.reverse("abc") = "cba"`,
		Bind:    unary(reverse),
	},
	{
		Name:    "strings.rtrim",
		Args:    []Arg{{Name: "string_to_trim", Kind: String}, {Name: "cutset", Kind: String}},
		Result:  String,
		Doc:     "the string without the trailing characters found in cutset",
		Example: `strings.rtrim("a aastraa aa ", " a") = "a aastr"`,
		Bind: pure(func(a []Value) Value {
			return S(strings.TrimRight(str(argAt(a, 0)), str(argAt(a, 1))))
		}),
	},
	{
		Name:    "strings.split",
		Args:    []Arg{{Name: "input", Kind: String}, {Name: "delimiter", Kind: String, Optional: true}},
		Result:  List,
		Doc:     "the parts of the string between delimiters (default \",\"), as a list of strings",
		Example: `strings.split("a,b,c", ",") = ["a", "b", "c"]`,
		Bind: pure(func(a []Value) Value {
			sep := ","
			if len(a) > 1 {
				sep = str(a[1])
			}
			parts := strings.Split(str(argAt(a, 0)), sep)
			l := make([]Value, len(parts))
			for i, p := range parts {
				l[i] = S(p)
			}
			return L(l...)
		}),
	},
	{
		Name:    "strings.starts_with",
		Args:    []Arg{{Name: "str", Kind: String}, {Name: "prefix", Kind: String}},
		Result:  Bool,
		Doc:     "whether str begins with prefix (case-sensitive); called by Google's community rules, no reference page",
		Example: `strings.starts_with("c:\\windows\\system32\\cmd.exe", "c:\\windows\\") = true`,
		Bind: pure(func(a []Value) Value {
			return B(strings.HasPrefix(str(argAt(a, 0)), str(argAt(a, 1))))
		}),
	},
	{
		Name:    "strings.to_lower",
		Args:    one,
		Result:  String,
		Doc:     "the string in lower case (Unicode)",
		Example: `strings.to_lower("AbC") = "abc"`,
		Bind:    unary(strings.ToLower),
	},
	{
		Name:    "strings.to_upper",
		Args:    one,
		Result:  String,
		Doc:     "the string in upper case (Unicode)",
		Example: `strings.to_upper("AbC") = "ABC"`,
		Bind:    unary(strings.ToUpper),
	},
	{
		Name:    "strings.trim",
		Args:    []Arg{{Name: "string_to_trim", Kind: String}, {Name: "cutset", Kind: String}},
		Result:  String,
		Doc:     "the string without the leading and trailing characters found in cutset",
		Example: `strings.trim("a aastraa aa ", " a") = "str"`,
		Bind: pure(func(a []Value) Value {
			return S(strings.Trim(str(argAt(a, 0)), str(argAt(a, 1))))
		}),
	},
	{
		Name:    "strings.url_decode",
		Args:    []Arg{{Name: "url_string", Kind: String}},
		Result:  String,
		Doc:     "the string with %XX escapes and + decoded as in a URL query; \"\" when an escape is malformed",
		Example: `strings.url_decode("three%20nine%20four") = "three nine four"`,
		Bind: unary(func(s string) string {
			d, err := url.QueryUnescape(s)
			if err != nil {
				return ""
			}
			return d
		}),
	},
}

// base64Decode decodes standard base64 with or without padding (the
// URL-safe alphabet too); anything else comes back unchanged, as the
// function's page documents.
func base64Decode(s string) string {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return string(b)
		}
	}
	return s
}

func reverse(s string) string {
	if len(s) < 2 {
		return s
	}
	b := make([]byte, len(s))
	n := len(s)
	for len(s) > 0 {
		_, size := utf8.DecodeRuneInString(s)
		n -= size
		copy(b[n:], s[:size])
		s = s[size:]
	}
	return string(b)
}
