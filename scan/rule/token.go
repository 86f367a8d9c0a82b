package rule

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

type tokKind uint8

const (
	tokEOF      tokKind = iota
	tokIllegal          // a lexical error; text holds the message
	tokIdent            // names and keywords (keywords are case-insensitive)
	tokVar              // $name
	tokRefList          // %name, a reference list
	tokCount            // #name, an event count
	tokBang             // "!" before a variable: "!$e"
	tokDuration         // 5m, 1h: a match window
	tokString           // text holds the unescaped value
	tokNumber           // text holds the number as written
	tokRegex            // text holds the pattern with \/ turned into /
	tokArith            // + - * / %
	tokLBrace
	tokRBrace
	tokLParen
	tokRParen
	tokLBrack
	tokRBrack
	tokComma
	tokColon
	tokDot
	tokEq
	tokNe
	tokLt
	tokGt
	tokLe
	tokGe
)

// token is one lexeme. off and end are byte offsets into the source.
type token struct {
	kind     tokKind
	off, end int
	text     string
}

// isKw reports whether t is the keyword kw; YARA-L keywords are
// case-insensitive.
func (t token) isKw(kw string) bool {
	return t.kind == tokIdent && strings.EqualFold(t.text, kw)
}

// op returns the comparison operator t spells, if any.
func (t token) op() (Op, bool) {
	switch t.kind {
	case tokEq:
		return OpEq, true
	case tokNe:
		return OpNe, true
	case tokLt:
		return OpLt, true
	case tokGt:
		return OpGt, true
	case tokLe:
		return OpLe, true
	case tokGe:
		return OpGe, true
	}
	return 0, false
}

// describe names t for "expected X, found Y" messages.
func describe(t token) string {
	switch t.kind {
	case tokEOF:
		return "end of file"
	case tokIdent:
		return strconv.Quote(t.text)
	case tokVar:
		return "variable " + t.text
	case tokRefList:
		return "reference list " + t.text
	case tokCount:
		return "event count " + t.text
	case tokString:
		return "string " + strconv.Quote(clip(t.text))
	case tokNumber:
		return "number " + t.text
	case tokRegex:
		return "regex /" + clip(t.text) + "/"
	case tokDuration:
		return "duration " + t.text
	}
	return strconv.Quote(t.text)
}

// clip shortens long literals in messages. It cuts between runes: a
// message is printed and quoted, and half a rune would show as garbage.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
