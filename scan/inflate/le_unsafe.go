//go:build (amd64 || arm64) && !purego

package inflate

import "unsafe"

// load64 and store64 read and write the little-endian word at b[i:i+8]
// without a bounds check, store16 the pair at b[i:i+2]: the fast loop
// proves once per iteration, from its margins, that every index it uses
// is in range (see huffman). The purego build (le_purego.go) checks each
// access instead; the tests run both.

func load64(b []byte, i int) uint64 {
	return *(*uint64)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), i))
}

func store64(b []byte, i int, v uint64) {
	*(*uint64)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), i)) = v
}

func store8(b []byte, i int, v byte) {
	*(*byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), i)) = v
}

func store16(b []byte, i int, v uint16) {
	*(*uint16)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), i)) = v
}

// move16 copies b[src:src+16] to b[dst:dst+16] in one 16-byte load and
// store; the ranges must not overlap (dst-src >= 16).
func move16(b []byte, dst, src int) {
	p := unsafe.Pointer(unsafe.SliceData(b))
	*(*[16]byte)(unsafe.Add(p, dst)) = *(*[16]byte)(unsafe.Add(p, src))
}
