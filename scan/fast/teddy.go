package fast

import (
	"math"
	"math/bits"
	"sort"
)

// teddy is the SIMD literal matcher, after Hyperscan's Teddy: every
// literal is anchored on 4 of its bytes (3 for a literal of 3; the
// rarest, by trigrams.txt), the literals are spread over 8 buckets, and
// for each of the 4 anchor bytes two 16-entry tables, indexed by the
// byte's low and high nibble, say which buckets can have that byte
// there. A kernel looks up 32 positions at a time (VPSHUFB) and reports
// the positions whose four bytes fit some bucket, or whose byte is the
// first of a literal under 3 bytes (compared apart, VPCMPEQB); only
// those are compared with the literals anchored on the trigram there.
// Case-insensitive literals put both cases of a letter in the tables.
type teddy struct {
	masks   teddyMasks
	buckets [8][]anchored
	lits    []Literal
	// short holds the literals under 3 bytes (exact ones only: a
	// backslash, the U+017F trigger); the kernel finds the first two
	// first bytes among them by comparing, the tables the others (which
	// admit any byte after them), and the last three positions of a
	// buffer are looked at apart.
	short []int
	// shortFirst marks the first bytes of the short literals, eqFirst
	// those the kernel compares.
	shortFirst, eqFirst [256]bool
	// The second stage: a position the tables admit is compared only
	// with the literals anchored on its own trigram (ASCII-folded),
	// found by hashing it: anchors[slots[h]:slots[h+1]] are the
	// literals whose anchor hashes to h, so a false candidate of the
	// nibble tables (a trigram made of nibbles of several literals)
	// costs one lookup, whatever the number of literals in its bucket.
	slots   [anchorSlots + 1]uint16
	anchors []anchorEntry
	// mark is the first literal whose last start find records (marks).
	mark int32
}

// teddyMasks is what the kernel looks up and compares: tables holds
// lo0, hi0, lo1, hi1, lo2, hi2, lo3, hi3, each 16 bytes twice (one copy
// per 128-bit lane); a position is also a candidate when its byte is
// eq[0] or eq[1] (each byte broadcast) and en is all ones (all zeros:
// no byte is compared). wide holds the buckets for the AVX-512 kernel,
// 128 entries for byte k of a position, looked up by the byte's low 7
// bits: entry c&0x7f has the buckets with a literal whose anchor has
// byte c there (not the products of nibbles of several literals, which
// the nibble tables let through), so a byte over 0x7f admits at least
// the buckets it should (more, when the byte 0x80 lower is in others).
// enMask is en as a bit mask.
type teddyMasks struct {
	tables [teddyTables][32]byte
	eq     [2][32]byte
	en     [32]byte
	wide   [teddyWidth][128]byte
	enMask uint64
}

// anchorEntry is a literal anchored on the folded trigram key.
type anchorEntry struct {
	key uint32
	id  int32
	off int32
}

// anchorBits sizes the anchor hash table: 2,048 slots for at most a few
// hundred literals.
const (
	anchorBits  = 11
	anchorSlots = 1 << anchorBits
)

// trigramKey is the ASCII-folded trigram at b[k:k+3] as a number.
func trigramKey(b0, b1, b2 byte) uint32 {
	return uint32(lowerTab[b0]) | uint32(lowerTab[b1])<<8 | uint32(lowerTab[b2])<<16
}

func anchorHash(key uint32) uint32 { return key * 0x9e3779b1 >> (32 - anchorBits) }

var lowerTab = func() (t [256]byte) {
	for c := range t {
		t[c] = lower(byte(c))
	}
	return t
}()

type anchored struct {
	id  int32 // index into lits
	off int32 // offset of the anchor trigram in the literal
}

// teddyMin is the shortest literal anchored on its own bytes; a shorter
// one (exact only) admits any byte after it. teddyWidth is the bytes
// the kernel looks at per position: a literal of 3 admits any fourth.
const (
	teddyMin    = 3
	teddyWidth  = 4
	teddyTables = 2 * teddyWidth
)

