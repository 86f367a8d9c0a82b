package fast

import "bytes"

// recognised reports whether rec, a JSON object, certainly has a
// top-level key by which udm.Detect recognises a CloudTrail or Azure
// Activity record. It reads keys straight from the bytes and skips
// values without decoding them; whenever it is unsure (an escaped key
// that might be the one, bytes that are not JSON) it says false, and the
// record takes the reference path, which decides.
func recognised(rec []byte) bool {
	var (
		evt     []byte
		escaped bool // some key holds an escape
	)
	i := 1 // past '{'
	for {
		i = skipSpace(rec, i)
		if i >= len(rec) || rec[i] != '"' {
			return false
		}
		end, esc := stringEnd(rec, i+1)
		if end < 0 {
			return false
		}
		key := rec[i+1 : end]
		i = skipSpace(rec, end+1)
		if i >= len(rec) || rec[i] != ':' {
			return false
		}
		i = skipSpace(rec, i+1)
		start := i
		if i = skipValue(rec, i); i < 0 {
			return false
		}
		if esc {
			escaped = true
		} else {
			switch string(key) {
			case "eventVersion", "eventSource", "operationName", "resourceId", "correlationId":
				return true
			case "evt":
				evt = rec[start:i] // encoding/json keeps the last duplicate
			}
		}
		i = skipSpace(rec, i)
		if i >= len(rec) || (rec[i] != ',' && rec[i] != '}') {
			return false
		}
		if rec[i] == '}' {
			break
		}
		i++
	}
	if evt == nil || escaped || evt[0] != '{' {
		return false
	}
	// Detect also accepts an "evt" object with a "name" key (Datadog).
	return hasKey(evt, "name")
}

// hasKey reports whether the object obj certainly has key at its top
// level.
func hasKey(obj []byte, want string) bool {
	i := 1
	for {
		i = skipSpace(obj, i)
		if i >= len(obj) || obj[i] != '"' {
			return false
		}
		end, esc := stringEnd(obj, i+1)
		if end < 0 {
			return false
		}
		if !esc && string(obj[i+1:end]) == want {
			return true
		}
		i = skipSpace(obj, end+1)
		if i >= len(obj) || obj[i] != ':' {
			return false
		}
		if i = skipValue(obj, skipSpace(obj, i+1)); i < 0 {
			return false
		}
		i = skipSpace(obj, i)
		if i >= len(obj) || obj[i] != ',' {
			return false
		}
		i++
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// stringEnd returns the index of the quote that closes the string whose
// body starts at b[i], and whether the body holds an escape; -1 when the
// string does not end.
func stringEnd(b []byte, i int) (int, bool) {
	// Fast path: keys and many values are short and plain.
	for j := i; j < len(b) && j < i+24; j++ {
		switch b[j] {
		case '"':
			return j, false
		case '\\':
			return stringEndSlow(b, i)
		}
	}
	return stringEndSlow(b, i)
}

func stringEndSlow(b []byte, i int) (int, bool) {
	esc := false
	for {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return -1, esc
		}
		q := i + j
		n := 0
		for k := q - 1; k >= i && b[k] == '\\'; k-- {
			n++
		}
		if !esc {
			esc = n > 0 || bytes.IndexByte(b[i:q], '\\') >= 0
		}
		if n&1 == 0 {
			return q, esc
		}
		i = q + 1
	}
}

// skipValue returns the index just past the JSON value at b[i], or -1.
// It follows strings and bracket depth only, which is exact for valid
// JSON.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		end, _ := stringEnd(b, i+1)
		if end < 0 {
			return -1
		}
		return end + 1
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				end, _ := stringEnd(b, i+1)
				if end < 0 {
					return -1
				}
				i = end
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	}
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\n', '\r', '\t':
			return i
		}
		i++
	}
	return i
}
