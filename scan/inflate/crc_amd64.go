//go:build !purego

package inflate

import (
	"hash/crc32"

	"golang.org/x/sys/cpu"
)

// crcFold256 folds p (len(p) a multiple of 256, at least 256) with the
// CRC-32 register's starting value ^0 merged into its first bytes,
// into 256 bytes out whose CRC-32 from a zero register is p's: four
// 512-bit accumulators, each folded 2,048 bits ahead per step with
// carry-less multiplies (VPCLMULQDQ, AVX-512), where hash/crc32 folds
// one accumulator 512 bits ahead (so its steps wait on each other).
//
//go:noescape
func crcFold256(out *[256]byte, p []byte)

// crcWide is whether checksum uses crcFold256.
var crcWide = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VPCLMULQDQ

// crcWideMin is the shortest input checksum hands to crcFold256: below
// it the 256 bytes folded back would be a large share of the work.
const crcWideMin = 4096

// checksum is crc32.ChecksumIEEE(p), with folded as scratch. For long p on CPUs with
// AVX-512's VPCLMULQDQ, the whole 256-byte steps are folded by
// crcFold256 and the 256 bytes it leaves, then the rest of p, go
// through hash/crc32: Update(^0, folded) is ^(the zero-register CRC of
// the folded bytes) = ^(that of p's steps with ^0 merged), which is
// ChecksumIEEE(p's steps), and Update goes on from there over the rest.
func checksum(p []byte, folded *[256]byte) uint32 {
	if !crcWide || len(p) < crcWideMin {
		return crc32.ChecksumIEEE(p)
	}
	n := len(p) &^ 255
	crcFold256(folded, p[:n])
	c := crc32.Update(^uint32(0), crc32.IEEETable, folded[:])
	return crc32.Update(c, crc32.IEEETable, p[n:])
}
