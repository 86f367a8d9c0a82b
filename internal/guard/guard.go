//go:build linux

// Package guard gives tests byte slices that end (and start) at a page
// the process may not touch, so that a kernel reading or writing one
// byte past its slice faults instead of reading its neighbour's memory:
// the way to test assembly and unchecked loads at every length.
package guard

import (
	"syscall"
	"testing"
)

// Bytes returns a slice of n bytes whose last byte, and whose capacity,
// ends where a PROT_NONE page starts; a PROT_NONE page also lies before
// the mapping. The memory is unmapped when the test ends.
func Bytes(t testing.TB, n int) []byte {
	t.Helper()
	ps := syscall.Getpagesize()
	body := (n + ps - 1) / ps * ps
	if body == 0 {
		body = ps
	}
	m, err := syscall.Mmap(-1, 0, body+2*ps, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap: %v", err)
	}
	t.Cleanup(func() { syscall.Munmap(m) })
	if err := syscall.Mprotect(m[:ps], syscall.PROT_NONE); err != nil {
		t.Fatalf("mprotect: %v", err)
	}
	if err := syscall.Mprotect(m[ps+body:], syscall.PROT_NONE); err != nil {
		t.Fatalf("mprotect: %v", err)
	}
	end := ps + body
	return m[end-n : end : end]
}

// Copy returns b's bytes in a guarded slice (Bytes).
func Copy(t testing.TB, b []byte) []byte {
	t.Helper()
	g := Bytes(t, len(b))
	copy(g, b)
	return g
}
