package main

import (
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	f := func(v []float64, want float64) {
		t.Helper()
		if got := median(v); got != want {
			t.Errorf("median(%v) = %v, want %v", v, got, want)
		}
	}
	f(nil, 0)
	f([]float64{7}, 7)
	f([]float64{3, 1, 2}, 2)
	f([]float64{4, 1, 3, 2}, 2.5)
}

// TestRatio: each round's sample is compared with the base's of the same
// round, whatever the order the samples came in.
func TestRatio(t *testing.T) {
	s := func(round int, secs float64) sample {
		return sample{Decompressed: 1e6, Elapsed: time.Duration(secs * float64(time.Second)), round: round}
	}
	base := stats{rounds: []sample{s(1, 1), s(2, 2), s(3, 4)}}
	// MB/s per round: base 1, 0.5, 0.25; st 0.5, 1, 0.125.
	st := stats{rounds: []sample{s(3, 8), s(1, 2), s(2, 1)}}
	mbps := func(s sample) float64 { return s.mbps() }
	if got, want := st.ratio(base, mbps), 0.5; got != want {
		t.Errorf("ratio = %v, want %v (per round 0.5, 2, 0.5)", got, want)
	}
	if got, want := perRound(st, base, mbps), "0.50, 0.50, 2.00"; got != want {
		t.Errorf("perRound = %q, want %q", got, want)
	}
}

func TestThousands(t *testing.T) {
	for in, want := range map[float64]string{0: "0", 999.4: "999", 1000: "1,000", 153614.2: "153,614", 1234567: "1,234,567"} {
		if got := thousands(in); got != want {
			t.Errorf("thousands(%v) = %q, want %q", in, got, want)
		}
	}
}
