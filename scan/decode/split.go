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
	br  *input // the decompressed object
	res *Result
	out policy
	fn  func(index int, raw []byte) error
	// total counts the bytes of the value being copied into d.buf, which
	// holds at most MaxRecordBytes of them.
	total int
	// index is the index of the next record (next).
	index int
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
	// An object is a sequence of documents (concatenated files, gzip
	// members one after another): each is read, none is dropped.
	for first := true; ; first = false {
		if err := skipSpace(br); err != nil {
			if err == io.EOF {
				if first {
					sp.res.Format = FormatEmpty
				}
				return nil
			}
			return err
		}
		c, _ := br.Peek(1)
		switch {
		case c[0] == '[':
			// A bare JSON array of records, as some export tools write.
			if first {
				sp.res.Format = FormatEnvelope
			}
			br.Discard(1)
			if err := sp.array("top-level array"); err != nil {
				return err
			}
		case c[0] == '{':
			lines, err := sp.object(first)
			if err != nil || lines {
				return err
			}
		case first:
			return fmt.Errorf("%w: the object starts with %q", ErrNotJSON, c)
		default:
			// Junk after a document is a record that is not an object.
			if err := sp.value(sp.next()); err != nil {
				return err
			}
		}
	}
}

// next returns the index of the next record: records are counted across
// the object, through every document and every Records array in it, so
// that an index names one record of the object.
func (sp *splitter) next() int {
	sp.index++
	return sp.index - 1
}

// envelopeKeys name the arrays of records in an envelope: CloudTrail's
// "Records", pre-2018 Azure exports' "records", the output of `aws
// cloudtrail lookup-events` ("Events", each element holding the record
// as a string in CloudTrailEvent), and CloudWatch Logs subscription
// data ("logEvents", each holding the record as a string in message).
// The elements of the last two are unwrapped by Unwrap.
var envelopeKeys = []string{"Records", "records", "Events", "logEvents"}

// maxEnvelopeKey is the length of the longest envelope key.
const maxEnvelopeKey = len("logEvents")

// envelopeKey returns a top-level key (its bytes as stored, without
// quotes) when it names the records of an envelope, else "".
func envelopeKey(key []byte) string {
	for _, k := range envelopeKeys {
		if string(key) == k {
			return k
		}
	}
	return ""
}

// strictKey reports whether a key is an envelope's whatever its value:
// "Records" that is not an array breaks the envelope, while an "Events"
// or "logEvents" member that is no array is a member like any other.
func strictKey(key string) bool { return key == "Records" || key == "records" }

// array reads the records of an envelope's array, whose '[' was consumed,
// up to and including its ']'.
func (sp *splitter) array(key string) error {
	br := sp.br
	for n := 0; ; n++ {
		if err := skipSpace(br); err != nil {
			return class(ErrTruncatedJSON, "envelope breaks off after %d records: %w", sp.index, unexpected(err))
		}
		if c, _ := br.Peek(1); c[0] == ']' {
			br.Discard(1)
			return nil
		}
		if n > 0 {
			if c, _ := br.Peek(1); c[0] != ',' {
				return class(ErrEnvelope, "envelope: expected , or ] after record %d in %s, found %q", sp.index-1, key, c)
			}
			br.Discard(1)
			if err := skipSpace(br); err != nil {
				return class(ErrTruncatedJSON, "envelope breaks off after %d records: %w", sp.index, unexpected(err))
			}
		}
		if err := sp.value(sp.next()); err != nil {
			return err
		}
	}
}

