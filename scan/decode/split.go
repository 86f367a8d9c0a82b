package decode

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/retrohunt/retrohunt/scan/internal/structure"
)

// splitter splits one object into records: it recognises the envelope,
// finds where each record ends (structure.Scanner, the one scanner of
// strings, escapes and depth) and hands what it finds to the policy,
// which is all that differs between Decode and DecodeUnchecked.
type splitter struct {
	d   *Decoder
	br  *bufio.Reader // the decompressed stream
	res *Result
	out policy
	fn  func(index int, raw []byte) error
	// total counts the bytes of the value being copied into d.buf, which
	// holds at most MaxRecordBytes of them.
	total int
}

// fastWindow caps how much of the read buffer a value may take to be
// handed out in place; a larger one is copied. Tests shrink it to reach
// the copying path.
var fastWindow = 256 << 10

func (sp *splitter) records() error {
	br := sp.br
	// A UTF-8 byte order mark is not JSON; drop it.
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte{0xef, 0xbb, 0xbf}) {
		br.Discard(3)
	}
	if err := skipSpace(br); err != nil {
		if err == io.EOF {
			sp.res.Format = FormatEmpty
			return nil
		}
		return err
	}
	if key, ok := envelopeKey(br); ok {
		sp.res.Format = FormatEnvelope
		return sp.envelope(key)
	}
	if c, _ := br.Peek(1); c[0] == '[' {
		// A bare JSON array of records, as some export tools write.
		sp.res.Format = FormatEnvelope
		return sp.envelope("[")
	} else if c[0] != '{' {
		return fmt.Errorf("%w: the object starts with %q", ErrNotJSON, c)
	}
	if firstLineIsRecord(br) {
		sp.res.Format = FormatLines
		return sp.lines()
	}
	sp.res.Format = FormatStream
	return sp.stream()
}

// envelopeKey reports whether the object starts with {"Records": or
// {"records": and consumes up to the colon.
func envelopeKey(br *bufio.Reader) (string, bool) {
	head, _ := br.Peek(64)
	if len(head) == 0 || head[0] != '{' {
		return "", false
	}
	i := 1
	for i < len(head) && isSpace(head[i]) {
		i++
	}
	for _, key := range []string{`"Records"`, `"records"`} {
		if !bytes.HasPrefix(head[i:], []byte(key)) {
			continue
		}
		j := i + len(key)
		for j < len(head) && isSpace(head[j]) {
			j++
		}
		if j < len(head) && head[j] == ':' {
			br.Discard(j + 1)
			return key[1 : len(key)-1], true
		}
	}
	return "", false
}

func (sp *splitter) envelope(key string) error {
	br := sp.br
	if key == "[" {
		key = "top-level array"
	} else if err := skipSpace(br); err != nil {
		return class(ErrEnvelope, "envelope: %q has no value: %w", key, unexpected(err))
	}
	if c, _ := br.Peek(1); c[0] != '[' {
		return class(ErrEnvelope, "envelope: %q is not an array", key)
	}
	br.Discard(1)
	for index := 0; ; index++ {
		if err := skipSpace(br); err != nil {
			return class(ErrTruncatedJSON, "envelope breaks off after %d records: %w", index, unexpected(err))
		}
		if c, _ := br.Peek(1); c[0] == ']' {
			br.Discard(1)
			return nil // what follows the array (other keys, "}") carries no records
		}
		if index > 0 {
			if c, _ := br.Peek(1); c[0] != ',' {
				return class(ErrEnvelope, "envelope: expected , or ] after record %d, found %q", index-1, c)
			}
			br.Discard(1)
			if err := skipSpace(br); err != nil {
				return class(ErrTruncatedJSON, "envelope breaks off after %d records: %w", index, unexpected(err))
			}
		}
		if err := sp.value(index); err != nil {
			return err
		}
	}
}

