package state

import (
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/scan"
)

func sp(a, b time.Time) scan.Span { return scan.Span{Since: a, Until: b} }

func march(d int) time.Time { return time.Date(2024, 3, d, 0, 0, 0, 0, time.UTC) }

// TestRuleCoverageArithmetic: unions merge adjacent days and keep every
// span; Inside tells closed from half-open windows at a span's end;
// Gained is the hull of what a run adds, open ends included.
func TestRuleCoverageArithmetic(t *testing.T) {
	u := Union([]scan.Span{sp(march(1), march(2)), sp(march(5), march(6))}, []scan.Span{sp(march(2), march(3))})
	if len(u) != 2 || !u[0].Since.Equal(march(1)) || !u[0].Until.Equal(march(3)) || !u[1].Since.Equal(march(5)) {
		t.Errorf("Union = %v", u)
	}
	var many []scan.Span
	for d := 1; d < 28; d += 2 {
		many = Union(many, []scan.Span{sp(march(d), march(d+1))})
	}
	if len(many) != 14 {
		t.Errorf("Union kept %d of 14 disjoint days", len(many))
	}
	end := march(3).UnixNano()
	if !Inside(u, march(1).UnixNano(), end-1, false) || Inside(u, march(1).UnixNano(), end, false) || !Inside(u, march(1).UnixNano(), end, true) {
		t.Error("Inside at the end of [03-01, 03-03)")
	}
	if Inside(u, march(2).UnixNano(), march(5).UnixNano(), false) {
		t.Error("Inside across a gap")
	}
	if !Inside([]scan.Span{{Until: march(2)}}, -1<<62, march(1).UnixNano(), false) {
		t.Error("Inside an open start")
	}
	lo, hi, ok := Gained([]scan.Span{sp(march(1), march(2)), sp(march(3), march(4))}, []scan.Span{sp(march(1), march(5))})
	if !ok || lo != march(2).UnixNano() || hi != march(5).UnixNano() {
		t.Errorf("Gained = %v, %v, %v; want [03-02, 03-05)", time.Unix(0, lo).UTC(), time.Unix(0, hi).UTC(), ok)
	}
	lo, hi, ok = Gained([]scan.Span{{Until: march(2)}}, []scan.Span{{Until: march(3)}})
	if !ok || lo != march(2).UnixNano() || hi != march(3).UnixNano() {
		t.Errorf("Gained of a nightly run without bounds = %v, %v, %v; want [03-02, 03-03)", lo, hi, ok)
	}
	if lo, hi, ok = Gained(nil, []scan.Span{{Until: march(3)}}); !ok || lo != 0 || hi != march(3).UnixNano() {
		t.Errorf("Gained from nothing = %v, %v, %v; want open start", lo, hi, ok)
	}
	if _, _, ok = Gained(u, u); ok {
		t.Error("Gained of no change")
	}
}
