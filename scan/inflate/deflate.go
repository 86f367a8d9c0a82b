package inflate

import (
	"encoding/binary"
	"math/bits"
)

// codeLengthOrder is the order of the code-length code's lengths in a
// dynamic block header (RFC 1951, 3.2.7).
var codeLengthOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

// deflate decompresses one DEFLATE stream at s.pos into s.out and leaves
// s.pos on the byte after it.
//
// The bit buffer holds bitsleft bits, least significant first. Near the
// end of the input it is filled with zero bytes, counted in overread;
// while overread is 0 every bit in the buffer is real and the loop checks
// nothing. Otherwise each codeword first checks that its bits are real,
// and when they are not the stream is cut short (ErrTruncated), never
// corrupt: compress/flate reads a byte at a time and says
// io.ErrUnexpectedEOF wherever the input runs out first.
func (s *state) deflate() error {
	in := s.in
	br := bitReader{pos: s.pos}
	truncated := func() error { s.pos = len(in); return ErrTruncated }
	for {
		br.refill(in)
		if br.short(3) {
			return truncated()
		}
		final := br.buf&1 != 0
		typ := (br.buf >> 1) & 3
		br.take(3)
		var (
			tables          *codeTables
			litMin, distMin uint
		)
		switch typ {
		case 0:
			// Stored: align to a byte and copy.
			pos := br.bytePos()
			br = bitReader{pos: pos}
			if len(in)-pos < 4 {
				return truncated()
			}
			n := int(binary.LittleEndian.Uint16(in[pos:]))
			if binary.LittleEndian.Uint16(in[pos+2:]) != ^uint16(n) {
				s.pos = pos
				return ErrCorrupt
			}
			pos += 4
			m := min(n, len(in)-pos)
			if !s.grow(m) {
				k := copy(s.out[s.op:], in[pos:pos+m])
				s.op += k
				s.pos = pos + k
				return ErrLimit
			}
			copy(s.out[s.op:], in[pos:pos+m])
			s.op += m
			br.pos = pos + m
			if m < n {
				return truncated()
			}
			if final {
				s.pos = br.pos
				return nil
			}
			continue
		case 1:
			tables = fixedTables()
			litMin, distMin = 7, 5
		case 2:
			var err error
			litMin, distMin, err = s.dynamic(&br)
			if err != nil {
				if err == ErrTruncated {
					return truncated()
				}
				s.pos = br.bytePos()
				return err
			}
			tables = &s.d.codeTables
		default:
			s.pos = br.bytePos()
			return ErrCorrupt
		}
		err := s.huffman(&br, tables, litMin, distMin)
		switch {
		case err == ErrTruncated:
			return truncated()
		case err != nil:
			s.pos = br.bytePos()
			return err
		case final:
			s.pos = br.bytePos()
			return nil
		}
	}
}

// The fast loop's margins. Between two checks of them the bit buffer is
// refilled at most three times (on entering the loop, then at most twice
// in an iteration), each refill reading one word at pos and moving pos
// on by at most 7 bytes, so the loop reads below pos+3*7+1 =
// pos+fastInMargin (TestFastLoopEntryMargin drives the three). It writes
// at most two literal entries of two bytes each and then a match of up
// to 258 bytes, copied in whole words, at most 32 bytes past its end, so
// it writes below op+4+258+32 < op+fastOutMargin.
const (
	fastInMargin  = 22
	fastOutMargin = 4 + 258 + 32 + 8
	litMask       = 1<<litBits - 1  // a primary literal/length index
	distMask      = 1<<distBits - 1 // a primary distance index
)

// runFastLoop is the fast loop huffman runs: fastLoopArch, the assembly
// loop where there is one (deflate_amd64.go) and fastLoop elsewhere.
// The tests put a loop here that runs both and compares them.
var runFastLoop = fastLoopArch

