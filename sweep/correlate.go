package sweep

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/retrohunt/retrohunt/output/lake"
	"github.com/retrohunt/retrohunt/scan"
	"github.com/retrohunt/retrohunt/sweep/state"
)

// `retrohunt correlate`: the detections of a sharded sweep. Shards
// cannot see each other's events, so each writes only its candidates
// (and a candidates manifest whose Coverage says which event times it
// completed); one correlate process proves from those manifests which
// event times every shard has completed, and writes the detections of
// the windows inside them, exactly once with a state, through the same
// checkpoint protocol as a sweep.

// ErrShardsIncomplete is wrapped by RunCorrelate's error when the lake's
// manifests do not prove that every shard completed the range asked
// for; the message names the shards.
var ErrShardsIncomplete = errors.New("the shards have not all completed the range")

// ShardSkew is how far apart the shards of one nightly sweep may end
// their coverage (each at its own start minus the lateness) before
// correlate, given no range, takes the one behind for a shard whose run
// failed and refuses: more than the hours an indexed job's pods start
// apart, less than a night.
const ShardSkew = 12 * time.Hour

// CorrelateRun configures RunCorrelate.
type CorrelateRun struct {
	Multi []*scan.MultiRule
	// Range restricts the detections to windows inside it; zero bounds
	// are open (what the shards prove).
	Range scan.Span
	CorrelateOptions
}

// RunCorrelate writes into the lake of stores (its hits table) the
// detections of rules' windows that the shards' candidates manifests
// prove complete and that no earlier correlate with the same state
// emitted; the state (stores.State, optional) keeps each rule
// version's coverage. summary goes into the run's manifest.
func RunCorrelate(ctx context.Context, stores Stores, o CorrelateRun, summary func(DetectStats) any) (DetectStats, error) {
	var ds DetectStats
	ctx = context.WithoutCancel(ctx)
	var st *state.State
	if stores.State != nil {
		var err error
		if st, err = state.Load(ctx, stores.State, stores.StateKey); err != nil {
			return ds, fmt.Errorf("--state: %w", err)
		}
		if _, err := st.RecoverWith(ctx, stores.Lake, tombstone(stores)); err != nil {
			return ds, fmt.Errorf("--state: recovering the last run's checkpoints: %w", err)
		}
	}
	proven, err := shardCoverage(ctx, stores, o.Multi)
	if err != nil {
		return ds, err
	}
	c := Coverage{Before: map[string][]scan.Span{}, After: map[string][]scan.Span{}}
	for _, m := range o.Multi {
		k := state.RuleKey(m.Name, m.Version)
		have := proven[m.Name]
		want := have
		if o.Range == (scan.Span{}) && have.why != "" {
			// Without a range, the range is what any shard completed.
			return ds, fmt.Errorf("%w: rule %s (version %s) over %s: %s", ErrShardsIncomplete, m.Name, m.Version, spansString(have.all), have.why)
		}
		if o.Range != (scan.Span{}) {
			rng := openEnd(o.Range, have.spans)
			if !state.Inside(have.spans, bound(rng.Since, false), bound(rng.Until, true), true) {
				why := have.why
				if why == "" {
					why = "every shard completed only " + spansString(have.spans)
				}
				return ds, fmt.Errorf("%w: rule %s (version %s) over %s: %s", ErrShardsIncomplete, m.Name, m.Version, spanString(o.Range), why)
			}
			want = provenSpans{spans: []scan.Span{rng}}
		}
		if st != nil {
			c.Before[k] = st.RuleCoverage(k)
		}
		c.After[k] = state.Union(c.Before[k], want.spans)
	}
	lo := lake.Options{Explicit: st != nil}
	if st != nil {
		for _, p := range st.Parts() {
			p.Key = strings.TrimPrefix(p.URI, stores.Lake.Location()+"/")
			lo.Adopt = append(lo.Adopt, p)
		}
	}
	lk, err := lake.New(ctx, stores.Lake, stores.LakePrefix, lo)
	if err != nil {
		return ds, fmt.Errorf("lake %s: %w", stores.Lake.URI(stores.LakePrefix), err)
	}
	defer lk.Abort()
	if st != nil {
		st.SetRun(lk.RunID())
	}
	if ds, err = Correlate(ctx, stores.Lake, candidatesPrefix(stores), o.Multi, c, o.CorrelateOptions, lk); err != nil {
		return ds, err
	}
	if st != nil {
		var id int64
		if _, err := lk.Checkpoint(func(files []lake.File) error {
			id = st.StageRules(files, nil, c.After)
			return st.Save(ctx)
		}); err != nil {
			return ds, fmt.Errorf("checkpoint: %w", err)
		}
		st.Commit(id)
		if err := st.Save(ctx); err != nil {
			return ds, err
		}
	}
	if err := lk.CloseWithManifest(summary(ds)); err != nil {
		return ds, fmt.Errorf("lake manifest: %w", err)
	}
	if st != nil {
		st.ClearParts()
		return ds, st.Save(ctx)
	}
	return ds, nil
}

