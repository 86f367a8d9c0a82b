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

// teddyScanVBMI is teddyScanWideGeneric for AVX-512 VBMI
// (teddy_amd64.s).
//
//go:noescape
func teddyScanVBMI(m *teddyMasks, p *byte, n, start int) (off int, cand uint32)

// teddyWide is whether the AVX-512 kernel runs: it looks at 64 positions
// a round with four 128-entry lookups (VPERMI2B), where the AVX2 kernel
// needs eight nibble lookups and the nibbles' shifts and masks for 32.
var teddyWide = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VBMI

func teddyWideAvailable() bool { return teddyWide }

func teddyScanWide(m *teddyMasks, p []byte, start int) (int, uint32) {
	return teddyScanVBMI(m, unsafe.SliceData(p), len(p), start)
}

// teddyScan is teddyScanGeneric's contract, except that with the AVX-512
// kernel a position whose bytes are over 0x7f may be a candidate where
// the nibble tables would not have it: the AVX-512 kernel looks at the
// windows of 64 positions that fit, the AVX2 kernel at the rest.
func teddyScan(m *teddyMasks, p []byte, start int) (int, uint32) {
	if teddyWide {
		off, cand := teddyScanVBMI(m, unsafe.SliceData(p), len(p), start)
		if cand != 0 {
			return off, cand
		}
		start = off
	}
	return teddyScanAVX2(m, unsafe.SliceData(p), len(p), start)
}

// teddyScanNibble is the nibble-table kernel alone (teddyScanGeneric's
// exact contract).
func teddyScanNibble(m *teddyMasks, p []byte, start int) (int, uint32) {
	return teddyScanAVX2(m, unsafe.SliceData(p), len(p), start)
}

func teddyAvailable() bool { return cpu.X86.HasAVX2 && cpu.X86.HasBMI2 }

func newMatcher(lits []Literal) matcher {
	if teddyAvailable() && len(lits) > 0 && len(lits) <= maxTeddyLiterals {
		return newTeddy(lits)
	}
	return newACMatcher(lits)
}
