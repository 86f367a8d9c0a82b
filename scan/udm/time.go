package udm

import "time"

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
