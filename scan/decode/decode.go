// Package decode turns one archive object into records: it detects gzip by
// its magic bytes, recognises the envelope ({"Records":[...]} from
// CloudTrail, {"records":[...]} from pre-2018 Azure exports, JSON Lines
// from current Azure exports, or a plain sequence of JSON values) and
// splits records without decoding them. Memory per object is bounded by
// the largest record, not by the object.
package decode

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
)

// Limits guard against hostile or broken objects.
type Limits struct {
	// MaxObjectBytes caps the decompressed size of one object (a gzip
	// bomb stops here). Default 4 GiB.
	MaxObjectBytes int64
	// MaxRecordBytes caps one record; a larger record is skipped and the
	// object goes on. Default 64 MiB.
	MaxRecordBytes int
	// MaxDepth caps JSON nesting inside one record. Default 512.
	MaxDepth int
}

// DefaultLimits are used for zero fields of Limits.
var DefaultLimits = Limits{MaxObjectBytes: 4 << 30, MaxRecordBytes: 64 << 20, MaxDepth: 512}

func (l Limits) withDefaults() Limits {
	if l.MaxObjectBytes <= 0 {
		l.MaxObjectBytes = DefaultLimits.MaxObjectBytes
	}
	if l.MaxRecordBytes <= 0 {
		l.MaxRecordBytes = DefaultLimits.MaxRecordBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultLimits.MaxDepth
	}
	return l
}

// Format is the envelope of an object.
type Format uint8

const (
	FormatEmpty    Format = iota // no records at all
	FormatEnvelope               // {"Records":[...]} or {"records":[...]}
	FormatLines                  // JSON Lines: one record per line
	FormatStream                 // JSON values one after another (pretty-printed files)
)

func (f Format) String() string {
	return [...]string{"empty", "envelope", "json-lines", "json-stream"}[f]
}

// Skip is a record that could not be handed on.
type Skip struct {
	Index  int
	Reason string
}

// Result describes one decoded object.
type Result struct {
	Format     Format
	Gzip       bool
	Records    int   // records handed to fn
	Bytes      int64 // decompressed bytes read
	Skipped    []Skip
	PartialEnd bool // JSON Lines whose last line has no newline and is incomplete
}

// Decoder is reusable per worker: it keeps its gzip reader, its buffered
// reader and its record buffer across objects.
type Decoder struct {
	limits Limits
	gz     *gzip.Reader
	br     *bufio.Reader
	lr     limitedReader
	buf    []byte

	// The fast path (DecodeUnchecked): records are not validated here,
	// and the reader over the decompressed stream is kept.
	unchecked bool
	dbr       *bufio.Reader
}

// NewDecoder returns a Decoder with the given limits (zero fields take
// DefaultLimits).
func NewDecoder(l Limits) *Decoder {
	return &Decoder{limits: l.withDefaults(), br: bufio.NewReaderSize(nil, 256<<10)}
}

// Decode reads one object and calls fn for every record with its 0-based
// index (position in Records, or line number for JSON Lines) and its
// bytes exactly as stored. raw is valid only until fn returns.
//
// Damage that ends the object (corrupt or truncated gzip, an envelope
// that breaks off, the size limit) is returned as an error after the
// records before it were handed on; damage confined to one record is
// listed in Result.Skipped and decoding goes on.
func (d *Decoder) Decode(r io.Reader, fn func(index int, raw []byte) error) (Result, error) {
	d.unchecked = false
	return d.decode(r, fn)
}

func (d *Decoder) decode(r io.Reader, fn func(index int, raw []byte) error) (Result, error) {
	var (
		res   Result
		in    io.Reader = d.br
		magic []byte
	)
	if br, ok := r.(*bytes.Reader); ok && d.unchecked {
		// Fast path: gzip reads a buffered object directly, which
		// decodes faster than through a bufio.Reader.
		var m [2]byte
		n, _ := br.ReadAt(m[:], br.Size()-int64(br.Len()))
		magic, in = m[:n], br
	} else {
		d.br.Reset(r)
		magic, _ = d.br.Peek(2)
	}
	src := in
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		res.Gzip = true
		if d.gz == nil {
			gz, err := gzip.NewReader(in)
			if err != nil {
				return res, headerError(err)
			}
			d.gz = gz
		} else if err := d.gz.Reset(in); err != nil {
			return res, headerError(err)
		}
		src = gzipErrors{d.gz}
	}
	d.lr = limitedReader{r: src, left: d.limits.MaxObjectBytes}
	// A second buffered reader over the decompressed stream: the first one
	// buffers compressed bytes for the gzip reader.
	var br *bufio.Reader
	if d.unchecked {
		if d.dbr == nil {
			d.dbr = bufio.NewReaderSize(&d.lr, 256<<10)
		}
		d.dbr.Reset(&d.lr)
		br = d.dbr
	} else {
		br = bufio.NewReaderSize(&d.lr, 256<<10)
	}
	err := d.records(br, &res, fn)
	if err == nil {
		// Read to the end even after the last record: only there does gzip
		// check its CRC and length, which is how a truncated object shows.
		_, err = io.Copy(io.Discard, br)
	}
	res.Bytes = d.limits.MaxObjectBytes - d.lr.left
	if err != nil && res.Gzip && errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, ErrTruncatedGzip) {
		// A gzip object whose JSON breaks off at the end of a sound
		// stream was cut at a member's end.
		err = fmt.Errorf("%w: %w", ErrTruncatedGzip, err)
	}
	return res, err
}

