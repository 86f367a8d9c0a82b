//go:build linux

package inflate

import (
	"bytes"
	stdgzip "compress/gzip"
	"testing"

	kgzip "github.com/klauspost/compress/gzip"

	"github.com/retrohunt/retrohunt/internal/guard"
)

// TestGunzipStaysInItsBuffers decodes gzip streams (stored, Huffman-only,
// fixed and dynamic blocks, every match shape) held in buffers that end
// where a page the process may not touch starts (internal/guard), whole
// and cut at many points, into output buffers whose capacity ends at
// such a page too: the fast loop's unchecked loads (its 22-byte input
// margin) and stores (its output margin, the 16-byte match moves) must
// fault here if a bound is wrong by one byte, where ordinary slices'
// neighbouring memory would let them pass.
func TestGunzipStaysInItsBuffers(t *testing.T) {
	checkFastLoops(t)
	p := []byte(`{"Records":[{"eventName":"StartSession","eventSource":"ssm.amazonaws.com","n":1}]}`)
	var shapes []byte
	for d := 1; d <= 40; d++ {
		shapes = append(shapes, p[:d%len(p)+1]...)
		for range 20 + d {
			shapes = append(shapes, shapes[len(shapes)-d])
		}
	}
	plain := bytes.Repeat(shapes, 3)
	streams := [][]byte{
		stdZip(t, plain, stdgzip.NoCompression),
		stdZip(t, plain, stdgzip.HuffmanOnly),
		stdZip(t, plain, stdgzip.BestSpeed),
		stdZip(t, plain, stdgzip.BestCompression),
		kZip(t, plain, kgzip.StatelessCompression),
		stdZip(t, p, 9),
	}
	var d Decompressor
	for _, z := range streams {
		for cut := len(z); cut >= 0; cut -= 1 + cut/40 {
			src := guard.Copy(t, z[:cut])
			for _, room := range []int{0, len(plain) / 2, len(plain), len(plain) + 300} {
				dst := guard.Bytes(t, room)[:0]
				d.Gunzip(dst, src, int64(len(plain)+1))
			}
		}
	}
}
