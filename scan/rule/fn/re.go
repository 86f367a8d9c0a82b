package fn

import (
	"fmt"
	"regexp"
	"strings"
)

// Regex is a compiled YARA-L regular expression with the documented
// matching rule of re.regex and of /re/ literals: an unanchored search
// that looks at the first line of the value only, unless the pattern
// starts with (?s).
type Regex struct {
	re       *regexp.Regexp
	allLines bool
}

// CompileRegex compiles a YARA-L (RE2, that is Go) pattern; nocase makes
// it case-insensitive, as the nocase modifier does.
func CompileRegex(pattern string, nocase bool) (*Regex, error) {
	src := pattern
	if nocase {
		src = "(?i)" + pattern
	}
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, err
	}
	return &Regex{re: re, allLines: leadingDotAll(pattern)}, nil
}

// leadingDotAll reports whether the pattern starts with flag groups that
// turn on s: "(?s)" as documented, and also "(?is)" or "(?i)(?s)", the
// forms nocase and rule authors produce; "(?i-s)" does not count.
func leadingDotAll(p string) bool {
	on := false
	for strings.HasPrefix(p, "(?") {
		end := strings.IndexByte(p, ')')
		flags := p[2:max(end, 2)]
		if end < 0 || strings.ContainsAny(flags, ":()") {
			break // a group such as (?i:x), not a flag setting
		}
		set, clear, _ := strings.Cut(flags, "-")
		if strings.ContainsRune(set, 's') {
			on = true
		}
		if strings.ContainsRune(clear, 's') {
			on = false
		}
		p = p[end+1:]
	}
	return on
}

// MatchString reports whether the pattern matches s (its first line,
// unless the pattern starts with (?s)).
func (r *Regex) MatchString(s string) bool {
	if !r.allLines {
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			s = s[:i]
		}
	}
	return r.re.MatchString(s)
}

// Regexp is the compiled Go regexp (without the first-line rule).
func (r *Regex) Regexp() *regexp.Regexp { return r.re }

// regexErr turns a regexp compile error into the argument's error,
// without Go's "error parsing regexp: " prefix.
func regexErr(fn, arg string, i int, err error) error {
	msg := strings.TrimPrefix(err.Error(), "error parsing regexp: ")
	return argErr(fn, arg, i, "%s", msg)
}

var reFuncs = []Func{
	{
		Name:    "re.capture",
		Args:    []Arg{{Name: "stringText", Kind: String}, {Name: "regex", Kind: String, Const: true}},
		Result:  String,
		Doc:     "the first match's capture group (the whole first match when the regex has no group); \"\" without a match",
		Example: `re.capture("test@google.com", "@(.*)") = "google.com"`,
		Bind: func(_ Env, c []Value) (Impl, error) {
			re, err := regexp.Compile(str(constAt(c, 1)))
			if err != nil {
				return nil, regexErr("re.capture", "regex", 1, err)
			}
			groups := re.NumSubexp()
			if groups > 1 {
				return nil, argErr("re.capture", "regex", 1, "%d capture groups, at most 1 allowed", groups)
			}
			return func(a []Value) Value {
				s := str(argAt(a, 0))
				m := re.FindStringSubmatchIndex(s)
				if m == nil {
					return S("")
				}
				g := 2 * groups
				if m[g] < 0 {
					return S("")
				}
				return S(s[m[g]:m[g+1]])
			}, nil
		},
	},
	{
		Name:    "re.regex",
		Args:    []Arg{{Name: "field", Kind: String}, {Name: "regex", Kind: String, Const: true}},
		Result:  Bool,
		Doc:     "whether the regex (RE2, unanchored) matches the first line of the string, or all of it when the regex starts with (?s)",
		Example: `re.regex("www.google.com", "google") = true`,
		Bind: func(_ Env, c []Value) (Impl, error) {
			re, err := CompileRegex(str(constAt(c, 1)), false)
			if err != nil {
				return nil, regexErr("re.regex", "regex", 1, err)
			}
			return func(a []Value) Value { return B(re.MatchString(str(argAt(a, 0)))) }, nil
		},
	},
	{
		Name:    "re.replace",
		Args:    []Arg{{Name: "stringText", Kind: String}, {Name: "replaceRegex", Kind: String, Const: true}, {Name: "replacementText", Kind: String}},
		Result:  String,
		Doc:     "the string with every non-overlapping match replaced; \\1 to \\9 in the replacement insert groups, \\0 the whole match",
		Example: `re.replace("email@google.com", "com", "org") = "email@google.org"`,
		Bind: func(_ Env, c []Value) (Impl, error) {
			re, err := regexp.Compile(str(constAt(c, 1)))
			if err != nil {
				return nil, regexErr("re.replace", "replaceRegex", 1, err)
			}
			var fixed []rewritePart
			if r := constAt(c, 2); r.Kind != 0 {
				if fixed, err = parseRewrite(str(r), re.NumSubexp()); err != nil {
					return nil, argErr("re.replace", "replacementText", 2, "%v", err)
				}
			}
			return func(a []Value) Value {
				parts := fixed
				if parts == nil {
					var err error
					if parts, err = parseRewrite(str(argAt(a, 2)), re.NumSubexp()); err != nil {
						return S(str(argAt(a, 0)))
					}
				}
				return S(replaceAll(re, str(argAt(a, 0)), parts))
			}, nil
		},
	},
}

// rewritePart is a piece of a replacement: literal text, or group g.
type rewritePart struct {
	lit string
	g   int // -1 for a literal
}

// parseRewrite reads RE2's rewrite syntax: \0..\9 name a group, \\ is a
// backslash; any other backslash is an error, as is a group the regex
// does not have.
func parseRewrite(s string, groups int) ([]rewritePart, error) {
	parts := []rewritePart{}
	var lit strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			lit.WriteByte(c)
			continue
		}
		if i+1 >= len(s) {
			return nil, fmt.Errorf("replacement ends in a lone backslash")
		}
		i++
		switch d := s[i]; {
		case d == '\\':
			lit.WriteByte('\\')
		case d >= '0' && d <= '9':
			g := int(d - '0')
			if g > groups {
				return nil, fmt.Errorf("replacement uses \\%d but the regex has %d groups", g, groups)
			}
			if lit.Len() > 0 {
				parts = append(parts, rewritePart{lit: lit.String(), g: -1})
				lit.Reset()
			}
			parts = append(parts, rewritePart{g: g})
		default:
			return nil, fmt.Errorf("invalid escape \\%c in replacement", d)
		}
	}
	if lit.Len() > 0 {
		parts = append(parts, rewritePart{lit: lit.String(), g: -1})
	}
	return parts, nil
}

func replaceAll(re *regexp.Regexp, s string, parts []rewritePart) string {
	ms := re.FindAllStringSubmatchIndex(s, -1)
	if ms == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range ms {
		b.WriteString(s[last:m[0]])
		for _, p := range parts {
			if p.g < 0 {
				b.WriteString(p.lit)
			} else if m[2*p.g] >= 0 {
				b.WriteString(s[m[2*p.g]:m[2*p.g+1]])
			}
		}
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}
