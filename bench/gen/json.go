package gen

import (
	"strconv"
	"time"
)

// The generator builds JSON by appending to a byte slice: no reflection
// and no allocation per record. Object keys are Go literals that need no
// escaping; values go through appendString. A field helper writes the
// separating comma itself unless it opens the enclosing object or array.

func sep(b []byte) []byte {
	if c := b[len(b)-1]; c != '{' && c != '[' {
		b = append(b, ',')
	}
	return b
}

func key(b []byte, k string) []byte {
	b = sep(b)
	b = append(b, '"')
	b = append(b, k...)
	return append(b, '"', ':')
}

func fstr(b []byte, k, v string) []byte { return appendString(key(b, k), v) }

// fraw writes v verbatim: a pre-rendered JSON value.
func fraw(b []byte, k string, v []byte) []byte { return append(key(b, k), v...) }

func fint(b []byte, k string, v int64) []byte { return strconv.AppendInt(key(b, k), v, 10) }

func fbool(b []byte, k string, v bool) []byte { return strconv.AppendBool(key(b, k), v) }

func fnull(b []byte, k string) []byte { return append(key(b, k), "null"...) }

// fobj opens an object value; close it with append(b, '}').
func fobj(b []byte, k string) []byte { return append(key(b, k), '{') }

// farr opens an array value; close it with append(b, ']').
func farr(b []byte, k string) []byte { return append(key(b, k), '[') }

// elem writes the comma before an array element or object when needed.
func elem(b []byte) []byte { return sep(b) }

// appendString appends s as a JSON string. CloudTrail escapes only what
// JSON requires, so this does too.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue // Fast path
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\t':
			b = append(b, '\\', 't')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, '\\', 'u', '0', '0', hexLower[c>>4], hexLower[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendTime appends t as CloudTrail writes eventTime: RFC 3339, whole
// seconds, "Z".
func appendTime(b []byte, t time.Time) []byte {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	b = append(b, '"')
	b = append4(b, y)
	b = append(b, '-')
	b = append2(b, int(mo))
	b = append(b, '-')
	b = append2(b, d)
	b = append(b, 'T')
	b = append2(b, h)
	b = append(b, ':')
	b = append2(b, mi)
	b = append(b, ':')
	b = append2(b, s)
	return append(b, 'Z', '"')
}

// appendTime7 appends t as the Azure export writes time: seven fractional
// digits (100 ns ticks), "Z".
func appendTime7(b []byte, t time.Time) []byte {
	b = appendTime(b, t)
	b = b[:len(b)-2]
	b = append(b, '.')
	ticks := t.Nanosecond() / 100
	for div := 1000000; div > 0; div /= 10 {
		b = append(b, byte('0'+ticks/div%10))
	}
	return append(b, 'Z', '"')
}

func append2(b []byte, v int) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }

func append4(b []byte, v int) []byte {
	return append(b, byte('0'+v/1000), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
}

// appendIPv4 appends a dotted quad.
func appendIPv4(b []byte, v uint32) []byte {
	for i := 3; i >= 0; i-- {
		b = strconv.AppendUint(b, uint64(v>>(8*uint(i)))&0xff, 10)
		if i > 0 {
			b = append(b, '.')
		}
	}
	return b
}
