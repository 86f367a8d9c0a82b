package decode

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// ReasonMalformed is the skip reason of a record that is not valid JSON.
const ReasonMalformed = "malformed JSON"

// ErrMalformed, returned by the fn of DecodeUnchecked, skips the record
// as malformed JSON, exactly where Decode would have skipped it.
var ErrMalformed = errors.New(ReasonMalformed)

// DecodeUnchecked is Decode for the fast path. It splits the object the
// same way, with the same object-level errors and the same skips for
// records that are not objects, too large or too deep, but it does not
// check that a record is well-formed JSON: fn checks the records it
// looks at and returns ErrMalformed for a bad one, which is then counted
// and listed as Decode would have. raw may point into the decoder's read
// buffer: it is valid only until fn returns, as with Decode.
//
// Splitting allocates nothing per record unless a record is larger than
// the read buffer (256 KiB).
func (d *Decoder) DecodeUnchecked(r io.Reader, fn func(index int, raw []byte) error) (Result, error) {
	d.unchecked = true
	return d.decode(r, fn)
}

// fastWindow caps how much of the read buffer scanValueFast uses before
// it copies a value out; tests shrink it to reach the slow path.
var fastWindow = 256 << 10

// scanValueFast is scanValue for objects and arrays, which is what
// records are: it jumps from quote to quote with bytes.IndexByte instead
// of switching on every byte, and hands out the record in place when it
// lies whole in the read buffer. Any other value goes to scanValue.
func (d *Decoder) scanValueFast(br *bufio.Reader) (raw []byte, problem string, err error) {
	first, err := br.Peek(1)
	if err != nil {
		return nil, "", err
	}
	if c := first[0]; c != '{' && c != '[' {
		return d.scanValue(br)
	}
	s := structure{maxDepth: d.limits.MaxDepth}
	// Fast path: the value lies in what the reader holds or can hold.
	scanned := 0
	for {
		buf, _ := br.Peek(br.Buffered())
		if end := s.scan(buf, scanned); end >= 0 {
			raw = buf[:end]
			br.Discard(end)
			return d.problem(raw, len(raw), s.tooDeep)
		}
		scanned = len(buf)
		if scanned >= min(br.Size(), fastWindow) {
			break
		}
		if _, err := br.Peek(scanned + 1); err != nil {
			return nil, "", err
		}
	}
	return d.scanLarge(br, &s)
}

// scanLarge goes on with a value larger than the read buffer, whose
// buffered bytes are scanned, copying it into d.buf up to
// MaxRecordBytes.
func (d *Decoder) scanLarge(br *bufio.Reader, s *structure) ([]byte, string, error) {
	max := d.limits.MaxRecordBytes
	d.buf = d.buf[:0]
	total := 0
	keep := func(b []byte) {
		if total += len(b); total <= max {
			d.buf = append(d.buf, b...)
		}
	}
	window, _ := br.Peek(br.Buffered())
	keep(window)
	br.Discard(len(window))
	for {
		chunk, err := br.Peek(max1(br.Buffered()))
		if len(chunk) == 0 {
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return nil, "", err
		}
		// scan resumes at 0 of each new chunk: the structure state
		// carries over, and positions before the chunk are never read.
		if end := s.scan(chunk, 0); end >= 0 {
			keep(chunk[:end])
			br.Discard(end)
			return d.problem(d.buf, total, s.tooDeep)
		}
		keep(chunk)
		br.Discard(len(chunk))
	}
}

func (d *Decoder) problem(raw []byte, size int, tooDeep bool) ([]byte, string, error) {
	switch {
	case size > d.limits.MaxRecordBytes:
		return nil, fmt.Sprintf("record exceeds %d bytes", d.limits.MaxRecordBytes), nil
	case tooDeep:
		return nil, fmt.Sprintf("record nests deeper than %d", d.limits.MaxDepth), nil
	}
	return raw, "", nil
}

// structure follows strings, escapes and bracket depth through a value
// that starts with '{' or '[', as scanValue does.
type structure struct {
	depth    int
	inString bool
	// escaped: inside a string, the byte where scanning resumes is
	// escaped by a backslash before it.
	escaped  bool
	tooDeep  bool
	maxDepth int
}

// scan resumes at buf[i] and returns the index just past the end of the
// value, or -1 when buf ends first.
func (s *structure) scan(buf []byte, i int) int {
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

// scanBytes is scan without the block scanner, jumping from quote to
// quote with bytes.IndexByte.
func (s *structure) scanBytes(buf []byte, i int) int {
	for i < len(buf) {
		if s.inString {
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
			}
			continue
		}
		c := buf[i]
		i++
		switch c {
		case '"':
			s.inString = true
		case '{', '[':
			if s.depth++; s.depth > s.maxDepth {
				s.tooDeep = true
			}
		case '}', ']':
			if s.depth--; s.depth == 0 {
				return i
			}
		}
	}
	return -1
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

// linesUnchecked is lines for the fast path: a line that fits the read
// buffer is handed on in place, and the nesting is counted only when the
// line has more brackets than MaxDepth.
func (d *Decoder) linesUnchecked(br *bufio.Reader, res *Result, fn func(int, []byte) error) error {
	max := d.limits.MaxRecordBytes
	for index := 0; ; index++ {
		chunk, err := br.ReadSlice('\n')
		tooBig := len(chunk) > max+1
		whole := chunk
		if err == bufio.ErrBufferFull {
			// Slow path: a line longer than the read buffer.
			d.buf = d.buf[:0]
			for {
				if !tooBig {
					if len(d.buf)+len(chunk) > max+1 {
						tooBig = true
					} else {
						d.buf = append(d.buf, chunk...)
					}
				}
				if err != bufio.ErrBufferFull {
					break
				}
				chunk, err = br.ReadSlice('\n')
			}
			whole = d.buf
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("line %d: %w", index, unexpected(err))
		}
		line := bytes.TrimSpace(whole)
		last := err == io.EOF
		switch {
		case tooBig:
			res.Skipped = append(res.Skipped, Skip{Index: index, Reason: fmt.Sprintf("record exceeds %d bytes", max)})
		case len(line) == 0:
		case last && !json.Valid(line):
			res.PartialEnd = true
		default:
			problem := ""
			if bytes.Count(line, []byte{'{'})+bytes.Count(line, []byte{'['}) > d.limits.MaxDepth {
				problem = depthProblem(line, d.limits.MaxDepth)
			}
			if err := d.emit(line, problem, index, res, fn); err != nil {
				return err
			}
		}
		if last {
			return nil
		}
	}
}
