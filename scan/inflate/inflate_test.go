package inflate

import (
	"bytes"
	stdgzip "compress/gzip"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	kflate "github.com/klauspost/compress/flate"
	kgzip "github.com/klauspost/compress/gzip"

	"github.com/retrohunt/retrohunt/bench/gen"
)

// class is how a gzip reader's outcome is compared: the output on
// success, else the class of the error.
type class int

const (
	ok        class = iota
	header          // the first member's header cannot be read
	truncate        // io.ErrUnexpectedEOF
	corrupt         // anything else
	limitStop       // ErrLimit
)

func (c class) String() string {
	return [...]string{"ok", "first header", "truncated", "corrupt", "limit"}[c]
}

// reference decompresses src with a streaming reader (the standard
// library's or klauspost's), multi-member, as decode reads objects.
func reference(src []byte, std bool) ([]byte, class) {
	var r io.Reader
	if std {
		zr, err := stdgzip.NewReader(bytes.NewReader(src))
		if err != nil {
			return nil, header
		}
		r = zr
	} else {
		zr, err := kgzip.NewReader(bytes.NewReader(src))
		if err != nil {
			return nil, header
		}
		r = zr
	}
	out, err := io.ReadAll(r)
	switch {
	case err == nil:
		return out, ok
	case errors.Is(err, io.ErrUnexpectedEOF):
		return out, truncate
	}
	return out, corrupt
}

func classOf(err error) class {
	var e *Error
	switch {
	case err == nil:
		return ok
	case errors.As(err, &e) && e.Member == 0 && e.Header:
		return header
	case errors.Is(err, ErrLimit):
		return limitStop
	case errors.Is(err, io.ErrUnexpectedEOF):
		return truncate
	case errors.Is(err, ErrCorrupt):
		return corrupt
	}
	panic("unclassed error " + err.Error())
}

// differ compares Gunzip on src with the standard library's reader (and
// klauspost's, which rejects reserved header flags where the standard
// library does not: either class is accepted then). The output is
// compared on success, and must be a prefix of the reference's on error.
func differ(d *Decompressor, src []byte) string {
	got, err := d.Gunzip(nil, src, 1<<40)
	gc := classOf(err)
	want, wc := reference(src, true)
	if gc != wc {
		if _, kc := reference(src, false); gc != kc {
			return "class " + gc.String() + " (" + err.Error() + "), standard library " + wc.String() + ", klauspost " + kc.String()
		}
	}
	if gc == ok && !bytes.Equal(got, want) {
		return "output differs"
	}
	return ""
}

// corpus is every input the suite has: the public samples and a
// generated archive, gzipped by both compressors at every level that
// picks a different block type (stored, Huffman only, fixed, dynamic),
// single and multi-member, plus edge shapes.
func corpus(t testing.TB) [][]byte {
	var plain [][]byte
	files, _ := filepath.Glob("../../testdata/samples/*.json")
	if len(files) == 0 {
		t.Fatal("no samples in testdata/samples")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		plain = append(plain, b)
	}
	root := t.TempDir()
	if _, _, err := gen.Generate(gen.Config{Days: 1, FilesPerDay: 3, RecordsPerFile: 40, AzureRecordsPerHour: 30}, gen.DirSink(root)); err != nil {
		t.Fatal(err)
	}
	var gz [][]byte
	filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || strings.HasSuffix(p, ".jsonl") && strings.Contains(p, "truth") {
			return nil
		}
		b, _ := os.ReadFile(p)
		if len(b) > 1 && b[0] == 0x1f && b[1] == 0x8b {
			gz = append(gz, b) // as the generator writes them
			if zr, err := stdgzip.NewReader(bytes.NewReader(b)); err == nil {
				if u, err := io.ReadAll(zr); err == nil {
					plain = append(plain, u)
				}
			}
		} else {
			plain = append(plain, b)
		}
		return nil
	})
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 100<<10)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	repeats := bytes.Repeat([]byte("a"), 70000)
	plain = append(plain, nil, []byte("x"), random, repeats, bytes.Repeat([]byte("abc"), 30000))
	for _, p := range plain {
		for _, level := range []int{stdgzip.NoCompression, stdgzip.HuffmanOnly, stdgzip.BestSpeed, 5, stdgzip.BestCompression} {
			gz = append(gz, stdZip(t, p, level))
		}
		for _, level := range []int{kflate.NoCompression, kflate.ConstantCompression, kflate.BestSpeed, 4, kflate.BestCompression} {
			gz = append(gz, kZip(t, p, level))
		}
		// Fixed-code blocks: klauspost's stateless mode writes small
		// inputs with the fixed code.
		gz = append(gz, kZip(t, p, kgzip.StatelessCompression))
	}
	// Multi-member: members of different levels back to back, and an
	// empty member among them.
	gz = append(gz, append(append(stdZip(t, plain[0], 9), stdZip(t, nil, 9)...), kZip(t, plain[1], 1)...))
	gz = append(gz, append(kZip(t, random, 0), stdZip(t, repeats, 1)...))
	// Header fields: name, comment, extra, header CRC.
	var buf bytes.Buffer
	zw := stdgzip.NewWriter(&buf)
	zw.Name, zw.Comment, zw.Extra = "name.json", "a comment", []byte("extra")
	zw.Write(plain[2])
	zw.Close()
	gz = append(gz, buf.Bytes(), withHeaderCRC(buf.Bytes()))
	return gz
}