func (sp *splitter) stream() error {
	for index := 0; ; index++ {
		if err := skipSpace(sp.br); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		if err := sp.value(index); err != nil {
			return err
		}
	}
}

// value reads one JSON value and hands it on, or records why it was
// skipped.
func (sp *splitter) value(index int) error {
	raw, problem, err := sp.scanValue()
	if err != nil {
		return class(ErrTruncatedJSON, "record %d breaks off: %w", index, unexpected(err))
	}
	return sp.emit(raw, problem, index)
}

// emit hands a record to the policy, or lists it in Result.Skipped.
func (sp *splitter) emit(raw []byte, problem string, index int) error {
	switch {
	case problem != "":
	case len(raw) == 0 || raw[0] != '{':
		problem = "record is not a JSON object"
	}
	if problem != "" {
		sp.skip(index, problem)
		return nil
	}
	handed, err := sp.out.record(sp.fn, index, raw)
	if !handed {
		sp.skip(index, ReasonMalformed)
		return nil
	}
	sp.res.Records++
	return err
}

func (sp *splitter) skip(index int, reason string) {
	sp.res.Skipped = append(sp.res.Skipped, Skip{Index: index, Reason: reason})
}

// scanValue reads one JSON value without decoding it. An object, array
// or string that lies whole in the read buffer is handed out in place;
// a larger one is copied into d.buf. A value over MaxRecordBytes or
// MaxDepth is read to its end (so the object can go on) and reported as
// a problem. Well-formedness inside the value is the policy's business.
func (sp *splitter) scanValue() (raw []byte, problem string, err error) {
	br := sp.br
	first, err := br.Peek(1)
	if err != nil {
		return nil, "", err
	}
	from := 0
	switch c := first[0]; c {
	case ',', ':', ']', '}':
		// A stray delimiter (",," in an array) is a bad value of its own;
		// taking just it keeps the caller in step with the structure.
		br.Discard(1)
		return nil, fmt.Sprintf("unexpected %q where a record should start", c), nil
	case '"':
		from = 1 // the string's body
	case '{', '[':
	default:
		return sp.scalar()
	}
	s := structure.Scanner{MaxDepth: sp.d.limits.MaxDepth}
	str := from == 1
	// Fast path: the value lies in what the reader holds or can hold.
	for {
		buf, _ := br.Peek(br.Buffered())
		if end := valueEnd(&s, str, buf, from); end >= 0 {
			raw = buf[:end]
			br.Discard(end)
			return sp.problem(raw, len(raw), s.TooDeep())
		}
		from = len(buf)
		if from >= min(br.Size(), fastWindow) {
			break
		}
		if _, err := br.Peek(from + 1); err != nil {
			return nil, "", err
		}
	}
	return sp.copyValue(&s, str)
}

// valueEnd resumes s on buf at i: a string record ends at its closing
// quote, an object or array at its closing bracket.
func valueEnd(s *structure.Scanner, str bool, buf []byte, i int) int {
	if str {
		return s.String(buf, i)
	}
	return s.Scan(buf, i)
}

// copyValue goes on with a value larger than the read buffer, whose
// buffered bytes s has scanned, copying it into d.buf up to
// MaxRecordBytes.
func (sp *splitter) copyValue(s *structure.Scanner, str bool) ([]byte, string, error) {
	br := sp.br
	sp.d.buf, sp.total = sp.d.buf[:0], 0
	window, _ := br.Peek(br.Buffered())
	sp.keep(window)
	br.Discard(len(window))
	for {
		chunk, err := br.Peek(max1(br.Buffered()))
		if len(chunk) == 0 {
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return nil, "", err
		}
		// The scanner resumes at 0 of each new chunk: its state carries
		// over, and positions before the chunk are never read.
		if end := valueEnd(s, str, chunk, 0); end >= 0 {
			sp.keep(chunk[:end])
			br.Discard(end)
			return sp.problem(sp.d.buf, sp.total, s.TooDeep())
		}
		sp.keep(chunk)
		br.Discard(len(chunk))
	}
}

