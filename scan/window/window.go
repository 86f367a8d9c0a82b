package window

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Kind is a window kind of the match section.
type Kind uint8

const (
	// Hop is "over d": every set of a key's events spanning at most d,
	// one window per start event, windows whose events another window
	// already holds dropped (see Detect).
	Hop Kind = iota + 1
	// Tumbling is "by d": fixed, adjacent, non-overlapping buckets
	// aligned on the Unix epoch.
	Tumbling
	// Sliding is "over d before|after $pivot": one window per pivot
	// event, reaching d before or after it.
	Sliding
)

func (k Kind) String() string {
	switch k {
	case Hop:
		return "hop"
	case Tumbling:
		return "tumbling"
	case Sliding:
		return "sliding"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Spec is one rule's window.
type Spec struct {
	Kind Kind
	Size time.Duration
	// Sliding windows: the pivot's event-variable index and the
	// direction ("after": the window reaches Size after the pivot).
	Pivot int
	After bool
	// Since and Until bound the scanned event times (Unix nanoseconds,
	// Until exclusive; 0 is unbounded): a window that reaches past them
	// is Truncated, since events outside were not scanned.
	Since, Until int64
	// SubKey marks a rule whose event variables do not all assign the
	// whole match key: a candidate's Key is then only its group key
	// (values every joined event shares, or none), and Values[0] holds
	// its match key with the columns it does not assign unknown
	// (EncodeKey). Detect splits each group into one window sequence
	// per whole match key the group's events make up together (see
	// splitter); Window.Key is that key.
	SubKey bool
}

// Window is one match window of one match key.
type Window struct {
	Rule string
	Key  []string
	// Start and End bound the window in Unix nanoseconds: [Start, End]
	// for hop and sliding windows, [Start, End) for tumbling ones.
	Start, End int64
	// Events are the window's candidates in time order (the store's
	// order), valid during the callback only.
	Events []Candidate
	// PivotIndex is the pivot's index in Events for a sliding window,
	// -1 otherwise.
	PivotIndex int
	// Truncated marks a window that reaches before Since or past Until:
	// events outside the scanned range might have changed it.
	Truncated bool
}

// Detect reads the store's candidates and calls fn for every window of
// every match key. spec returns each rule's window (false skips the
// rule's candidates). Detect consumes the store. Memory is bounded by
// the events of one window length of one key.
func Detect(s *Store, spec func(rule string) (Spec, bool), fn func(*Window) error) error {
	var (
		g        *grouper
		rule     string
		haveRule bool
		sp       Spec
		active   bool
	)
	err := s.Each(func(c *Candidate) error {
		if g != nil && g.rule == c.Rule && slices.Equal(g.key, c.Key) {
			return g.add(*c)
		}
		if g != nil {
			if err := g.finish(); err != nil {
				return err
			}
			g = nil
		}
		if !haveRule || c.Rule != rule {
			rule, haveRule = c.Rule, true
			sp, active = spec(rule)
			if active && (sp.Size <= 0 || sp.Kind < Hop || sp.Kind > Sliding) {
				return fmt.Errorf("rule %s: invalid window %v over %v", rule, sp.Kind, sp.Size)
			}
		}
		if !active {
			return nil
		}
		if sp.SubKey {
			g = &grouper{spec: sp, w: int64(sp.Size), rule: c.Rule, key: c.Key,
				split: &splitter{spec: sp, w: int64(sp.Size), fn: fn, rule: c.Rule, subs: map[string]*sub{}}}
		} else {
			g = &grouper{spec: sp, w: int64(sp.Size), fn: fn, rule: c.Rule, key: c.Key, last: math.MinInt64}
		}
		return g.add(*c)
	})
	if err != nil {
		return err
	}
	if g != nil {
		return g.finish()
	}
	return nil
}

// grouper assigns the windows of one match key. Candidates arrive in
// time order; it emits each window once every event that can belong to
// it has arrived.
type grouper struct {
	spec Spec
	w    int64
	fn   func(*Window) error
	rule string
	key  []string
	buf  []Candidate // events still needed, time order
	out  []Candidate // scratch for a sliding window's events
	// hop: the time of the last event of the last emitted window.
	last int64
	// sliding: index in buf of the next event to consider as a pivot.
	next int
	// split, for Spec.SubKey: the group's candidates go to it instead.
	split *splitter
}

func (g *grouper) add(c Candidate) error {
	if g.split != nil {
		return g.split.add(c)
	}
	switch g.spec.Kind {
	case Tumbling:
		if len(g.buf) > 0 && floorDiv(c.Time, g.w) != floorDiv(g.buf[0].Time, g.w) {
			if err := g.tumble(); err != nil {
				return err
			}
		}
	case Hop:
		for len(g.buf) > 0 && c.Time > g.buf[0].Time+g.w {
			if err := g.hop(); err != nil {
				return err
			}
		}
	case Sliding:
		g.buf = append(g.buf, c)
		return g.slide(c.Time)
	}
	g.buf = append(g.buf, c)
	return nil
}

func (g *grouper) finish() error {
	if g.split != nil {
		return g.split.finish()
	}
	switch g.spec.Kind {
	case Tumbling:
		if len(g.buf) > 0 {
			return g.tumble()
		}
	case Hop:
		for len(g.buf) > 0 {
			if err := g.hop(); err != nil {
				return err
			}
		}
	case Sliding:
		return g.slide(math.MaxInt64)
	}
	return nil
}

// truncated reports whether [start, end] reaches outside the scanned
// range.
func (g *grouper) truncated(start, end int64) bool {
	return g.spec.Since != 0 && start < g.spec.Since || g.spec.Until != 0 && end >= g.spec.Until
}

func (g *grouper) tumble() error {
	start := floorDiv(g.buf[0].Time, g.w) * g.w
	win := &Window{Rule: g.rule, Key: g.key, Start: start, End: start + g.w, Events: g.buf, PivotIndex: -1,
		Truncated: g.truncated(start, start+g.w-1)}
	err := g.fn(win)
	clear(g.buf)
	g.buf = g.buf[:0]
	return err
}

// hop emits the window starting at the earliest buffered time, unless
// every event in it was in the previous window, and drops the events at
// that time. Every event up to start+w has arrived.
func (g *grouper) hop() error {
	start := g.buf[0].Time
	end := start + g.w
	n := 0
	for n < len(g.buf) && g.buf[n].Time <= end {
		n++
	}
	if tl := g.buf[n-1].Time; tl > g.last {
		g.last = tl
		// Events before start-w could have joined an earlier window
		// that would hold this one's events.
		win := &Window{Rule: g.rule, Key: g.key, Start: start, End: end, Events: g.buf[:n], PivotIndex: -1,
			Truncated: g.truncated(start-g.w, end)}
		if err := g.fn(win); err != nil {
			return err
		}
	}
	k := 0
	for k < len(g.buf) && g.buf[k].Time == start {
		k++
	}
	g.drop(k)
	return nil
}

// slide emits the windows of the buffered pivots whose windows are
// complete: every event up to their horizon has arrived (latest is the
// newest time seen, MaxInt64 at the end).
func (g *grouper) slide(latest int64) error {
	for g.next < len(g.buf) {
		p := &g.buf[g.next]
		if p.Var != g.spec.Pivot {
			g.next++
			continue
		}
		lo, hi := p.Time-g.w, p.Time
		if g.spec.After {
			lo, hi = p.Time, p.Time+g.w
		}
		if latest != math.MaxInt64 && latest <= hi {
			break
		}
		g.out = g.out[:0]
		pivot := -1
		for i := range g.buf {
			c := &g.buf[i]
			if i == g.next {
				pivot = len(g.out)
				g.out = append(g.out, *c)
			} else if c.Var != g.spec.Pivot && c.Time >= lo && c.Time <= hi {
				g.out = append(g.out, *c)
			}
		}
		win := &Window{Rule: g.rule, Key: g.key, Start: lo, End: hi, Events: g.out, PivotIndex: pivot,
			Truncated: g.truncated(lo, hi)}
		if err := g.fn(win); err != nil {
			return err
		}
		g.next++
	}
	// Keep what the next pivot (buffered, or not yet arrived) can
	// still reach back to.
	if len(g.buf) > 0 {
		lo := g.buf[min(g.next, len(g.buf)-1)].Time - g.w
		k := 0
		for k < g.next && g.buf[k].Time < lo {
			k++
		}
		g.drop(k)
	}
	return nil
}

// drop removes the first k buffered events. Reslicing forward is
// amortised O(1): the next append that outgrows the array copies only
// the live events.
func (g *grouper) drop(k int) {
	g.buf = g.buf[k:]
	g.next -= min(k, g.next)
}

// floorDiv is a / b rounded towards minus infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
