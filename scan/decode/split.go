package decode

import (
	"bufio"
	"fmt"
	"io"
)

// scanValue reads one JSON value from br into d.buf without decoding it:
// it follows only strings, escapes and bracket depth, which is enough to
// find where the value ends. A value over MaxRecordBytes or MaxDepth is
// read to its end (so the object can go on) and reported as a problem.
// Well-formedness inside the value is checked by the caller.
func (d *Decoder) scanValue(br *bufio.Reader) (raw []byte, problem string, err error) {
	d.buf = d.buf[:0]
	max := d.limits.MaxRecordBytes
	tooBig, tooDeep := false, false
	keep := func(b []byte) {
		if tooBig {
			return
		}
		if len(d.buf)+len(b) > max {
			tooBig = true
			return
		}
		d.buf = append(d.buf, b...)
	}
	first, err := br.Peek(1)
	if err != nil {
		return nil, "", err
	}
	if c := first[0]; c == ',' || c == ':' || c == ']' || c == '}' {
		// A stray delimiter (",," in an array) is a bad value of its own;
		// taking just it keeps the caller in step with the structure.
		br.Discard(1)
		return nil, fmt.Sprintf("unexpected %q where a record should start", c), nil
	}
	var (
		depth    int
		inString bool
		escaped  bool
		scalar   = first[0] != '{' && first[0] != '[' && first[0] != '"'
		started  bool
	)
	for {
		chunk, err := br.Peek(max1(br.Buffered()))
		if len(chunk) == 0 {
			if err == io.EOF && scalar && started {
				return d.result(tooBig, tooDeep)
			}
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return nil, "", err
		}
		for i := 0; i < len(chunk); i++ {
			c := chunk[i]
			switch {
			case scalar:
				if isSpace(c) || c == ',' || c == ']' || c == '}' {
					keep(chunk[:i])
					br.Discard(i)
					return d.result(tooBig, tooDeep)
				}
			case inString:
				switch {
				case escaped:
					escaped = false
				case c == '\\':
					escaped = true
				case c == '"':
					inString = false
					if depth == 0 {
						keep(chunk[:i+1])
						br.Discard(i + 1)
						return d.result(tooBig, tooDeep)
					}
				}
			case c == '"':
				inString = true
			case c == '{' || c == '[':
				depth++
				if depth > d.limits.MaxDepth {
					tooDeep = true
				}
			case c == '}' || c == ']':
				depth--
				if depth == 0 {
					keep(chunk[:i+1])
					br.Discard(i + 1)
					return d.result(tooBig, tooDeep)
				}
			}
			started = true
		}
		keep(chunk)
		br.Discard(len(chunk))
	}
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

func (d *Decoder) result(tooBig, tooDeep bool) ([]byte, string, error) {
	switch {
	case tooBig:
		return nil, fmt.Sprintf("record exceeds %d bytes", d.limits.MaxRecordBytes), nil
	case tooDeep:
		return nil, fmt.Sprintf("record nests deeper than %d", d.limits.MaxDepth), nil
	}
	return d.buf, "", nil
}

// depthProblem checks the nesting of a JSON Lines record, which was split
// by newline rather than by scanValue.
func depthProblem(b []byte, max int) string {
	depth, inString, escaped := 0, false, false
	for _, c := range b {
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
			if depth++; depth > max {
				return fmt.Sprintf("record nests deeper than %d", max)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return ""
}
