package inflate

import (
	"math/bits"
	"sync"
)

// A table entry decodes one Huffman codeword by a lookup on the next
// bits of the stream (least significant first, as DEFLATE packs them).
// A literal entry (bit 31 set, tested as the sign):
//
//	bits 0-7   the bits to consume
//	bits 8-15  a second literal, when the entry holds two
//	bits 16-23 the (first) literal
//	bits 24-27 the first literal's codeword length
//	bit 28     the entry holds two literals: a primary index whose bits
//	           hold two whole literal codewords decodes both at once
//	           (the fast loop only; the careful loop takes the first)
//
// Any other entry:
//
//	bits 0-7   the bits to consume: the codeword's length plus the extra
//	           bits that follow it (lengths, distances), so that one
//	           shift takes both; 0 for a subtable link
//	bits 8-11  the codeword's length (for a link: the subtable's index
//	           bits), where the extra bits start
//	bits 12-14 the exceptional kinds: end of block, subtable link,
//	           invalid (none for a length or a distance)
//	bits 16-30 the base length or distance, or the subtable's start
//
// An invalid entry keeps the length of bits that must be present before
// the stream can be called corrupt rather than cut short, so that both
// classes come out as the standard library's decoder gives them.
const (
	flagLiteral  = 1 << 31
	flagPair     = 1 << 28
	kindEnd      = 1 << 12
	kindLink     = 2 << 12
	kindInvalid  = 4 << 12
	exceptional  = kindEnd | kindLink | kindInvalid
	consumedMask = 0xff
)

// literalEntry is the entry of the literal b whose codeword has n bits.
func literalEntry(b byte, n uint8) uint32 {
	return flagLiteral | uint32(n)<<24 | uint32(b)<<16 | uint32(n)
}

// literalLen is a literal entry's first codeword length.
func literalLen(e uint32) uint { return uint(e>>24) & 0xf }

// codeLen is an entry's codeword length (a link's subtable bits).
func codeLen(e uint32) uint { return uint(e>>8) & 0xf }

const (
	litBits  = 10 // primary index bits of the literal/length table
	distBits = 8  // of the distance table
	maxLen   = 15 // longest codeword
	// Table sizes for complete codes with these primary bits (zlib's
	// "enough" program: 1332 for 288 symbols and 10 bits, 402 for 32
	// symbols and 8 bits), rounded up.
	litTableSize  = 1 << 11
	distTableSize = 1 << 10
	clTableSize   = 1 << 7 // code-length codes: 7 bits, never linked
)

var lengthBase = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
	35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
var lengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
	3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
var distBase = [30]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
	257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
var distExtra = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
	7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}

// litEntry and distEntry give the entry of a symbol of length n.
func litEntry(sym int, n uint8) uint32 {
	switch {
	case sym < 256:
		return literalEntry(byte(sym), n)
	case sym == 256:
		return kindEnd | uint32(n)<<8 | uint32(n)
	case sym < 286:
		s := sym - 257
		return uint32(lengthBase[s])<<16 | uint32(n)<<8 | uint32(n+lengthExtra[s])
	}
	// 286 and 287 exist only in the fixed code; using them is corrupt
	// once their bits are read.
	return invalidEntry(n)
}

func invalidEntry(n uint8) uint32 { return kindInvalid | uint32(n)<<8 | uint32(n) }

func distEntry(sym int, n uint8) uint32 {
	if sym < 30 {
		return uint32(distBase[sym])<<16 | uint32(n)<<8 | uint32(n+distExtra[sym])
	}
	return invalidEntry(n) // 30 and 31: fixed code only
}

// The tables build fills: their entries are litEntry's, distEntry's, or
// the code-length code's (a literal entry for each of its 19 symbols).
const (
	litKind = iota
	distKind
	clKind
)

