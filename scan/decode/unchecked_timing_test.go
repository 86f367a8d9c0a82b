package decode

import (
	"bufio"
	"bytes"
	"io"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/retrohunt/retrohunt/bench/gen"
)

// BenchmarkDecodeUnchecked measures splitting alone on gzip CloudTrail
// objects of the generated corpus (bench/gen, shapes from the public
// samples): DecodeUnchecked against Decode, and the klauspost baselines
// that only decompress (WriteTo, as io.Copy does, and Read into a
// buffer, as any splitter has to).
func BenchmarkDecodeUnchecked(b *testing.B) {
	corpus, err := gen.CloudTrailObjects(gen.Config{Days: 1, FilesPerDay: 24, RecordsPerFile: 100, AzureRecordsPerHour: -1})
	if err != nil {
		b.Fatal(err)
	}
	var objs [][]byte
	var size int64
	for _, o := range corpus {
		objs = append(objs, o.Body)
		zr, _ := gzip.NewReader(bytes.NewReader(o.Body))
		n, _ := io.Copy(io.Discard, zr)
		size += n
	}
	b.Run("DecodeUnchecked", func(b *testing.B) {
		d := NewDecoder(Limits{})
		b.ReportAllocs()
		b.SetBytes(size)
		records := 0
		for b.Loop() {
			for _, o := range objs {
				d.DecodeUnchecked(bytes.NewReader(o), func(int, []byte) error { records++; return nil })
			}
		}
	})
	b.Run("Decode", func(b *testing.B) {
		d := NewDecoder(Limits{})
		b.ReportAllocs()
		b.SetBytes(size)
		for b.Loop() {
			for _, o := range objs {
				d.Decode(bytes.NewReader(o), func(int, []byte) error { return nil })
			}
		}
	})
	b.Run("baseline/gunzip-WriteTo", func(b *testing.B) {
		var zr gzip.Reader
		b.ReportAllocs()
		b.SetBytes(size)
		for b.Loop() {
			for _, o := range objs {
				zr.Reset(bytes.NewReader(o))
				io.Copy(io.Discard, &zr)
			}
		}
	})
	b.Run("baseline/gunzip-bufio-Read", func(b *testing.B) {
		var zr gzip.Reader
		br := bufio.NewReaderSize(nil, 256<<10)
		buf := make([]byte, 256<<10)
		b.ReportAllocs()
		b.SetBytes(size)
		for b.Loop() {
			for _, o := range objs {
				br.Reset(bytes.NewReader(o))
				zr.Reset(br)
				for {
					if _, err := zr.Read(buf); err != nil {
						break
					}
				}
			}
		}
	})
	b.Run("baseline/gunzip-Read", func(b *testing.B) {
		var zr gzip.Reader
		buf := make([]byte, 256<<10)
		b.ReportAllocs()
		b.SetBytes(size)
		for b.Loop() {
			for _, o := range objs {
				zr.Reset(bytes.NewReader(o))
				for {
					if _, err := zr.Read(buf); err != nil {
						break
					}
				}
			}
		}
	})
}
