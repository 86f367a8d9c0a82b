package rule

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// lexer turns rule source into tokens on demand. It is lazy so that the
// parser reports the first problem in the file, lexical or grammatical.
type lexer struct {
	src  []byte
	off  int
	prev token // the last token returned: it decides what "/" and "-" mean
}

func newLexer(src []byte) lexer {
	l := lexer{src: src}
	if bytes.HasPrefix(src, []byte("\xef\xbb\xbf")) {
		l.off = 3 // UTF-8 byte order mark, as some editors write
	}
	return l
}

// next returns the next token. After a lexical error (tokIllegal) it
// resumes past the bad text, so that the parser can report it and go on.
func (l *lexer) next() token {
	t := l.scan()
	l.prev = t
	return t
}

func (l *lexer) scan() token {
	if t, ok := l.skipSpace(); !ok {
		return t
	}
	start := l.off
	if start >= len(l.src) {
		return token{kind: tokEOF, off: start, end: start}
	}
	c := l.src[start]
	switch {
	case isIdentStart(c):
		return l.emit(tokIdent, start, l.identEnd(start))
	case isDigit(c), c == '-' && !l.afterValue() && start+1 < len(l.src) && isDigit(l.src[start+1]):
		return l.number(start)
	}
	switch c {
	case '$':
		if end := l.identEnd(start + 1); end > start+1 {
			return l.emit(tokVar, start, end)
		}
		return l.illegal(start, `expected a variable name after "$"`)
	case '%':
		if end := l.identEnd(start + 1); end > start+1 {
			return l.emit(tokRefList, start, end)
		}
		return l.emit(tokArith, start, start+1)
	case '#':
		if end := l.identEnd(start + 1); end > start+1 {
			return l.emit(tokCount, start, end)
		}
	case '"':
		return l.quoted(start)
	case '`':
		return l.raw(start)
	case '/':
		if !l.afterValue() {
			return l.regex(start)
		}
		return l.emit(tokArith, start, start+1)
	case '+', '-', '*':
		return l.emit(tokArith, start, start+1)
	case '=':
		return l.emit(tokEq, start, start+1)
	case '!':
		if l.peekByte(start+1) == '=' {
			return l.emit(tokNe, start, start+2)
		}
		if l.peekByte(start+1) == '$' {
			return l.emit(tokBang, start, start+1)
		}
		return l.illegal(start, `unexpected character "!" (use "not" to negate)`)
	case '<':
		if l.peekByte(start+1) == '=' {
			return l.emit(tokLe, start, start+2)
		}
		return l.emit(tokLt, start, start+1)
	case '>':
		if l.peekByte(start+1) == '=' {
			return l.emit(tokGe, start, start+2)
		}
		return l.emit(tokGt, start, start+1)
	case '{':
		return l.emit(tokLBrace, start, start+1)
	case '}':
		return l.emit(tokRBrace, start, start+1)
	case '(':
		return l.emit(tokLParen, start, start+1)
	case ')':
		return l.emit(tokRParen, start, start+1)
	case '[':
		return l.emit(tokLBrack, start, start+1)
	case ']':
		return l.emit(tokRBrack, start, start+1)
	case ',':
		return l.emit(tokComma, start, start+1)
	case ':':
		return l.emit(tokColon, start, start+1)
	case '.':
		return l.emit(tokDot, start, start+1)
	}
	if c < utf8.RuneSelf && c > ' ' && c != 0x7f {
		return l.illegal(start, fmt.Sprintf("unexpected character %q", rune(c)))
	}
	r, _ := utf8.DecodeRune(l.src[start:])
	if r == utf8.RuneError {
		return l.illegal(start, fmt.Sprintf("unexpected byte 0x%02x", c))
	}
	return l.illegal(start, fmt.Sprintf("unexpected character %U %q", r, r))
}

// afterValue reports whether the previous token ends an operand. Then "/"
// and "-" are operators (which the parser rejects as arithmetic) rather
// than the start of a regex or of a negative number. The rule is the one
// JavaScript lexers use for the same ambiguity.
func (l *lexer) afterValue() bool {
	switch l.prev.kind {
	case tokVar, tokRefList, tokCount, tokString, tokNumber, tokRegex, tokRParen, tokRBrack, tokDuration:
		return true
	case tokIdent:
		return !(l.prev.isKw("and") || l.prev.isKw("or") || l.prev.isKw("not") || l.prev.isKw("in"))
	}
	return false
}

// skipSpace skips whitespace and comments. It fails only on an
// unterminated block comment.
func (l *lexer) skipSpace() (token, bool) {
	for l.off < len(l.src) {
		switch c := l.src[l.off]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			l.off++
		case c == '/' && l.peekByte(l.off+1) == '/':
			if i := bytes.IndexByte(l.src[l.off:], '\n'); i >= 0 {
				l.off += i + 1
			} else {
				l.off = len(l.src)
			}
		case c == '/' && l.peekByte(l.off+1) == '*':
			i := bytes.Index(l.src[l.off+2:], []byte("*/"))
			if i < 0 {
				return l.illegal(l.off, "unterminated comment"), false
			}
			l.off += 2 + i + 2
		default:
			return token{}, true
		}
	}
	return token{}, true
}

