package window

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

const minute = int64(time.Minute)

// got is a window as the tests compare it: key, bounds, truncation and
// the events' records.
type got struct {
	Key        string
	Start, End int64
	Records    []int64
	Pivot      int64 // the pivot's record, -1 without
	Truncated  bool
}

func (g got) String() string {
	return fmt.Sprintf("%s [%dm,%dm] %v pivot=%d trunc=%v", g.Key, g.Start/minute, g.End/minute, g.Records, g.Pivot, g.Truncated)
}

func detect(t *testing.T, budget int64, sp Spec, cs []Candidate) []string {
	t.Helper()
	s := NewStore(t.TempDir(), budget)
	for _, c := range cs {
		if err := s.Add(c); err != nil {
			t.Fatal(err)
		}
	}
	var out []string
	err := Detect(s, func(rule string) (Spec, bool) { return sp, rule == "r" }, func(w *Window) error {
		g := got{Key: strings.Join(w.Key, ","), Start: w.Start, End: w.End, Pivot: -1, Truncated: w.Truncated}
		for _, e := range w.Events {
			g.Records = append(g.Records, e.Record)
		}
		if w.PivotIndex >= 0 {
			g.Pivot = w.Events[w.PivotIndex].Record
		}
		out = append(out, g.String())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// ev is a candidate of rule "r": key, variable, time in minutes, record.
func ev(key string, v int, min float64, rec int64) Candidate {
	return Candidate{Rule: "r", Var: v, Key: []string{key}, Time: int64(min * float64(minute)), Source: "s3://b/k", Record: rec}
}

func want(ws ...got) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.String()
	}
	return out
}

func check(t *testing.T, name string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\ngot  %s\nwant %s", name, strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
}

// TestHopBruteForce: six failed ConsoleLogins from one IP within five
// minutes make one 10m hop window holding all six (the windows starting
// at the later logins hold no new event and are dropped); an IP that
// tries every 20 minutes makes three one-event windows. Then
// "#e >= 5" (the rule's condition, applied here by hand) keeps the
// first only. Windows are computed by hand.
func TestHopBruteForce(t *testing.T) {
	var cs []Candidate
	for i := range 6 {
		cs = append(cs, ev("198.51.100.7", 0, float64(i), int64(i)))
	}
	cs = append(cs, ev("203.0.113.9", 0, 0, 10), ev("203.0.113.9", 0, 20, 11), ev("203.0.113.9", 0, 40, 12))
	sp := Spec{Kind: Hop, Size: 10 * time.Minute}
	w := want(
		got{Key: "198.51.100.7", Start: 0, End: 10 * minute, Records: []int64{0, 1, 2, 3, 4, 5}, Pivot: -1},
		got{Key: "203.0.113.9", Start: 0, End: 10 * minute, Records: []int64{10}, Pivot: -1},
		got{Key: "203.0.113.9", Start: 20 * minute, End: 30 * minute, Records: []int64{11}, Pivot: -1},
		got{Key: "203.0.113.9", Start: 40 * minute, End: 50 * minute, Records: []int64{12}, Pivot: -1},
	)
	check(t, "hop", detect(t, 1<<30, sp, cs), w)
	// Reversed arrival and a budget of a few candidates: the same.
	rev := slices.Clone(cs)
	slices.Reverse(rev)
	check(t, "hop, reversed and spilled", detect(t, 300, sp, rev), w)
}

// TestHopOverlap: logins at 0, 8 and 16 minutes under "over 10m": 0 and
// 8 share a window, 8 and 16 share another, and the window starting at
// 16 holds nothing new. 0 and 16 are never together (16 minutes apart).
func TestHopOverlap(t *testing.T) {
	cs := []Candidate{ev("k", 0, 0, 1), ev("k", 0, 8, 2), ev("k", 0, 16, 3), ev("k", 0, 18, 4)}
	check(t, "hop overlap", detect(t, 1<<30, Spec{Kind: Hop, Size: 10 * time.Minute}, cs), want(
		got{Key: "k", Start: 0, End: 10 * minute, Records: []int64{1, 2}, Pivot: -1},
		got{Key: "k", Start: 8 * minute, End: 18 * minute, Records: []int64{2, 3, 4}, Pivot: -1},
	))
}

// TestTumbling: "by 10m" buckets align on the epoch: 9m and 11m fall in
// different buckets, 11m and 19m in the same one.
func TestTumbling(t *testing.T) {
	cs := []Candidate{ev("k", 0, 9, 1), ev("k", 0, 11, 2), ev("k", 0, 19, 3), ev("k", 0, 20, 4)}
	check(t, "tumbling", detect(t, 1<<30, Spec{Kind: Tumbling, Size: 10 * time.Minute}, cs), want(
		got{Key: "k", Start: 0, End: 10 * minute, Records: []int64{1}, Pivot: -1},
		got{Key: "k", Start: 10 * minute, End: 20 * minute, Records: []int64{2, 3}, Pivot: -1},
		got{Key: "k", Start: 20 * minute, End: 30 * minute, Records: []int64{4}, Pivot: -1},
	))
}

// TestSliding: an access key created ($create, variable 0, the pivot) at
// minute 10 and used ($use, variable 1) at 5, 12, 20 and 25: "over 10m
// after $create" holds the uses at 12 and 20 (20 is exactly 10m after:
// inclusive); "before $create" holds the use at 5. A second creation at
// 30 gets its own window (nothing after it; the use at 25 before it).
// The other creation is not part of the first's window.
func TestSliding(t *testing.T) {
	cs := []Candidate{
		ev("AKIA1", 0, 10, 1), ev("AKIA1", 1, 5, 2), ev("AKIA1", 1, 12, 3), ev("AKIA1", 1, 20, 4), ev("AKIA1", 1, 25, 5),
		ev("AKIA1", 0, 30, 6),
	}
	after := Spec{Kind: Sliding, Size: 10 * time.Minute, Pivot: 0, After: true}
	wantAfter := want(
		got{Key: "AKIA1", Start: 10 * minute, End: 20 * minute, Records: []int64{1, 3, 4}, Pivot: 1},
		got{Key: "AKIA1", Start: 30 * minute, End: 40 * minute, Records: []int64{6}, Pivot: 6},
	)
	check(t, "after", detect(t, 1<<30, after, cs), wantAfter)
	rev := slices.Clone(cs)
	slices.Reverse(rev)
	check(t, "after, reversed and spilled", detect(t, 200, after, rev), wantAfter)

	before := after
	before.After = false
	check(t, "before", detect(t, 1<<30, before, cs), want(
		got{Key: "AKIA1", Start: 0, End: 10 * minute, Records: []int64{2, 1}, Pivot: 1},
		got{Key: "AKIA1", Start: 20 * minute, End: 30 * minute, Records: []int64{4, 5, 6}, Pivot: 6},
	))
}

// TestTruncated: with the scan covering [60m, 120m), a hop window that
// could have started before 60m or reaches 120m is flagged; one well
// inside is not.
func TestTruncated(t *testing.T) {
	cs := []Candidate{ev("a", 0, 62, 1), ev("b", 0, 90, 2), ev("c", 0, 115, 3)}
	sp := Spec{Kind: Hop, Size: 10 * time.Minute, Since: 60 * minute, Until: 120 * minute}
	check(t, "truncated", detect(t, 1<<30, sp, cs), want(
		got{Key: "a", Start: 62 * minute, End: 72 * minute, Records: []int64{1}, Pivot: -1, Truncated: true},
		got{Key: "b", Start: 90 * minute, End: 100 * minute, Records: []int64{2}, Pivot: -1},
		got{Key: "c", Start: 115 * minute, End: 125 * minute, Records: []int64{3}, Pivot: -1, Truncated: true},
	))
	sp = Spec{Kind: Tumbling, Size: 60 * time.Minute, Since: 30 * minute, Until: 120 * minute}
	check(t, "tumbling truncated", detect(t, 1<<30, sp, []Candidate{ev("a", 0, 40, 1), ev("a", 0, 70, 2)}), want(
		got{Key: "a", Start: 0, End: 60 * minute, Records: []int64{1}, Pivot: -1, Truncated: true},
		got{Key: "a", Start: 60 * minute, End: 120 * minute, Records: []int64{2}, Pivot: -1},
	))
}

// TestHopOracle compares hop windows with a brute force over random
// events: for every distinct start time τ the set of events in [τ, τ+w],
// kept unless an earlier start's set contains it. Every pair of events
// within w of each other shares an emitted window.
func TestHopOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	w := int64(10)
	for round := range 30 {
		var cs []Candidate
		for i := range 40 {
			cs = append(cs, Candidate{Rule: "r", Key: []string{fmt.Sprint(r.IntN(3))}, Time: int64(r.IntN(120)), Record: int64(i)})
		}
		// Brute force per key.
		var wantSets []string
		for _, key := range []string{"0", "1", "2"} {
			var evs []Candidate
			for _, c := range cs {
				if c.Key[0] == key {
					evs = append(evs, c)
				}
			}
			slices.SortFunc(evs, func(a, b Candidate) int { return compare(&a, &b) })
			var starts []int64
			for _, e := range evs {
				starts = append(starts, e.Time)
			}
			starts = slices.Compact(starts)
			var sets [][]int64
			for _, tau := range starts {
				var set []int64
				for _, e := range evs {
					if e.Time >= tau && e.Time <= tau+w {
						set = append(set, e.Record)
					}
				}
				contained := false
				for _, prev := range sets {
					all := true
					for _, x := range set {
						if !slices.Contains(prev, x) {
							all = false
						}
					}
					contained = contained || all
				}
				sets = append(sets, set)
				if !contained {
					wantSets = append(wantSets, key+fmt.Sprint(set))
				}
			}
			for i := range evs {
				for j := i + 1; j < len(evs); j++ {
					if evs[j].Time-evs[i].Time > w {
						continue
					}
					found := false
					for _, s := range sets {
						found = found || slices.Contains(s, evs[i].Record) && slices.Contains(s, evs[j].Record)
					}
					if !found {
						t.Fatalf("round %d: events %d and %d within w share no window", round, evs[i].Record, evs[j].Record)
					}
				}
			}
		}
		s := NewStore(t.TempDir(), 500)
		for _, c := range cs {
			if err := s.Add(c); err != nil {
				t.Fatal(err)
			}
		}
		var gotSets []string
		err := Detect(s, func(string) (Spec, bool) { return Spec{Kind: Hop, Size: time.Duration(w)}, true }, func(win *Window) error {
			var set []int64
			for _, e := range win.Events {
				set = append(set, e.Record)
			}
			gotSets = append(gotSets, win.Key[0]+fmt.Sprint(set))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		check(t, fmt.Sprintf("round %d", round), gotSets, wantSets)
	}
}
