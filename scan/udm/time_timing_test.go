package udm

import "testing"

// BenchmarkIsTimeBytes: the verdict alone on the time forms of the
// public samples (CloudTrail's, Azure's seven fraction digits, an
// export's space and nine digits), against ParseTimeBytes, which builds
// the time.
func BenchmarkIsTimeBytes(b *testing.B) {
	times := [][]byte{[]byte("2024-08-01T12:19:17Z"), []byte("2019-01-14T19:31:53.6431339Z"), []byte("2025-01-13 19:58:59.000000000")}
	var size int64
	for _, t := range times {
		size += int64(len(t))
	}
	for _, c := range []struct {
		name string
		fn   func([]byte) bool
	}{
		{"IsTimeBytes", IsTimeBytes},
		{"ParseTimeBytes", func(t []byte) bool { _, ok := ParseTimeBytes(t); return ok }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(size)
			for b.Loop() {
				for _, t := range times {
					if !c.fn(t) {
						b.Fatal("not a time")
					}
				}
			}
		})
	}
}
