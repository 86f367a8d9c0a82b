//go:build amd64 && !purego && linux

package fast

import (
	"math/rand"
	"testing"
	"unsafe"

	"github.com/retrohunt/retrohunt/internal/guard"
)

// TestTeddyKernelsStayInTheirBuffer runs every Teddy kernel this CPU has,
// and find, on buffers that end where a page the process may not touch
// starts (internal/guard), at every length to 300 and every start: a
// vector load or a tail window reaching one byte past the buffer faults
// here, where an ordinary slice's neighbouring memory would let it pass.
func TestTeddyKernelsStayInTheirBuffer(t *testing.T) {
	if !teddyAvailable() {
		t.Skip("no AVX2")
	}
	rng := rand.New(rand.NewSource(17))
	tds := []*teddy{newTeddy(packLits), newTeddy(matcherLits), newTeddy(threeShort)}
	found := make([]uint64, 4)
	last := make([]int, 4)
	for n := 0; n <= 300; n++ {
		p := guard.Bytes(t, n)
		for j := range p {
			p[j] = kernelAlphabet[rng.Intn(len(kernelAlphabet))]
		}
		for _, td := range tds {
			for start := 0; start <= n; start++ {
				if n >= 35 {
					teddyScanAVX2(&td.masks, unsafe.SliceData(p), n, start)
				}
				if n >= teddyWideWindow {
					for room := 1; room <= 3; room++ {
						out := make([]teddyHit, room)
						teddyBatchAVX2(&td.masks, unsafe.SliceData(p), n, start, unsafe.SliceData(out), room)
						if teddyWide {
							teddyBatchVBMI(&td.masks, unsafe.SliceData(p), n, start, unsafe.SliceData(out), room)
						}
					}
				}
			}
			clear(found)
			td.find(p, found[:(len(td.lits)+63)/64], last)
		}
	}
}
