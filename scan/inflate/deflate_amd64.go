//go:build !purego

package inflate

import "golang.org/x/sys/cpu"

// fastLoopBMI2 is fastLoop in assembly (deflate_amd64.s), with BMI2's
// shifts by any register (SHRX, SHLX) and BZHI for the extra bits: the
// same contract, the same loads and stores in the same order, and the
// same returned state. status is 0 where fastLoop returns end false, 1
// for the block's end code, 2 for ErrCorrupt.
//
//go:noescape
func fastLoopBMI2(in, out []byte, tables *codeTables, bitbuf uint64, bitsleft uint, pos, op int) (rbitbuf uint64, rbitsleft uint, rpos, rop int, status int)

// asmFastLoop is whether huffman runs fastLoopBMI2 (tests turn it off to
// run the Go loop on the same inputs).
var asmFastLoop = asmFastLoopAvailable()

func asmFastLoopAvailable() bool { return cpu.X86.HasBMI2 }

// fastLoopArch is the fast loop huffman runs: the assembly where the CPU
// has BMI2, else fastLoop.
func fastLoopArch(in, out []byte, tables *codeTables, bitbuf uint64, bitsleft uint, pos, op int) (uint64, uint, int, int, bool, error) {
	if !asmFastLoop {
		return fastLoop(in, out, tables, bitbuf, bitsleft, pos, op)
	}
	bitbuf, bitsleft, pos, op, status := fastLoopBMI2(in, out, tables, bitbuf, bitsleft, pos, op)
	switch status {
	case 0:
		return bitbuf, bitsleft, pos, op, false, nil
	case 1:
		return bitbuf, bitsleft, pos, op, true, nil
	}
	return bitbuf, bitsleft, pos, op, true, ErrCorrupt
}
