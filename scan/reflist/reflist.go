// Package reflist holds reference lists as Google SecOps defines them:
// named lists of strings, regular expressions or CIDR ranges that a
// YARA-L rule tests a field against (`in %name`, `in regex %name`,
// `in cidr %name`) and that Sigma's `expand` modifier fills `%name%`
// from.
//
// A list file holds one value per line. `//` starts a comment that runs
// to the end of the line, on a line of its own or after a value; blank
// lines are skipped; whitespace before and after a value is trimmed. In
// a string list a backslash escapes the next byte to itself (`\/\/` is
// a literal "//", `\ ` a significant space), as SecOps documents; in a
// regex list the backslash is left to the regex (`\/` is RE2 for "/"),
// and only an unescaped `//` starts a comment.
//
// A List is immutable after Parse and safe for concurrent use. Match
// costs no allocation for string and CIDR lists.
package reflist

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// Kind is what a list's values are.
type Kind uint8

// The kinds of list.
const (
	String Kind = iota + 1 // exact strings (nocase: Unicode simple folding)
	Regex                  // RE2 patterns; a value matches when any pattern matches it
	CIDR                   // IPv4 and IPv6 ranges (a bare address is a one-address range)
)

// String returns "string", "regex" or "cidr".
func (k Kind) String() string {
	switch k {
	case String:
		return "string"
	case Regex:
		return "regex"
	case CIDR:
		return "cidr"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// ParseKind is the inverse of Kind.String.
func ParseKind(s string) (Kind, bool) {
	switch strings.ToLower(s) {
	case "string":
		return String, true
	case "regex":
		return Regex, true
	case "cidr":
		return CIDR, true
	}
	return 0, false
}

// MaxBytes caps a list file's size: Parse refuses a larger source, and
// a loader should stop reading past it (ErrTooLarge). 256 MiB holds
// several million values; the parsed list costs a few times the file.
const MaxBytes = 256 << 20

// ErrTooLarge is wrapped by the error for a list over MaxBytes.
var ErrTooLarge = errors.New("reference list is larger than the 256 MiB cap")

// Set is the lists a run was given, by name (without the `%`).
type Set map[string]*List

// List is one parsed reference list.
type List struct {
	name string
	kind Kind
	n    int

	str  *stringList
	re   *regexList
	cidr *cidrList
}

// Name is the list's name, as rules write it after `%`.
func (l *List) Name() string { return l.name }

// Kind is what the list's values are.
func (l *List) Kind() Kind { return l.kind }

// Len is how many values the list holds (lines that are neither blank
// nor comments).
func (l *List) Len() int { return l.n }

// Match reports whether v is in the list: for a string list, equal to a
// value (nocase: equal under Unicode simple case folding, as
// strings.EqualFold); for a regex list, matched (unanchored, as
// regexp.MatchString) by any pattern (nocase: as if each pattern began
// with `(?i)`); for a CIDR list, an IP address (IPv4, IPv6, an
// IPv4-mapped IPv6 address counts as its IPv4 address, a zone is
// ignored) inside any range. nocase does nothing for a CIDR list.
func (l *List) Match(v string, nocase bool) bool {
	switch l.kind {
	case String:
		return l.str.match(v, nocase)
	case Regex:
		return l.re.match(v, nocase)
	case CIDR:
		return l.cidr.match(v)
	}
	return false
}

// Literals returns a string list's distinct values in file order (for
// a prefilter: a value that matches holds one of them whole); nil for
// regex and CIDR lists. The slice is the list's own: do not modify it.
func (l *List) Literals() []string {
	if l.kind != String {
		return nil
	}
	return l.str.values
}

// Error is one bad line of a list file.
type Error struct {
	List      string // the list's name
	Line, Col int    // 1-based; Col counts bytes
	Msg       string
}

// Error renders "name:line:col: message".
func (e *Error) Error() string {
	return e.List + ":" + strconv.Itoa(e.Line) + ":" + strconv.Itoa(e.Col) + ": " + e.Msg
}

// ErrorList is every bad line of a list file, in line order.
type ErrorList []*Error

// Error renders one error per line.
func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap gives errors.As every error of the list.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// maxErrors bounds the errors one file reports: a binary file given by
// mistake must not print a million lines.
const maxErrors = 100

// Parse reads a list file's bytes as a list of the given kind. The
// error, when there is one, is an ErrorList naming every bad line
// (name:line:col), up to 100.
func Parse(name string, kind Kind, src []byte) (*List, error) {
	if len(src) > MaxBytes {
		return nil, fmt.Errorf("reference list %s: %d bytes: %w", name, len(src), ErrTooLarge)
	}
	var lines []line
	var errs ErrorList
	add := func(e *Error) bool {
		errs = append(errs, e)
		return len(errs) < maxErrors
	}
	splitLines(src, kind == String, kind == Regex, func(ln line) { lines = append(lines, ln) })
	l := &List{name: name, kind: kind, n: len(lines)}
	switch kind {
	case String:
		l.str = newStringList(lines)
	case Regex:
		l.re = newRegexList(name, lines, add)
	case CIDR:
		l.cidr = newCIDRList(name, lines, add)
	default:
		return nil, fmt.Errorf("reference list %s: unknown kind %d", name, kind)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return l, nil
}

// KindOf tells a list file's kind: a declaration on the file's first
// line that is not blank, `// kind: regex` (or string, cidr; any case,
// any spacing around the colon), wins; otherwise the suffix: `.regex`
// and `.re` are Regex, `.cidr` is CIDR, anything else (`.txt`, `.list`,
// none) String.
func KindOf(filename string, src []byte) Kind {
	if k, ok := declared(src); ok {
		return k
	}
	switch strings.ToLower(path.Ext(filename)) {
	case ".regex", ".re":
		return Regex
	case ".cidr":
		return CIDR
	}
	return String
}

// declared reads a `// kind: K` declaration from the first non-blank
// line.
func declared(src []byte) (Kind, bool) {
	for len(src) > 0 {
		i := bytes.IndexByte(src, '\n')
		var ln []byte
		if i < 0 {
			ln, src = src, nil
		} else {
			ln, src = src[:i], src[i+1:]
		}
		s := strings.TrimSpace(string(ln))
		if s == "" {
			continue
		}
		rest, ok := strings.CutPrefix(s, "//")
		if !ok {
			return 0, false
		}
		key, val, ok := strings.Cut(rest, ":")
		if !ok || !strings.EqualFold(strings.TrimSpace(key), "kind") {
			return 0, false
		}
		return ParseKind(strings.TrimSpace(val))
	}
	return 0, false
}

// line is one value of a list file.
type line struct {
	val      string
	num, col int
}

// splitLines calls fn for every value in src. unescape (string lists)
// turns `\x` into x; keepEscapes (regex lists) leaves `\x` as it is but
// still does not let an escaped `/` start a comment.
func splitLines(src []byte, unescape, keepEscapes bool, fn func(line)) {
	num := 0
	var buf []byte
	for len(src) > 0 {
		num++
		var raw []byte
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			raw, src = src[:i], src[i+1:]
		} else {
			raw, src = src, nil
		}
		// Leading whitespace.
		start := 0
		for start < len(raw) && isSpace(raw[start]) {
			start++
		}
		buf = buf[:0]
		keep := 0 // len(buf) up to the last byte that is not trailing whitespace
		for i := start; i < len(raw); i++ {
			c := raw[i]
			if (unescape || keepEscapes) && c == '\\' && i+1 < len(raw) {
				if keepEscapes {
					buf = append(buf, c)
				}
				buf = append(buf, raw[i+1])
				keep = len(buf)
				i++
				continue
			}
			if c == '/' && i+1 < len(raw) && raw[i+1] == '/' {
				break
			}
			buf = append(buf, c)
			if !isSpace(c) {
				keep = len(buf)
			}
		}
		buf = buf[:keep]
		if len(buf) == 0 {
			continue
		}
		fn(line{val: string(buf), num: num, col: start + 1})
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' }