// openEnd closes an open end of rng (--since without --until, or the
// reverse) at the end of the proven span that holds its other end: no
// shard completes an open end, so it means up to (or from) what every
// shard completed.
func openEnd(rng scan.Span, proven []scan.Span) scan.Span {
	if rng.Since.IsZero() == rng.Until.IsZero() {
		return rng
	}
	for _, p := range proven {
		switch {
		case rng.Until.IsZero() && state.Inside([]scan.Span{p}, rng.Since.UnixNano(), rng.Since.UnixNano(), true):
			rng.Until = p.Until
			return rng
		case rng.Since.IsZero() && (p.Until.IsZero() || !rng.Until.After(p.Until)) && (p.Since.IsZero() || rng.Until.After(p.Since)):
			rng.Since = p.Since
			return rng
		}
	}
	return rng
}

// provenSpans is what the manifests prove for one rule version, and
// why not more.
type provenSpans struct {
	spans []scan.Span // every shard completed them
	all   []scan.Span // some shard completed them
	why   string      // which shards lack part of all; "" when none
}

// subsetOf reports whether every span of a lies in b.
func subsetOf(a, b []scan.Span) bool {
	for _, s := range a {
		if !state.Inside(b, bound(s.Since, false), bound(s.Until, true), true) {
			return false
		}
	}
	return true
}

