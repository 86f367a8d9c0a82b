package structure

import (
	"bytes"
	"math/bits"
)

// StringEnd returns the index just past the quote that closes the string
// whose body starts at buf[i], and whether the body holds a backslash;
// -1 when buf ends first. It is String for a string that lies wholly in
// buf, for callers that read many short strings (the fast path's key
// walk): it needs no Scanner, and a body without a backslash (nearly
// every key and value) ends at its first quote, so it looks for the
// quote and the backslash together, 8 bytes at a time over the first
// 32 bytes (no call for a short key), then with the vector search
// (bytes.IndexByte) for the quote and for a backslash before it. A body
// with a backslash is followed by String, which knows escapes. i must
// be in [0, len(buf)].
func StringEnd(buf []byte, i int) (int, bool) {
	start := i
	// Fast path: 8 bytes at a time. The lowest byte the SWAR tests flag
	// is exact (a false flag only follows a true one), so it is the
	// first quote or backslash.
	for stop := min(len(buf), i+shortString) - 8; i <= stop; i += 8 {
		w := load64(buf, i)
		if m := hasByte(w, '"') | hasByte(w, '\\'); m != 0 {
			i += bits.TrailingZeros64(m) >> 3
			if buf[i] == '\\' {
				return escapedStringEnd(buf, start)
			}
			return i + 1, false
		}
	}
	if len(buf)-i >= 8 {
		// A long string: the quote, then a backslash before it, with
		// the vector search.
		q := bytes.IndexByte(buf[i:], '"')
		if q < 0 {
			return -1, false
		}
		if bytes.IndexByte(buf[i:i+q], '\\') >= 0 {
			return escapedStringEnd(buf, start)
		}
		return i + q + 1, false
	}
	for ; i < len(buf); i++ {
		switch buf[i] {
		case '"':
			return i + 1, false
		case '\\':
			return escapedStringEnd(buf, start)
		}
	}
	return -1, false
}

// shortString is how far StringEnd looks 8 bytes at a time before it
// takes the string for a long one.
const shortString = 32

// escapedStringEnd is StringEnd for a body that holds a backslash before
// its first quote.
func escapedStringEnd(buf []byte, i int) (int, bool) {
	var s Scanner
	if end := s.String(buf, i); end >= 0 {
		return end, true
	}
	return -1, false
}

// ValueEnd returns the index just past the close bracket that ends the
// object or array starting at buf[i], or -1 when buf ends first: Scan
// from a fresh Scanner without a depth limit, for a value that lies
// wholly in buf.
func ValueEnd(buf []byte, i int) int {
	s := Scanner{MaxDepth: maxInt}
	return s.Scan(buf, i)
}

const maxInt = int(^uint(0) >> 1)

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// hasByte has the high bit of each byte of w that equals c set, and
// perhaps of bytes above such a byte; none when no byte equals c.
func hasByte(w uint64, c byte) uint64 {
	x := w ^ ones*uint64(c)
	return (x - ones) &^ x & highs
}