// object reads a top-level object, whose '{' is the next byte: an
// envelope if it has a "Records" or "records" key whose value is an
// array, wherever the key stands among the others, else a record. It
// streams: the members before the key are passed over by the structure
// scanner while the bytes are kept as a record would be (in place, or
// copied up to MaxRecordBytes), and dropped once the key shows it is an
// envelope; the array's records are handed on as they come, and so are
// those of every further Records array (a duplicate key) up to the
// closing brace. Other top-level members of an envelope carry no
// records and are passed over.
//
// first is the object's first document: a record there decides between
// JSON Lines and a stream of values, and lines reports that the rest of
// the object was read as JSON Lines.
func (sp *splitter) object(first bool) (lines bool, err error) {
	c := cursor{sp: sp, keep: true, first: first, p: 1} // past the '{'
	envelope := false
	for members := 0; ; members++ {
		b, err := c.nonSpace()
		if err != nil {
			return c.brokeOff(first, envelope, err)
		}
		if b == '}' {
			c.p++
			break
		}
		if members > 0 {
			if b != ',' {
				return c.malformed(first, envelope, b)
			}
			c.p++
			if b, err = c.nonSpace(); err != nil {
				return c.brokeOff(first, envelope, err)
			}
		}
		if b != '"' {
			return c.malformed(first, envelope, b)
		}
		c.p++
		key, err := c.key()
		if err != nil {
			return c.brokeOff(first, envelope, err)
		}
		if b, err = c.nonSpace(); err != nil {
			return c.brokeOff(first, envelope, err)
		}
		if b != ':' {
			return c.malformed(first, envelope, b)
		}
		c.p++
		if b, err = c.nonSpace(); err != nil {
			return c.brokeOff(first, envelope, err)
		}
		if key != "" && b != '[' && !strictKey(key) {
			key = ""
		}
		if key != "" {
			if b != '[' {
				return false, class(ErrEnvelope, "envelope: %q is not an array", key)
			}
			// An envelope: what was kept is no record.
			if !envelope && first {
				sp.res.Format = FormatEnvelope
			}
			envelope = true
			c.drop()
			c.keep = false
			sp.br.Discard(1)
			if err := sp.array(key); err != nil {
				return false, err
			}
			continue
		}
		nested := c.nested == 0 && (b == '{' || b == '[')
		if err := c.skipValue(b); err != nil {
			return c.brokeOff(first, envelope, err)
		}
		if nested {
			// The first value nested in the object: c.p is past its
			// end, which is the record's hint while no byte of it was
			// copied (and discarded) yet.
			c.nested = -1
			if !c.copying {
				c.nested = c.p
			}
		}
	}
	if envelope {
		c.drop()
		return false, nil
	}
	return c.record(first)
}

// A cursor walks a top-level object through the read buffer without
// consuming it: p bytes of the buffer have been passed over. While keep
// holds, they belong to a record: once they outgrow the window, they are
// copied into d.buf (up to MaxRecordBytes) and discarded. Without keep
// they are discarded whenever the buffer runs out.
type cursor struct {
	sp      *splitter
	p       int
	keep    bool
	copying bool // what was passed over before p is in d.buf
	first   bool // the object's first document
	// lines: the first document is a record copied past the window, and
	// the object is JSON Lines.
	lines   bool
	tooDeep bool
	// nested is where the record's first nested value ends (the hint,
	// Decoder.FirstNestedEnd): 0 before the walk meets one, -1 when it
	// ended past copied bytes (positions no longer the record's).
	nested int
}

// avail returns the bytes from p on, reading more when none are
// buffered; io.EOF when the object ends.
func (c *cursor) avail() ([]byte, error) {
	br := c.sp.br
	if c.p >= br.Buffered() {
		if !c.keep {
			br.Discard(c.p)
			c.p = 0
		} else if c.p >= min(br.Size(), fastWindow) {
			window, _ := br.Peek(c.p)
			if !c.copying {
				c.sp.d.buf, c.sp.total = c.sp.d.buf[:0], 0
				c.copying = true
				// Nothing was discarded yet: the buffer starts with
				// the object, as the lines check expects.
				c.lines = c.first && firstLineIsRecord(br)
			}
			c.sp.keep(window)
			br.Discard(c.p)
			c.p = 0
		}
		if _, err := br.Peek(c.p + 1); err != nil && br.Buffered() <= c.p {
			return nil, err
		}
	}
	buf, _ := br.Peek(br.Buffered())
	return buf[c.p:], nil
}

// nonSpace passes over white space and returns the byte at p, without
// passing over it.
func (c *cursor) nonSpace() (byte, error) {
	for {
		buf, err := c.avail()
		if err != nil {
			return 0, err
		}
		i := 0
		for i < len(buf) && isSpace(buf[i]) {
			i++
		}
		c.p += i
		if i < len(buf) {
			return buf[i], nil
		}
	}
}

// key passes over a key's string, whose opening quote is behind p, and
// returns it when it names an envelope's records, else "". A key is
// compared as stored: an escaped "Records" is another key.
func (c *cursor) key() (string, error) {
	var (
		s    structure.Scanner
		head [maxEnvelopeKey + 1]byte
		n    int
	)
	for {
		buf, err := c.avail()
		if err != nil {
			return "", err
		}
		end := s.String(buf, 0)
		upto := end - 1 // the closing quote
		if end < 0 {
			upto = len(buf)
		}
		n += copy(head[min(n, len(head)):], buf[:upto])
		if end >= 0 {
			c.p += end
			if n < len(head) {
				return envelopeKey(head[:n]), nil
			}
			return "", nil
		}
		c.p += len(buf)
	}
}

