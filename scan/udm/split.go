package udm

import (
	"encoding/json"
	"unicode/utf8"
)

// The record is validated once, whole, by Map's json.Unmarshal; the
// objects and arrays on the table's paths are then split by hand, not
// decoded again: encoding/json validates its whole input on every call,
// and the table reads some objects (requestParameters, responseElements)
// through many paths. These functions assume valid JSON.

// splitObject splits a valid JSON object into its members, the last of
// duplicate keys winning as in encoding/json (members.get).
func splitObject(v span) (members, bool) {
	i := skipSpace(v, 0)
	if i >= len(v) || v[i] != '{' {
		return nil, false
	}
	m := make(members, 0, 16)
	i = skipSpace(v, i+1)
	if i < len(v) && v[i] == '}' {
		return m, true
	}
	for i < len(v) {
		end := endString(v, i)
		if end-i < 2 || v[i] != '"' || v[end-1] != '"' {
			return nil, false
		}
		e := entry{raw: v[i+1 : end-1]}
		if !plain(e.raw) {
			key, ok := decodeString(v[i:end])
			if !ok {
				return nil, false
			}
			e.key, e.dec = key, true
		}
		i = skipSpace(v, end) + 1 // past ':'
		i = skipSpace(v, i)
		end = endValue(v, i)
		e.val = v[i:end]
		m = append(m, e)
		i = skipSpace(v, end)
		if i >= len(v) || v[i] != ',' {
			break // '}'
		}
		i = skipSpace(v, i+1)
	}
	if len(m) > sortedMembers {
		m = m.sorted()
	}
	return m, true
}

// plain reports whether a string's bytes between its quotes are its
// value: no escape, ASCII only.
func plain(b []byte) bool {
	for _, c := range b {
		if c == '\\' || c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// splitArray splits a valid JSON array into its elements.
func splitArray(v span) ([]span, bool) {
	i := skipSpace(v, 0)
	if i >= len(v) || v[i] != '[' {
		return nil, false
	}
	var out []span
	i = skipSpace(v, i+1)
	if i < len(v) && v[i] == ']' {
		return out, true
	}
	for i < len(v) {
		end := endValue(v, i)
		out = append(out, v[i:end])
		i = skipSpace(v, end)
		if i >= len(v) || v[i] != ',' {
			break // ']'
		}
		i = skipSpace(v, i+1)
	}
	return out, true
}

func skipSpace(v span, i int) int {
	for i < len(v) && (v[i] == ' ' || v[i] == '\t' || v[i] == '\n' || v[i] == '\r') {
		i++
	}
	return i
}

// endString returns the index just past the string that starts at i.
func endString(v span, i int) int {
	for i++; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(v)
}

// endValue returns the index just past the value that starts at i.
func endValue(v span, i int) int {
	if i >= len(v) {
		return i
	}
	switch v[i] {
	case '"':
		return endString(v, i)
	case '{', '[':
		depth := 0
		for ; i < len(v); i++ {
			switch v[i] {
			case '"':
				i = endString(v, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return len(v)
	}
	for i < len(v) {
		switch v[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}

// decodeString decodes a JSON string as encoding/json does: one without
// escapes and of ASCII only is its bytes; any other goes through
// encoding/json, which decodes escapes and turns invalid UTF-8 into
// U+FFFD.
func decodeString(v span) (string, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", false
	}
	if plain(v[1 : len(v)-1]) {
		return string(v[1 : len(v)-1]), true
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return "", false
	}
	return s, true
}
