package sources

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// Store is a Source that can also be written: state files, lake output.
//
// Keys are store keys as for Source ("/"-separated, no leading "/").
// ETags are returned without quotes, as List reports them; each store
// documents what its ETag is.
type Store interface {
	Source

	// Get returns an object's body and ETag; IsNotExist(err) when
	// missing. It reads the whole body into memory: it is meant for
	// small objects (state files, manifests).
	Get(ctx context.Context, key string) ([]byte, string, error)

	// Put writes body atomically (readers see the old or the new object,
	// never a part). size is the exact length of body; a body that ends
	// early or runs on is an error and nothing is written.
	//
	// With IfMatch != "" it succeeds only if the current ETag is IfMatch
	// (a missing object does not match); with IfNoneMatch it succeeds
	// only if the key does not exist. A lost race returns an error for
	// which IsConflict(err) is true, and the object is left as the
	// winner wrote it. Returns the new ETag.
	Put(ctx context.Context, key string, body io.Reader, size int64, cond Condition) (string, error)

	// IsConflict reports whether err is a conditional Put that lost.
	IsConflict(err error) bool
}

// Deleter is a Store that can remove objects (all three do); a missing
// object is not an error.
type Deleter interface {
	Delete(ctx context.Context, key string) error
}

// Condition makes a Put conditional. The zero value writes
// unconditionally; IfMatch and IfNoneMatch are exclusive.
type Condition struct {
	IfMatch     string // the ETag the object must still have (no quotes)
	IfNoneMatch bool   // the key must not exist yet
}

// String names the condition as the HTTP header that carries it, for
// messages about a lost race.
func (c Condition) String() string {
	switch {
	case c.IfNoneMatch:
		return "If-None-Match: *"
	case c.IfMatch != "":
		return "If-Match: " + c.IfMatch
	}
	return "unconditional"
}

// ErrConflict is wrapped by the errors of a conditional Put that lost;
// every Store's IsConflict is true for it.
var ErrConflict = errors.New("conditional write conflict")

// ErrConditions is returned by Put for a Condition with both IfMatch and
// IfNoneMatch set.
var ErrConditions = errors.New("BUG: Condition with both IfMatch and IfNoneMatch")

// Check returns ErrConditions when c is contradictory.
func (c Condition) Check() error {
	if c.IfMatch != "" && c.IfNoneMatch {
		return ErrConditions
	}
	return nil
}

// SizeReader returns r limited to exactly size bytes: a body that runs
// past size bytes, or ends before, fails with an error wrapping ErrSize, so
// a body that does not match its declared size is never committed.
func SizeReader(r io.Reader, size int64) io.Reader {
	return &sizeReader{r: r, left: size}
}

type sizeReader struct {
	r    io.Reader
	left int64
	err  error
}

// ErrSize is wrapped by the error of a body shorter or longer than
// declared.
var ErrSize = errors.New("body size differs from the declared size")

func (s *sizeReader) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if s.left < 0 {
		s.err = fmt.Errorf("%w: negative size", ErrSize)
		return 0, s.err
	}
	if s.left == 0 {
		// One more byte would prove that the body runs on.
		var one [1]byte
		n, err := io.ReadFull(s.r, one[:])
		switch {
		case n > 0:
			s.err = fmt.Errorf("%w: the body is longer", ErrSize)
		case err == io.EOF:
			s.err = io.EOF
		default:
			s.err = err
		}
		return 0, s.err
	}
	if int64(len(p)) > s.left {
		p = p[:s.left]
	}
	n, err := s.r.Read(p)
	s.left -= int64(n)
	if err == io.EOF && s.left > 0 {
		err = fmt.Errorf("%w: the body ends %d bytes early", ErrSize, s.left)
	} else if err == io.EOF {
		err = nil // the next Read checks that the body ends here
	}
	s.err = err
	return n, err
}

// ReadBody reads exactly size bytes of body into memory, for uploads that
// need a seekable body.
func ReadBody(body io.Reader, size int64) ([]byte, error) {
	if size < 0 {
		return nil, fmt.Errorf("negative body size %d", size)
	}
	buf := make([]byte, size)
	r := SizeReader(body, size)
	if _, err := io.ReadFull(r, buf); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			err = fmt.Errorf("%w: the body ends early", ErrSize)
		}
		return nil, err
	}
	if n, err := r.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		return nil, err
	}
	return buf, nil
}
