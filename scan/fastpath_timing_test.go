package scan

import (
	"encoding/json"
	"testing"

	"github.com/retrohunt/retrohunt/bench/gen"
	"github.com/retrohunt/retrohunt/scan/fast"
	"github.com/retrohunt/retrohunt/scan/udm"
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
			chk := fast.New(compiledRules(rs)).NewChecker()
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