// huffman decodes one block's codewords up to its end-of-block code.
// The bit buffer lives in locals here, for the registers.
func (s *state) huffman(br *bitReader, tables *codeTables, litMin, distMin uint) error {
	lit, dist := &tables.lit, &tables.dist
	in := s.in
	bitbuf, bitsleft, pos, overread := br.buf, br.left, br.pos, br.over
	out, op := s.out, s.op
	memberStart := s.memberStart
	var err error
	for {
		// Fast loop (fastLoop), while at least fastInMargin input bytes
		// are left and the output has fastOutMargin bytes of room.
		if pos <= len(in)-fastInMargin && op <= len(out)-fastOutMargin {
			var end bool
			bitbuf, bitsleft, pos, op, end, err = runFastLoop(in, out[memberStart:], tables, bitbuf, bitsleft, pos, op-memberStart)
			op += memberStart
			if end {
				break
			}
		}

		// Careful loop, one literal, or a length and its distance, at a
		// time.
		if bitsleft < 48 {
			if pos+8 <= len(in) {
				// Fast path: one word, whole bytes of it.
				bitbuf |= binary.LittleEndian.Uint64(in[pos:]) << (bitsleft & 63)
				pos += int((63 - bitsleft) >> 3)
				bitsleft |= 56
			} else {
				bitbuf, bitsleft, pos, overread = slowRefill(in, bitbuf, bitsleft, pos, overread)
			}
		}
		e := lit[bitbuf&litMask]
		if int32(e) >= 0 && e&kindLink != 0 {
			e = lit[(e>>16+uint32(bitbuf>>litBits)&(1<<codeLen(e)-1))&(litTableSize-1)]
		}
		// The codeword's bits, and a length's extra bits after them,
		// must be real (both are truncation when they are not). Of a
		// pair of literals, only the first is taken here.
		n := uint(e & consumedMask)
		if int32(e) < 0 {
			n = literalLen(e)
		}
		if overread > 0 && int(max(n, litMin)) > int(bitsleft)-8*overread {
			err = ErrTruncated
			break
		}
		if int32(e) < 0 {
			bitbuf >>= n
			bitsleft -= n
			if uint(op) < uint(len(out)) {
				out[op] = byte(e >> 16)
				op++
				continue
			}
			s.op = op
			if !s.grow(1) {
				err = ErrLimit
				break
			}
			out = s.out
			out[op] = byte(e >> 16)
			op++
			continue
		}
		if e&exceptional != 0 {
			if e&kindEnd != 0 {
				bitbuf >>= n
				bitsleft -= n
			} else {
				err = ErrCorrupt
			}
			break
		}
		length := int(e>>16) + int((bitbuf&(1<<n-1))>>codeLen(e))
		bitbuf >>= n
		bitsleft -= n

		e = dist[bitbuf&distMask]
		if e&kindLink != 0 {
			e = dist[(e>>16+uint32(bitbuf>>distBits)&(1<<codeLen(e)-1))&(distTableSize-1)]
		}
		n = uint(e & consumedMask)
		if overread > 0 && int(max(n, distMin)) > int(bitsleft)-8*overread {
			err = ErrTruncated
			break
		}
		if e&kindInvalid != 0 {
			err = ErrCorrupt
			break
		}
		d := int(e>>16) + int((bitbuf&(1<<n-1))>>codeLen(e))
		bitbuf >>= n
		bitsleft -= n
		if d > op-memberStart {
			err = ErrCorrupt
			break
		}
		if op+length+8 <= len(out) {
			// Fast path: room for whole words past the match.
			copyWords(out, op, d, length)
			op += length
			continue
		}
		if op+length > len(out) {
			s.op = op
			if !s.grow(length + 8) {
				out = s.out
				if op+length > len(out) {
					// Write what fits, then stop at the limit.
					length = len(out) - op
					copyMatch(out, op, d, length)
					op += length
					err = ErrLimit
					break
				}
			}
			out = s.out
		}
		copyMatch(out, op, d, length)
		op += length
	}
	s.op = op
	br.buf, br.left, br.pos, br.over = bitbuf, bitsleft, pos, overread
	return err
}