// maxTeddyLiterals is the most literals Teddy searches for (newMatcher):
// its 8 buckets' nibble tables fill up with more, and most positions
// become candidates of the second stage. Through worker.object with the
// built-in pack and the 91 SigmaHQ rules (152 case-insensitive
// literals), Teddy took 21–30 ms where Aho-Corasick took 37–45
// (BenchmarkPrefilterSets/sigma-91/candidate); on literals cut from the
// records themselves (the worst case: common trigrams) Aho-Corasick
// catches up between 300 and 400 literals.
const maxTeddyLiterals = 300

func newTeddy(lits []Literal) *teddy {
	t := &teddy{lits: lits, mark: int32(len(lits))}
	// Short literals first (they have one anchor), then the longer ones,
	// which have the most anchors to choose from once the buckets fill.
	order := make([]int, 0, len(lits))
	nshort, neq := 0, 0
	for i, l := range lits {
		if len(l.Text) < teddyMin {
			if l.Fold || len(l.Text) == 0 {
				panic("BUG: an empty or case-insensitive literal under 3 bytes")
			}
			t.short = append(t.short, i)
			t.shortFirst[l.Text[0]] = true
			c := l.Text[0]
			if !t.eqFirst[c] && neq < len(t.masks.eq) {
				t.eqFirst[c] = true
				for j := range t.masks.eq[neq] {
					t.masks.eq[neq][j] = c
				}
				neq++
			}
			if t.eqFirst[c] {
				continue // compared by the kernel: in no bucket
			}
		}
		order = append(order, i)
		if len(l.Text) < teddyWidth {
			nshort++
		}
	}
	if neq > 0 {
		if neq == 1 {
			t.masks.eq[1] = t.masks.eq[0]
		}
		for j := range t.masks.en {
			t.masks.en[j] = 0xff
		}
		t.masks.enMask = math.MaxUint64
	}
	sort.SliceStable(order, func(i, j int) bool { return len(lits[order[i]].Text) < len(lits[order[j]].Text) })
	// A literal under teddyWidth bytes admits any byte after its end:
	// in a bucket with longer literals it would let through every
	// position whose first bytes fit the bucket's nibbles (U+017F's C5 BF
	// beside the "unco" of a runcommand literal admitted every "un").
	// The short literals keep to buckets of their own: as many (one to
	// four) as give the least expected admitted positions in all; with
	// more than 64 literals to plan, two (planning 250 literals four
	// times took 76 ms where once took 23).
	var best []anchoredIn
	bestCost := math.Inf(1)
	fewest, most := min(1, nshort), min(nshort, 4)
	if len(order) > 64 {
		fewest = min(nshort, 2)
		most = fewest
	}
	for s := fewest; s <= most; s++ {
		plan, cost := planBuckets(lits, order, s)
		if cost < bestCost || best == nil {
			best, bestCost = plan, cost
		}
	}
	for _, a := range best {
		l := lits[a.id]
		t.buckets[a.bucket] = append(t.buckets[a.bucket], anchored{id: a.id, off: a.off})
		for k := 0; k < teddyWidth; k++ {
			if int(a.off)+k >= len(l.Text) {
				for c := 0; c < 256; c++ {
					t.set(k, byte(c), a.bucket)
				}
				continue
			}
			ch := l.Text[int(a.off)+k]
			t.set(k, ch, a.bucket)
			if l.Fold {
				t.set(k, upper(ch), a.bucket)
			}
		}
	}
	t.index()
	return t
}

// anchoredIn is a literal's anchor and bucket in a plan.
type anchoredIn struct {
	id, off int32
	bucket  int
}

