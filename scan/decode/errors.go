package decode

import (
	"errors"
	"fmt"
	"io"
)

// The classes of damage that end an object. Every error Decode and
// DecodeUnchecked return for a damaged object wraps one of them (or
// ErrTooLarge), so callers count failures with errors.Is and never by
// the message, which may be reworded.
var (
	// ErrTruncatedGzip: the gzip stream ends early (no trailer, a cut
	// member), or the JSON inside a gzip object breaks off at its end.
	ErrTruncatedGzip = errors.New("truncated gzip")
	// ErrCorruptGzip: the gzip header, deflate data or checksum is wrong.
	ErrCorruptGzip = errors.New("corrupt gzip")
	// ErrTruncatedJSON: an envelope or a record breaks off before its
	// closing bracket.
	ErrTruncatedJSON = errors.New("JSON breaks off")
	// ErrEnvelope: the envelope loses its structure ("Records" is not an
	// array, a missing comma).
	ErrEnvelope = errors.New("broken envelope")
	// ErrNotJSON: the object does not start like JSON records.
	ErrNotJSON = errors.New("not JSON records")
)

// ErrTooLarge is returned when an object decompresses past MaxObjectBytes.
var ErrTooLarge = errors.New("decompressed object exceeds the size limit")

// classed is err as an error of class: errors.Is(classed, class) holds,
// and its text is err's alone, so a message reads as it did before it
// had a class.
type classed struct{ class, err error }

func (c classed) Error() string   { return c.err.Error() }
func (c classed) Unwrap() []error { return []error{c.class, c.err} }

// class returns format and args (as fmt.Errorf, chains kept with %w) as
// an error of the given class.
func class(c error, format string, args ...any) error {
	return classed{class: c, err: fmt.Errorf(format, args...)}
}

// gzipError classes a failure of the gzip reader: an early end is
// truncation, anything else corruption. The class's name leads the
// message, since "flate: corrupt input" alone does not tell an operator
// it was the compression.
func gzipError(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: %w", ErrTruncatedGzip, err)
	}
	return fmt.Errorf("%w: %w", ErrCorruptGzip, err)
}