// fastLoop is huffman's fast loop, in a function of its own so that the
// careful loop's values (the state, overread, the minimum codeword
// lengths) do not compete with it for registers. out is the output from
// the member's start and op counts from there, so that a distance is
// checked against op alone. It returns with bitsleft counted plainly,
// and end set when the block's end code or an error stopped it.
//
// Fast loop: while at least fastInMargin input bytes are left
// (so every bit in the buffer is real: overread is 0) and the
// output has fastOutMargin bytes of room, nothing is checked but
// the codewords and the distances, and memory is accessed
// without bounds checks (load64, store64, store16). As in
// libdeflate, the low 8 bits of bitsleft count the bits; the
// bits above them are garbage, since a whole entry is
// subtracted and only its low 8 bits (the bits consumed) are
// meant. The next literal/length entry is looked up before the
// refill and the match copy, so that its load overlaps them.
//
// On amd64 with BMI2, huffman runs fastLoopBMI2 (deflate_amd64.s)
// instead: the same loads and stores in the same order and the same
// returned state, with this function as its reference
// (TestFastLoopBMI2MatchesGo, checkFastLoops). A change here is a
// change there.
func fastLoop(in, out []byte, tables *codeTables, bitbuf uint64, bitsleft uint, pos, op int) (_ uint64, _ uint, _, _ int, end bool, err error) {
	inEnd, outEnd := len(in)-fastInMargin, len(out)-fastOutMargin
	bitbuf |= load64(in, pos) << (bitsleft & 63)
	pos += int(7 - (bitsleft>>3)&7)
	bitsleft |= 56
	e := tables.lit[bitbuf&litMask]
	for {
		// Here bitsleft >= 56 and e is the entry of bitbuf, not yet
		// consumed: each entry is consumed after its kind is known,
		// and a length's or a distance's extra bits are read before
		// it is, so that no copy of the bit buffer stays live.
		if int32(e) < 0 {
			// Up to three literal entries per refill (3×15 bits of
			// 56), each of one or two literals, written as two
			// bytes (a single literal's second is overwritten by
			// what follows) before the next entry is looked up, so
			// that only one entry is live. Bits 8-23 of an entry
			// hold the second literal, then the first: one byte
			// swap puts them in output order.
			bitbuf >>= e & 63
			bitsleft -= uint(e)
			store16(out, op, bits.ReverseBytes16(uint16(e>>8)))
			op += 1 + int(e>>28&1)
			e = tables.lit[bitbuf&litMask]
			if int32(e) < 0 {
				bitbuf >>= e & 63
				bitsleft -= uint(e)
				store16(out, op, bits.ReverseBytes16(uint16(e>>8)))
				op += 1 + int(e>>28&1)
				e = tables.lit[bitbuf&litMask]
				if int32(e) < 0 {
					bitbuf >>= e & 63
					bitsleft -= uint(e)
					store16(out, op, bits.ReverseBytes16(uint16(e>>8)))
					op += 1 + int(e>>28&1)
					// At least 56-45 bits are left: the lookup's
					// 10 are real.
					e = tables.lit[bitbuf&litMask]
					bitbuf |= load64(in, pos) << (bitsleft & 63)
					pos += int(7 - (bitsleft>>3)&7)
					bitsleft |= 56
					if pos <= inEnd && op <= outEnd {
						continue
					}
					break
				}
			}
		}
		if e&exceptional != 0 {
			if e&kindLink != 0 {
				// A link consumes nothing: its subtable's entry
				// holds the whole codeword.
				e = tables.lit[(e>>16+uint32(bitbuf>>litBits)&(1<<codeLen(e)-1))&(litTableSize-1)]
				if int32(e) < 0 {
					bitbuf >>= e & 63
					bitsleft -= uint(e)
					store8(out, op, byte(e>>16))
					op++
					e = tables.lit[bitbuf&litMask]
					bitbuf |= load64(in, pos) << (bitsleft & 63)
					pos += int(7 - (bitsleft>>3)&7)
					bitsleft |= 56
					if pos <= inEnd && op <= outEnd {
						continue
					}
					break
				}
			}
			if e&exceptional != 0 {
				// An invalid codeword is not consumed: the
				// error's offset is the codeword's.
				if e&kindInvalid != 0 {
					err = ErrCorrupt
				} else {
					bitbuf >>= e & 63
					bitsleft -= uint(e)
				}
				return bitbuf, bitsleft & 0xff, pos, op, true, err
			}
		}
		// A length: its codeword and extra bits are consumed
		// together, the extra bits read first.
		length := int(e>>16) + int((bitbuf&(1<<(e&63)-1))>>codeLen(e))
		bitbuf >>= e & 63
		bitsleft -= uint(e)
		if uint8(bitsleft) < 28+litBits {
			// Two literal entries and a length took up to 50 bits;
			// a distance takes up to 28, and then the next lookup
			// needs its 10 bits real.
			bitbuf |= load64(in, pos) << (bitsleft & 63)
			pos += int(7 - (bitsleft>>3)&7)
			bitsleft |= 56
		}
		e = tables.dist[bitbuf&distMask]
		if e&exceptional != 0 {
			if e&kindLink != 0 {
				e = tables.dist[(e>>16+uint32(bitbuf>>distBits)&(1<<codeLen(e)-1))&(distTableSize-1)]
			}
			if e&kindInvalid != 0 {
				return bitbuf, bitsleft & 0xff, pos, op, true, ErrCorrupt
			}
		}
		d := int(e>>16) + int((bitbuf&(1<<(e&63)-1))>>codeLen(e))
		bitbuf >>= e & 63
		bitsleft -= uint(e)
		if d > op {
			return bitbuf, bitsleft & 0xff, pos, op, true, ErrCorrupt
		}
		e = tables.lit[bitbuf&litMask]
		bitbuf |= load64(in, pos) << (bitsleft & 63)
		pos += int(7 - (bitsleft>>3)&7)
		bitsleft |= 56

		// The match, in whole words: those past its end are
		// overwritten by what comes next.
		src, dst := op-d, op
		op += length
		switch {
		case d >= 16:
			// 32 bytes a step, in two 16-byte moves, each reading
			// only bytes before its own destination.
			move16(out, dst, src)
			move16(out, dst+16, src+16)
			for dst += 32; dst < op; dst += 32 {
				src += 32
				move16(out, dst, src)
				move16(out, dst+16, src+16)
			}
		case d >= 8:
			store64(out, dst, load64(out, src))
			store64(out, dst+8, load64(out, src+8))
			store64(out, dst+16, load64(out, src+16))
			store64(out, dst+24, load64(out, src+24))
			src += 32
			for dst += 32; dst < op; dst += 8 {
				store64(out, dst, load64(out, src))
				src += 8
			}
		case d == 1:
			v := (load64(out, src) & 0xff) * 0x0101010101010101
			store64(out, dst, v)
			store64(out, dst+8, v)
			store64(out, dst+16, v)
			store64(out, dst+24, v)
			for dst += 32; dst < op; dst += 8 {
				store64(out, dst, v)
			}
		default:
			// A word every d bytes: each word's first d bytes
			// are already right, and the next overwrites the
			// rest.
			for ; dst < op; dst += d {
				store64(out, dst, load64(out, src))
				src += d
			}
		}
		if pos > inEnd || op > outEnd {
			break
		}
	}
	// Leave with the buffer's bits counted plainly; the
	// preloaded entry is looked up again by the careful loop.
	return bitbuf, bitsleft & 0xff, pos, op, false, nil
}