// scalar reads a record that is a bare number, literal or junk: it ends
// at the next delimiter or space, or at the end of the object. It is no
// object, so only its size decides the skip reason.
func (sp *splitter) scalar() ([]byte, string, error) {
	br := sp.br
	sp.d.buf, sp.total = sp.d.buf[:0], 0
	for {
		chunk, err := br.Peek(max1(br.Buffered()))
		if len(chunk) == 0 {
			if err == io.EOF {
				return sp.problem(sp.d.buf, sp.total, false)
			}
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return nil, "", err
		}
		if end := bytes.IndexAny(chunk, " \n\r\t,]}"); end >= 0 {
			sp.keep(chunk[:end])
			br.Discard(end)
			return sp.problem(sp.d.buf, sp.total, false)
		}
		sp.keep(chunk)
		br.Discard(len(chunk))
	}
}

// keep copies b into d.buf while the value stays within MaxRecordBytes.
func (sp *splitter) keep(b []byte) {
	if sp.total += len(b); sp.total <= sp.d.limits.MaxRecordBytes {
		sp.d.buf = append(sp.d.buf, b...)
	}
}

func (sp *splitter) problem(raw []byte, size int, tooDeep bool) ([]byte, string, error) {
	switch {
	case size > sp.d.limits.MaxRecordBytes:
		return nil, fmt.Sprintf("record exceeds %d bytes", sp.d.limits.MaxRecordBytes), nil
	case tooDeep:
		return nil, fmt.Sprintf("record nests deeper than %d", sp.d.limits.MaxDepth), nil
	}
	return raw, "", nil
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

// firstLineIsRecord tells JSON Lines from pretty-printed JSON: in JSON
// Lines the first line is a whole value.
func firstLineIsRecord(br *bufio.Reader) bool {
	head, _ := br.Peek(br.Size())
	nl := bytes.IndexByte(head, '\n')
	if nl < 0 {
		// One line longer than the buffer, or a single line without a
		// newline: either way it is one record per line.
		return len(head) == br.Size() || json.Valid(head)
	}
	return json.Valid(head[:nl])
}

// lines splits JSON Lines: a line that fits the read buffer is handed on
// in place, a longer one is copied into d.buf up to MaxRecordBytes.
func (sp *splitter) lines() error {
	br, d := sp.br, sp.d
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
			sp.skip(index, fmt.Sprintf("record exceeds %d bytes", max))
		case len(line) == 0:
		case last && !json.Valid(line):
			// An hourly append blob grows while its hour is open; its
			// last line can be half written. Not damage by itself.
			sp.res.PartialEnd = true
		default:
			problem := ""
			// A line with no more brackets than MaxDepth cannot nest
			// deeper: count them before following its structure.
			if bytes.Count(line, []byte{'{'})+bytes.Count(line, []byte{'['}) > d.limits.MaxDepth {
				problem = depthProblem(line, d.limits.MaxDepth)
			}
			if err := sp.emit(line, problem, index); err != nil {
				return err
			}
		}
		if last {
			return nil
		}
	}
}

// depthProblem checks the nesting of a JSON Lines record, which was split
// by newline rather than by its structure: it follows the whole line,
// whatever it holds, value after value.
func depthProblem(line []byte, max int) string {
	s := structure.Scanner{MaxDepth: max}
	for i := 0; i < len(line) && !s.TooDeep(); {
		if i = s.Scan(line, i); i < 0 {
			break
		}
	}
	if s.TooDeep() {
		return fmt.Sprintf("record nests deeper than %d", max)
	}
	return ""
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func skipSpace(br *bufio.Reader) error {
	for {
		buf, err := br.Peek(1)
		if err != nil {
			return err
		}
		if !isSpace(buf[0]) {
			return nil
		}
		// Skip every buffered space at once.
		n := br.Buffered()
		b, _ := br.Peek(n)
		i := 0
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		br.Discard(i)
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }
