package sweep

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/output/lake"
	"github.com/retrohunt/retrohunt/scan"
	"github.com/retrohunt/retrohunt/scan/window"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sweep/state"
)

// Multi-event rules in a sweep (docs/sweeps.md, "Multi-event rules").
// The scan hands each object's candidates to Done, which writes them to
// the lake's candidates table; they are committed with the object by
// the checkpoint protocol, so the table holds every candidate of every
// scanned object exactly once per scan of it. Detect then extends each
// rule version's coverage (the event times whose records have all been
// evaluated) by the run's window, loads the candidates that can touch
// the windows this completes, and writes the detections of exactly those
// windows, committed atomically with the new coverage.

// DefaultLateness is Options.Lateness's default: CloudTrail delivers
// within about 15 minutes and an Azure hour blob is appended to through
// its hour, so an event is in the archive two hours after it happened.
const DefaultLateness = 2 * time.Hour

// candidatePartBytes rolls candidate part files (their candidates'
// uncompressed size), which are read back whole.
const candidatePartBytes = 32 << 20

// candidatesPrefix is the candidates table's prefix in the lake store.
func candidatesPrefix(st Stores) string {
	p := st.LakePrefix
	if p != "" && !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p + lake.CandidatesDir
}

func isCandidatePart(st Stores, key string) bool {
	return strings.HasPrefix(key, candidatesPrefix(st))
}

// tombstone picks the empty part file of a part key's table.
func tombstone(st Stores) func(string) []byte {
	hits, cands := lake.Tombstone(), lake.CandidateTombstone()
	return func(key string) []byte {
		if isCandidatePart(st, key) {
			return cands
		}
		return hits
	}
}

// candidateRows are the rows of an object's candidates.
func (s *Sweep) candidateRows(r scan.ObjectResult) []output.Candidate {
	etag := state.ETag(r.Object)
	rows := make([]output.Candidate, 0, len(r.Candidates))
	for _, c := range r.Candidates {
		m := s.rule(c.Rule)
		if m == nil {
			continue
		}
		var name string
		if vs := m.VarNames(); c.Var < len(vs) {
			name = vs[c.Var]
		}
		rows = append(rows, output.Candidate{RuleName: c.Rule, RuleVersion: m.Version, Var: int32(c.Var), VarName: name,
			MatchKey: c.Key, EventTime: time.Unix(0, c.Time).UTC(), EventTimeNS: c.Time, Values: c.Values,
			SourceURI: c.Source, SourceETag: etag, RecordIndex: c.Record})
	}
	return rows
}

func (s *Sweep) rule(name string) *scan.MultiRule {
	for _, m := range s.o.Multi {
		if m.Name == name {
			return m
		}
	}
	return nil
}

// DetectStats says what Detect did.
type DetectStats struct {
	Detections int64 // rows written
	Open       int64 // windows whose condition holds on what is seen, not yet complete: carried
	Candidates int64 // candidates loaded from the lake (after de-duplication)
	// Held is the event time of the run's window that it does not add
	// to the coverage because objects there failed or were skipped (their
	// keys' times ± the margin); Partial says it adds none (listing
	// errors, logs outside the layout, an undated object not scanned).
	Held    []scan.Span
	Partial bool
}

// Detect writes to w (the tally in front of the Sweep, or the Sweep)
// the detections of the windows this run completes, and commits them
// with the rules' new coverage; call it after the scan and before
// Finish. It does nothing more without a state, without multi-event
// rules, or in a shard (`retrohunt correlate` does it for shards), but
// must be called all the same when the scan ran to its end: the
// candidates manifest then says what the run covered. partial says the run
// evaluated nothing for sure (listing failed, logs outside the layout):
// coverage does not grow then. Objects that failed or were skipped keep
// the event times their keys speak for (Options.Margin) out of it.
func (s *Sweep) Detect(w output.Writer, partial bool) (DetectStats, error) {
	var ds DetectStats
	s.ended, s.partial = true, s.partial || partial
	if s.ck == nil {
		return ds, nil
	}
	ds.Partial = s.partial
	if !s.partial {
		ds.Held = state.Subtract([]scan.Span{s.runSpan()}, s.gained())
	}
	if s.st == nil || s.o.Shard.Sharded() {
		return ds, nil
	}
	// Commit the objects (and their candidates) first.
	if err := s.checkpoint(nil); err != nil {
		return ds, err
	}
	gained := s.gained()
	after := map[string][]scan.Span{}
	c := Coverage{Before: map[string][]scan.Span{}, After: after}
	for _, m := range s.o.Multi {
		k := state.RuleKey(m.Name, m.Version)
		before := s.st.RuleCoverage(k)
		c.Before[k] = before
		after[k] = state.Union(before, gained)
	}
	cs, err := Correlate(s.ctx, s.stores.Lake, candidatesPrefix(s.stores), s.o.Multi, c, CorrelateOptions{
		DetectionEvents: s.o.DetectionEvents, CandidateDir: s.o.CandidateDir, CandidateBudget: s.o.CandidateBudget}, w)
	ds.Detections, ds.Open, ds.Candidates = cs.Detections, cs.Open, cs.Candidates
	if err != nil {
		return ds, err
	}
	if err := s.checkpoint(after); err != nil {
		return ds, err
	}
	return ds, nil
}

