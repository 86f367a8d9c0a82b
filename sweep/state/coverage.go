package state

import (
	"sort"
	"time"

	"github.com/retrohunt/retrohunt/scan"
)

// RuleKey names a multi-event rule version in the state: a new version
// starts with no coverage.
func RuleKey(name, version string) string { return name + "\x00" + version }

// RuleCoverage returns the event-time windows (merged, sorted) over
// which the rule version's records have all been evaluated and their
// candidates committed; none when it has never run.
func (s *State) RuleCoverage(key string) []scan.Span {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]scan.Span(nil), s.doc.Rules[key]...)
}

// Union returns the union of a and b as sorted, disjoint, non-adjacent
// spans (a zero bound is open). Unlike the objects' windows it keeps
// every span: forgetting coverage would emit a window twice.
func Union(a, b []scan.Span) []scan.Span {
	all := append(append([]scan.Span{}, a...), b...)
	sort.Slice(all, func(i, j int) bool {
		si, sj := all[i].Since, all[j].Since
		return si.IsZero() && !sj.IsZero() || !si.IsZero() && !sj.IsZero() && si.Before(sj)
	})
	var out []scan.Span
	for _, s := range all {
		if !s.Since.IsZero() && !s.Until.IsZero() && !s.Since.Before(s.Until) {
			continue // empty
		}
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.Until.IsZero() {
				continue
			}
			if s.Since.IsZero() || !s.Since.After(last.Until) {
				if s.Until.IsZero() || s.Until.After(last.Until) {
					last.Until = s.Until
				}
				continue
			}
		}
		out = append(out, s)
	}
	return out
}

// Inside reports whether the event times [lo, hi] (Unix nanoseconds;
// with open, [lo, hi)) lie in one span of spans.
func Inside(spans []scan.Span, lo, hi int64, open bool) bool {
	for _, s := range spans {
		if !s.Since.IsZero() && lo < s.Since.UnixNano() {
			continue
		}
		if s.Until.IsZero() {
			return true
		}
		u := s.Until.UnixNano()
		if hi < u || open && hi == u {
			return true
		}
	}
	return false
}

// Subtract returns the event times in a and not in b, as sorted,
// disjoint spans (a zero bound is open).
func Subtract(a, b []scan.Span) []scan.Span {
	const minT, maxT = int64(-1 << 63), int64(1<<63 - 1)
	bound := func(t time.Time, open int64) int64 {
		if t.IsZero() {
			return open
		}
		return t.UnixNano()
	}
	span := func(lo, hi int64) scan.Span {
		var s scan.Span
		if lo != minT {
			s.Since = time.Unix(0, lo).UTC()
		}
		if hi != maxT {
			s.Until = time.Unix(0, hi).UTC()
		}
		return s
	}
	var out []scan.Span
	for _, x := range a {
		pieces := [][2]int64{{bound(x.Since, minT), bound(x.Until, maxT)}}
		for _, y := range b {
			bs, be := bound(y.Since, minT), bound(y.Until, maxT)
			var next [][2]int64
			for _, p := range pieces {
				if be <= p[0] || bs >= p[1] {
					next = append(next, p)
					continue
				}
				if bs > p[0] {
					next = append(next, [2]int64{p[0], bs})
				}
				if be < p[1] {
					next = append(next, [2]int64{be, p[1]})
				}
			}
			pieces = next
		}
		for _, p := range pieces {
			if p[0] < p[1] {
				out = append(out, span(p[0], p[1]))
			}
		}
	}
	return Union(out, nil)
}

// Gained returns the hull of the event times in after and not in before
// (Unix nanoseconds, 0: open), and false when after adds nothing.
func Gained(before, after []scan.Span) (lo, hi int64, ok bool) {
	d := Subtract(after, before)
	if len(d) == 0 {
		return 0, 0, false
	}
	if !d[0].Since.IsZero() {
		lo = d[0].Since.UnixNano()
	}
	if last := d[len(d)-1]; !last.Until.IsZero() {
		hi = last.Until.UnixNano()
	}
	return lo, hi, true
}