// planBuckets anchors the literals, taken in order, and spreads them
// over the buckets greedily: buckets [0, short) hold the literals under
// teddyWidth bytes, the others the rest. It returns the plan and its
// cost, the expected positions its tables admit.
func planBuckets(lits []Literal, order []int, short int) ([]anchoredIn, float64) {
	var plan bucketPlan
	var before [8]float64 // plan's costs
	if short == 0 {
		short = -1 // no short literals: every bucket is for long ones
	}
	out := make([]anchoredIn, 0, len(lits))
	for _, id := range order {
		l := lits[id]
		lo, hi := short, len(plan)
		if short < 0 {
			lo = 0
		} else if len(l.Text) < teddyWidth {
			lo, hi = 0, short
		}
		// Anchor the literal where it adds the fewest expected false
		// candidates to some bucket, and is itself compared least
		// often: each occurrence of its anchor in a record is compared
		// with it (a shared prefix, as Delete… of several literals, is
		// free in the tables but not there).
		bestOff, bestB, bestCost := 0, lo, math.Inf(1)
		for _, off := range rareOffsets(l) {
			own := literalFreq(l.Text[off:min(len(l.Text), off+teddyWidth)])
			for b := lo; b < hi; b++ {
				if c := plan[b].with(l, off).cost() - before[b] + own; c < bestCost {
					bestOff, bestB, bestCost = off, b, c
				}
			}
		}
		plan[bestB] = plan[bestB].with(l, bestOff)
		before[bestB] = plan[bestB].cost()
		out = append(out, anchoredIn{id: int32(id), off: int32(bestOff), bucket: bestB})
	}
	total := 0.0
	for _, c := range before {
		total += c
	}
	return out, total
}

// index fills the anchor hash table from the buckets.
func (t *teddy) index() {
	var count [anchorSlots]int
	var all []anchorEntry
	for _, bk := range t.buckets {
		for _, a := range bk {
			l := t.lits[a.id].Text
			if len(l) < teddyMin {
				continue // short: looked at by its first byte
			}
			o := a.off
			e := anchorEntry{key: trigramKey(l[o], l[o+1], l[o+2]), id: a.id, off: a.off}
			count[anchorHash(e.key)]++
			all = append(all, e)
		}
	}
	if len(all) > math.MaxUint16 {
		panic("BUG: too many Teddy literals")
	}
	n := 0
	for h, c := range count {
		t.slots[h] = uint16(n)
		n += c
	}
	t.slots[anchorSlots] = uint16(n)
	t.anchors = make([]anchorEntry, n)
	next := t.slots
	for _, e := range all {
		h := anchorHash(e.key)
		t.anchors[next[h]] = e
		next[h]++
	}
}

// literalFreq estimates how often text occurs with a trigram model: the
// frequency of its first trigram times, for each next byte, the share
// of the preceding bigram's occurrences that go on with that byte.
func literalFreq(text string) float64 {
	if len(text) < teddyMin {
		return 1 << 20 // a literal under 3 bytes is no filter
	}
	tw := trigrams()
	f := tw.freq(lower(text[0]), lower(text[1]), lower(text[2]))
	for i := 1; i+teddyMin <= len(text); i++ {
		a, b, c := lower(text[i]), lower(text[i+1]), lower(text[i+2])
		f *= tw.freq(a, b, c) / max(1, tw.bigram(a, b))
	}
	return f
}

// rareOffsets returns the offsets of the literal's rarest anchors, the
// ones worth trying.
func rareOffsets(l Literal) []int {
	var offs []int
	for off := 0; off == 0 || off+teddyWidth <= len(l.Text); off++ {
		offs = append(offs, off)
	}
	if len(offs) <= 4 {
		return offs
	}
	w := func(off int) float64 { return literalFreq(l.Text[off : off+teddyWidth]) }
	sort.SliceStable(offs, func(i, j int) bool { return w(offs[i]) < w(offs[j]) })
	return offs[:4]
}

// bucketPlan is the nibbles each bucket admits at each anchor offset,
// while the buckets are filled.
type bucketPlan [8]bucketNibbles

type bucketNibbles struct {
	lo, hi [teddyWidth]uint16
}

func (n bucketNibbles) with(l Literal, off int) bucketNibbles {
	for k := 0; k < teddyWidth; k++ {
		if off+k >= len(l.Text) {
			n.lo[k], n.hi[k] = 0xffff, 0xffff
			continue
		}
		c := l.Text[off+k]
		n.lo[k] |= 1 << (c & 15)
		n.hi[k] |= 1 << (c >> 4)
		if l.Fold {
			c = upper(c)
			n.lo[k] |= 1 << (c & 15)
			n.hi[k] |= 1 << (c >> 4)
		}
	}
	return n
}

