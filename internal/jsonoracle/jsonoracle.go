// Package jsonoracle is test support: answers about a JSON value's
// structure written the plain way, one byte at a time, sharing no code
// with the structure scanner (scan/internal/structure), so that the
// scanner's users can be checked against them. Only tests import it.
package jsonoracle

// NestedEnd is where the first value nested in raw ends: the index past
// the first close bracket outside strings that takes raw's depth from 2
// back to 1, or 0 when raw's own close bracket comes first or raw ends.
// It is the splitter's hint (decode.Decoder.FirstNestedEnd) for a record.
func NestedEnd(raw []byte) int {
	depth, inString, escaped := 0, false, false
	for i, c := range raw {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			if depth--; depth == 1 {
				return i + 1
			}
			if depth == 0 {
				return 0
			}
		}
	}
	return 0
}
