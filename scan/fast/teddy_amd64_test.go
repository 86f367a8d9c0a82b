//go:build !purego

package fast

import (
	"math/rand"
	"slices"
	"testing"
	"unsafe"
)

// On a CPU with AVX-512 VBMI, find runs the AVX-512 kernel for every
// buffer of 67 bytes or more; the AVX2 path (the batched AVX2 kernel,
// and teddyScanAVX2 for buffers of 35 to 66 bytes) is compared with
// Aho-Corasick here as well. (GODEBUG=cpu.avx512vbmi=off, which
// golang.org/x/sys/cpu reads, takes the AVX2 path in every test and
// benchmark; the runtime warns that it does not know the feature.)
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

// The batched AVX2 kernel (two nibble windows of 32 positions a round,
// the wide tables for each position they admit, every window with a
// candidate written out in one call) answers as its Go model,
// teddyBatchNibbleGeneric, for every room in the output, on dense and
// sparse buffers (with bytes over 0x7f) and literal sets with two, one
// and no compared bytes.
func TestTeddyKernelBatchAVX2(t *testing.T) {
	if !teddyAvailable() {
		t.Skip("no AVX2")
	}
	long := longPackLits()
	oneEq := append([]Literal{{Text: `\`}}, long...)
	rng := rand.New(rand.NewSource(6))
	for _, lits := range [][]Literal{matcherLits, packLits, threeShort, oneEq, long, manyLits(150)} {
		td := newTeddy(lits)
		for i := 0; i < 3000; i++ {
			p := kernelBuffer(rng, teddyWideWindow+rng.Intn(400), i%2 == 0)
			room := 1 + rng.Intn(4)
			for start := 0; start <= len(p); start += 1 + rng.Intn(70) {
				h1, h2 := make([]teddyHit, room), make([]teddyHit, room)
				c1, n1 := teddyBatchNibbleGeneric(&td.masks, p, start, h1)
				c2, n2 := teddyBatchAVX2(&td.masks, unsafe.SliceData(p), len(p), start, unsafe.SliceData(h2), room)
				if c1 != c2 || n1 != n2 || !slices.Equal(h1[:c1], h2[:c2]) {
					t.Fatalf("%d literals, %q from %d, room %d: model %d %d %v, kernel %d %d %v", len(lits), p, start, room, c1, n1, h1[:c1], c2, n2, h2[:c2])
				}
			}
		}
	}
}

// FuzzTeddyBatchAVX2 compares the batched AVX2 kernel with its model on
// any buffer, start and room.
func FuzzTeddyBatchAVX2(f *testing.F) {
	if !teddyAvailable() {
		f.Skip("no AVX2")
	}
	tds := []*teddy{newTeddy(packLits), newTeddy(matcherLits), newTeddy(threeShort)}
	f.Add([]byte(`{"eventVersion":"1.08","eventType":"AwsApiCall","eventTime":"2025-03-10T01:00:00Z","x":"\\u017f"}`), uint16(0), uint8(1))
	f.Add([]byte("xxStartSessionxxSSM.AMAZONAWS.COMxx\u017fxx\u212a\\xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"), uint16(3), uint8(2))
	f.Fuzz(func(t *testing.T, p []byte, start uint16, room uint8) {
		if len(p) < teddyWideWindow {
			return
		}
		s, r := int(start)%(len(p)+1), 1+int(room)%8
		for _, td := range tds {
			h1, h2 := make([]teddyHit, r), make([]teddyHit, r)
			c1, n1 := teddyBatchNibbleGeneric(&td.masks, p, s, h1)
			c2, n2 := teddyBatchAVX2(&td.masks, unsafe.SliceData(p), len(p), s, unsafe.SliceData(h2), r)
			if c1 != c2 || n1 != n2 || !slices.Equal(h1[:c1], h2[:c2]) {
				t.Fatalf("%q from %d, room %d: model %d %d %v, kernel %d %d %v", p, s, r, c1, n1, h1[:c1], c2, n2, h2[:c2])
			}
		}
	})
}
