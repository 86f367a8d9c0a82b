//go:build !purego

package fast

import (
	"testing"
	"unsafe"
)

// On a CPU with AVX-512 VBMI, find runs the AVX-512 kernel for every
// buffer of 67 bytes or more; the AVX2 path (its kernel called again
// after each window with a candidate) is compared with Aho-Corasick
// here as well.
func TestTeddyMatchesAhoCorasickWithoutAVX512(t *testing.T) {
	if !teddyWide {
		t.Skip("no AVX-512 VBMI: the other tests run the AVX2 path")
	}
	teddyWide = false
	defer func() { teddyWide = true }()
	TestTeddyMatchesAhoCorasick(t)
	TestTeddyMatchesAhoCorasickManyLiterals(t)
	TestTeddyThreeShortFirstBytes(t)
}

// The kernels read teddyMasks at fixed offsets (teddy_amd64.s).
func TestTeddyMasksLayout(t *testing.T) {
	var m teddyMasks
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"eq", unsafe.Offsetof(m.eq), 256},
		{"en", unsafe.Offsetof(m.en), 320},
		{"wide", unsafe.Offsetof(m.wide), 352},
		{"enMask", unsafe.Offsetof(m.enMask), 864},
	} {
		if c.got != c.want {
			t.Errorf("teddyMasks.%s at %d, the assembly reads it at %d", c.name, c.got, c.want)
		}
	}
}
