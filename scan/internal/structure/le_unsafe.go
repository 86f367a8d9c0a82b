//go:build (amd64 || arm64) && !purego

package structure

import "unsafe"

// load64 reads the little-endian word at b[i:i+8] without a bounds
// check: StringEnd's loop bound, with the 0 <= i it requires, proves
// that the 8 bytes are there. The purego build (le_purego.go) checks
// each access instead; the tests run both.
func load64(b []byte, i int) uint64 {
	return *(*uint64)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), i))
}
