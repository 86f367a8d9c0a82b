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

// teddyBatchVBMI is teddyBatchGeneric for AVX-512 VBMI (teddy_amd64.s),
// out holding room windows.
//
//go:noescape
func teddyBatchVBMI(m *teddyMasks, p *byte, n, start int, out *teddyHit, room int) (count, next int)

// teddyBatchAVX2 is teddyBatchNibbleGeneric for AVX2 and BMI2
// (teddy_amd64.s), out holding room windows.
//
//go:noescape
func teddyBatchAVX2(m *teddyMasks, p *byte, n, start int, out *teddyHit, room int) (count, next int)

// teddyWide is whether the AVX-512 kernel runs: it looks at 64 positions
// a round with four 128-entry lookups (VPERMI2B), where the AVX2 kernel
// needs eight nibble lookups and the nibbles' shifts and masks for 32
// (and then the wide tables, a byte at a time, for the positions the
// nibble tables admit).
var teddyWide = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VBMI

func teddyWideAvailable() bool { return teddyWide }

// teddyBatchAvailable is whether find runs a batched kernel: the
// AVX-512 one, or else the AVX2 one.
func teddyBatchAvailable() bool { return teddyAvailable() }

func teddyBatch(m *teddyMasks, p []byte, start int, out []teddyHit) (count, next int) {
	if teddyWide {
		return teddyBatchVBMI(m, unsafe.SliceData(p), len(p), start, unsafe.SliceData(out), len(out))
	}
	return teddyBatchAVX2(m, unsafe.SliceData(p), len(p), start, unsafe.SliceData(out), len(out))
}

func teddyScan(m *teddyMasks, p []byte, start int) (int, uint32) {
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
