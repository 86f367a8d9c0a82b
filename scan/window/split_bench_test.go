package window

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkSplitNoGroup: the worst shape of a partial-key rule, no group
// key (Google's GKE token rule): candidates of two variables, (trace,
// token, ?) and (?, token, computer), each token seen by one of each, n
// candidates within one 24h window. Each arrival looks at the whole
// buffer, so the cost per candidate grows with n.
func BenchmarkSplitNoGroup(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			cands := make([]Candidate, n)
			step := int64(24*time.Hour) / int64(n)
			for i := range cands {
				tok := fmt.Sprint("k", i/2)
				key, known := []string{fmt.Sprint("t", i), tok, ""}, []bool{true, true, false}
				if i%2 == 1 {
					key, known = []string{"", tok, fmt.Sprint("c", i%50)}, []bool{false, true, true}
				}
				cands[i] = Candidate{Rule: "r", Var: i % 2, Time: int64(i) * step, Values: []string{EncodeKey(key, known)}}
			}
			spec := Spec{Kind: Hop, Size: 24 * time.Hour, SubKey: true}
			windows := 0
			for b.Loop() {
				s := &splitter{spec: spec, w: int64(spec.Size), rule: "r", subs: map[string]*sub{}, fn: func(*Window) error { windows++; return nil }}
				for _, c := range cands {
					if err := s.add(c); err != nil {
						b.Fatal(err)
					}
				}
				if err := s.finish(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/candidate")
		})
	}
}