// gained is the event time whose records this run has all evaluated
// (its own or an earlier run's): its span less what objects that were
// not scanned may hold.
func (s *Sweep) gained() []scan.Span {
	if s.partial || !s.ended {
		return nil
	}
	return state.Subtract([]scan.Span{s.runSpan()}, s.blocked)
}

// coverage is what the run's candidates manifest proves.
func (s *Sweep) coverage() *lake.Coverage {
	run := s.runSpan()
	c := &lake.Coverage{Shard: s.o.Shard.Index, Shards: max(s.o.Shard.Count, 1), Since: run.Since, Until: run.Until,
		Covered: []lake.Window{}, Rules: map[string]string{}, Detects: s.st != nil && !s.o.Shard.Sharded()}
	for _, g := range s.gained() {
		c.Covered = append(c.Covered, lake.Window{Since: g.Since, Until: g.Until})
	}
	for _, m := range s.o.Multi {
		c.Rules[m.Name] = m.Version
	}
	return c
}

// runSpan is the event time the run evaluated: its window, ending no
// later than Lateness before it started.
func (s *Sweep) runSpan() scan.Span {
	sp := s.o.Window
	if late := s.started.Add(-s.o.Lateness).UTC(); sp.Until.IsZero() || sp.Until.After(late) {
		sp.Until = late
	}
	return sp
}

// Coverage is the rules' coverage (state.RuleKey to windows) before and
// after a correlation: it emits the windows inside After and not inside
// Before.
type Coverage struct {
	Before, After map[string][]scan.Span
}

// CorrelateOptions tune Correlate.
type CorrelateOptions struct {
	DetectionEvents int
	CandidateDir    string
	CandidateBudget int64
}

// Correlate loads from the candidates table under prefix in store the
// candidates of rules that can touch a window the coverage change
// completes (event times in [lo - 2·size, hi + size], [lo, hi) the hull
// of c.After minus c.Before, by date partition), de-duplicates them (a rescan
// writes an object's candidates again), groups them into windows and
// writes to w the detection of every window inside c.After and not
// inside c.Before, flagged window_truncated when the events that could
// change it are not all inside c.After.
func Correlate(ctx context.Context, store sources.Store, prefix string, rules []*scan.MultiRule, c Coverage,
	o CorrelateOptions, w output.Writer) (DetectStats, error) {
	var ds DetectStats
	// Two stores, one streaming into the other: half the budget each.
	budget := o.CandidateBudget
	if budget <= 0 {
		budget = window.DefaultBudget
	}
	all := window.NewStore(o.CandidateDir, max(budget/2, 1))
	defer all.Close()
	for _, m := range rules {
		k := state.RuleKey(m.Name, m.Version)
		lo, hi, ok := state.Gained(c.Before[k], c.After[k])
		if !ok {
			continue // nothing completes
		}
		size := int64(m.Spec().Size)
		if lo != 0 {
			// A suppressed window's slot's earlier windows decide it.
			lo -= 2*size + int64(m.Suppression())
		}
		if hi != 0 {
			hi += size
		}
		if err := loadCandidates(ctx, store, prefix, m, lo, hi, all.Add); err != nil {
			return ds, err
		}
	}
	// De-duplicate: equal candidates are adjacent in the store's order.
	uniq := window.NewStore(o.CandidateDir, max(budget/2, 1))
	defer uniq.Close()
	var prev window.Candidate
	have := false
	err := all.Each(func(c *window.Candidate) error {
		if have && sameCandidate(&prev, c) {
			return nil
		}
		prev = window.Candidate{Rule: c.Rule, Var: c.Var, Key: append([]string(nil), c.Key...), Time: c.Time,
			Values: append([]string(nil), c.Values...), Source: c.Source, Record: c.Record}
		have = true
		ds.Candidates++
		return uniq.Add(prev)
	})
	if err != nil {
		return ds, err
	}
	var batch []output.Hit
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := w.Write(batch)
		batch = batch[:0]
		return err
	}
	err = scan.Detections(ctx, rules, uniq, o.DetectionEvents, func(m *scan.MultiRule, win *window.Window) (bool, bool) {
		k := state.RuleKey(m.Name, m.Version)
		sp := m.Spec()
		lo, hi, open := win.Start, win.End, false
		reach := lo // the first event time that could change the window
		switch sp.Kind {
		case window.Tumbling:
			open = true
		case window.Hop:
			// Whether a hop window is dropped as subsumed depends on
			// the events in [start - size, start + size].
			reach = lo - int64(sp.Size)
		}
		if s := int64(m.Suppression()); s > 0 {
			// suppression_window keeps the first detection of its
			// epoch-aligned slot: the windows of the slot before this
			// one decide it, so they must be complete too.
			slot := win.Start / s * s
			if win.Start%s < 0 {
				slot -= s
			}
			lo = min(lo, slot-int64(sp.Size))
			reach = min(reach, lo)
		}
		if !state.Inside(c.After[k], lo, hi, open) {
			ds.Open++
			return false, false
		}
		if state.Inside(c.Before[k], lo, hi, open) {
			return false, false // emitted by an earlier run
		}
		return true, !state.Inside(c.After[k], reach, hi, open)
	}, func(h output.Hit) error {
		ds.Detections++
		batch = append(batch, h)
		if len(batch) >= 1024 {
			return flush()
		}
		return nil
	})
	if err != nil {
		return ds, err
	}
	return ds, flush()
}