// build fills table for the code lengths lens (symbol i has length
// lens[i], 0 for unused) with primary index bits primary and returns the
// code's shortest length. ok is false when the lengths do not make a
// complete prefix code; as in compress/flate and zlib, a code of one
// symbol of length 1 is accepted, and an empty code too (any use of it is
// corrupt).
//
// As libdeflate's build_decode_table: the symbols are sorted by length
// (a counting sort; within a length in symbol order, as canonical
// codewords are handed out), and the codewords are counted up in
// bit-reversed form, so that each is the index of its first entry. The
// primary table is filled as a table of 2^len entries for len = the
// shortest length, then doubled (one copy of what is filled) at each
// longer length up to primary bits: a codeword of len bits is written
// once, and its repeats come with the copies. Codewords longer than
// primary go to subtables, each as large as the longest codeword behind
// its primary index needs, in the order their codewords come.
func build(table []uint32, lens []uint8, primary uint, kind int) (minLen uint8, ok bool) {
	var count [maxLen + 1]int
	for _, n := range lens {
		count[n]++
	}
	count[0] = 0
	maxL := uint(maxLen)
	for maxL > 0 && count[maxL] == 0 {
		maxL--
	}
	size := uint32(1) << primary
	if maxL == 0 {
		invalid := invalidEntry(0)
		for i := range table[:size] {
			table[i] = invalid
		}
		return 0, true
	}
	minL := uint(1)
	for count[minL] == 0 {
		minL++
	}
	minLen = uint8(minL)
	code := 0
	for i := minL; i <= maxL; i++ {
		code = code<<1 + count[i]
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
	// sorted holds the symbols by length, each length's in symbol order.
	var offset [maxLen + 1]int
	for i := minL; i < maxL; i++ {
		offset[i+1] = offset[i] + count[i]
	}
	var sorted [288]uint16
	for sym, n := range lens {
		if n != 0 {
			sorted[offset[n]] = uint16(sym)
			offset[n]++
		}
	}
	syms := sorted[:offset[maxL]]

	// The literals whose codewords leave room in a primary index for
	// another's: symbol, reversed codeword and length, for pairLiterals,
	// by length.
	var short [256]uint32
	nshort := 0
	// The codewords of up to primary bits: the table is filled for len
	// bits (curEnd entries), and doubled before the next length's.
	n, cw := minL, uint32(0) // cw: the next codeword, reversed
	if minL <= primary {
		curEnd := uint32(1) << minL
		for ; n <= primary && n <= maxL; n++ {
			if n > minL {
				copy(table[curEnd:2*curEnd], table[:curEnd])
				curEnd <<= 1
			}
			for c := count[n]; c > 0; c-- {
				sym := int(syms[0])
				syms = syms[1:]
				table[cw] = entry(kind, sym, uint8(n))
				if kind == litKind && sym < 256 && n+minL <= primary {
					short[nshort] = uint32(sym) | cw<<8 | uint32(n)<<24
					nshort++
				}
				cw = nextCodeword(cw, n)
			}
		}
		for ; curEnd < size; curEnd <<= 1 {
			copy(table[curEnd:2*curEnd], table[:curEnd])
		}
	}
	// The longer codewords, in subtables.
	end, prefix := size, ^uint32(0)
	var start uint32
	for ; n <= maxL; n++ {
		for c := count[n]; c > 0; c-- {
			if cw&(size-1) != prefix {
				// A new primary index: its subtable holds the codewords
				// that start with it, of this length and, while those do
				// not fill it, longer ones.
				prefix, start = cw&(size-1), end
				sub := n - primary
				for used := c; used < 1<<sub; {
					sub++
					used = used<<1 + count[primary+sub]
				}
				end = start + 1<<sub
				if end > uint32(len(table)) {
					panic("BUG: inflate: Huffman table overflow")
				}
				table[prefix] = kindLink | start<<16 | uint32(sub)<<8
			}
			sym := int(syms[0])
			syms = syms[1:]
			e := entry(kind, sym, uint8(n))
			for i := start + cw>>primary; i < end; i += 1 << (n - primary) {
				table[i] = e
			}
			cw = nextCodeword(cw, n)
		}
	}
	if nshort > 1 {
		pairLiterals(table[:size], primary, short[:nshort])
	}
	return minLen, true
}

// entry is the table entry of symbol sym of length n in a table of kind.
func entry(kind, sym int, n uint8) uint32 {
	switch kind {
	case litKind:
		return litEntry(sym, n)
	case distKind:
		return distEntry(sym, n)
	}
	return literalEntry(byte(sym), n)
}

// nextCodeword counts the reversed codeword cw of n bits up by one, in
// its unreversed form: the highest 0 bit (the unreversed lowest) is set
// and the bits above it cleared. The last codeword, all ones, has no
// next; it returns itself.
func nextCodeword(cw uint32, n uint) uint32 {
	last := uint32(1)<<n - 1
	if cw == last {
		return cw
	}
	bit := uint32(1) << (bits.Len32(cw^last) - 1)
	return cw&(bit-1) | bit
}

// pairLiterals makes each primary entry whose index bits hold two whole
// literal codewords an entry of both. short holds the literals whose
// codewords are short enough to be the first of such a pair (symbol,
// reversed codeword and length, packed), sorted by length; a pair of
// lengths n1 and n2 fills the indexes that start with the two codewords,
// every 2^(n1+n2) (as a codeword of n1+n2 bits would), over the single
// literal's entries there. Sorted by length, the loops stop at the first
// pair that does not fit, so the work is the number of entries written.
func pairLiterals(table []uint32, primary uint, short []uint32) {
	lits := short
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

// reverse reverses the low n bits of c: DEFLATE sends codewords most
// significant bit first into a stream read least significant first.
func reverse(c uint32, n uint8) uint32 { return bits.Reverse32(c) >> (32 - n) }

// codeTables is a block's pair of tables, together so that the fast
// loop reaches both from one register.
type codeTables struct {
	lit  [litTableSize]uint32
	dist [distTableSize]uint32
}

// The fixed code's tables (RFC 1951, 3.2.6), built once.
var (
	fixedOnce sync.Once
	fixed     codeTables
)

func fixedTables() *codeTables {
	fixedOnce.Do(func() {
		var lens [288]uint8
		for i := range lens {
			switch {
			case i < 144:
				lens[i] = 8
			case i < 256:
				lens[i] = 9
			case i < 280:
				lens[i] = 7
			default:
				lens[i] = 8
			}
		}
		if _, ok := build(fixed.lit[:], lens[:], litBits, litKind); !ok {
			panic("BUG: inflate: fixed literal code incomplete")
		}
		var dl [32]uint8
		for i := range dl {
			dl[i] = 5
		}
		if _, ok := build(fixed.dist[:], dl[:], distBits, distKind); !ok {
			panic("BUG: inflate: fixed distance code incomplete")
		}
	})
	return &fixed
}