// cost estimates how often the bucket's tables let a position through:
// the summed frequency (trigrams.txt) of every folded trigram they
// admit, an unlisted trigram counting 1, for the first three anchor
// bytes or the last three, whichever admits less (the four bytes admit
// at most what either three do).
func (n bucketNibbles) cost() float64 {
	tw := trigrams()
	var sets [teddyWidth]modelSet
	for k := 0; k < teddyWidth; k++ {
		var seen [256]bool
		var count [256]int
		s := &sets[k]
		for lo := n.lo[k]; lo != 0; lo &= lo - 1 {
			for hi := n.hi[k]; hi != 0; hi &= hi - 1 {
				c := lower(byte(bits.TrailingZeros16(hi)<<4 | bits.TrailingZeros16(lo)))
				if seen[c] {
					continue
				}
				seen[c] = true
				s.bytes++
				i := tw.index[c]
				if count[i] == 0 {
					s.idx[s.n] = int(i)
					s.n++
				}
				count[i]++
			}
		}
		for j := range s.n {
			s.mult[j] = float64(count[s.idx[j]])
		}
	}
	return min(tw.cost(&sets[0], &sets[1], &sets[2]), tw.cost(&sets[1], &sets[2], &sets[3]))
}

// modelSet is a set of bytes as the trigram model sees them: the
// distinct indexes of its bytes in the table (every byte the table does
// not list has index 0), each with how many of the bytes have it.
type modelSet struct {
	idx   [256]int
	mult  [256]float64
	n     int // distinct indexes
	bytes int
}

// cost is the summed frequency of the trigrams of three byte sets.
func (t *trigramTable) cost(s0, s1, s2 *modelSet) float64 {
	total := s0.bytes * s1.bytes * s2.bytes
	if total == 0 {
		return 0
	}
	if total > 1<<14 {
		return float64(total) * 1e3 // admits too much to be worth adding up
	}
	sum := 0.0
	for i, a := range s0.idx[:s0.n] {
		for j, b := range s1.idx[:s1.n] {
			base, m := (a*t.n+b)*t.n, s0.mult[i]*s1.mult[j]
			for k, c := range s2.idx[:s2.n] {
				sum += m * s2.mult[k] * t.pow[t.cube[base+c]]
			}
		}
	}
	return sum
}

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

func (t *teddy) set(k int, c byte, bucket int) {
	bit := byte(1) << bucket
	t.masks.wide[k][c&0x7f] |= bit
	for lane := 0; lane < 2; lane++ {
		t.masks.tables[2*k][lane*16+int(c&15)] |= bit
		t.masks.tables[2*k+1][lane*16+int(c>>4)] |= bit
	}
}

// bucketsAt is the scalar lookup of the kernel for position k, of which
// it looks at the bytes that buf holds.
func (t *teddy) bucketsAt(buf []byte, k int) byte {
	m := &t.masks.tables
	bk := byte(0xff)
	for j := 0; j < teddyWidth && k+j < len(buf); j++ {
		c := buf[k+j]
		bk &= m[2*j][c&15] & m[2*j+1][c>>4]
	}
	return bk
}

// wideAt is bucketsAt with the AVX-512 kernel's tables.
func (t *teddy) wideAt(buf []byte, k int) byte {
	m := &t.masks.wide
	bk := byte(0xff)
	for j := 0; j < teddyWidth && k+j < len(buf); j++ {
		bk &= m[j][buf[k+j]&0x7f]
	}
	return bk
}

func (t *teddy) marks(from int) { t.mark = int32(from) }