// number scans -?[0-9]+(\.[0-9]+)?; exponents and hex are not part of the
// subset.
func (l *lexer) number(start int) token {
	i := start
	if l.src[i] == '-' {
		i++
	}
	i = l.digitsEnd(i)
	if l.peekByte(i) == '.' && isDigit(l.peekByte(i+1)) {
		i = l.digitsEnd(i + 1)
	}
	if c := l.peekByte(i); (c == 's' || c == 'm' || c == 'h' || c == 'd') && l.src[start] != '-' &&
		!isIdentStart(l.peekByte(i+1)) && !isDigit(l.peekByte(i+1)) && l.peekByte(i+1) != '.' {
		return l.emit(tokDuration, start, i+1) // a match window: 5m, 1h, 30s, 2d
	}
	if c := l.peekByte(i); c == '.' || isIdentStart(c) {
		// 1e5, 0x1F, 1.2.3, 5m: say so rather than fail on the tail.
		end := i
		for c := l.peekByte(end); c == '.' || isIdentStart(c) || isDigit(c); c = l.peekByte(end) {
			end++
		}
		return l.illegal(start, fmt.Sprintf("malformed number %q (only decimal integers and fractions)", clip(string(l.src[start:end]))))
	}
	return l.emit(tokNumber, start, i)
}

// quoted scans a double-quoted string. Only \" \\ \n and \t are escapes;
// anything else after a backslash is an error rather than a guess, because
// the usual mistake is a regex like "\." meant as `\.`.
func (l *lexer) quoted(start int) token {
	var buf []byte
	seg := start + 1
	for i := start + 1; ; {
		if i >= len(l.src) || l.src[i] == '\n' {
			return l.illegal(start, "unterminated string")
		}
		switch l.src[i] {
		case '"':
			t := token{kind: tokString, off: start, end: i + 1}
			if buf == nil {
				t.text = string(l.src[seg:i])
			} else {
				t.text = string(append(buf, l.src[seg:i]...))
			}
			l.off = i + 1
			return t
		case '\\':
			if i+1 >= len(l.src) || l.src[i+1] == '\n' {
				return l.illegal(start, "unterminated string")
			}
			var r byte
			switch l.src[i+1] {
			case '"':
				r = '"'
			case '\\':
				r = '\\'
			case 'n':
				r = '\n'
			case 't':
				r = '\t'
			default:
				// An unknown escape keeps its backslash: Google's
				// own rules write "\TEMPLATE\LAYOUTS" in meta, and
				// "\." in a pattern string means the regex \.
				buf = append(buf, l.src[seg:i+1]...)
				seg = i + 1
				i++
				continue
			}
			buf = append(append(buf, l.src[seg:i]...), r)
			i += 2
			seg = i
		default:
			i++
		}
	}
}

// raw scans a backtick string: no escapes, newlines allowed.
func (l *lexer) raw(start int) token {
	i := bytes.IndexByte(l.src[start+1:], '`')
	if i < 0 {
		return l.illegal(start, "unterminated raw string")
	}
	end := start + 1 + i + 1
	l.off = end
	return token{kind: tokString, off: start, end: end, text: string(l.src[start+1 : end-1])}
}

// regex scans /pattern/. A "\/" stands for "/"; every other backslash pair
// is kept for the regex compiler.
func (l *lexer) regex(start int) token {
	var buf []byte
	for i := start + 1; ; {
		if i >= len(l.src) || l.src[i] == '\n' {
			return l.illegal(start, "unterminated regex")
		}
		switch c := l.src[i]; c {
		case '/':
			l.off = i + 1
			return token{kind: tokRegex, off: start, end: i + 1, text: string(buf)}
		case '\\':
			if i+1 >= len(l.src) || l.src[i+1] == '\n' {
				return l.illegal(start, "unterminated regex")
			}
			if l.src[i+1] == '/' {
				buf = append(buf, '/')
			} else {
				buf = append(buf, '\\', l.src[i+1])
			}
			i += 2
		default:
			buf = append(buf, c)
			i++
		}
	}
}

func (l *lexer) emit(k tokKind, start, end int) token {
	l.off = end
	return token{kind: k, off: start, end: end, text: string(l.src[start:end])}
}

// illegal reports a lexical error at off and resumes scanning after the
// bad text: past the character, or at the end of the line of an
// unterminated string or regex (the end of the source for a comment).
func (l *lexer) illegal(off int, msg string) token {
	resume := off + 1
	if off < len(l.src) {
		_, n := utf8.DecodeRune(l.src[off:])
		resume = off + n
	}
	switch {
	case strings.HasPrefix(msg, "unterminated comment"):
		resume = len(l.src)
	case strings.HasPrefix(msg, "unterminated"), strings.HasPrefix(msg, "unknown escape"), strings.HasPrefix(msg, "malformed number"):
		if i := bytes.IndexByte(l.src[min(off, len(l.src)):], '\n'); i >= 0 {
			resume = off + i
		} else {
			resume = len(l.src)
		}
	}
	l.off = max(l.off, min(resume, len(l.src)))
	return token{kind: tokIllegal, off: off, end: off, text: msg}
}

func (l *lexer) peekByte(i int) byte {
	if i < len(l.src) {
		return l.src[i]
	}
	return 0
}

func (l *lexer) identEnd(i int) int {
	if i >= len(l.src) || !isIdentStart(l.src[i]) {
		return i
	}
	for i++; i < len(l.src) && (isIdentStart(l.src[i]) || isDigit(l.src[i])); i++ {
	}
	return i
}

func (l *lexer) digitsEnd(i int) int {
	for i < len(l.src) && isDigit(l.src[i]) {
		i++
	}
	return i
}

func isIdentStart(c byte) bool { return c == '_' || 'a' <= c|0x20 && c|0x20 <= 'z' }
func isDigit(c byte) bool      { return '0' <= c && c <= '9' }