// skipValue passes over one member's value, which starts with b.
func (c *cursor) skipValue(b byte) error {
	switch b {
	case '{', '[':
		// The value nests one deeper than the object it is in.
		s := structure.Scanner{MaxDepth: c.sp.d.limits.MaxDepth - 1}
		err := c.scan(toValueEnd, &s)
		c.tooDeep = c.tooDeep || s.TooDeep()
		return err
	case '"':
		c.p++
		var s structure.Scanner
		return c.scan(toStringEnd, &s)
	}
	// A number or a literal (or junk, which validation finds): up to a
	// byte the structure scanner would look at, or the member's end.
	return c.scan(toScalarEnd, nil)
}

// What cursor.scan passes over.
const (
	toValueEnd  = iota // an object or array (s resumes), or the object the cursor is in
	toStringEnd        // a string, after its opening quote (s resumes)
	toScalarEnd        // a number or literal
)

// scan passes over bytes up to the end of what to names. It takes no
// function value, so that nothing escapes: splitting a stream of values
// allocates nothing per record.
func (c *cursor) scan(to int, s *structure.Scanner) error {
	for {
		buf, err := c.avail()
		if err != nil {
			return err
		}
		var i int
		switch to {
		case toValueEnd:
			i = s.Scan(buf, 0)
		case toStringEnd:
			i = s.String(buf, 0)
		default:
			i = bytes.IndexAny(buf, " \n\r\t,:{}[]\"")
		}
		if i >= 0 {
			c.p += i
			return nil
		}
		c.p += len(buf)
	}
}

// drop discards what was passed over.
func (c *cursor) drop() {
	c.sp.br.Discard(c.p)
	c.p = 0
	c.copying = false
	c.sp.d.buf, c.sp.total = c.sp.d.buf[:0], 0
}

// malformed goes on with an object whose top level is not JSON at b: an
// envelope is broken; a record ends where its brackets balance, as any
// value does, and is then validated (and skipped) by the policy.
func (c *cursor) malformed(first, envelope bool, b byte) (bool, error) {
	if envelope {
		return false, class(ErrEnvelope, "envelope: expected , or } after the records, found %q", b)
	}
	s := structure.Scanner{MaxDepth: c.sp.d.limits.MaxDepth}
	s.Scan([]byte{'{'}, 0) // at depth 1, as the object is
	if err := c.scan(toValueEnd, &s); err != nil {
		return c.brokeOff(first, envelope, err)
	}
	c.tooDeep = c.tooDeep || s.TooDeep()
	return c.record(first)
}

// brokeOff reports an object that ends before its closing brace. The
// object's first document may be the half-written first line of a JSON
// Lines blob: that is left to the lines reader.
func (c *cursor) brokeOff(first, envelope bool, err error) (bool, error) {
	sp := c.sp
	if envelope {
		return false, class(ErrTruncatedJSON, "envelope breaks off after %d records: %w", sp.index, unexpected(err))
	}
	if first && err == io.EOF {
		if !c.copying {
			c.p = 0
			return c.firstRecord()
		}
		if c.lines {
			// The half-written last line of JSON Lines.
			sp.res.Format = FormatLines
			index := sp.next()
			if sp.total > sp.d.limits.MaxRecordBytes {
				sp.skip(index, fmt.Sprintf("record exceeds %d bytes", sp.d.limits.MaxRecordBytes))
			} else {
				sp.res.PartialEnd, sp.res.PartialIndex = true, index
			}
			return true, nil
		}
	}
	if first {
		sp.res.Format = FormatStream
	}
	return false, class(ErrTruncatedJSON, "record %d breaks off: %w", sp.index, unexpected(err))
}

// record hands on the object that ends at p as a record.
func (c *cursor) record(first bool) (bool, error) {
	sp := c.sp
	if first && !c.copying {
		c.p = 0
		return c.firstRecord()
	}
	var raw []byte
	size, nested := c.p, max(c.nested, 0)
	if c.copying {
		nested = 0
		window, _ := sp.br.Peek(c.p)
		sp.keep(window)
		raw, size = sp.d.buf, sp.total
	} else {
		raw, _ = sp.br.Peek(c.p)
	}
	sp.br.Discard(c.p)
	c.p = 0
	raw, problem, _ := sp.problem(raw, size, c.tooDeep)
	if c.lines {
		// JSON Lines whose first line is longer than the read buffer.
		sp.res.Format = FormatLines
		return true, c.restOfLine(raw, problem)
	}
	if first {
		sp.res.Format = FormatStream
	}
	return false, sp.emit(raw, nested, problem, sp.next())
}

