//go:build !purego

package fast

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// teddyScanAVX2 is teddyScanGeneric for AVX2 and BMI2 (teddy_amd64.s).
//
//go:noescape
func teddyScanAVX2(m *teddyMasks, p *byte, n, start int) (off int, cand uint32)

func teddyScan(m *teddyMasks, p []byte, start int) (int, uint32) {
	return teddyScanAVX2(m, unsafe.SliceData(p), len(p), start)
}

func teddyAvailable() bool { return cpu.X86.HasAVX2 && cpu.X86.HasBMI2 }

func newMatcher(lits []Literal) matcher {
	if teddyAvailable() && len(lits) > 0 && len(lits) <= maxTeddyLiterals {
		return newTeddy(lits)
	}
	return newACMatcher(lits)
}
