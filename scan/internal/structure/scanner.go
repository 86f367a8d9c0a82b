// Package structure is the one scanner of JSON structure in retrohunt: it
// follows strings, escapes and bracket depth through bytes without
// decoding them, which is enough to find where a value ends. The record
// splitter (scan/decode) and the fast path's key reader (scan/fast) both
// use it; on amd64 it takes 64-byte blocks at a time with AVX-512BW or
// AVX2 (scanner_amd64.s), and the purego build follows every byte.
//
// It does not check that the bytes are JSON: a caller that needs
// well-formedness validates the value it was handed.
package structure

import "bytes"

// Scanner follows strings, escapes and bracket depth. It is resumable:
// Scan and String may be called on a buffer piece by piece, the state
// carrying over. The zero value is at the start of a value, with a
// maximum depth of 0.
type Scanner struct {
	// MaxDepth is the nesting past which TooDeep reports true.
	MaxDepth int

	depth    int
	inString bool
	// escaped: inside a string, the byte where scanning resumes is
	// escaped by a backslash before it.
	escaped bool
	tooDeep bool
	// firstEnd is FirstNestedEnd's answer, 0 until a close bracket takes
	// the depth to 1.
	firstEnd int
}

// FirstNestedEnd returns the index just past the first close bracket
// that took the depth from 2 back to 1, or 0 when none did yet: for a
// Scanner that started at a value's opening bracket, where the first
// object or array nested in that value ends (in valid JSON the first
// bracket after the value's own opens it, so this is exact; in bytes
// that are not JSON it is merely some close bracket). The index is into
// the buffer of the Scan call that found it: a caller that scans one
// buffer from the value's start reads it as an index into the value
// (the record splitter, whose hint saves the fast path's key walk a
// second scan of the value, scan/fast).
func (s *Scanner) FirstNestedEnd() int { return s.firstEnd }

// TooDeep reports whether the brackets scanned so far nested deeper than
// MaxDepth.
func (s *Scanner) TooDeep() bool { return s.tooDeep }

// Scan resumes at buf[i] and returns the index just past the close
// bracket that brings the depth back to 0 (the end of a value that
// started with '{' or '['), or -1 when buf ends first. A close bracket at
// depth 0 takes the depth below 0 and does not end anything; bytes
// outside strings other than brackets are passed over.
func (s *Scanner) Scan(buf []byte, i int) int {
	for i < len(buf) {
		// Fast path: whole 64-byte blocks without a backslash.
		end, next := s.blocks(buf, i)
		if end >= 0 {
			return end
		}
		// Slow path: the block at next (escapes, or the last bytes).
		stop := min(len(buf), next+64)
		if end := s.scanBytes(buf[:stop], next); end >= 0 {
			return end
		}
		i = stop
	}
	return -1
}

// String resumes inside a string at buf[i] and returns the index just
// past its closing quote, or -1 when buf ends first (the state carries
// over to the next call). A fresh Scanner starts a string after its
// opening quote.
func (s *Scanner) String(buf []byte, i int) int {
	s.inString = true
	if end := s.stringEnd(buf, i); end >= 0 {
		return end
	}
	return -1
}

// scanBytes is Scan without the block scanner, jumping from quote to
// quote with bytes.IndexByte.
func (s *Scanner) scanBytes(buf []byte, i int) int {
	for i < len(buf) {
		if s.inString {
			if i = s.stringEnd(buf, i); i < 0 {
				return -1
			}
			continue
		}
		c := buf[i]
		i++
		switch c {
		case '"':
			s.inString = true
		case '{', '[':
			if s.depth++; s.depth > s.MaxDepth {
				s.tooDeep = true
			}
		case '}', ']':
			s.depth--
			if s.depth == 0 {
				return i
			}
			if s.depth == 1 && s.firstEnd == 0 {
				s.firstEnd = i
			}
		}
	}
	return -1
}

// stringEnd resumes inside a string at buf[i] and returns the index past
// its closing quote (and leaves the string), or -1 when buf ends first.
func (s *Scanner) stringEnd(buf []byte, i int) int {
	for {
		j := bytes.IndexByte(buf[i:], '"')
		if j < 0 {
			s.escaped = oddRun(buf, i, len(buf), s.escaped)
			return -1
		}
		q := i + j
		// The quote is escaped when an odd number of backslashes
		// precede it.
		escaped := oddRun(buf, i, q, s.escaped)
		s.escaped = false
		i = q + 1
		if !escaped {
			s.inString = false
			return i
		}
	}
}

// oddRun reports whether the byte at end is escaped: whether the run of
// backslashes ending just before it is odd. from is where scanning
// resumed; carry says the byte at from was itself escaped.
func oddRun(buf []byte, from, end int, carry bool) bool {
	n := 0
	for k := end - 1; k >= from && buf[k] == '\\'; k-- {
		n++
	}
	if n == end-from && carry {
		n++
	}
	return n&1 == 1
}