// firstRecord decides, at an object's first record (left in the buffer),
// between JSON Lines and a stream of values, and reads JSON Lines.
func (c *cursor) firstRecord() (bool, error) {
	sp := c.sp
	if firstLineIsRecord(sp.br) {
		sp.res.Format = FormatLines
		return true, sp.lines()
	}
	sp.res.Format = FormatStream
	if err := sp.value(sp.next()); err != nil {
		return false, err
	}
	return false, nil
}

// restOfLine hands on the first line of JSON Lines, a record copied past
// the read buffer, and reads the other lines. Bytes after the record on
// its line make the line malformed, as the lines reader would find it.
func (c *cursor) restOfLine(raw []byte, problem string) error {
	sp := c.sp
	rest, err := sp.br.ReadSlice('\n')
	for err == bufio.ErrBufferFull {
		if len(bytes.TrimSpace(rest)) > 0 {
			problem = ReasonMalformed
		}
		rest, err = sp.br.ReadSlice('\n')
	}
	if len(bytes.TrimSpace(rest)) > 0 && problem == "" {
		problem = ReasonMalformed
	}
	if err != nil && err != io.EOF {
		return fmt.Errorf("line %d: %w", sp.index, unexpected(err))
	}
	if err := sp.emit(raw, 0, problem, sp.next()); err != nil {
		return err
	}
	return sp.lines()
}

// value reads one JSON value and hands it on, or records why it was
// skipped.
func (sp *splitter) value(index int) error {
	raw, nested, problem, err := sp.scanValue()
	if err != nil {
		return class(ErrTruncatedJSON, "record %d breaks off: %w", index, unexpected(err))
	}
	return sp.emit(raw, nested, problem, index)
}

// emit hands a record to the policy, or lists it in Result.Skipped.
// nested is where the record's first nested value ends in raw, 0 when
// not known (Decoder.FirstNestedEnd, set while fn runs).
func (sp *splitter) emit(raw []byte, nested int, problem string, index int) error {
	switch {
	case problem != "":
	case len(raw) == 0 || raw[0] != '{':
		problem = "record is not a JSON object"
	}
	if problem != "" {
		sp.skip(index, problem)
		return nil
	}
	sp.d.nestedEnd = nested
	handed, err := sp.out.record(sp.fn, index, raw)
	sp.d.nestedEnd = 0
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
// nested is where the first value nested in an object or array handed
// out in place ends (Decoder.FirstNestedEnd), else 0.
func (sp *splitter) scanValue() (raw []byte, nested int, problem string, err error) {
	br := sp.br
	first, err := br.Peek(1)
	if err != nil {
		return nil, 0, "", err
	}
	from := 0
	switch c := first[0]; c {
	case ',', ':', ']', '}':
		// A stray delimiter (",," in an array) is a bad value of its own;
		// taking just it keeps the caller in step with the structure.
		br.Discard(1)
		return nil, 0, fmt.Sprintf("unexpected %q where a record should start", c), nil
	case '"':
		from = 1 // the string's body
	case '{', '[':
	default:
		raw, problem, err = sp.scalar()
		return raw, 0, problem, err
	}
	s := structure.Scanner{MaxDepth: sp.d.limits.MaxDepth}
	str := from == 1
	// Fast path: the value lies in what the reader holds or can hold.
	for {
		// buf starts at the value's first byte however the reader
		// moves its bytes, so the scanner's positions are the value's.
		buf, _ := br.Peek(br.Buffered())
		if end := valueEnd(&s, str, buf, from); end >= 0 {
			raw = buf[:end]
			br.Discard(end)
			raw, problem, err = sp.problem(raw, len(raw), s.TooDeep())
			return raw, s.FirstNestedEnd(), problem, err
		}
		from = len(buf)
		if from >= min(br.Size(), fastWindow) {
			break
		}
		if _, err := br.Peek(from + 1); err != nil {
			return nil, 0, "", err
		}
	}
	// A copied value: the scanner resumes at 0 of each chunk, and its
	// positions are no longer the value's.
	raw, problem, err = sp.copyValue(&s, str)
	return raw, 0, problem, err
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
		sp.d.grow(b)
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
func firstLineIsRecord(br *input) bool {
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
	for {
		index := sp.next() // the line's number
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
						d.grow(chunk)
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
			sp.res.PartialEnd, sp.res.PartialIndex = true, index
		default:
			problem := ""
			// A line with no more brackets than MaxDepth cannot nest
			// deeper: count them before following its structure.
			if bytes.Count(line, []byte{'{'})+bytes.Count(line, []byte{'['}) > d.limits.MaxDepth {
				problem = depthProblem(line, d.limits.MaxDepth)
			}
			if err := sp.emit(line, 0, problem, index); err != nil {
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

func skipSpace(br *input) error {
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
