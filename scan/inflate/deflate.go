package inflate

import "encoding/binary"

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
	pos := s.pos
	var (
		bitbuf   uint64
		bitsleft uint
		overread int
	)
	refill := func() {
		if pos+8 <= len(in) {
			// Fast path: one word, whole bytes of it.
			bitbuf |= binary.LittleEndian.Uint64(in[pos:]) << (bitsleft & 63)
			pos += int((63 - bitsleft) >> 3)
			bitsleft |= 56
			return
		}
		for bitsleft < 56 {
			if pos < len(in) {
				bitbuf |= uint64(in[pos]) << bitsleft
				pos++
			} else {
				overread++
			}
			bitsleft += 8
		}
	}
	// short reports whether fewer than n real bits are left.
	short := func(n uint) bool { return overread > 0 && int(n) > int(bitsleft)-8*overread }
	finish := func() {
		consumed := (pos+overread)*8 - int(bitsleft)
		s.pos = (consumed + 7) / 8
	}
	truncated := func() error { s.pos = len(in); return ErrTruncated }

	for {
		refill()
		if short(3) {
			return truncated()
		}
		final := bitbuf&1 != 0
		typ := (bitbuf >> 1) & 3
		bitbuf >>= 3
		bitsleft -= 3
		var (
			lit, dist       []uint32
			litMin, distMin uint
		)
		switch typ {
		case 0:
			// Stored: align to a byte and copy.
			finish()
			pos, bitbuf, bitsleft, overread = s.pos, 0, 0, 0
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
			pos += m
			if m < n {
				return truncated()
			}
			if final {
				s.pos = pos
				return nil
			}
			continue
		case 1:
			l, d := fixedTables()
			lit, dist, litMin, distMin = l[:], d[:], 7, 5
		case 2:
			var err error
			lit, dist, litMin, distMin, err = s.dynamic(&bitbuf, &bitsleft, refill, short)
			if err != nil {
				if err == ErrTruncated {
					return truncated()
				}
				finish()
				return err
			}
		default:
			finish()
			return ErrCorrupt
		}

		out, op := s.out, s.op
		memberStart := s.memberStart
		for {
			if bitsleft < 48 {
				refill()
			}
			e := lit[bitbuf&(1<<litBits-1)]
			if e&kindMask == kindLink {
				e = lit[e>>16+uint32(bitbuf>>litBits)&(1<<(e&0x1f)-1)]
			}
			n := uint(e & 0x1f)
			if overread > 0 && short(max(n, litMin)) {
				s.op = op
				return truncated()
			}
			switch e & kindMask {
			case kindLiteral:
				bitbuf >>= n
				bitsleft -= n
				if op >= len(out) {
					s.op = op
					if !s.grow(1) {
						finish()
						return ErrLimit
					}
					out = s.out
				}
				out[op] = byte(e >> 16)
				op++
				continue
			case kindLength:
			case kindEnd:
				bitbuf >>= n
				bitsleft -= n
				s.op = op
				goto blockDone
			default:
				s.op = op
				finish()
				return ErrCorrupt
			}
			bitbuf >>= n
			bitsleft -= n
			extra := uint(e>>12) & 0xf
			if short(extra) {
				s.op = op
				return truncated()
			}
			length := int(e>>16) + int(bitbuf&(1<<extra-1))
			bitbuf >>= extra
			bitsleft -= extra

			e = dist[bitbuf&(1<<distBits-1)]
			if e&kindMask == kindLink {
				e = dist[e>>16+uint32(bitbuf>>distBits)&(1<<(e&0x1f)-1)]
			}
			n = uint(e & 0x1f)
			if short(max(n, distMin)) {
				s.op = op
				return truncated()
			}
			if e&kindMask != kindDist {
				s.op = op
				finish()
				return ErrCorrupt
			}
			bitbuf >>= n
			bitsleft -= n
			extra = uint(e>>12) & 0xf
			if short(extra) {
				s.op = op
				return truncated()
			}
			d := int(e>>16) + int(bitbuf&(1<<extra-1))
			bitbuf >>= extra
			bitsleft -= extra
			if d > op-memberStart {
				s.op = op
				finish()
				return ErrCorrupt
			}
			if op+length > len(out) {
				s.op = op
				if !s.grow(length) {
					// Write what fits, then stop at the limit.
					out = s.out
					length = len(out) - op
					copyMatch(out, op, d, length)
					s.op = op + length
					finish()
					return ErrLimit
				}
				out = s.out
			}
			copyMatch(out, op, d, length)
			op += length
		}
	blockDone:
		if final {
			finish()
			return nil
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

// dynamic reads a dynamic block's header (RFC 1951, 3.2.7) and builds its
// tables. The shortest literal/length codeword is raised to the
// end-of-block code's length, as compress/flate does, so that the input
// running out is truncation at the same points.
func (s *state) dynamic(bitbuf *uint64, bitsleft *uint, refill func(), short func(uint) bool) (lit, dist []uint32, litMin, distMin uint, err error) {
	d := s.d
	take := func(n uint) uint64 {
		v := *bitbuf & (1<<n - 1)
		*bitbuf >>= n
		*bitsleft -= n
		return v
	}
	refill()
	if short(14) {
		return nil, nil, 0, 0, ErrTruncated
	}
	hlit := int(take(5)) + 257
	hdist := int(take(5)) + 1
	hclen := int(take(4)) + 4
	if hlit > 286 || hdist > 30 {
		return nil, nil, 0, 0, ErrCorrupt
	}
	var cl [19]uint8
	for i := 0; i < hclen; i++ {
		if *bitsleft < 3 {
			refill()
		}
		if short(3) {
			return nil, nil, 0, 0, ErrTruncated
		}
		cl[codeLengthOrder[i]] = uint8(take(3))
	}
	clMin, ok := build(d.cl[:], cl[:], 7, clEntry)
	if !ok {
		return nil, nil, 0, 0, ErrCorrupt
	}
	lens := d.lens[:hlit+hdist]
	for i := 0; i < len(lens); {
		if *bitsleft < 14 {
			refill()
		}
		e := d.cl[*bitbuf&(1<<7-1)]
		n := uint(e & 0x1f)
		if short(max(n, uint(clMin))) {
			return nil, nil, 0, 0, ErrTruncated
		}
		if e&kindMask != kindLiteral {
			return nil, nil, 0, 0, ErrCorrupt
		}
		take(n)
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
				return nil, nil, 0, 0, ErrCorrupt
			}
			rep, nb, v = 3, 2, lens[i-1]
		case 17:
			rep, nb = 3, 3
		default:
			rep, nb = 11, 7
		}
		if short(nb) {
			return nil, nil, 0, 0, ErrTruncated
		}
		rep += int(take(nb))
		if i+rep > len(lens) {
			return nil, nil, 0, 0, ErrCorrupt
		}
		for ; rep > 0; rep-- {
			lens[i] = v
			i++
		}
	}
	lm, ok := build(d.lit[:], lens[:hlit], litBits, litEntry)
	if !ok {
		return nil, nil, 0, 0, ErrCorrupt
	}
	dm, ok := build(d.dist[:], lens[hlit:], distBits, distEntry)
	if !ok {
		return nil, nil, 0, 0, ErrCorrupt
	}
	return d.lit[:], d.dist[:], uint(max(lm, lens[256])), uint(dm), nil
}
