package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/retrohunt/retrohunt/bench/gen"
	"github.com/retrohunt/retrohunt/scan/udm"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/local"
)

// BenchmarkRecord measures the per-record work of each path on records
// from the generated corpus (bench/gen: shapes copied from the public
// samples in testdata/samples, realistic noise, 0.1 % planted
// positives): "reference" validates, maps and matches every record as
// the reference path does; "fast" asks the prefilter and does the same
// only for candidates. Splitting and decompression are not included
// (see BenchmarkDecodeUnchecked and bench/cmd/throughput). The baseline
// is encoding/json's json.Valid alone.
func BenchmarkRecord(b *testing.B) {
	root := b.TempDir()
	if _, _, err := gen.Generate(gen.Config{Days: 1, FilesPerDay: 4, RecordsPerFile: 100, AzureRecordsPerHour: 100}, gen.DirSink(root)); err != nil {
		b.Fatal(err)
	}
	rs := ruleSets(b)["pack"]
	all := seedRecords(b, root)
	noise, _ := noiseRecords(b, rs)
	sets := map[string][][]byte{"mixed": all, "non-matching": noise}
	size := func(recs [][]byte) (n int64) {
		for _, r := range recs {
			n += int64(len(r))
		}
		return n
	}
	reference := func(rec []byte) int {
		if !json.Valid(rec) {
			return 0
		}
		ev, err := udm.Map(rec)
		if err != nil {
			return 0
		}
		eventTime(ev)
		n := 0
		for _, r := range rs {
			if r.Compiled.Match(ev) {
				n++
			}
		}
		return n
	}
	for _, set := range []string{"mixed", "non-matching"} {
		recs := sets[set]
		b.Run(set+"/reference", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(size(recs))
			for b.Loop() {
				for _, r := range recs {
					reference(r)
				}
			}
			b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
		b.Run(set+"/fast", func(b *testing.B) {
			chk := newFilter(rs).NewChecker()
			b.ReportAllocs()
			b.SetBytes(size(recs))
			for b.Loop() {
				for _, r := range recs {
					if chk.Candidate(r) {
						reference(r)
					}
				}
			}
			b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
		b.Run(set+"/baseline-json.Valid", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(size(recs))
			for b.Loop() {
				for _, r := range recs {
					json.Valid(r)
				}
			}
			b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// benchObjects is the per-object benchmarks' corpus: the generated
// corpus's gzip CloudTrail objects, buffered as jobs of one local source
// (it only names them), with their decompressed size and their records.
type benchObjects struct {
	objs    []job
	size    int64    // decompressed bytes of every object
	recs    [][]byte // every record, decompressed
	recSize int64    // their bytes
}

func newBenchObjects(b *testing.B) benchObjects {
	b.Helper()
	corpus, err := gen.CloudTrailObjects(gen.Config{Days: 1, FilesPerDay: 24, RecordsPerFile: 100, AzureRecordsPerHour: -1})
	if err != nil {
		b.Fatal(err)
	}
	src, err := local.New(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	var c benchObjects
	for _, o := range corpus {
		c.objs = append(c.objs, job{src: src, obj: sources.Object{Key: o.Key, Size: int64(len(o.Body))}, data: bytes.NewBuffer(o.Body)})
		zr, err := gzip.NewReader(bytes.NewReader(o.Body))
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, zr)
		if err != nil {
			b.Fatal(err)
		}
		c.size += n
		for _, r := range splitRecords(b, o.Body) {
			c.recs = append(c.recs, r)
			c.recSize += int64(len(r))
		}
	}
	return c
}

// BenchmarkObject measures worker.object, the per-object loop, on the
// generated corpus's gzip CloudTrail objects held in memory: the fast
// path, the reference path, and klauspost gzip decompressing the same
// objects as the baseline.
func BenchmarkObject(b *testing.B) {
	c := newBenchObjects(b)
	objs, size, records := c.objs, c.size, len(c.recs)
	rs := ruleSets(b)["pack"]
	run := func(b *testing.B, w *worker) {
		b.ReportAllocs()
		b.SetBytes(size)
		for b.Loop() {
			for _, j := range objs {
				j.data = bytes.NewBuffer(j.data.Bytes())
				if _, err := w.object(context.Background(), j, &Summary{}); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	}
	b.Run("fast", func(b *testing.B) { run(b, testWorker(rs, newFilter(rs))) })
	b.Run("reference", func(b *testing.B) { run(b, testWorker(rs, nil)) })
	b.Run("baseline/gunzip", func(b *testing.B) {
		var zr gzip.Reader
		b.ReportAllocs()
		b.SetBytes(size)
		for b.Loop() {
			for _, j := range objs {
				zr.Reset(bytes.NewReader(j.data.Bytes()))
				io.Copy(io.Discard, &zr)
			}
		}
		b.ReportMetric(float64(records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
}
