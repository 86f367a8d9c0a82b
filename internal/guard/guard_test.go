//go:build linux

package guard

import (
	"runtime/debug"
	"syscall"
	"testing"
	"unsafe"
)

func TestBytesEndAtTheGuard(t *testing.T) {
	for _, n := range []int{0, 1, 63, 4096, 5000} {
		b := Bytes(t, n)
		if len(b) != n || cap(b) != n {
			t.Fatalf("n=%d: len %d cap %d", n, len(b), cap(b))
		}
		for i := range b {
			b[i] = byte(i) // every byte is writable
		}
	}
}

// The byte after the slice, and the byte before the mapping, fault.
func TestBytesFaultPastTheEnd(t *testing.T) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	b := Bytes(t, 10)
	ps := syscall.Getpagesize()
	for _, off := range []int{10, -(ps - 10) - 1} { // past the end; the last byte of the page before
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("reading at %d past the slice's start did not fault", off)
				}
			}()
			p := unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), off)
			sink = *(*byte)(p)
		}()
	}
}

// sink keeps the loads above from being dropped as dead.
var sink byte
