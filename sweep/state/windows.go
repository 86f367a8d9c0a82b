package state

import (
	"github.com/retrohunt/retrohunt/scan"
)

// MaxWindows bounds the event-time windows an entry keeps. Past it the
// shortest are forgotten: the state then claims less than was evaluated,
// so a later run evaluates those records again (their hits may be
// written twice) but never skips one that was not evaluated.
const MaxWindows = 16

// covers reports whether the windows have (nil: all time) hold all of
// want (a zero bound: open).
func covers(have []scan.Span, want scan.Span) bool {
	if have == nil {
		return true
	}
	for _, s := range merge(have, []scan.Span{}) {
		if (s.Since.IsZero() || !want.Since.IsZero() && !want.Since.Before(s.Since)) &&
			(s.Until.IsZero() || !want.Until.IsZero() && !want.Until.After(s.Until)) {
			return true
		}
	}
	return false
}

// subset reports whether every window of a lies in b (nil: all time).
func subset(a, b []scan.Span) bool {
	if a == nil {
		return b == nil
	}
	for _, s := range a {
		if !covers(b, s) {
			return false
		}
	}
	return true
}

// merge returns the union of a and b (nil: all time) as sorted,
// disjoint, non-adjacent windows, at most MaxWindows of them.
func merge(a, b []scan.Span) []scan.Span {
	if a == nil || b == nil {
		return nil // all time
	}
	out := Union(a, b)
	for len(out) > MaxWindows {
		// Forget the shortest (a bounded window: an open one is never
		// the shortest).
		k := -1
		for i, s := range out {
			if s.Since.IsZero() || s.Until.IsZero() {
				continue
			}
			if k < 0 || s.Until.Sub(s.Since) < out[k].Until.Sub(out[k].Since) {
				k = i
			}
		}
		out = append(out[:k], out[k+1:]...)
	}
	if out == nil {
		out = []scan.Span{}
	}
	return out
}

// Coverage is what the state knows was evaluated of one version of an
// object: every record before Records for the event times in Windows
// (nil: all time). An entry saved without windows covers all time.
type Coverage struct {
	Records int64
	Windows []scan.Span
}

// Then returns the coverage after a run evaluated the records before
// records for the event times in window (nil: all time), given the
// coverage c before it. The result never claims a record the two did not
// evaluate; it is exact when both read the same records, or when one
// holds the other, which covers a backfill window by window, a retry of a
// failed object and an append blob that grew.
func (c Coverage) Then(records int64, window []scan.Span) Coverage {
	switch {
	case records == c.Records:
		return Coverage{records, merge(c.Windows, window)}
	case records > c.Records && subset(c.Windows, window):
		return Coverage{records, window}
	case records < c.Records && subset(window, c.Windows):
		return c
	}
	return Coverage{min(records, c.Records), merge(c.Windows, window)}
}