func stdZip(t testing.TB, p []byte, level int) []byte {
	var buf bytes.Buffer
	zw, err := stdgzip.NewWriterLevel(&buf, level)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(p)
	zw.Close()
	return buf.Bytes()
}

func kZip(t testing.TB, p []byte, level int) []byte {
	var buf bytes.Buffer
	zw, err := kgzip.NewWriterLevel(&buf, level)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(p)
	zw.Close()
	return buf.Bytes()
}

// withHeaderCRC sets FHCRC on a member with name, comment and extra, and
// inserts the header's CRC-16 (the low half of its CRC-32), computed
// here by hand from the header's known layout.
func withHeaderCRC(m []byte) []byte {
	end := 10 + 2 + int(m[10]) | int(m[11])<<8
	for _, f := range []int{0, 1} { // name, comment
		_ = f
		end += bytes.IndexByte(m[end:], 0) + 1
	}
	h := append([]byte(nil), m[:end]...)
	h[3] |= flagHCRC
	c := crc32IEEE(h)
	out := append(h, byte(c), byte(c>>8))
	return append(out, m[end:]...)
}

// crc32IEEE is a bitwise CRC-32 (RFC 1952, 8), independent of hash/crc32.
func crc32IEEE(b []byte) uint32 {
	c := ^uint32(0)
	for _, x := range b {
		c ^= uint32(x)
		for range 8 {
			c = c>>1 ^ 0xedb88320&-(c&1)
		}
	}
	return ^c
}

func TestDifferentialCorpus(t *testing.T) {
	checkFastLoops(t)
	var d Decompressor
	types := map[byte]bool{}
	for i, src := range corpus(t) {
		if msg := differ(&d, src); msg != "" {
			t.Errorf("object %d (%d bytes): %s", i, len(src), msg)
		}
		if len(src) > 10 && src[3] == 0 {
			types[src[10]>>1&3] = true // the first block's BTYPE
		}
	}
	if !types[0] || !types[1] || !types[2] {
		t.Errorf("the corpus's first blocks have types %v, want stored (0), fixed (1) and dynamic (2)", types)
	}
}

// TestDifferentialTruncated cuts small streams of every block type at
// every byte.
func TestDifferentialTruncated(t *testing.T) {
	checkFastLoops(t)
	var d Decompressor
	p := []byte(`{"Records":[{"eventName":"StartSession","eventSource":"ssm.amazonaws.com"},{"eventName":"StartSession"}]}`)
	streams := [][]byte{
		stdZip(t, p, 0), stdZip(t, p, stdgzip.HuffmanOnly), stdZip(t, p, 9),
		kZip(t, p, kgzip.StatelessCompression), kZip(t, p, 1),
		append(stdZip(t, p, 9), stdZip(t, p, 0)...),
	}
	for si, s := range streams {
		for n := 0; n <= len(s); n++ {
			if msg := differ(&d, s[:n]); msg != "" {
				t.Errorf("stream %d cut at %d of %d: %s", si, n, len(s), msg)
			}
		}
	}
}

// TestDifferentialBitFlips damages every corpus stream at random bits,
// one to three at a time, and appends random trailing bytes.
func TestDifferentialBitFlips(t *testing.T) {
	checkFastLoops(t)
	var d Decompressor
	rng := rand.New(rand.NewPCG(3, 4))
	rounds := 40
	if testing.Short() || raceEnabled {
		rounds = 5
	}
	for i, src := range corpus(t) {
		if len(src) > 64<<10 {
			continue
		}
		for range rounds {
			m := append([]byte(nil), src...)
			for range 1 + rng.IntN(3) {
				bit := rng.IntN(len(m) * 8)
				m[bit/8] ^= 1 << (bit % 8)
			}
			if rng.IntN(4) == 0 {
				m = append(m, byte(rng.IntN(256)))
			}
			if msg := differ(&d, m); msg != "" {
				t.Errorf("object %d damaged: %s", i, msg)
			}
		}
	}
}

