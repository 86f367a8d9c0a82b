//go:build !(amd64 || arm64) || purego

package structure

import "encoding/binary"

// The portable load64 (le_unsafe.go): every access is bounds-checked.
func load64(b []byte, i int) uint64 { return binary.LittleEndian.Uint64(b[i:]) }
