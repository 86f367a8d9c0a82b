//go:build !purego

package fast

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// teddyScanAVX2 is teddyScanGeneric for AVX2 and BMI2 (teddy_amd64.s).
//
//go:noescape
func teddyScanAVX2(masks *[6][32]byte, p *byte, n, start int) (off int, cand uint32)

func teddyScan(masks *[6][32]byte, p []byte, start int) (int, uint32) {
	return teddyScanAVX2(masks, unsafe.SliceData(p), len(p), start)
}

// maxTeddyLiterals is the most literals Teddy searches for: its 8
// buckets' nibble tables fill up with more, and it verifies most
// positions by hand. With the built-in pack and the 91 SigmaHQ rules
// (122 case-insensitive literals) Aho-Corasick was about twice as fast
// through worker.object, with 201 literals four times
// (BenchmarkObjectSigma/fast-91).
const maxTeddyLiterals = 100

func newMatcher(lits []Literal) matcher {
	if cpu.X86.HasAVX2 && cpu.X86.HasBMI2 && len(lits) > 0 && len(lits) <= maxTeddyLiterals {
		return newTeddy(lits)
	}
	return newACMatcher(lits)
}