// TestLimit: the output stops at exactly the limit, and no buffer grows
// past it.
func TestLimit(t *testing.T) {
	checkFastLoops(t)
	var d Decompressor
	p := bytes.Repeat([]byte("0123456789"), 100000) // 1,000,000 bytes
	for _, src := range [][]byte{stdZip(t, p, 0), stdZip(t, p, 9), kZip(t, p, kgzip.StatelessCompression)} {
		for _, limit := range []int64{0, 1, 999, 65536, 999999} {
			out, err := d.Gunzip(nil, src, limit)
			if !errors.Is(err, ErrLimit) {
				t.Fatalf("limit %d: err %v, want ErrLimit", limit, err)
			}
			if int64(len(out)) != limit || int64(cap(out)) > limit || !bytes.Equal(out, p[:limit]) {
				t.Fatalf("limit %d: %d bytes out (cap %d)", limit, len(out), cap(out))
			}
		}
		out, err := d.Gunzip(make([]byte, 0, 10), src, 1000000)
		if err != nil || !bytes.Equal(out, p) {
			t.Fatalf("at the limit: %v, %d bytes", err, len(out))
		}
	}
}

// TestDifferentialMatchShapes drives the fast loop through each of its
// paths against the standard library's reader: matches at every
// distance from 1 to 70 (the word copies of distances under 8, the
// byte broadcast of distance 1, the unconditional words of longer ones)
// with lengths from 3 to 258, and codes whose longest codewords reach
// past the primary tables (skewed literals and distances: subtable
// literals, lengths and distances), each both far from the ends of the
// buffers and near them (a limit, an output buffer sized exactly).
func TestDifferentialMatchShapes(t *testing.T) {
	checkFastLoops(t)
	rng := rand.New(rand.NewPCG(5, 6))
	var shapes [][]byte
	for d := 1; d <= 70; d++ {
		var p []byte
		for _, length := range []int{3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 40, 64, 100, 257, 258} {
			unit := make([]byte, d)
			for i := range unit {
				unit[i] = byte('a' + rng.IntN(26))
			}
			p = append(p, unit...)
			for range length {
				p = append(p, p[len(p)-d])
			}
			p = append(p, '|', byte(rng.Uint32()), '|')
		}
		shapes = append(shapes, bytes.Repeat(p, 3))
	}
	// Skewed: byte i appears about 2^-(i/12) as often as byte 0, and
	// runs repeat at distances spread over the window.
	var skew []byte
	for len(skew) < 400<<10 {
		if rng.IntN(3) == 0 && len(skew) > 40000 {
			d := 1 + int(rng.ExpFloat64()*3000)%32768
			n := 3 + rng.IntN(40)
			for range n {
				skew = append(skew, skew[len(skew)-d])
			}
			continue
		}
		skew = append(skew, byte(int(rng.ExpFloat64()*20)%256))
	}
	shapes = append(shapes, skew)
	var d Decompressor
	for i, p := range shapes {
		for _, src := range [][]byte{stdZip(t, p, stdgzip.BestSpeed), stdZip(t, p, stdgzip.BestCompression), kZip(t, p, 5)} {
			if msg := differ(&d, src); msg != "" {
				t.Fatalf("shape %d: %s", i, msg)
			}
			out, err := d.Gunzip(make([]byte, 0, len(p)), src, int64(len(p)))
			if err != nil || !bytes.Equal(out, p) {
				t.Fatalf("shape %d into an exact buffer: %v", i, err)
			}
			for _, limit := range []int{len(p) / 3, len(p) - 1} {
				out, err := d.Gunzip(nil, src, int64(limit))
				if !errors.Is(err, ErrLimit) || !bytes.Equal(out, p[:limit]) {
					t.Fatalf("shape %d, limit %d: %v, %d bytes", i, limit, err, len(out))
				}
			}
		}
	}
	// The skewed stream's code reaches past the primary tables.
	var dec Decompressor
	src := stdZip(t, skew, stdgzip.BestCompression)
	if _, err := dec.Gunzip(nil, src, 1<<30); err != nil {
		t.Fatal(err)
	}
	long := false
	for _, e := range dec.lit[:1<<litBits] {
		long = long || int32(e) >= 0 && e&kindLink != 0
	}
	if !long {
		t.Error("the skewed stream's literal/length code has no codeword longer than the primary table's bits")
	}
}

