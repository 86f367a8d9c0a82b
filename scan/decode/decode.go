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
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"

	"github.com/retrohunt/retrohunt/scan/inflate"
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
	Format  Format
	Gzip    bool
	Records int   // records handed to fn
	Bytes   int64 // decompressed bytes read
	Skipped []Skip
	// PartialEnd: JSON Lines whose last line has no newline and is
	// incomplete; PartialIndex is that line's index.
	PartialEnd   bool
	PartialIndex int
}

// Decoder is reusable per worker: it keeps its gzip reader, its buffered
// reader and its record buffer across objects.
type Decoder struct {
	limits Limits
	gz     *gzip.Reader
	br     *bufio.Reader
	lr     limitedReader
	// dbr buffers the decompressed stream for the splitter; br buffers
	// compressed bytes for the gzip reader.
	dbr *bufio.Reader
	buf []byte // a record larger than dbr's buffer, copied
	// inf and whole decompress a buffered gzip object whole (see
	// wholeMax); wr hands whole to the splitter.
	inf   *inflate.Decompressor
	whole []byte
	wr    errAfter
	cp    capture
	// in is what the splitter reads: dbr, or the object in one buffer.
	in input
	// nestedEnd is FirstNestedEnd's answer while fn runs.
	nestedEnd int
}

// FirstNestedEnd returns, while Decode's or DecodeUnchecked's fn runs
// for a record, where the record's first nested value (its first object
// or array) ends in raw: the index past its close bracket, as the
// splitter found it while it looked for the record's end, so that fn
// need not scan the value again (the fast path's key walk,
// fast.Checker.CandidateHint). 0 when the splitter does not know: a
// record without a nested value, a line of JSON Lines (split at its
// newline, not scanned), a record copied past the read buffer. The hint
// is for raw exactly as handed to fn, and only while fn runs. In valid
// JSON it is exact; in a record that is not JSON it is some close
// bracket of raw's.
func (d *Decoder) FirstNestedEnd() int { return d.nestedEnd }

// readBuffer is the size of the splitter's read buffer: a record that
// lies whole in it is handed out in place.
const readBuffer = 256 << 10

// wholeMax is the largest output a buffered gzip object is decompressed
// whole into (scan/inflate, several times faster than streaming): its
// ISIZE trailer, a hint, must say at most this, and an object that
// decompresses to more after all is streamed from its start instead
// (unless the size limit is lower: then it is the limit). A worker keeps
// one buffer of at most wholeMax for the next object, so a worker's
// memory grows by at most this over streaming; the typical archive
// object (CloudTrail: a few KB to a few MB) takes a small part of it.
const wholeMax = 16 << 20

// grow appends b to d.buf, which callers keep within MaxRecordBytes (+1
// for a line's newline). The buffer doubles, up to that limit: a record
// of n bytes costs at most 2n of allocations and never more than the
// limit at once, where append's gentler growth for large slices
// allocates 5n along the way and can overshoot the limit by a quarter.
func (d *Decoder) grow(b []byte) {
	if need := len(d.buf) + len(b); need > cap(d.buf) {
		size := min(max(2*cap(d.buf), need, 64<<10), d.limits.MaxRecordBytes+1)
		buf := make([]byte, len(d.buf), max(size, need))
		copy(buf, d.buf)
		d.buf = buf
	}
	d.buf = append(d.buf, b...)
}

// NewDecoder returns a Decoder with the given limits (zero fields take
// DefaultLimits).
func NewDecoder(l Limits) *Decoder {
	return &Decoder{limits: l.withDefaults(), br: bufio.NewReaderSize(nil, readBuffer)}
}

// Decode reads one object and calls fn for every record with its 0-based
// index and its bytes exactly as stored. raw may point into the decoder's
// read buffer: it is valid only until fn returns.
//
// An object may hold several documents one after another (files
// concatenated, gzip members): every one is read. An envelope is a
// top-level object with a "Records" or "records" key whose value is an
// array, wherever the key stands; its other members are passed over,
// and a second such key (a duplicate) is read too. The index counts
// record positions through the whole object: the position in the
// Records arrays and the values between them, one after another, or the
// line number for JSON Lines. Format is the first document's.
//
// Damage that ends the object (corrupt or truncated gzip, an envelope
// that breaks off, the size limit) is returned as an error after the
// records before it were handed on; damage confined to one record is
// listed in Result.Skipped and decoding goes on.
func (d *Decoder) Decode(r io.Reader, fn func(index int, raw []byte) error) (Result, error) {
	return d.decode(r, validate, fn)
}

// DecodeUnchecked is Decode for the fast path. It splits the object the
// same way, with the same object-level errors and the same skips for
// records that are not objects, too large or too deep, but it does not
// check that a record is well-formed JSON: fn checks the records it
// looks at and returns ErrMalformed for a bad one, which is then counted
// and listed as Decode would have.
//
// Splitting allocates nothing per record unless a record is larger than
// the read buffer (256 KiB).
func (d *Decoder) DecodeUnchecked(r io.Reader, fn func(index int, raw []byte) error) (Result, error) {
	return d.decode(r, unchecked, fn)
}