// shardCoverage reads the candidates manifests and returns, per rule
// name, the event times that every shard of the sweep completed with
// the rule's version: the intersection over the shards of the union of
// their complete runs' windows.
func shardCoverage(ctx context.Context, stores Stores, rules []*scan.MultiRule) (map[string]provenSpans, error) {
	prefix := candidatesPrefix(stores)
	runs, err := lake.Manifests(ctx, stores.Lake, prefix)
	if err != nil {
		return nil, fmt.Errorf("list the candidates manifests under %s: %w", stores.Lake.URI(prefix), err)
	}
	var covs []*lake.Coverage
	shards := 0
	for _, run := range runs {
		m, err := lake.ReadManifest(ctx, stores.Lake, prefix, run)
		if err != nil {
			return nil, err
		}
		if m.Coverage == nil {
			continue
		}
		if m.Coverage.Detects {
			return nil, fmt.Errorf("%w: run %s of this lake is an unsharded sweep with --state, which writes its own detections; correlate is for sharded sweeps (--shard i/n)", ErrShardsIncomplete, run)
		}
		if shards != 0 && m.Coverage.Shards != shards {
			return nil, fmt.Errorf("%w: the lake holds runs of %d and of %d shards; keep the shard count fixed (docs/sweeps.md)", ErrShardsIncomplete, shards, m.Coverage.Shards)
		}
		shards = m.Coverage.Shards
		covs = append(covs, m.Coverage)
	}
	out := map[string]provenSpans{}
	for _, r := range rules {
		if shards == 0 {
			out[r.Name] = provenSpans{why: "the lake has no candidates manifest of a sweep: no shard has finished a run"}
			continue
		}
		var inter, all []scan.Span
		per := make([][]scan.Span, shards)
		for i := 0; i < shards; i++ {
			for _, c := range covs {
				if c.Shard == i && c.Rules[r.Name] == r.Version {
					for _, w := range c.Covered {
						per[i] = state.Union(per[i], []scan.Span{{Since: w.Since, Until: w.Until}})
					}
				}
			}
			all = state.Union(all, per[i])
			if i == 0 {
				inter = per[i]
			} else {
				inter = intersect(inter, per[i])
			}
		}
		// Why not more: the shards that lack part of what another
		// completed between the latest of the shards' first covered
		// times and the earliest of their last. Shards start at their
		// own times, so their --since ago and their lateness cap differ
		// at both ends: what one shard has beyond the others' ends is
		// not yet proven (its windows are carried), not a missing shard.
		var why []string
		head, tail := shardBounds(per)
		disjoint := !head.IsZero() && !tail.IsZero() && !head.Before(tail) // no time every shard completed
		var latest int64 = -1 << 63                                        // the last covered time of the shard furthest on
		for _, mine := range per {
			if len(mine) > 0 {
				latest = max(latest, bound(mine[len(mine)-1].Until, true))
			}
		}
		for i, mine := range per {
			switch {
			case len(mine) == 0:
				why = append(why, fmt.Sprintf("shard %d/%d has no complete run with this version", i, shards))
			case disjoint && !subsetOf(all, mine),
				bound(mine[len(mine)-1].Until, true) < latest-int64(ShardSkew),
				len(state.Subtract(intersect(all, []scan.Span{{Since: head, Until: tail}}), mine)) > 0:
				why = append(why, fmt.Sprintf("shard %d/%d completed only %s", i, shards, spansString(mine)))
			}
		}
		out[r.Name] = provenSpans{spans: inter, all: all, why: strings.Join(why, "; ")}
	}
	return out, nil
}

// shardBounds returns the latest of the shards' first covered times and
// the earliest of their last (zero: open); per holds each shard's sorted
// coverage.
func shardBounds(per [][]scan.Span) (head, tail time.Time) {
	lo, hi := int64(-1<<63), int64(1<<63-1)
	for _, mine := range per {
		if len(mine) == 0 {
			continue
		}
		lo = max(lo, bound(mine[0].Since, false))
		hi = min(hi, bound(mine[len(mine)-1].Until, true))
	}
	if lo != -1<<63 {
		head = time.Unix(0, lo).UTC()
	}
	if hi != 1<<63-1 {
		tail = time.Unix(0, hi).UTC()
	}
	return head, tail
}

// intersect returns the event times in both a and b (sorted, disjoint
// spans; zero bounds open).
func intersect(a, b []scan.Span) []scan.Span {
	var out []scan.Span
	for _, x := range a {
		for _, y := range b {
			s := x
			if s.Since.IsZero() || !y.Since.IsZero() && y.Since.After(s.Since) {
				s.Since = y.Since
			}
			if s.Until.IsZero() || !y.Until.IsZero() && y.Until.Before(s.Until) {
				s.Until = y.Until
			}
			if s.Since.IsZero() || s.Until.IsZero() || s.Since.Before(s.Until) {
				out = append(out, s)
			}
		}
	}
	return state.Union(out, nil)
}

// bound is t in Unix nanoseconds, a zero t the open end.
func bound(t time.Time, end bool) int64 {
	if t.IsZero() {
		if end {
			return 1<<63 - 1
		}
		return -1 << 63
	}
	return t.UnixNano()
}

func spanString(s scan.Span) string {
	f := func(t time.Time, open string) string {
		if t.IsZero() {
			return open
		}
		return t.UTC().Format(time.RFC3339)
	}
	return "[" + f(s.Since, "-inf") + ", " + f(s.Until, "+inf") + ")"
}

func spansString(ss []scan.Span) string {
	var parts []string
	for _, s := range ss {
		parts = append(parts, spanString(s))
	}
	return strings.Join(parts, " ")
}
