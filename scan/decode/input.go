package decode

import (
	"bufio"
	"bytes"
	"io"
)

// input is what the splitter reads an object's decompressed bytes from:
// a bufio.Reader over a stream, or the whole object in one buffer (a
// gzip object decompressed whole, a plain object downloaded whole), read
// in place without copying it through a bufio.Reader.
//
// Read in place, it behaves as a bufio.Reader of the same size over a
// reader that returns the same bytes and then the same error would: what
// Peek, Buffered and ReadSlice return, how far the reader has read (w,
// which Result.Bytes reports) and the error at the end. So the splitter
// decides the same either way, record for record, skip for skip
// (TestSplitInPlaceMatchesBufio, FuzzSplitInPlace); only the copy of
// every byte into the read buffer is gone.
type input struct {
	br *bufio.Reader // streaming; nil when the object is whole
	// b is the whole object; [r, w) is what the bufio.Reader would hold,
	// size its buffer's size; end is the error after b's last byte.
	b    []byte
	r, w int
	size int
	end  error
}

// inPlace: buffered objects are split in place. Tests turn it off to
// compare with splitting them through the bufio.Reader.
var inPlace = true

// whole sets in to read b in place, ending with end, as a bufio.Reader of
// size bytes over b would.
func (in *input) whole(b []byte, size int, end error) {
	*in = input{b: b, size: size, end: end}
}

// fill is bufio.Reader.fill on a buffer that is not full: one read, which
// gets the bytes up to the buffer's size, or the end.
func (in *input) fill() bool {
	if in.w == len(in.b) {
		return false
	}
	in.w = min(len(in.b), in.r+in.size)
	return true
}

func (in *input) Size() int {
	if in.br != nil {
		return in.br.Size()
	}
	return in.size
}

func (in *input) Buffered() int {
	if in.br != nil {
		return in.br.Buffered()
	}
	return in.w - in.r
}

// Peek answers at once the splitter's usual call, for n >= 1 bytes all
// held in place already (a stream's w and r stay 0: it never does).
func (in *input) Peek(n int) ([]byte, error) {
	if uint(n-1) < uint(in.w-in.r) {
		return in.b[in.r : in.r+n], nil
	}
	return in.peek(n)
}

func (in *input) peek(n int) ([]byte, error) {
	if in.br != nil {
		return in.br.Peek(n)
	}
	for in.w-in.r < n && in.w-in.r < in.size && in.fill() {
	}
	if n > in.size {
		return in.b[in.r:in.w], bufio.ErrBufferFull
	}
	if in.w-in.r < n {
		return in.b[in.r:in.w], in.end
	}
	return in.b[in.r : in.r+n], nil
}

// Discard answers at once, as Peek does, for n >= 1 bytes held in place.
func (in *input) Discard(n int) (int, error) {
	if uint(n-1) < uint(in.w-in.r) {
		in.r += n
		return n, nil
	}
	return in.discard(n)
}

func (in *input) discard(n int) (int, error) {
	if in.br != nil {
		return in.br.Discard(n)
	}
	for remain := n; remain > 0; {
		if in.w == in.r && !in.fill() {
			return n - remain, in.end
		}
		skip := min(in.w-in.r, remain)
		in.r += skip
		remain -= skip
	}
	return n, nil
}

func (in *input) ReadSlice(delim byte) ([]byte, error) {
	if in.br != nil {
		return in.br.ReadSlice(delim)
	}
	for s := in.r; ; {
		if i := bytes.IndexByte(in.b[s:in.w], delim); i >= 0 {
			line := in.b[in.r : s+i+1]
			in.r = s + i + 1
			return line, nil
		}
		line := in.b[in.r:in.w]
		if in.w-in.r >= in.size {
			in.r = in.w
			return line, bufio.ErrBufferFull
		}
		s = in.w
		if !in.fill() {
			in.r = in.w
			return line, in.end
		}
	}
}

// drain reads to the end of the object: a stream's gzip trailer is
// checked only there. It returns the error at the end, nil for io.EOF.
func (in *input) drain() error {
	if in.br != nil {
		_, err := io.Copy(io.Discard, in.br)
		return err
	}
	in.r, in.w = len(in.b), len(in.b)
	if in.end == io.EOF {
		return nil
	}
	return in.end
}