// decode is Decode and DecodeUnchecked: one splitter, the policy says
// what becomes of the records it finds.
func (d *Decoder) decode(r io.Reader, out policy, fn func(int, []byte) error) (Result, error) {
	var (
		res   Result
		in    io.Reader = d.br
		magic []byte
		src   io.Reader
		whole []byte // the object, decompressed, when it is in one buffer
		end   error  // the error after whole's last byte
		start int64  // where the object starts in its bytes.Reader
	)
	br, buffered := r.(*bytes.Reader)
	if buffered {
		// Fast path: a buffered object is decompressed whole, or gzip
		// reads it directly, which decodes faster than through a
		// bufio.Reader.
		var m [2]byte
		start = br.Size() - int64(br.Len())
		n, _ := br.ReadAt(m[:], start)
		magic, in = m[:n], br
		if n == 2 && m[0] == 0x1f && m[1] == 0x8b {
			res.Gzip = true
			var err error
			if whole, end, err = d.inflateWhole(br); err != nil {
				return res, err
			}
			if whole != nil && !inPlace {
				d.wr.r.Reset(whole)
				d.wr.err = end
				src = &d.wr
			}
		} else if inPlace {
			// A plain object: its bytes are the reader's own buffer.
			br.WriteTo(&d.cp)
			whole, end = d.cp.b, io.EOF
			d.cp.b = nil
			if whole == nil {
				whole = []byte{}
			}
		}
	} else {
		d.br.Reset(r)
		magic, _ = d.br.Peek(2)
	}
	sp := splitter{d: d, br: &d.in, res: &res, out: out, fn: fn}
	if whole != nil && inPlace {
		// Split in place, as through the bufio.Reader over the limited
		// reader below: the bytes up to the size limit, then at the
		// limit ErrTooLarge instead of the end.
		if int64(len(whole)) >= d.limits.MaxObjectBytes {
			whole, end = whole[:d.limits.MaxObjectBytes], ErrTooLarge
		}
		d.in.whole(whole, readBuffer, end)
	} else {
		if src != nil {
			// Decompressed whole, read through the bufio.Reader.
		} else if src = in; len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
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
		if d.dbr == nil {
			d.dbr = bufio.NewReaderSize(&d.lr, readBuffer)
		}
		d.dbr.Reset(&d.lr)
		d.in = input{br: d.dbr}
	}
	err := sp.records()
	if err == nil {
		// Read to the end even after the last record: only there does gzip
		// check its CRC and length, which is how a truncated object shows.
		err = d.in.drain()
	}
	if d.in.br != nil {
		res.Bytes = d.limits.MaxObjectBytes - d.lr.left
	} else {
		res.Bytes = int64(d.in.w)
		if !res.Gzip {
			// The reader stands where the bufio.Reader would have left it.
			br.Seek(start+res.Bytes, io.SeekStart)
		}
		d.in = input{}
	}
	if err != nil && res.Gzip && errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, ErrTruncatedGzip) {
		// A gzip object whose JSON breaks off at the end of a sound
		// stream was cut at a member's end.
		err = fmt.Errorf("%w: %w", ErrTruncatedGzip, err)
	}
	return res, err
}

// inflateWhole decompresses the rest of br whole into d.whole and
// returns the output and the stream's error after it (io.EOF when it
// ends soundly); a nil output and a nil error: stream it instead, br
// rewound. The size limit stops the output as it would stop a stream:
// the bytes up to it, then ErrTooLarge.
func (d *Decoder) inflateWhole(br *bytes.Reader) (out []byte, end, err error) {
	start := br.Size() - int64(br.Len())
	c := &d.cp
	br.WriteTo(c)
	defer func() { c.b = nil }()
	limit := min(d.limits.MaxObjectBytes, wholeMax)
	if hint := inflate.SizeHint(c.b); hint > limit && limit < d.limits.MaxObjectBytes {
		br.Seek(start, io.SeekStart)
		return nil, nil, nil
	} else if int64(cap(d.whole)) < hint {
		d.whole = make([]byte, 0, min(hint, limit))
	}
	if d.inf == nil {
		d.inf = new(inflate.Decompressor)
	}
	out, err = d.inf.Gunzip(d.whole, c.b, limit)
	d.whole = out[:0]
	switch {
	case err == nil:
		err = io.EOF
	case errors.Is(err, inflate.ErrLimit) && limit < d.limits.MaxObjectBytes:
		// Larger than the ISIZE said: stream it.
		br.Seek(start, io.SeekStart)
		return nil, nil, nil
	case errors.Is(err, inflate.ErrLimit):
		err = ErrTooLarge
	case firstHeader(err):
		return nil, nil, headerError(err)
	default:
		err = gzipError(err)
	}
	if out == nil {
		out = []byte{} // empty, not "stream it"
	}
	return out, err, nil
}

// firstHeader reports whether err is in the first member's header.
func firstHeader(err error) bool {
	var ie *inflate.Error
	return errors.As(err, &ie) && ie.Member == 0 && ie.Header
}

// capture takes the slice bytes.Reader.WriteTo hands it, which is the
// reader's own buffer, without copying it. Against io.Writer's rule it
// keeps p after Write returns, which is sound here alone: the buffer is
// the caller's object, alive and unchanged while Decode runs, and
// capture keeps it only while inflateWhole runs.
type capture struct{ b []byte }

func (c *capture) Write(p []byte) (int, error) { c.b = p; return len(p), nil }

// errAfter reads r, then returns err where r ends.
type errAfter struct {
	r   bytes.Reader
	err error
}

func (e *errAfter) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		err = e.err
	}
	return n, err
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