func sameCandidate(a, b *window.Candidate) bool {
	if a.Rule != b.Rule || a.Var != b.Var || a.Time != b.Time || a.Source != b.Source || a.Record != b.Record ||
		len(a.Key) != len(b.Key) || len(a.Values) != len(b.Values) {
		return false
	}
	for i := range a.Key {
		if a.Key[i] != b.Key[i] {
			return false
		}
	}
	for i := range a.Values {
		if a.Values[i] != b.Values[i] {
			return false
		}
	}
	return true
}

// loadCandidates streams the candidates of rule m's version with event
// times in [lo, hi] (0: open) from the table under prefix: the date
// partitions of the range, each listed and read file by file.
func loadCandidates(ctx context.Context, store sources.Store, prefix string, m *scan.MultiRule, lo, hi int64, add func(window.Candidate) error) error {
	var dirs []string
	if lo != 0 && hi != 0 {
		for d := time.Unix(0, lo).UTC().Truncate(24 * time.Hour); !d.After(time.Unix(0, hi).UTC()); d = d.Add(24 * time.Hour) {
			dirs = append(dirs, prefix+lake.CandidatePartition(m.Name, d)+"/")
		}
	} else {
		dirs = []string{prefix}
	}
	ruleSeg := "/" + strings.SplitN(lake.CandidatePartition(m.Name, time.Unix(0, 0)), "/", 2)[1] + "/"
	for _, dir := range dirs {
		var keys []string
		err := store.List(ctx, dir, func(o sources.Object) error {
			base := o.Key[strings.LastIndexByte(o.Key, '/')+1:]
			if strings.HasSuffix(o.Key, ".parquet") && strings.HasPrefix(base, "part-") && strings.Contains(o.Key, ruleSeg) {
				keys = append(keys, o.Key)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("list candidates %s: %w", store.URI(dir), err)
		}
		for _, key := range keys {
			b, _, err := store.Get(ctx, key)
			if err != nil {
				return fmt.Errorf("read candidates %s: %w", store.URI(key), err)
			}
			err = output.ReadCandidates(bytes.NewReader(b), int64(len(b)), func(rows []output.Candidate) error {
				for i := range rows {
					r := &rows[i]
					t := r.EventTimeNS
					if r.RuleName != m.Name || r.RuleVersion != m.Version || lo != 0 && t < lo || hi != 0 && t > hi {
						continue
					}
					c := window.Candidate{Rule: r.RuleName, Var: int(r.Var), Key: append([]string(nil), r.MatchKey...), Time: t,
						Values: append([]string(nil), r.Values...), Source: r.SourceURI, Record: r.RecordIndex}
					if err := add(c); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("candidates %s: %w", store.URI(key), err)
			}
		}
	}
	return nil
}
