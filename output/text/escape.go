package text

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape returns s with everything a terminal would act on rather than
// print written out as Go escapes: C0 and C1 control characters and DEL
// (\x1b, \u0085), line and paragraph separators, the bidirectional
// overrides and isolates that reorder what follows them ("Trojan Source",
// CVE-2021-42574), and bytes that are not UTF-8 (\xff). The result is
// valid UTF-8 without any of them. Backslashes are left alone: the aim is
// a safe display, not a reversible encoding.
func Escape(s string) string {
	// Fast path: printable ASCII, the common case.
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] < 0x7f {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		b.WriteString(unit(r, n, s[i]))
		i += n
	}
	return b.String()
}

// unit renders one decoded rune of width n bytes (first is its first
// byte): itself when printable, else its escape.
func unit(r rune, n int, first byte) string {
	switch {
	case r == utf8.RuneError && n == 1:
		return fmt.Sprintf(`\x%02x`, first)
	case r < 0x80 && r >= 0x20 && r != 0x7f:
		return string(r)
	case hostile(r) && r < 0x100:
		return fmt.Sprintf(`\x%02x`, r)
	case hostile(r):
		return fmt.Sprintf(`\u%04x`, r)
	}
	return string(r)
}

// hostile reports whether a terminal acts on r instead of printing it.
func hostile(r rune) bool {
	switch {
	case unicode.IsControl(r): // C0, DEL, C1
		return true
	case r == '\u2028' || r == '\u2029': // line and paragraph separators
		return true
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069', r == '\u200e', r == '\u200f', r == '\u061c':
		return true // bidirectional embeddings, overrides, isolates and marks
	}
	return false
}

// units splits s into what Escape prints for each of its runes (or
// invalid bytes), so that clipping never cuts a rune or an escape in
// half.
func units(s string) []string {
	out := make([]string, 0, len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		out = append(out, unit(r, n, s[i]))
		i += n
	}
	return out
}