// headerError classes a gzip header that cannot be read, even a short
// one, as corrupt: the magic bytes promised gzip and what follows is not.
func headerError(err error) error {
	return class(ErrCorruptGzip, "gzip: %w", err)
}

// gzipErrors classes what failed when the gzip stream does (gzipError).
type gzipErrors struct{ r io.Reader }

func (g gzipErrors) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF {
		err = gzipError(err)
	}
	return n, err
}

// limitedReader fails, rather than stops, at the limit: a silent stop
// would look like a clean end of the object.
type limitedReader struct {
	r    io.Reader
	left int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, ErrTooLarge
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

func (d *Decoder) records(br *bufio.Reader, res *Result, fn func(int, []byte) error) error {
	// A UTF-8 byte order mark is not JSON; drop it.
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte{0xef, 0xbb, 0xbf}) {
		br.Discard(3)
	}
	if err := skipSpace(br); err != nil {
		if err == io.EOF {
			res.Format = FormatEmpty
			return nil
		}
		return err
	}
	if key, ok := envelopeKey(br); ok {
		res.Format = FormatEnvelope
		return d.envelope(br, key, res, fn)
	}
	if c, _ := br.Peek(1); c[0] == '[' {
		// A bare JSON array of records, as some export tools write.
		res.Format = FormatEnvelope
		return d.envelope(br, "[", res, fn)
	} else if c[0] != '{' {
		return fmt.Errorf("%w: the object starts with %q", ErrNotJSON, c)
	}
	if d.firstLineIsRecord(br) {
		res.Format = FormatLines
		if d.unchecked {
			return d.linesUnchecked(br, res, fn)
		}
		return d.lines(br, res, fn)
	}
	res.Format = FormatStream
	return d.stream(br, res, fn)
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

func (d *Decoder) envelope(br *bufio.Reader, key string, res *Result, fn func(int, []byte) error) error {
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
		if err := d.value(br, index, res, fn); err != nil {
			return err
		}
	}
}

func (d *Decoder) stream(br *bufio.Reader, res *Result, fn func(int, []byte) error) error {
	for index := 0; ; index++ {
		if err := skipSpace(br); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		if err := d.value(br, index, res, fn); err != nil {
			return err
		}
	}
}

// value reads one JSON value, checks it is a well-formed object within
// the limits and hands it on, or records why it was skipped.
func (d *Decoder) value(br *bufio.Reader, index int, res *Result, fn func(int, []byte) error) error {
	var (
		raw     []byte
		problem string
		err     error
	)
	if d.unchecked {
		raw, problem, err = d.scanValueFast(br)
	} else {
		raw, problem, err = d.scanValue(br)
	}
	if err != nil {
		return class(ErrTruncatedJSON, "record %d breaks off: %w", index, unexpected(err))
	}
	return d.emit(raw, problem, index, res, fn)
}

func (d *Decoder) emit(raw []byte, problem string, index int, res *Result, fn func(int, []byte) error) error {
	switch {
	case problem != "":
	case len(raw) == 0 || raw[0] != '{':
		problem = "record is not a JSON object"
	case !d.unchecked && !json.Valid(raw):
		problem = ReasonMalformed
	}
	if problem != "" {
		res.Skipped = append(res.Skipped, Skip{Index: index, Reason: problem})
		return nil
	}
	res.Records++
	err := fn(index, raw)
	if d.unchecked && err == ErrMalformed {
		res.Records--
		res.Skipped = append(res.Skipped, Skip{Index: index, Reason: ReasonMalformed})
		return nil
	}
	return err
}

// firstLineIsRecord tells JSON Lines from pretty-printed JSON: in JSON
// Lines the first line is a whole value.
func (d *Decoder) firstLineIsRecord(br *bufio.Reader) bool {
	head, _ := br.Peek(br.Size())
	nl := bytes.IndexByte(head, '\n')
	if nl < 0 {
		// One line longer than the buffer, or a single line without a
		// newline: either way it is one record per line.
		return len(head) == br.Size() || json.Valid(head)
	}
	return json.Valid(head[:nl])
}

func (d *Decoder) lines(br *bufio.Reader, res *Result, fn func(int, []byte) error) error {
	max := d.limits.MaxRecordBytes
	for index := 0; ; index++ {
		d.buf = d.buf[:0]
		tooBig := false
		var err error
		for {
			var chunk []byte
			chunk, err = br.ReadSlice('\n')
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
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("line %d: %w", index, unexpected(err))
		}
		line := bytes.TrimSpace(d.buf)
		last := err == io.EOF
		switch {
		case tooBig:
			res.Skipped = append(res.Skipped, Skip{Index: index, Reason: fmt.Sprintf("record exceeds %d bytes", max)})
		case len(line) == 0:
		case last && !json.Valid(line):
			// An hourly append blob grows while its hour is open; its
			// last line can be half written. Not damage by itself.
			res.PartialEnd = true
		default:
			if err := d.emit(line, depthProblem(line, d.limits.MaxDepth), index, res, fn); err != nil {
				return err
			}
		}
		if last {
			return nil
		}
	}
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
