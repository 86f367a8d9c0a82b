package rule

import "strings"

// The append helpers below are the inverse of the lexer: each escapes
// exactly what the lexer unescapes, so printed rules read back unchanged.

// appendQuoted appends s as a double-quoted string.
func appendQuoted(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, `\n`...)
		case '\t':
			dst = append(dst, `\t`...)
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

// appendPattern appends a re.regex pattern argument, as a backtick string
// when it can be one because regexes read best without doubled
// backslashes.
func appendPattern(dst []byte, p string) []byte {
	if strings.IndexByte(p, '`') >= 0 {
		return appendQuoted(dst, p)
	}
	dst = append(dst, '`')
	dst = append(dst, p...)
	return append(dst, '`')
}

// appendSlashRegex appends /p/. Backslash pairs are copied whole so that
// "\\" followed by "/" is not mistaken for an escaped slash.
func appendSlashRegex(dst []byte, p string) []byte {
	dst = append(dst, '/')
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '\\' && i+1 < len(p):
			dst = append(dst, c, p[i+1])
			i++
		case c == '/':
			dst = append(dst, `\/`...)
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '/')
}
