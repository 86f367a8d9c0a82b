package decode

import (
	"bufio"
	"bytes"
	"io"
	"math/rand/v2"
	"testing"
)

// TestInputMatchesBufio: read in place, the input answers Peek, Discard
// and Buffered as a bufio.Reader of the same size over the same bytes
// does (the oracle), call for call, for counts from 0 past the buffer's
// size, whatever the input's shortcut for bytes it already holds.
func TestInputMatchesBufio(t *testing.T) {
	const size = 16
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		data := make([]byte, rng.IntN(4*size))
		for i := range data {
			data[i] = byte('a' + rng.IntN(26))
		}
		end := io.EOF
		if trial%2 == 1 {
			end = io.ErrUnexpectedEOF
		}
		var in input
		in.whole(data, size, end)
		ref := bufio.NewReaderSize(&endReader{r: bytes.NewReader(data), end: end}, size)
		for step := 0; step < 40; step++ {
			n := rng.IntN(size + 3)
			if rng.IntN(2) == 0 {
				got, gerr := in.Peek(n)
				want, werr := ref.Peek(n)
				if !bytes.Equal(got, want) || gerr != werr {
					t.Fatalf("trial %d step %d: Peek(%d) = %q, %v; bufio: %q, %v", trial, step, n, got, gerr, want, werr)
				}
			} else {
				got, gerr := in.Discard(n)
				want, werr := ref.Discard(n)
				if got != want || gerr != werr {
					t.Fatalf("trial %d step %d: Discard(%d) = %d, %v; bufio: %d, %v", trial, step, n, got, gerr, want, werr)
				}
			}
			if in.Buffered() != ref.Buffered() {
				t.Fatalf("trial %d step %d: Buffered() = %d; bufio: %d", trial, step, in.Buffered(), ref.Buffered())
			}
		}
	}
}

// endReader returns r's bytes and then end.
type endReader struct {
	r   io.Reader
	end error
}

func (e *endReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		err = e.end
	}
	return n, err
}
