package inflate

import (
	"math/rand/v2"
	"testing"
)

// The table builder before issue 17's (a pass over the symbols per
// length's codewords, each written at every index it fills): the
// reference TestBuildMatchesReference compares build with.
func buildRef(table []uint32, lens []uint8, primary uint, kind int) (minLen uint8, ok bool) {
	var count [maxLen + 1]int
	var maxL uint8
	for _, n := range lens {
		if n == 0 {
			continue
		}
		count[n]++
		if minLen == 0 || n < minLen {
			minLen = n
		}
		maxL = max(maxL, n)
	}
	size := 1 << primary
	if maxL == 0 {
		invalid := invalidEntry(0)
		for i := range table[:size] {
			table[i] = invalid
		}
		return 0, true
	}
	code := 0
	var next [maxLen + 2]int
	for i := minLen; i <= maxL; i++ {
		code <<= 1
		next[i] = code
		code += count[i]
	}
	if code != 1<<maxL && !(code == 1 && maxL == 1) {
		return 0, false
	}
	if code != 1<<maxL {
		// The one-symbol code: the lookups no symbol fills are invalid
		// once minLen bits are read.
		invalid := invalidEntry(minLen)
		for i := range table[:size] {
			table[i] = invalid
		}
	}
	codes := next
	if uint(maxL) > primary {
		// Subtables: for each primary index that prefixes longer
		// codewords, the longest of them sets the subtable's size.
		var subMax [1 << litBits]uint8
		for _, n := range lens {
			if n == 0 {
				continue
			}
			c := codes[n]
			codes[n]++
			if uint(n) > primary {
				p := reverse(uint32(c), n) & (1<<primary - 1)
				subMax[p] = max(subMax[p], n-uint8(primary))
			}
		}
		end := size
		for p := 0; p < size; p++ {
			if subMax[p] != 0 {
				table[p] = kindLink | uint32(end)<<16 | uint32(subMax[p])<<8
				end += 1 << subMax[p]
			}
		}
		if end > len(table) {
			panic("BUG: inflate: Huffman table overflow")
		}
		codes = next
	}
	// The literals whose codewords leave room in a primary index for
	// another's: symbol, reversed codeword and length, for pairLiterals.
	var short [256]uint32
	nshort := 0
	for sym, n := range lens {
		if n == 0 {
			continue
		}
		c := codes[n]
		codes[n]++
		r := reverse(uint32(c), n)
		if kind == litKind && sym < 256 && uint(n)+uint(minLen) <= primary {
			short[nshort] = uint32(sym) | r<<8 | uint32(n)<<24
			nshort++
		}
		var e uint32
		switch kind {
		case litKind:
			e = litEntry(sym, n)
		case distKind:
			e = distEntry(sym, n)
		default:
			e = literalEntry(byte(sym), n)
		}
		if uint(n) <= primary {
			for i := r; i < uint32(size); i += 1 << n {
				table[i] = e
			}
			continue
		}
		link := table[r&(1<<primary-1)]
		start, bits := link>>16, codeLen(link)
		sub := r >> primary
		step := uint32(1) << (uint(n) - primary)
		for i := sub; i < 1<<bits; i += step {
			table[start+i] = e
		}
	}
	if nshort > 1 {
		pairLiteralsRef(table[:size], primary, short[:nshort])
	}
	return minLen, true
}
func pairLiteralsRef(table []uint32, primary uint, short []uint32) {
	var count [maxLen + 2]int
	for _, p := range short {
		count[p>>24+1]++
	}
	for i := 1; i < len(count); i++ {
		count[i] += count[i-1]
	}
	var sorted [256]uint32
	for _, p := range short {
		sorted[count[p>>24]] = p
		count[p>>24]++
	}
	lits := sorted[:len(short)]
	for _, p1 := range lits {
		n1 := uint(p1 >> 24)
		if n1+uint(lits[0]>>24) > primary {
			break
		}
		r1 := p1 >> 8 & 0xffff
		e1 := literalEntry(byte(p1), uint8(n1))&^consumedMask | flagPair
		for _, p2 := range lits {
			n := n1 + uint(p2>>24)
			if n > primary {
				break
			}
			e := e1 | (p2&0xff)<<8 | uint32(n)
			for i := r1 | (p2>>8&0xffff)<<n1; i < uint32(len(table)); i += 1 << n {
				table[i] = e
			}
		}
	}
}

