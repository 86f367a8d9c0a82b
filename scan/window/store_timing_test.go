package window

import (
	"strconv"
	"testing"
	"time"
)

// BenchmarkStore adds b.N candidates shaped like a brute-force rule's
// (an IP key, a user and an event id as outcome inputs, an S3 key as
// provenance) under a budget and merges them: "memory" never spills,
// "spill" keeps 1 MiB in memory. Bytes are the candidates' encoded size.
// Baseline: the same candidates appended to a slice (what an unbounded
// in-memory grouping costs at least).
func BenchmarkStore(b *testing.B) {
	mk := func(i int) Candidate {
		return Candidate{
			Rule:   "aws_console_brute_force",
			Key:    []string{"198.51." + strconv.Itoa(i%251) + "." + strconv.Itoa(i%13)},
			Time:   int64(i%100000) * int64(time.Second),
			Values: []string{"\x01\x05alice", "\x01\x0aid" + strconv.Itoa(i)},
			Source: "s3://trail/AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/01/123456789012_CloudTrail_us-east-1_20261101T0000Z_abcdef.json.gz",
			Record: int64(i % 1000),
		}
	}
	c := mk(0)
	size := int64(len(appendBody(nil, &c)))
	for _, bc := range []struct {
		name   string
		budget int64
	}{{"memory", 1 << 40}, {"spill", 1 << 20}, {"default", DefaultBudget}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(size)
			s := NewStore(b.TempDir(), bc.budget)
			for i := 0; i < b.N; i++ {
				if err := s.Add(mk(i)); err != nil {
					b.Fatal(err)
				}
			}
			n := 0
			if err := s.Each(func(*Candidate) error { n++; return nil }); err != nil {
				b.Fatal(err)
			}
			if n != b.N {
				b.Fatalf("merged %d of %d", n, b.N)
			}
		})
	}
	b.Run("stdlib-slice", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(size)
		var all []Candidate
		for i := 0; i < b.N; i++ {
			all = append(all, mk(i))
		}
		if len(all) != b.N {
			b.Fatal("lost candidates")
		}
	})
}
