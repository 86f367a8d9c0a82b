//go:build !amd64 || purego

package inflate

// asmFastLoop is false: there is no assembly fast loop here.
var asmFastLoop = false

func asmFastLoopAvailable() bool { return false }

// fastLoopArch is the fast loop huffman runs: fastLoop.
func fastLoopArch(in, out []byte, tables *codeTables, bitbuf uint64, bitsleft uint, pos, op int) (uint64, uint, int, int, bool, error) {
	return fastLoop(in, out, tables, bitbuf, bitsleft, pos, op)
}