// find sets the bit of every literal in buf and reports whether there
// was any; last[id-mark] is where the last occurrence of marked literal
// id starts (left as it was when there is none). Positions are looked
// at in order, so the last one found is the last.
func (t *teddy) find(buf []byte, found []uint64, last []int) bool {
	any := false
	n := len(buf)
	from := 0 // the first position the kernel did not look at
	batched := teddyBatchAvailable() && n >= teddyWideWindow
	if batched {
		var hits [teddyBatchSize]teddyHit
		for i := 0; i < n; {
			count, next := teddyBatch(&t.masks, buf, i, hits[:])
			for _, h := range hits[:count] {
				any = t.candidates(buf, h.off, h.cand, found, last) || any
			}
			i = next
		}
		from = n - teddyWidth + 1
	} else if n >= teddyWindow {
		for i := 0; ; {
			off, cand := teddyScan(&t.masks, buf, i)
			if cand != 0 {
				any = t.candidates(buf, off, uint64(cand), found, last) || any
			}
			if cand == 0 || off >= n-teddyWindow {
				break
			}
			i = off + 32
		}
		from = n - teddyWidth + 1
	}
	// A buffer too short for the kernel, and the last positions, which
	// it never looks at: by hand, with the tables the kernel used last
	// (the batched kernels' wide tables are in cache, the nibble tables
	// may not be after the AVX-512 kernel).
	for k := from; k < n; k++ {
		if k+teddyMin <= n {
			var bk byte
			if batched {
				bk = t.wideAt(buf, k)
			} else {
				bk = t.bucketsAt(buf, k)
			}
			if bk != 0 || t.eqFirst[buf[k]] {
				any = t.confirm(buf, k, found, last) || any
			}
			continue
		}
		if t.shortFirst[buf[k]] {
			for _, id := range t.short {
				if t.verify(buf, id, k) {
					found[id>>6] |= 1 << (id & 63)
					any = true
				}
			}
		}
	}
	return any
}

// teddyBatchSize is the windows with a candidate one call of the
// AVX-512 kernel writes out at most: a record of a few KB has a few
// (the array, on find's stack, is cleared for every record).
const teddyBatchSize = 8

// candidates confirms the positions i+j for the set bits j of cand (a
// window of 64 positions from the batched kernels, or of 32 from
// teddyScanAVX2).
func (t *teddy) candidates(buf []byte, i int, cand uint64, found []uint64, last []int) bool {
	any := false
	for cand != 0 {
		k := i + bits.TrailingZeros64(cand)
		cand &= cand - 1
		any = t.confirm(buf, k, found, last) || any
	}
	return any
}

// confirm compares the literals anchored on the trigram at buf[k], and
// the short literals that start with buf[k].
func (t *teddy) confirm(buf []byte, k int, found []uint64, last []int) bool {
	any := false
	if t.shortFirst[buf[k]] {
		for _, id := range t.short {
			if t.verify(buf, id, k) {
				found[id>>6] |= 1 << (id & 63)
				any = true
			}
		}
	}
	key := trigramKey(buf[k], buf[k+1], buf[k+2])
	h := anchorHash(key)
	for _, a := range t.anchors[t.slots[h]:t.slots[h+1]] {
		if a.key != key {
			continue
		}
		if start := k - int(a.off); start >= 0 && t.verify(buf, int(a.id), start) {
			found[a.id>>6] |= 1 << (a.id & 63)
			any = true
			if a.id >= t.mark {
				last[a.id-t.mark] = start
			}
		}
	}
	return any
}

// verify reports whether literal id occurs at buf[start].
func (t *teddy) verify(buf []byte, id, start int) bool {
	l := &t.lits[id]
	return start+len(l.Text) <= len(buf) && equalAt(buf, start, l)
}

func equalAt(buf []byte, start int, l *Literal) bool {
	s := buf[start : start+len(l.Text)]
	if !l.Fold {
		return string(s) == l.Text
	}
	for i := 0; i < len(s); i++ {
		if lower(s[i]) != l.Text[i] {
			return false
		}
	}
	return true
}

// teddyWindow is what the kernel reads for 32 positions: each needs the
// three bytes after it.
const teddyWindow = 32 + teddyWidth - 1

// teddyScanGeneric is the kernel in Go, the reference for the assembly.
// With len(p) >= 35, it looks at the 32 positions of each window
// p[i:i+35], i = start, start+32, …, then at those of p[n-35:n] not yet
// looked at, and returns the first window with a candidate and the
// candidate positions in it as bits, or n-35 and 0 when there is none
// up to position n-4. A position is a candidate when its four bytes fit
// some bucket, or when m.en is set and its byte is m.eq[0] or m.eq[1].
func teddyScanGeneric(m *teddyMasks, p []byte, start int) (off int, cand uint32) {
	n := len(p)
	masks := &m.tables
	window := func(i int) (c uint32) {
		for j := 0; j < 32; j++ {
			b0, b1, b2, b3 := p[i+j], p[i+j+1], p[i+j+2], p[i+j+3]
			if masks[0][b0&15]&masks[1][b0>>4]&masks[2][b1&15]&masks[3][b1>>4]&masks[4][b2&15]&masks[5][b2>>4]&masks[6][b3&15]&masks[7][b3>>4] != 0 {
				c |= 1 << j
			}
			if m.en[j] != 0 && (b0 == m.eq[0][j] || b0 == m.eq[1][j]) {
				c |= 1 << j
			}
		}
		return c
	}
	i := start
	for ; i+teddyWindow <= n; i += 32 {
		if c := window(i); c != 0 {
			return i, c
		}
	}
	last := n - teddyWindow
	if skip := i - last; skip < 32 {
		if c := window(last) >> skip << skip; c != 0 {
			return last, c
		}
	}
	return last, 0
}

