//go:build !purego

package fast

import "testing"

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
