package inflate

import (
	"math/rand/v2"
	"testing"
)

// randomLengths returns the codeword lengths of a complete prefix code
// over n symbols with no codeword longer than 15 bits: a random binary
// tree grown by splitting random leaves, its leaves dealt to random
// symbols (the rest unused).
func randomLengths(rng *rand.Rand, n, leaves int) []uint8 {
	depths := []uint8{0}
	for len(depths) < leaves {
		i := rng.IntN(len(depths))
		if depths[i] == 15 {
			continue
		}
		depths[i]++
		depths = append(depths, depths[i])
	}
	lens := make([]uint8, n)
	for i, s := range rng.Perm(n)[:len(depths)] {
		lens[s] = depths[i]
	}
	return lens
}

// canonical assigns the codewords of RFC 1951, 3.2.2, written out here
// step by step: codeword i of each length, counted up in symbol order.
func canonical(lens []uint8) map[[2]int]int {
	var count [16]int
	for _, n := range lens {
		if n > 0 {
			count[n]++
		}
	}
	var next [16]int
	code := 0
	for bits := 1; bits <= 15; bits++ {
		code = (code + count[bits-1]) << 1
		next[bits] = code
	}
	codes := map[[2]int]int{} // {length, codeword} -> symbol
	for sym, n := range lens {
		if n > 0 {
			codes[[2]int{int(n), next[n]}] = sym
			next[n]++
		}
	}
	return codes
}

// decodeBits decodes one symbol from the bits of v, least significant
// first, a bit at a time as RFC 1951 packs codewords (most significant
// bit of the codeword first): the symbol and its length, or -1.
func decodeBits(codes map[[2]int]int, v uint64) (sym, n int) {
	code := 0
	for n = 1; n <= 15; n++ {
		code = code<<1 | int(v>>(n-1)&1)
		if s, ok := codes[[2]int{n, code}]; ok {
			return s, n
		}
	}
	return -1, 0
}

// TestTablesDecodeLikeBitByBit builds literal/length tables for random
// complete codes and checks every primary index, and every subtable
// index behind a link, against a decoder that reads a bit at a time: the
// entry's symbol (a literal's byte, a length's base and extra bits) and
// the bits it consumes, and for an entry of two literals, the second
// literal decoded from the bits after the first.
func TestTablesDecodeLikeBitByBit(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var table [litTableSize]uint32
	pairs, links := 0, 0
	for round := range 300 {
		lens := randomLengths(rng, 286, 2+rng.IntN(284))
		if _, ok := build(table[:], lens, litBits, litKind); !ok {
			t.Fatalf("round %d: a complete code refused", round)
		}
		codes := canonical(lens)
		for i := range 1 << litBits {
			for hi := range 1 << 5 { // bits past the primary index
				v := uint64(i) | uint64(hi)<<litBits | uint64(rng.Uint32())<<(litBits+5)
				e := table[i]
				if int32(e) >= 0 && e&kindLink != 0 {
					links++
					e = table[(e>>16+uint32(v>>litBits)&(1<<codeLen(e)-1))&(litTableSize-1)]
				}
				sym, n := decodeBits(codes, v)
				switch {
				case sym < 0:
					t.Fatalf("round %d: bits %x decode to nothing in a complete code", round, v)
				case sym < 256:
					if int32(e) >= 0 || byte(e>>16) != byte(sym) || literalLen(e) != uint(n) {
						t.Fatalf("round %d, bits %x: entry %08x, want literal %d of %d bits", round, v, e, sym, n)
					}
					if e&flagPair == 0 {
						if e&consumedMask != uint32(n) {
							t.Fatalf("round %d, bits %x: entry %08x consumes %d bits, want %d", round, v, e, e&consumedMask, n)
						}
						continue
					}
					pairs++
					sym2, n2 := decodeBits(codes, v>>n)
					if sym2 < 0 || sym2 > 255 || byte(e>>8) != byte(sym2) || e&consumedMask != uint32(n+n2) || n+n2 > litBits {
						t.Fatalf("round %d, bits %x: pair entry %08x, want literals %d then %d (%d+%d bits)", round, v, e, sym, sym2, n, n2)
					}
				case sym == 256:
					if e&kindEnd == 0 || codeLen(e) != uint(n) {
						t.Fatalf("round %d, bits %x: entry %08x, want the end of block (%d bits)", round, v, e, n)
					}
				default:
					s := sym - 257
					if e&exceptional != 0 || int32(e) < 0 || e>>16 != uint32(lengthBase[s]) || codeLen(e) != uint(n) || e&consumedMask != uint32(n)+uint32(lengthExtra[s]) {
						t.Fatalf("round %d, bits %x: entry %08x, want length symbol %d (%d bits)", round, v, e, sym, n)
					}
				}
			}
		}
	}
	if pairs == 0 || links == 0 {
		t.Errorf("the random codes gave %d pair entries and %d links: both paths must be seen", pairs, links)
	}
}