// bitReader is the bit buffer outside the decoding loop: it holds left
// bits, least significant first. Near the end of the input it is filled
// with zero bytes, counted in over; while over is 0 every bit in the
// buffer is real. Otherwise each read first checks that its bits are
// real, and when they are not the stream is cut short (ErrTruncated),
// never corrupt: compress/flate reads a byte at a time and says
// io.ErrUnexpectedEOF wherever the input runs out first.
type bitReader struct {
	buf  uint64
	left uint
	pos  int // next input byte not yet in buf
	over int // zero bytes put in past the end
}

func (b *bitReader) refill(in []byte) {
	b.buf, b.left, b.pos, b.over = slowRefill(in, b.buf, b.left, b.pos, b.over)
}

// short reports whether fewer than n real bits are left.
func (b *bitReader) short(n uint) bool { return b.over > 0 && int(n) > int(b.left)-8*b.over }

func (b *bitReader) take(n uint) uint64 {
	v := b.buf & (1<<n - 1)
	b.buf >>= n
	b.left -= n
	return v
}

// bytePos is the input offset of the first byte not wholly consumed.
func (b *bitReader) bytePos() int {
	consumed := (b.pos+b.over)*8 - int(b.left)
	return (consumed + 7) / 8
}

// slowRefill fills the bit buffer to at least 56 bits a byte at a time,
// with zero bytes past the end of in.
func slowRefill(in []byte, buf uint64, left uint, pos, over int) (uint64, uint, int, int) {
	for left < 56 {
		if pos < len(in) {
			buf |= uint64(in[pos]) << left
			pos++
		} else {
			over++
		}
		left += 8
	}
	return buf, left, pos, over
}

