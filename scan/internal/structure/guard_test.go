//go:build linux

package structure

import (
	"math/rand"
	"testing"

	"github.com/retrohunt/retrohunt/internal/guard"
)

// TestScansStayInTheirBuffer runs StringEnd, ValueEnd and Scan, with
// each block kernel this CPU has (or the byte loop), on buffers that end
// where a page the process may not touch starts (internal/guard), at
// every length to 400 and every offset: an unchecked word load
// (le_unsafe.go) or a block load reaching one byte past the buffer
// faults here.
func TestScansStayInTheirBuffer(t *testing.T) {
	run := func(t *testing.T) {
		rng := rand.New(rand.NewSource(23))
		const alphabet = "\"\\{}[]:, a"
		for n := 0; n <= 400; n++ {
			p := guard.Bytes(t, n)
			for j := range p {
				p[j] = alphabet[rng.Intn(len(alphabet))]
			}
			for i := 0; i <= n; i++ {
				StringEnd(p, i)
				if i < n {
					ValueEnd(p, i)
					s := Scanner{MaxDepth: 3}
					s.Scan(p, i)
				}
			}
		}
	}
	eachKernel(func(kernel string) { t.Run(kernel, run) })
}