// TestFastLoopEntryMargin enters the fast loop with an empty bit buffer
// and exactly fastInMargin input bytes left, on a fixed-code block whose
// first iteration is two literals, a long length and a distance: the
// entry's refill, the one before the distance and the one after it move
// the position as far as they can. Under -tags purego every load is
// bounds-checked, so a margin too small for three refills panics here.
// The block, written by hand (RFC 1951, 3.2.6): 'a' 'a' (8-bit codes
// 0x91), length symbol 284 (8-bit code 0xc4) with 5 extra bits 0 (227),
// distance symbol 0 (5-bit code 0: 1), then the end of block (7 zero
// bits): 229 bytes of 'a'.
func TestFastLoopEntryMargin(t *testing.T) {
	checkFastLoops(t)
	var w bitWriter
	w.code(0x91, 8)
	w.code(0x91, 8)
	w.code(0xc4, 8)
	w.bits(0, 5)
	w.code(0, 5)
	w.code(0, 7)
	in := make([]byte, fastInMargin)
	copy(in, w.out())
	var d Decompressor
	s := state{d: &d, in: in, out: make([]byte, 4096)}
	br := bitReader{}
	if err := s.huffman(&br, fixedTables(), 7, 5); err != nil {
		t.Fatal(err)
	}
	if want := bytes.Repeat([]byte("a"), 229); !bytes.Equal(s.out[:s.op], want) {
		t.Fatalf("decoded %q", s.out[:s.op])
	}
}

// bitWriter packs a DEFLATE bit stream: codes most significant bit
// first, other values least significant bit first (RFC 1951, 3.1.1).
type bitWriter struct {
	b []byte
	n int
}

func (w *bitWriter) bit(v uint) {
	if w.n%8 == 0 {
		w.b = append(w.b, 0)
	}
	w.b[len(w.b)-1] |= byte(v&1) << (w.n % 8)
	w.n++
}

func (w *bitWriter) code(c uint, n int) {
	for i := n - 1; i >= 0; i-- {
		w.bit(c >> i)
	}
}

func (w *bitWriter) bits(v uint, n int) {
	for i := range n {
		w.bit(v >> i)
	}
}

func (w *bitWriter) out() []byte { return w.b }

// TestFastLoopMatchBeforeMember gives a second gzip member whose first
// codeword, decoded in the fast loop (the member's input is longer than
// fastInMargin), is a match reaching back into the first member: the
// standard library resets its window per member, so the stream is
// corrupt, and so is every distance one past the member's output so
// far (the output stops before the match). The block is written by hand (RFC 1951, 3.2.6, fixed codes):
// n literals 'a' (8-bit code 0x91), length symbol 257 (7-bit code 1:
// 3 bytes), distance symbol d-1 for d in 1..4 (5-bit codes, no extra
// bits), then 30 literals and the end of block. With d <= n the
// member decodes; with d = n+1 it is corrupt.
func TestFastLoopMatchBeforeMember(t *testing.T) {
	checkFastLoops(t)
	var first bytes.Buffer
	zw := stdgzip.NewWriter(&first)
	zw.Write([]byte("abcdefgh"))
	zw.Close()
	for n := 0; n <= 3; n++ {
		for d := 1; d <= n+1; d++ {
			var w bitWriter
			w.bits(1, 1) // final
			w.bits(1, 2) // fixed codes
			for range n {
				w.code(0x91, 8)
			}
			w.code(1, 7)
			w.code(uint(d-1), 5)
			for range 30 {
				w.code(0x91, 8)
			}
			w.code(0, 7)
			member := append([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}, w.out()...)
			member = append(member, make([]byte, 8)...) // CRC and ISIZE: checked only after the block
			src := append(bytes.Clone(first.Bytes()), member...)
			var dec Decompressor
			// Room from the start, so that the fast loop runs.
			got, err := dec.Gunzip(make([]byte, 0, 4096), src, 1<<20)
			_, wc := reference(src, true)
			if d > n {
				if got := classOf(err); got != corrupt || wc != corrupt {
					t.Errorf("n=%d d=%d: class %v (%v), standard library %v; want corrupt", n, d, got, err, wc)
				}
				// Stopped at the match, not at the trailer's CRC.
				if want := "abcdefgh" + strings.Repeat("a", n); string(got) != want {
					t.Errorf("n=%d d=%d: decoded %q, want %q", n, d, got, want)
				}
				continue
			}
			// The trailer is zeros: the block decodes, then the CRC
			// fails, as in the standard library.
			if got := classOf(err); got != wc || got != corrupt {
				t.Errorf("n=%d d=%d: class %v (%v), standard library %v", n, d, got, err, wc)
			}
			if want := "abcdefgh" + strings.Repeat("a", n+3+30); string(got) != want {
				t.Errorf("n=%d d=%d: decoded %q, want %q", n, d, got, want)
			}
		}
	}
}
