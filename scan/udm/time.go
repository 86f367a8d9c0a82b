package udm

import (
	"encoding/binary"
	"time"
)

// ParseTime reads an event time in the forms real exports hold:
//
//   - RFC 3339, with or without a fraction of 1 to 9 digits, "T" or "t"
//     between date and time, "Z", "z" or an offset ("2024-08-01T12:19:17Z",
//     Azure's "2019-01-14T19:31:53.6431339Z", "...+02:00");
//   - a space instead of the "T", as CloudTrail Lake and Athena exports
//     write it ("2025-01-13 19:58:59.000000000");
//   - either of those without a zone, which is taken as UTC: CloudTrail
//     and Azure Activity times are UTC, and the exports that drop the
//     zone write UTC times.
//
// Anything else (a placeholder such as "redacted", an empty string,
// white space around the time, more than 9 fraction digits, a date that
// does not exist) is not a time. It allocates nothing, so the fast path
// reads every record's time with it.
func ParseTime(s string) (time.Time, bool) { return parseTime(s) }

// ParseTimeBytes is ParseTime on bytes.
func ParseTimeBytes(b []byte) (time.Time, bool) { return parseTime(b) }

func parseTime[T string | []byte](s T) (time.Time, bool) {
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	if c := s[10]; c != 'T' && c != 't' && c != ' ' {
		return time.Time{}, false
	}
	year, ok1 := digits(s, 0, 4)
	month, ok2 := digits(s, 5, 2)
	day, ok3 := digits(s, 8, 2)
	hour, ok4 := digits(s, 11, 2)
	min, ok5 := digits(s, 14, 2)
	sec, ok6 := digits(s, 17, 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 || hour > 23 || min > 59 || sec > 59 {
		return time.Time{}, false
	}
	i, nsec := 19, 0
	if i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		n := j - i - 1
		if n < 1 || n > 9 {
			return time.Time{}, false
		}
		nsec, _ = digits(s, i+1, n)
		for ; n < 9; n++ {
			nsec *= 10
		}
		i = j
	}
	offset := 0
	switch {
	case i == len(s): // no zone: UTC
	case (s[i] == 'Z' || s[i] == 'z') && i+1 == len(s):
	case (s[i] == '+' || s[i] == '-') && i+6 == len(s) && s[i+3] == ':':
		oh, ok1 := digits(s, i+1, 2)
		om, ok2 := digits(s, i+4, 2)
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return time.Time{}, false
		}
		offset = (oh*60 + om) * 60
		if s[i] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, min, sec, nsec, time.UTC)
	if t.Day() != day { // February 30th rolled over
		return time.Time{}, false
	}
	return t.Add(-time.Duration(offset) * time.Second), true
}

// digits reads n decimal digits of s from i.
func digits[T string | []byte](s T, i, n int) (int, bool) {
	v := 0
	for k := i; k < i+n; k++ {
		c := s[k]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// FormatTime is the one form metadata.event_timestamp takes once read:
// RFC 3339 in UTC with as many fraction digits as needed.
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// IsTimeBytes reports whether ParseTimeBytes reads b as a time, without
// building the time: the fast path asks it of every record's time, and
// time.Date and its checks were most of ParseTimeBytes' cost there. The
// date and clock ("2006-01-02T15:04:05", 19 bytes) are checked 8 bytes
// at a time, and a date that does not exist is one past the days of its
// month (the proleptic Gregorian calendar time.Date follows) rather than
// one that time.Date rolls over.
func IsTimeBytes(b []byte) bool {
	if len(b) < 19 {
		return false
	}
	// Fast path: "YYYY-MM-" and "DDTHH:MM" as words, the digits checked
	// together (the high nibble 3, and no carry out of the low one when
	// 6 is added), the separators byte by byte.
	w0, w1 := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])
	const (
		digits0 = 0x00ffff00ffffffff // YYYY-MM-
		digits1 = 0xffff00ffff00ffff // DDTHH:MM
	)
	if !wordDigits(w0, digits0) || !wordDigits(w1, digits1) ||
		b[4] != '-' || b[7] != '-' || b[13] != ':' || b[16] != ':' ||
		b[17]-'0' > 9 || b[18]-'0' > 9 {
		return false
	}
	if c := b[10]; c != 'T' && c != 't' && c != ' ' {
		return false
	}
	year := int(b[0]-'0')*1000 + int(b[1]-'0')*100 + int(b[2]-'0')*10 + int(b[3]-'0')
	month := int(b[5]-'0')*10 + int(b[6]-'0')
	day := int(b[8]-'0')*10 + int(b[9]-'0')
	if month < 1 || month > 12 || day < 1 || day > daysIn(month, year) ||
		b[11] > '2' || b[11] == '2' && b[12] > '3' || b[14] > '5' || b[17] > '5' {
		return false
	}
	i := 19
	if i < len(b) && b[i] == '.' {
		j := i + 1
		for j < len(b) && b[j]-'0' <= 9 {
			j++
		}
		if n := j - i - 1; n < 1 || n > 9 {
			return false
		}
		i = j
	}
	switch {
	case i == len(b):
		return true
	case b[i] == 'Z' || b[i] == 'z':
		return i+1 == len(b)
	case b[i] == '+' || b[i] == '-':
		return i+6 == len(b) && b[i+3] == ':' &&
			b[i+1]-'0' <= 2 && b[i+2]-'0' <= 9 && (b[i+1] < '2' || b[i+2] <= '3') &&
			b[i+4]-'0' <= 5 && b[i+5]-'0' <= 9
	}
	return false
}

// wordDigits reports whether the bytes of w under mask are ASCII digits.
func wordDigits(w, mask uint64) bool {
	const (
		high  = 0xf0f0f0f0f0f0f0f0
		three = 0x3030303030303030
		six   = 0x0606060606060606
	)
	return w&mask&high == three&mask && (w+six)&mask&high == three&mask
}

// daysIn is the number of days of month in year.
func daysIn(month, year int) int {
	if month == 2 {
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	}
	return 30 + (month+month>>3)&1
}
