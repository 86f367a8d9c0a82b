package text

import (
	"strings"
	"unicode/utf8"
)

// Widths here are counted in runes, as the tables of this package align
// them: exact for the Latin, Cyrillic and Greek text of log fields, short
// of the truth for East Asian wide characters and emoji.

// ellipsis marks where Clip and ClipMiddle cut; it takes one column.
const ellipsis = "…"

// Clip escapes s (see Escape) and shortens it to at most n columns,
// ending in "…" when something was cut. It cuts between runes, never
// inside one or inside an escape. n < 1 gives "".
func Clip(s string, n int) string {
	e := Escape(s)
	if utf8.RuneCountInString(e) <= n {
		return e
	}
	if n < 1 {
		return ""
	}
	var b strings.Builder
	w := 0
	for _, u := range units(s) {
		uw := utf8.RuneCountInString(u)
		if w+uw > n-1 {
			break
		}
		b.WriteString(u)
		w += uw
	}
	return b.String() + ellipsis
}

// ClipMiddle is Clip that cuts out the middle instead of the end: both
// ends of an ARN (the account and the session) are what tell principals
// apart.
func ClipMiddle(s string, n int) string {
	e := Escape(s)
	if utf8.RuneCountInString(e) <= n {
		return e
	}
	if n < 1 {
		return ""
	}
	us := units(s)
	headW := (n - 1) / 2
	tailW := n - 1 - headW
	var head, tail []string
	w := 0
	for _, u := range us {
		uw := utf8.RuneCountInString(u)
		if w+uw > headW {
			break
		}
		head = append(head, u)
		w += uw
	}
	w = 0
	for i := len(us) - 1; i >= len(head); i-- {
		uw := utf8.RuneCountInString(us[i])
		if w+uw > tailW {
			break
		}
		tail = append(tail, us[i])
		w += uw
	}
	var b strings.Builder
	b.WriteString(strings.Join(head, ""))
	b.WriteString(ellipsis)
	for i := len(tail) - 1; i >= 0; i-- {
		b.WriteString(tail[i])
	}
	return b.String()
}

// Dash shows an empty value as "-", so a table's columns stay readable.
func Dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
