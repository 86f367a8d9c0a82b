//go:build !purego

package structure

import (
	"math/rand"
	"strconv"
	"strings"
	"testing"
)

// kernels runs f once with each block kernel this CPU has, the AVX-512
// one (when present) and the AVX2 one, and restores the choice.
func kernels(t *testing.T, f func(t *testing.T)) {
	if !haveBlocks {
		t.Skip("no AVX2 block kernel: Scan is the byte loop")
	}
	defer func(w bool) { wideBlocks = w }(wideBlocks)
	if wideBlocksAvailable() {
		wideBlocks = true
		t.Run("avx512", f)
	}
	wideBlocks = false
	t.Run("avx2", f)
}

// eachKernel runs f once with each block kernel this CPU has (the
// fuzz target's way to reach both).
func eachKernel(f func(kernel string)) {
	defer func(w bool) { wideBlocks = w }(wideBlocks)
	if wideBlocksAvailable() {
		wideBlocks = true
		f("avx512")
	}
	wideBlocks = false
	f("avx2")
}

// fromState scans v[:n] from offset i with Scan, the block kernel
// included, starting in the given state, until it ends or v[:n] does,
// and reports the result and the state; bytesOnly does the same with the
// portable byte loop (scanBytes), the reference.
func fromState(v []byte, i, n int, st Scanner, bytesOnly bool) string {
	s := st
	var end int
	if bytesOnly {
		end = s.scanBytes(v[:n], i)
	} else {
		end = s.Scan(v[:n], i)
	}
	return strings.Join([]string{strconv.Itoa(end), strconv.Itoa(s.depth), boolS(s.inString), boolS(s.escaped), boolS(s.tooDeep), strconv.Itoa(s.firstEnd)}, " ")
}

// starts are the states a scan resumes in: at the start of a value,
// inside one, inside a string, after a backslash, too deep already, past
// the first nested value's end already.
var starts = []Scanner{
	{MaxDepth: 3},
	{MaxDepth: 512, depth: 2},
	{MaxDepth: 512, depth: 3, firstEnd: 7},
	{MaxDepth: 2, depth: 2},
	{MaxDepth: 512, depth: 1, inString: true},
	{MaxDepth: 512, depth: 1, inString: true, escaped: true},
	{MaxDepth: 1, depth: 3, tooDeep: true},
	{MaxDepth: 512, depth: -1},
}

// Every kernel gives the byte loop's results on random bytes over the
// structure's alphabet, from every offset to every length, in every
// start state.
func TestStructureKernelsMatchBytesEveryOffset(t *testing.T) {
	kernels(t, func(t *testing.T) {
		rng := rand.New(rand.NewSource(2))
		const alphabet = "\"\\{}[]:, a"
		for round := 0; round < 12; round++ {
			v := make([]byte, 64*3+rng.Intn(64))
			// Few brackets and backslashes in some rounds, so that
			// blocks pass whole through the kernel.
			sparse := round%2 == 1
			for k := range v {
				c := alphabet[rng.Intn(len(alphabet))]
				if sparse && strings.IndexByte("\\{}[]", c) >= 0 && rng.Intn(16) != 0 {
					c = 'a'
				}
				v[k] = c
			}
			for i := 0; i <= len(v); i++ {
				for n := i; n <= len(v); n++ {
					for _, st := range starts {
						if got, want := fromState(v, i, n, st, false), fromState(v, i, n, st, true); got != want {
							t.Fatalf("%q [%d:%d] from %+v: Scan %s, bytes %s", v, i, n, st, got, want)
						}
					}
				}
			}
		}
	})
}

// Every kernel gives the byte loop's results on CloudTrail records
// (bench/gen, shapes from the public samples) one after another in one
// buffer: from every offset to the end, and from each record's start to
// every length.
func TestStructureKernelsMatchBytesRecords(t *testing.T) {
	buf, recs := genRecords(t, 16<<10)
	kernels(t, func(t *testing.T) {
		for i := 0; i <= len(buf); i++ {
			for _, st := range starts[:2] {
				if got, want := fromState(buf, i, len(buf), st, false), fromState(buf, i, len(buf), st, true); got != want {
					t.Fatalf("[%d:] from %+v: Scan %s, bytes %s", i, st, got, want)
				}
			}
		}
		// From each record's start, against the one-byte-at-a-time
		// oracle: the end and where the first nested value ends
		// (userIdentity's object, nearly always).
		for _, r := range recs {
			s := Scanner{MaxDepth: 512}
			end := s.Scan(buf[r:], 0)
			got := strings.Join([]string{"end", strconv.Itoa(end), "deep", boolS(s.tooDeep), "first", strconv.Itoa(s.FirstNestedEnd())}, " ")
			if want := naive(buf[r:], 512); got != want {
				t.Fatalf("record at %d: Scan %s, one byte at a time %s", r, got, want)
			}
		}
		for _, r := range recs[:min(len(recs), 8)] {
			for n := r; n <= len(buf) && n <= r+4096; n++ {
				if got, want := fromState(buf, r, n, starts[0], false), fromState(buf, r, n, starts[0], true); got != want {
					t.Fatalf("[%d:%d]: Scan %s, bytes %s", r, n, got, want)
				}
			}
		}
	})
}

// On a CPU with AVX-512BW, Scan runs the AVX-512 kernel; the other tests
// of this package run it, and TestStructureWithoutAVX512 runs them with
// the AVX2 kernel.
func TestStructureUsesAVX512(t *testing.T) {
	if !wideBlocksAvailable() {
		t.Skip("no AVX-512BW")
	}
	if !wideBlocks {
		t.Fatal("the CPU has AVX-512BW and Scan does not use the AVX-512 kernel")
	}
}

func TestStructureWithoutAVX512(t *testing.T) {
	if !wideBlocksAvailable() {
		t.Skip("no AVX-512BW: the other tests run the AVX2 kernel")
	}
	wideBlocks = false
	defer func() { wideBlocks = true }()
	TestStructureBlocksMatchBytes(t)
}
