//go:build !(amd64 || arm64) || purego

package inflate

import "encoding/binary"

// The portable load64, store64, store16, store8 and move16 (le_unsafe.go): every access
// is bounds-checked, so a wrong margin in the fast loop panics here.

func load64(b []byte, i int) uint64 { return binary.LittleEndian.Uint64(b[i:]) }

func store64(b []byte, i int, v uint64) { binary.LittleEndian.PutUint64(b[i:], v) }

func store8(b []byte, i int, v byte) { b[i] = v }

func store16(b []byte, i int, v uint16) { binary.LittleEndian.PutUint16(b[i:], v) }

func move16(b []byte, dst, src int) { copy(b[dst:dst+16], b[src:src+16]) }
