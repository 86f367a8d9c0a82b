// Package inflate decompresses a gzip object that is already whole in
// memory into one buffer, the design of libdeflate: no reader layering
// and no sliding window (a match copies from the output itself), a 64-bit
// bit buffer refilled a word at a time, table entries that decode a
// codeword with its extra bits, a fast loop that checks no bounds while
// far from the ends of the input and the output, and a careful slow loop
// near them.
//
// It reads gzip members one after another (RFC 1952; a multi-member
// stream is one object), checks each member's CRC-32 and ISIZE, and
// stops as soon as the output would pass the caller's limit: it never
// allocates past it. Its errors come in the classes the standard
// library's compress/gzip gives for the same bytes (a truncated stream
// against a corrupt one), which its tests check over every corpus the
// suite has, over every cut of small streams and random damage, and
// under fuzzing.
package inflate

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
)

var (
	// ErrCorrupt: the deflate data, a header or a checksum is wrong.
	ErrCorrupt = errors.New("inflate: corrupt input")
	// ErrTruncated: the stream ends before its last member does. It
	// wraps io.ErrUnexpectedEOF, as the streaming readers' error does.
	ErrTruncated = truncated{}
	// ErrLimit: the output would pass the limit; the output returned
	// holds exactly limit bytes.
	ErrLimit = errors.New("inflate: output limit reached")
)

type truncated struct{}

func (truncated) Error() string { return "inflate: truncated input" }
func (truncated) Unwrap() error { return io.ErrUnexpectedEOF }

// Error is a failure at a place in the stream.
type Error struct {
	Member int   // 0-based gzip member
	Header bool  // in the member's gzip header
	Offset int64 // input byte offset where it was found
	Err    error // ErrCorrupt, ErrTruncated or ErrLimit
}

func (e *Error) Error() string {
	where := "data"
	if e.Header {
		where = "header"
	}
	return e.Err.Error() + " (gzip member " + itoa(e.Member) + " " + where + ", input offset " + itoa(int(e.Offset)) + ")"
}

func (e *Error) Unwrap() error { return e.Err }

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for ; n > 0; n /= 10 {
		i--
		b[i] = byte('0' + n%10)
	}
	return string(b[i:])
}

// SizeHint is the ISIZE of src's last member (its last four bytes): the
// decompressed size modulo 2^32 if src is one whole member. It is a hint
// for sizing a buffer, never to be trusted: a hostile stream says what
// it likes there.
func SizeHint(src []byte) int64 {
	if len(src) < 18 {
		return 0
	}
	return int64(binary.LittleEndian.Uint32(src[len(src)-4:]))
}

// A Decompressor holds the Huffman tables of one decompression; it is
// reusable and not safe for concurrent use.
type Decompressor struct {
	codeTables // a dynamic block's
	cl         [clTableSize]uint32
	lens       [286 + 30]uint8
	folded     [256]byte // checksum's scratch
}

// Gunzip appends the decompressed gzip stream src to dst[:0] (reusing
// dst's capacity) and returns it. It never lets the output grow past
// limit bytes: the output would pass it is ErrLimit, with out holding
// the first limit bytes. On any error, out holds what was decompressed
// before the failure (with ErrCorrupt, a member whose checksum is wrong
// is included, as a streaming reader would have handed it on).
func (d *Decompressor) Gunzip(dst, src []byte, limit int64) (out []byte, err error) {
	out = dst[:cap(dst)]
	if int64(len(out)) > limit {
		out = out[:limit]
	}
	s := state{d: d, in: src, out: out, limit: limit}
	for member := 0; ; member++ {
		if member > 0 && s.pos == len(src) {
			return s.out[:s.op], nil
		}
		start := s.op
		if err := s.header(); err != nil {
			return s.out[:s.op], &Error{Member: member, Header: true, Offset: int64(s.pos), Err: err}
		}
		if err := s.deflate(); err != nil {
			return s.out[:s.op], &Error{Member: member, Offset: int64(s.pos), Err: err}
		}
		if len(src)-s.pos < 8 {
			s.pos = len(src)
			return s.out[:s.op], &Error{Member: member, Offset: int64(s.pos), Err: ErrTruncated}
		}
		sum := binary.LittleEndian.Uint32(src[s.pos:])
		size := binary.LittleEndian.Uint32(src[s.pos+4:])
		if checksum(s.out[start:s.op], &s.d.folded) != sum || uint32(s.op-start) != size {
			return s.out[:s.op], &Error{Member: member, Offset: int64(s.pos), Err: ErrCorrupt}
		}
		s.pos += 8
	}
}

// state is one decompression: the input, the output and where each
// stands. The bit buffer lives in locals of the decoding loops.
type state struct {
	d     *Decompressor
	in    []byte
	pos   int // next input byte not yet in the bit buffer
	out   []byte
	op    int // output length
	limit int64
	// memberStart: matches reach back only within their member.
	memberStart int
}

const (
	flagHCRC    = 1 << 1
	flagExtra   = 1 << 2
	flagName    = 1 << 3
	flagComment = 1 << 4
)

// header reads a gzip member header at s.pos. It rejects what
// klauspost's and the standard library's readers reject (reserved flag
// bits as klauspost's does, after the fields they would follow; a name or comment longer than 511 bytes, a
// wrong header CRC).
func (s *state) header() error {
	in, p := s.in, s.pos
	if len(in)-p < 10 {
		s.pos = len(in)
		return ErrTruncated
	}
	if in[p] != 0x1f || in[p+1] != 0x8b || in[p+2] != 8 {
		return ErrCorrupt
	}
	flg := in[p+3]
	h := p
	p += 10
	if flg&flagExtra != 0 {
		if len(in)-p < 2 {
			s.pos = len(in)
			return ErrTruncated
		}
		n := int(binary.LittleEndian.Uint16(in[p:]))
		p += 2
		if len(in)-p < n {
			s.pos = len(in)
			return ErrTruncated
		}
		p += n
	}
	for _, f := range [2]byte{flagName, flagComment} {
		if flg&f == 0 {
			continue
		}
		i := 0
		for ; ; i++ {
			if i >= 512 {
				s.pos = p + i
				return ErrCorrupt
			}
			if p+i >= len(in) {
				s.pos = len(in)
				return ErrTruncated
			}
			if in[p+i] == 0 {
				break
			}
		}
		p += i + 1
	}
	if flg&flagHCRC != 0 {
		if len(in)-p < 2 {
			s.pos = len(in)
			return ErrTruncated
		}
		if binary.LittleEndian.Uint16(in[p:]) != uint16(crc32.ChecksumIEEE(in[h:p])) {
			return ErrCorrupt
		}
		p += 2
	}
	if flg>>5 != 0 {
		// Reserved flags, checked last as klauspost's reader does.
		s.pos = p
		return ErrCorrupt
	}
	s.pos = p
	s.memberStart = s.op
	return nil
}

// grow makes room for need more output bytes, doubling the buffer up to
// the limit. It reports false when even the limit leaves less room; the
// caller then writes what fits and stops with ErrLimit.
func (s *state) grow(need int) bool {
	want := int64(s.op) + int64(need)
	if want <= int64(len(s.out)) {
		return true
	}
	if int64(len(s.out)) >= s.limit {
		return false
	}
	size := min(max(2*int64(len(s.out)), want, 64<<10), s.limit)
	out := make([]byte, size)
	copy(out, s.out[:s.op])
	s.out = out
	return want <= size
}
