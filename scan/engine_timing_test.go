package scan

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/retrohunt/retrohunt/bench/gen"
	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/scan/rules"
	"github.com/retrohunt/retrohunt/sources/local"
)

type discard struct{}

func (discard) Write([]output.Hit) error { return nil }
func (discard) Close() error             { return nil }

// BenchmarkScanReference measures the reference path end to end over a
// generated corpus (both layouts, realistic noise), against a baseline
// that only decompresses the same files with klauspost gzip.
func BenchmarkScanReference(b *testing.B) {
	root := b.TempDir()
	st, _, err := gen.Generate(gen.Config{Days: 1, FilesPerDay: 24, RecordsPerFile: 100, AzureRecordsPerHour: 100}, gen.DirSink(root))
	if err != nil {
		b.Fatal(err)
	}
	loaded, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	var compiled []*Rule
	for _, l := range loaded {
		compiled = append(compiled, NewRule(l.Rule, l.Origin))
	}
	src, err := local.New(root)
	if err != nil {
		b.Fatal(err)
	}
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run("retrohunt/workers="+strconv.Itoa(workers), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(st.DecompressedBytes)
			for i := 0; i < b.N; i++ {
				sum, err := Run(context.Background(), Config{Rules: compiled, Workers: workers, Reference: true}, []Target{{Source: src}}, discard{})
				if err != nil || sum.Partial() {
					b.Fatalf("%v %+v", err, sum)
				}
			}
			b.ReportMetric(float64(st.Records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
	b.Run("baseline/gunzip-only", func(b *testing.B) {
		var files []string
		filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				files = append(files, p)
			}
			return nil
		})
		b.ReportAllocs()
		b.SetBytes(st.DecompressedBytes)
		var zr gzip.Reader
		for i := 0; i < b.N; i++ {
			for _, p := range files {
				f, _ := os.Open(p)
				if err := zr.Reset(f); err == nil {
					io.Copy(io.Discard, &zr)
				} else {
					f.Seek(0, 0)
					io.Copy(io.Discard, f)
				}
				f.Close()
			}
		}
	})
}
