package scan

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/retrohunt/retrohunt/internal/corpora"
)

// BenchmarkObjectSigma is issue 13's throughput check: worker.object on
// one worker over the generated corpus's gzip CloudTrail objects in
// memory, with the built-in pack and the 92 SigmaHQ CloudTrail and
// Azure Activity rules in one prefilter, against klauspost gzip
// decompressing the same objects. It also reports the allocations per
// record on the records no rule can match.
func BenchmarkObjectSigma(b *testing.B) {
	corpora.Dir(b, "sigmahq")
	hq := sigmaHQRules(b)
	if len(hq) != 92 {
		b.Fatalf("%d SigmaHQ rules, want 92", len(hq))
	}
	rs := append(append([]*Rule(nil), ruleSets(b)["pack"]...), hq...)
	c := newBenchObjects(b)
	objs, size, records := c.objs, c.size, len(c.recs)
	// SigmaHQ's "AWS STS AssumeRole Misuse" fires on every call of a role
	// session (userIdentity.type AssumedRole, issued by a Role): 84 % of
	// the generated records are its hits. "fast" runs all 92 rules;
	// "fast-91" leaves that one out, to show the cost of the rest.
	var rs91 []*Rule
	for _, r := range rs {
		if r.Name != "AWS STS AssumeRole Misuse" {
			rs91 = append(rs91, r)
		}
	}
	if len(rs91) != len(rs)-1 {
		b.Fatal("no rule AWS STS AssumeRole Misuse")
	}
	b.Run("fast", func(b *testing.B) { benchWorker(b, testWorker(rs, newFilter(rs)), objs, size, records) })
	b.Run("fast-91", func(b *testing.B) { benchWorker(b, testWorker(rs91, newFilter(rs91)), objs, size, records) })
	b.Run("baseline/gunzip", func(b *testing.B) {
		b.SetBytes(size)
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
	b.Run("non-matching-record", func(b *testing.B) {
		noise, _ := noiseRecords(b, rs)
		chk := newFilter(rs).NewChecker()
		b.ReportAllocs()
		for b.Loop() {
			for _, r := range noise {
				chk.Candidate(r)
			}
		}
		b.ReportMetric(float64(len(noise)), "records/op")
	})
}

func benchWorker(b *testing.B, w *worker, objs []job, size int64, records int) {
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