// teddyWideWindow is what the AVX-512 kernel reads for 64 positions.
const teddyWideWindow = 64 + teddyWidth - 1

// teddyHit is a window of 64 positions from off, cand a bit for each
// candidate among them.
type teddyHit struct {
	off  int
	cand uint64
}

// teddyBatchGeneric is the AVX-512 kernel in Go, the reference for its
// assembly. With len(p) >= 67, it looks at the 64 positions of each
// window p[i:i+67], i = start, start+64, … while i+67 <= len(p), with
// the wide tables (and the compared bytes, as teddyScanGeneric), then at
// those of p[n-67:n] not yet looked at, and writes each window with a
// candidate to out, in order. It returns how many it wrote and the first
// position it did not look at: len(p) when it looked at every position
// up to len(p)-4; less when out filled up (call again from there).
func teddyBatchGeneric(m *teddyMasks, p []byte, start int, out []teddyHit) (count, next int) {
	return teddyBatchWindows(m, p, start, out, func(b []byte) bool {
		return m.wide[0][b[0]&0x7f]&m.wide[1][b[1]&0x7f]&m.wide[2][b[2]&0x7f]&m.wide[3][b[3]&0x7f] != 0
	})
}

// teddyBatchNibbleGeneric is the batched AVX2 kernel in Go, the
// reference for its assembly (teddyBatchAVX2): teddyBatchGeneric's
// windows and output, a position a candidate when its byte is compared,
// or when both the nibble tables and the wide tables admit it (the
// nibble tables first, 32 positions at a time, then the wide tables for
// each position they admitted, which drops the nibble products, as the
// "ntTy" of "eventType" beside the "ntTi" of "eventTime"). Each of the
// two admits every literal's anchor, so both together do.
func teddyBatchNibbleGeneric(m *teddyMasks, p []byte, start int, out []teddyHit) (count, next int) {
	t := &m.tables
	return teddyBatchWindows(m, p, start, out, func(b []byte) bool {
		return t[0][b[0]&15]&t[1][b[0]>>4]&t[2][b[1]&15]&t[3][b[1]>>4]&t[4][b[2]&15]&t[5][b[2]>>4]&t[6][b[3]&15]&t[7][b[3]>>4]&
			m.wide[0][b[0]&0x7f]&m.wide[1][b[1]&0x7f]&m.wide[2][b[2]&0x7f]&m.wide[3][b[3]&0x7f] != 0
	})
}

// teddyBatchWindows is the batched kernels' loop; admits says whether
// their tables let the four bytes of a position through.
func teddyBatchWindows(m *teddyMasks, p []byte, start int, out []teddyHit, admits func(b []byte) bool) (count, next int) {
	n := len(p)
	window := func(i int) (c uint64) {
		for j := 0; j < 64; j++ {
			b := p[i+j : i+j+teddyWidth]
			if admits(b) || m.enMask != 0 && (b[0] == m.eq[0][0] || b[0] == m.eq[1][0]) {
				c |= 1 << j
			}
		}
		return c
	}
	i := start
	for ; i+teddyWideWindow <= n; i += 64 {
		if c := window(i); c != 0 {
			out[count] = teddyHit{off: i, cand: c}
			count++
			if count == len(out) {
				return count, i + 64
			}
		}
	}
	last := n - teddyWideWindow
	if skip := i - last; skip < 64 {
		if c := window(last) >> skip << skip; c != 0 {
			out[count] = teddyHit{off: last, cand: c}
			count++
		}
	}
	return count, n
}
