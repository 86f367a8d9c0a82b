package inflate

import (
	"bytes"
	stdgzip "compress/gzip"
	"io"
	"testing"

	kgzip "github.com/klauspost/compress/gzip"

	"github.com/retrohunt/retrohunt/bench/gen"
)

// BenchmarkGunzip decompresses the gzip CloudTrail objects of a generated
// corpus (bench/gen, shapes from the public samples) whole: Gunzip into
// one reused buffer against klauspost's and the standard library's
// streaming readers (Reset per object, WriteTo io.Discard). Besides
// MB/s (wall time) each reports MB/cpu-s, the decompressed MB per second
// of the process's CPU time (unix), the number to compare on a machine
// shared with other work.
func BenchmarkGunzip(b *testing.B) {
	corpus, err := gen.CloudTrailObjects(gen.Config{Days: 1, FilesPerDay: 24, RecordsPerFile: 100, AzureRecordsPerHour: -1})
	if err != nil {
		b.Fatal(err)
	}
	var objs [][]byte
	var size int64
	for _, o := range corpus {
		objs = append(objs, o.Body)
		size += SizeHint(o.Body)
	}
	b.Run("inflate", func(b *testing.B) {
		var d Decompressor
		var buf []byte
		b.ReportAllocs()
		b.SetBytes(size)
		defer reportCPU(b, size)()
		for b.Loop() {
			for _, o := range objs {
				var err error
				if buf, err = d.Gunzip(buf, o, 1<<30); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("baseline/klauspost", func(b *testing.B) {
		var zr kgzip.Reader
		b.ReportAllocs()
		b.SetBytes(size)
		defer reportCPU(b, size)()
		for b.Loop() {
			for _, o := range objs {
				zr.Reset(bytes.NewReader(o))
				io.Copy(io.Discard, &zr)
			}
		}
	})
	b.Run("baseline/stdlib", func(b *testing.B) {
		var zr stdgzip.Reader
		b.ReportAllocs()
		b.SetBytes(size)
		defer reportCPU(b, size)()
		for b.Loop() {
			for _, o := range objs {
				zr.Reset(bytes.NewReader(o))
				io.Copy(io.Discard, &zr)
			}
		}
	})
}

// reportCPU reports MB/cpu-s when the function it returns is called at
// the end of the benchmark.
func reportCPU(b *testing.B, size int64) func() {
	cpu0 := cpuTime()
	return func() {
		if cpu := cpuTime() - cpu0; cpu > 0 {
			b.ReportMetric(float64(size)*float64(b.N)/1e6/cpu.Seconds(), "MB/cpu-s")
		}
	}
}