// resolve is the entry a table of primary bits gives for the bits v: the
// primary entry, or behind a link its subtable's.
func resolve(table []uint32, primary uint, v uint32) uint32 {
	e := table[v&(1<<primary-1)]
	if int32(e) >= 0 && e&kindLink != 0 {
		e = table[e>>16+v>>primary&(1<<codeLen(e)-1)]
	}
	return e
}

// TestBuildMatchesReference: for every kind of table, over random
// complete codes, codes with a symbol too many or too few, the
// one-symbol code and the empty code, build answers as buildRef does
// (ok, the shortest length) and its table decodes every 15-bit input to
// the same entry (subtables may stand in another order, so links are
// followed, not compared). The tables start out filled with garbage.
func TestBuildMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 1))
	kinds := []struct {
		kind, syms int
		primary    uint
		size       int
	}{
		{litKind, 286, litBits, litTableSize},
		{litKind, 288, litBits, litTableSize},
		{distKind, 30, distBits, distTableSize},
		{distKind, 32, distBits, distTableSize},
		{clKind, 19, 7, clTableSize},
	}
	check := func(t *testing.T, kind int, primary uint, size int, lens []uint8) {
		t.Helper()
		got, want := make([]uint32, size), make([]uint32, size)
		for i := range got {
			got[i], want[i] = 0xdeadbeef, 0xdeadbeef
		}
		gm, gok := build(got, lens, primary, kind)
		wm, wok := buildRef(want, lens, primary, kind)
		if gm != wm || gok != wok {
			t.Fatalf("lens %v: build %d, %v; reference %d, %v", lens, gm, gok, wm, wok)
		}
		if !gok {
			return
		}
		for v := range uint32(1 << maxLen) {
			if g, w := resolve(got, primary, v), resolve(want, primary, v); g != w {
				t.Fatalf("lens %v: bits %015b: entry %08x, reference %08x", lens, v, g, w)
			}
		}
	}
	for _, k := range kinds {
		maxBits := 15
		if k.kind == clKind {
			maxBits = 7
		}
		for round := range 200 {
			lens := randomLengths(rng, k.syms, 2+rng.IntN(k.syms-1))
			if k.kind == clKind && lensOver(lens, maxBits) {
				continue
			}
			check(t, k.kind, k.primary, k.size, lens)
			// One codeword more or less: over-subscribed or incomplete.
			bad := append([]uint8(nil), lens...)
			i := rng.IntN(len(bad))
			if bad[i] == 0 {
				bad[i] = uint8(1 + rng.IntN(maxBits))
			} else {
				bad[i] = 0
			}
			check(t, k.kind, k.primary, k.size, bad)
			if round%50 == 0 {
				one := make([]uint8, k.syms)
				one[rng.IntN(k.syms)] = 1
				check(t, k.kind, k.primary, k.size, one)
				check(t, k.kind, k.primary, k.size, make([]uint8, k.syms))
			}
		}
	}
	// The fixed code's lengths.
	var fixed [288]uint8
	for i := range fixed {
		fixed[i] = [4]uint8{8, 9, 7, 8}[btoi(i >= 144)+btoi(i >= 256)+btoi(i >= 280)]
	}
	check(t, litKind, litBits, litTableSize, fixed[:])
}

func lensOver(lens []uint8, max int) bool {
	for _, n := range lens {
		if int(n) > max {
			return true
		}
	}
	return false
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// BenchmarkBuild builds the tables of a dynamic block of typical shape
// (a literal/length code over 286 symbols reaching 14 bits, a distance
// code over 30): what each dynamic block costs before its first symbol.
// Its bytes are the tables' primary entries.
func BenchmarkBuild(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	var lit []uint8
	for {
		lit = randomLengths(rng, 286, 200)
		if !lensOver(lit, 14) && lensOver(lit, 11) {
			break
		}
	}
	dist := randomLengths(rng, 30, 24)
	var lt [litTableSize]uint32
	var dt [distTableSize]uint32
	b.ReportAllocs()
	b.SetBytes(4 * (1<<litBits + 1<<distBits))
	for b.Loop() {
		if _, ok := build(lt[:], lit, litBits, litKind); !ok {
			b.Fatal("literal code refused")
		}
		if _, ok := build(dt[:], dist, distBits, distKind); !ok {
			b.Fatal("distance code refused")
		}
	}
}
