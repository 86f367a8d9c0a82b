package inflate

import (
	"bytes"
	stdgzip "compress/gzip"
	"errors"
	"testing"

	kgzip "github.com/klauspost/compress/gzip"
)

// maxFuzzInput bounds the compressed inputs FuzzInflate decodes.
const maxFuzzInput = 64 << 10

// FuzzInflate checks Gunzip against the standard library's reader (the
// output, or the class of the error) and, with a small limit, that the
// output stops at exactly the limit on a prefix of the true output.
// Seeds: whole, truncated, corrupt, multi-member and bomb-like streams.
func FuzzInflate(f *testing.F) {
	p := []byte(`{"Records":[{"eventName":"StartSession","eventSource":"ssm.amazonaws.com","n":1}]}`)
	whole := stdZip(f, p, 9)
	f.Add(whole, uint16(20))
	f.Add(whole[:len(whole)/2], uint16(1000))
	f.Add(whole[:len(whole)-3], uint16(1000))
	bad := append([]byte(nil), whole...)
	bad[len(bad)/2] ^= 0x10
	f.Add(bad, uint16(1000))
	badCRC := append([]byte(nil), whole...)
	badCRC[len(badCRC)-6] ^= 1
	f.Add(badCRC, uint16(1000))
	f.Add(append(append(stdZip(f, p, 0), kZip(f, p, kgzip.StatelessCompression)...), stdZip(f, nil, 1)...), uint16(100))
	f.Add(stdZip(f, make([]byte, 1<<20), 9), uint16(4096)) // 1 MiB of zeros in ~1 KB
	f.Add(kZip(f, bytes.Repeat(p, 50), kgzip.HuffmanOnly), uint16(300))
	f.Add([]byte{0x1f, 0x8b}, uint16(10))
	// Long enough for the fast loop: matches at distances 1 to 9 (every
	// copy path) and pairs of literals (Huffman-only).
	var shapes []byte
	for d := 1; d <= 9; d++ {
		shapes = append(shapes, p[:d]...)
		for range 40 + d {
			shapes = append(shapes, shapes[len(shapes)-d])
		}
	}
	f.Add(stdZip(f, bytes.Repeat(shapes, 4), 6), uint16(2000))
	f.Add(stdZip(f, bytes.Repeat(p, 20), stdgzip.HuffmanOnly), uint16(1500))
	// A second member whose header sets a reserved flag and a comment,
	// cut before the comment ends: truncated, as both readers check
	// reserved flags only after the fields.
	f.Add(append(append([]byte(nil), whole...), 0x1f, 0x8b, 8, 0x30, 0, 0, 0, 0, 0, 0, 'c'), uint16(1000))
	f.Fuzz(func(t *testing.T, src []byte, limit uint16) {
		checkFastLoops(t)
		if len(src) > maxFuzzInput {
			// Deflate expands up to 1,032 times: a mutated megabyte is a
			// gigabyte for each of the three decoders compared, which
			// can stall a fuzz worker past the engine's patience on a
			// loaded machine. The bomb seed above is about 1 KB.
			return
		}
		var d Decompressor
		if msg := differ(&d, src); msg != "" {
			t.Fatal(msg)
		}
		want, wc := reference(src, true)
		got, err := d.Gunzip(nil, src, int64(limit))
		if errors.Is(err, ErrLimit) {
			if len(got) != int(limit) || cap(got) > int(limit) {
				t.Fatalf("stopped at %d bytes (cap %d), limit %d", len(got), cap(got), limit)
			}
			if (wc == ok || len(want) >= len(got)) && !bytes.Equal(got, want[:min(len(got), len(want))]) {
				t.Fatal("output at the limit is not a prefix of the true output")
			}
		} else if wc == ok && err == nil && !bytes.Equal(got, want) {
			t.Fatal("output differs under a limit it does not reach")
		}
	})
}