// copyWords copies length bytes from d back to out[op:] a word at a
// time, for the loops' fast paths: out must have 8 bytes of room past
// op+length, which the words may overwrite with bytes the next match or
// literal replaces.
func copyWords(out []byte, op, d, length int) {
	src := op - d
	switch {
	case d >= 8:
		for i := 0; i < length; i += 8 {
			binary.LittleEndian.PutUint64(out[op+i:], binary.LittleEndian.Uint64(out[src+i:]))
		}
	case d == 1:
		v := uint64(out[src]) * 0x0101010101010101
		for i := 0; i < length; i += 8 {
			binary.LittleEndian.PutUint64(out[op+i:], v)
		}
	default:
		// A word at a time, d bytes apart: each word's first d bytes
		// are already right, and the next word overwrites the rest.
		for i := 0; i < length; i += d {
			binary.LittleEndian.PutUint64(out[op+i:], binary.LittleEndian.Uint64(out[src+i:]))
		}
	}
}

// copyMatch copies length bytes from d back to out[op:]; an overlapping
// match repeats its period, doubling the span copied at each step.
func copyMatch(out []byte, op, d, length int) {
	src := op - d
	end := op + length
	if d >= length {
		copy(out[op:end], out[src:])
		return
	}
	for op < end {
		op += copy(out[op:end], out[src:op])
	}
}

// dynamic reads a dynamic block's header (RFC 1951, 3.2.7) into s.d's
// tables. The shortest literal/length codeword is raised to the
// end-of-block code's length, as compress/flate does, so that the input
// running out is truncation at the same points.
func (s *state) dynamic(br *bitReader) (litMin, distMin uint, err error) {
	d, in := s.d, s.in
	br.refill(in)
	if br.short(14) {
		return 0, 0, ErrTruncated
	}
	hlit := int(br.take(5)) + 257
	hdist := int(br.take(5)) + 1
	hclen := int(br.take(4)) + 4
	if hlit > 286 || hdist > 30 {
		return 0, 0, ErrCorrupt
	}
	var cl [19]uint8
	for i := 0; i < hclen; i++ {
		if br.left < 3 {
			br.refill(in)
		}
		if br.short(3) {
			return 0, 0, ErrTruncated
		}
		cl[codeLengthOrder[i]] = uint8(br.take(3))
	}
	clMin, ok := build(d.cl[:], cl[:], 7, clKind)
	if !ok {
		return 0, 0, ErrCorrupt
	}
	lens := d.lens[:hlit+hdist]
	for i := 0; i < len(lens); {
		if br.left < 14 {
			br.refill(in)
		}
		e := d.cl[br.buf&(1<<7-1)]
		n := uint(e & consumedMask)
		if br.short(max(n, uint(clMin))) {
			return 0, 0, ErrTruncated
		}
		if int32(e) >= 0 {
			return 0, 0, ErrCorrupt
		}
		br.take(n)
		sym := uint8(e >> 16)
		if sym < 16 {
			lens[i] = sym
			i++
			continue
		}
		var rep int
		var nb uint
		var v uint8
		switch sym {
		case 16:
			if i == 0 {
				return 0, 0, ErrCorrupt
			}
			rep, nb, v = 3, 2, lens[i-1]
		case 17:
			rep, nb = 3, 3
		default:
			rep, nb = 11, 7
		}
		if br.short(nb) {
			return 0, 0, ErrTruncated
		}
		rep += int(br.take(nb))
		if i+rep > len(lens) {
			return 0, 0, ErrCorrupt
		}
		for ; rep > 0; rep-- {
			lens[i] = v
			i++
		}
	}
	lm, ok := build(d.lit[:], lens[:hlit], litBits, litKind)
	if !ok {
		return 0, 0, ErrCorrupt
	}
	dm, ok := build(d.dist[:], lens[hlit:], distBits, distKind)
	if !ok {
		return 0, 0, ErrCorrupt
	}
	return uint(max(lm, lens[256])), uint(dm), nil
}
