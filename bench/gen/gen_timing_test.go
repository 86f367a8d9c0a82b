package gen

import (
	"bytes"
	stdgzip "compress/gzip"
	"testing"

	"github.com/klauspost/compress/gzip"
)

type discardSink struct{}

func (discardSink) Put(string, []byte) error { return nil }

// BenchmarkGenerate measures generation plus gzip on one worker, per
// decompressed byte (one day, two accounts, two regions, one
// subscription: ~10,800 records).
func BenchmarkGenerate(b *testing.B) {
	cfg := Config{Seed: 1, Days: 1, Workers: 1}
	st, _, err := Generate(cfg, discardSink{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(st.DecompressedBytes)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := Generate(cfg, discardSink{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(st.Records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkCompress compares the gzip writer Generate uses with the
// standard library's, on one generated CloudTrail body.
func BenchmarkCompress(b *testing.B) {
	cfg, _ := Config{Seed: 1}.withDefaults()
	w := newWorld(&cfg)
	p := makePlan(&cfg, w)
	var c ctWriter
	c.cfg = &cfg
	var res result
	body := c.object(nil, w, &p.objects[0], &res)
	var buf bytes.Buffer
	b.Run("klauspost", func(b *testing.B) {
		zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for i := 0; i < b.N; i++ {
			buf.Reset()
			zw.Reset(&buf)
			zw.Write(body)
			zw.Close()
		}
	})
	b.Run("stdlib", func(b *testing.B) {
		zw, _ := stdgzip.NewWriterLevel(&buf, stdgzip.DefaultCompression)
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for i := 0; i < b.N; i++ {
			buf.Reset()
			zw.Reset(&buf)
			zw.Write(body)
			zw.Close()
		}
	})
}
