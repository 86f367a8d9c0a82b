package inflate

import (
	"hash/crc32"
	"math/rand/v2"
	"testing"
)

// TestChecksumMatchesStdlib: checksum, the CRC-32 of each member's
// output (with the wide kernel where there is one), against
// hash/crc32's ChecksumIEEE, for every length up to 2,100 bytes and
// from 3,800 to 6,200 (the kernel takes inputs from 4,096 bytes on, 256
// bytes a step: lengths below, at and around each multiple), random
// lengths up to 1 MiB, and every start offset mod 64.
func TestChecksumMatchesStdlib(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 1))
	buf := make([]byte, 1<<20+64)
	for i := range buf {
		buf[i] = byte(rng.Uint32())
	}
	var folded [256]byte
	check := func(p []byte) {
		t.Helper()
		if got, want := checksum(p, &folded), crc32.ChecksumIEEE(p); got != want {
			t.Fatalf("length %d: %#08x, want %#08x", len(p), got, want)
		}
	}
	for n := 0; n <= 6200; n++ {
		if n == 2101 {
			n = 3800
		}
		check(buf[n%64 : n%64+n])
	}
	for range 200 {
		n := rng.IntN(1 << 20)
		off := rng.IntN(64)
		check(buf[off : off+n])
	}
	// Runs of one byte and of zeros (the folds' products cancel out
	// differently than on random bytes).
	zeros := make([]byte, 9000)
	ones := make([]byte, 9000)
	for i := range ones {
		ones[i] = 0xff
	}
	for _, n := range []int{256, 4095, 4096, 4097, 4351, 4352, 8191, 8192, 9000} {
		check(zeros[:n])
		check(ones[:n])
	}
}

// BenchmarkChecksum: checksum against hash/crc32 over 160 KiB, about
// one generated CloudTrail object's output.
func BenchmarkChecksum(b *testing.B) {
	p := make([]byte, 160<<10)
	for i := range p {
		p[i] = byte(i * 7)
	}
	b.Run("checksum", func(b *testing.B) {
		var folded [256]byte
		b.ReportAllocs()
		b.SetBytes(int64(len(p)))
		for b.Loop() {
			checksum(p, &folded)
		}
	})
	b.Run("stdlib", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(p)))
		for b.Loop() {
			crc32.ChecksumIEEE(p)
		}
	})
}
