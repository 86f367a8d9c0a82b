//go:build !purego

package structure

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// blockState is Scanner's state as structBlocksAVX2 reads and writes
// it.
type blockState struct {
	depth    int64
	inString int64 // 0, or -1 inside a string
	tooDeep  int64 // 0 or 1
	maxDepth int64
	// firstLeft is 1 while no close bracket has taken the depth to 1
	// (Scanner.FirstNestedEnd), else 0: the kernel then looks for that
	// bracket too, which it writes to firstEnd (the offset past it) and
	// sets firstLeft to 0. It is the floor the depth has to stay above
	// for a block's brackets to be counted without following them.
	firstLeft int64
	firstEnd  int64
}

// structBlocksAVX2 scans p[0:n] in 64-byte blocks, classifying bytes
// with AVX2, finding strings by a carry-less multiply of the quote mask
// and following bracket depth by popcount and bit scans. It stops at the
// end of the value (end is the index past it), at a block holding a
// backslash, or before a block it cannot fill (end -1, next its offset).
//
//go:noescape
func structBlocksAVX2(p *byte, n int, st *blockState) (end, next int)

// structBlocksAVX512 is structBlocksAVX2 with AVX-512BW: the same
// contract and the same results, a block's compares going straight
// into mask registers, and a branch layout that favours the blocks whose
// brackets cannot end the value (scanner_amd64.s).
//
//go:noescape
func structBlocksAVX512(p *byte, n int, st *blockState) (end, next int)

var haveBlocks = cpu.X86.HasAVX2 && cpu.X86.HasBMI1 && cpu.X86.HasPOPCNT && cpu.X86.HasPCLMULQDQ

// wideBlocks is whether blocks runs structBlocksAVX512 (tests turn it
// off to run the AVX2 kernel on a CPU that has both).
var wideBlocks = haveBlocks && cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW

func wideBlocksAvailable() bool { return haveBlocks && cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW }

// blocks runs the block scanner on buf[i:] when it can: it returns the
// end of the value, or -1 and where the slow path has to go on.
func (s *Scanner) blocks(buf []byte, i int) (end, next int) {
	if !haveBlocks || s.escaped || len(buf)-i < 64 {
		return -1, i
	}
	st := blockState{depth: int64(s.depth), maxDepth: int64(s.MaxDepth)}
	if s.firstEnd == 0 {
		st.firstLeft = 1
	}
	if s.inString {
		st.inString = -1
	}
	if s.tooDeep {
		st.tooDeep = 1
	}
	p := (*byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(buf)), i))
	if wideBlocks {
		end, next = structBlocksAVX512(p, len(buf)-i, &st)
	} else {
		end, next = structBlocksAVX2(p, len(buf)-i, &st)
	}
	s.depth, s.inString, s.tooDeep = int(st.depth), st.inString != 0, st.tooDeep != 0
	if st.firstEnd != 0 {
		s.firstEnd = i + int(st.firstEnd)
	}
	if end >= 0 {
		// The kernel's string state is that of the whole block; where
		// the value ends, at a close bracket, no string is open.
		s.inString = false
		return i + end, i + end
	}
	return -1, i + next
}
