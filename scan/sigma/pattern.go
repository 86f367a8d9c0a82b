package sigma

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// A pattern is a Sigma string value after its transformations: runs of
// plain text, wildcards and (windash) dash classes.
type pattern []token

type tokKind uint8

const (
	tokText tokKind = iota
	tokStar         // *: any run of characters
	tokOne          // ?: exactly one character
	tokDash         // one of the windash characters
)

type token struct {
	kind tokKind
	text string // tokText
}

// dashes are the characters windash makes interchangeable.
const dashes = "-/\u2013\u2014\u2015"

// parseWildcards reads a rule value: * and ? are wildcards, and a
// backslash escapes a wildcard or a backslash; any other backslash is
// plain (the specification's "Escaping").
func parseWildcards(s string) pattern {
	var p pattern
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			p = append(p, token{kind: tokText, text: b.String()})
			b.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '?' || s[i+1] == '\\') {
				b.WriteByte(s[i+1])
				i++
			} else {
				b.WriteByte('\\')
			}
		case '*':
			flush()
			p = append(p, token{kind: tokStar})
		case '?':
			flush()
			p = append(p, token{kind: tokOne})
		default:
			b.WriteByte(c)
		}
	}
	flush()
	return p
}

// plain is a pattern of s with no wildcards.
func plain(s string) pattern {
	if s == "" {
		return nil
	}
	return pattern{{kind: tokText, text: s}}
}

// windash splits the text runs of p at every dash character into dash
// classes.
func (p pattern) windash() pattern {
	var out pattern
	for _, t := range p {
		if t.kind != tokText {
			out = append(out, t)
			continue
		}
		rest := t.text
		for {
			i := strings.IndexAny(rest, dashes)
			if i < 0 {
				break
			}
			if i > 0 {
				out = append(out, token{kind: tokText, text: rest[:i]})
			}
			out = append(out, token{kind: tokDash})
			_, n := utf8.DecodeRuneInString(rest[i:])
			rest = rest[i+n:]
		}
		if rest != "" {
			out = append(out, token{kind: tokText, text: rest})
		}
	}
	return out
}

// text reports the pattern's text when it has no wildcard or class.
func (p pattern) text() (string, bool) {
	var b strings.Builder
	for _, t := range p {
		if t.kind != tokText {
			return "", false
		}
		b.WriteString(t.text)
	}
	return b.String(), true
}

// runs returns the plain-text runs of p: a string matching p contains
// every one of them.
func (p pattern) runs() []string {
	var out []string
	for _, t := range p {
		if t.kind == tokText {
			out = append(out, t.text)
		}
	}
	return out
}

// Where a pattern must match within a value.
type anchor uint8

const (
	whole anchor = iota
	prefix
	suffix
	anywhere
)

// compile returns the regular expression that matches the values p
// matches at anchor a: case-insensitive (Unicode simple folding) unless
// cased, and . matching newlines too.
func (p pattern) compile(a anchor, cased bool) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("(?s")
	if !cased {
		b.WriteString("i")
	}
	b.WriteString(")")
	if a == whole || a == prefix {
		b.WriteString(`\A`)
	}
	for _, t := range p {
		switch t.kind {
		case tokText:
			b.WriteString(regexp.QuoteMeta(t.text))
		case tokStar:
			b.WriteString(".*")
		case tokOne:
			b.WriteString(".")
		case tokDash:
			b.WriteString("[-/\u2013\u2014\u2015]")
		}
	}
	if a == whole || a == suffix {
		b.WriteString(`\z`)
	}
	return regexp.MustCompile(b.String())
}
