package fast

import (
	"bytes"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// appendUnescaped appends rec with every JSON string escape decoded the
// way encoding/json decodes it (\uXXXX pairs joined, lone surrogates
// replaced by U+FFFD), so that each decoded string of the record appears
// in the result as one run of bytes. Bytes outside escapes are copied
// as they are: invalid UTF-8, which encoding/json replaces by U+FFFD,
// only ever sits next to a literal, never inside one (literals hold no
// U+FFFD). A malformed escape is copied as is; such a record is not
// valid JSON and the reference path skips it.
func appendUnescaped(dst, rec []byte) []byte {
	for i := 0; i < len(rec); {
		j := bytes.IndexByte(rec[i:], '\\')
		if j < 0 {
			return append(dst, rec[i:]...)
		}
		dst = append(dst, rec[i:i+j]...)
		i += j
		c := rec[i]
		if i+1 >= len(rec) {
			dst = append(dst, c)
			i++
			continue
		}
		switch e := rec[i+1]; e {
		case '"', '\\', '/', '\'':
			dst = append(dst, e)
			i += 2
		case 'b':
			dst = append(dst, '\b')
			i += 2
		case 'f':
			dst = append(dst, '\f')
			i += 2
		case 'n':
			dst = append(dst, '\n')
			i += 2
		case 'r':
			dst = append(dst, '\r')
			i += 2
		case 't':
			dst = append(dst, '\t')
			i += 2
		case 'u':
			r := getu4(rec[i:])
			if r < 0 {
				dst = append(dst, c)
				i++
				continue
			}
			i += 6
			if utf16.IsSurrogate(r) {
				if dec := utf16.DecodeRune(r, getu4(rec[i:])); dec != unicode.ReplacementChar {
					r = dec
					i += 6
				} else {
					r = unicode.ReplacementChar
				}
			}
			dst = utf8.AppendRune(dst, r)
		default:
			dst = append(dst, c)
			i++
		}
	}
	return dst
}

// getu4 decodes \uXXXX at the start of s, or returns -1.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c = c - '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}
