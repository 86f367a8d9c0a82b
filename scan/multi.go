package scan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/udm"
	"github.com/retrohunt/retrohunt/scan/window"
)

// Multi-event rules in the engine (docs/yaral_windows.md). Each event
// variable's filter is a single-event rule that joins the prefilter, so
// a record no variable can use stays on the fast path. A record that
// passes one becomes a candidate (rule.Multi.Candidates) in the run's
// window.Store, which spills past Config.CandidateBudget. After the last
// object, Run groups the candidates into windows and writes one
// detection row per window whose condition holds, through the same
// Writer as the hits.

// DefaultDetectionEvents is how many contributing events of each event
// variable a detection row lists by default: SecOps keeps up to 10
// event samples per event variable ("Detection event sampling");
// event_count has the true number.
const DefaultDetectionEvents = 10

// MultiRule is a multi-event rule with the metadata its rows carry.
type MultiRule struct {
	*Rule             // Compiled is the multi-event rule; it is never Match'ed
	M     *rule.Multi // nil for a Sigma correlation rule
	corr  *sigmaCorr  // set instead of M for a Sigma correlation rule
	vars  []*Rule     // per event variable, its filter as a single-event rule
	// varNames are the event variables' names as detection rows list
	// them: YARA-L's without "$", a Sigma correlation's base rule
	// references.
	varNames []string
}

// NewMultiRule compiles a rule parsed with rule.Options{MultiEvent:
// true} that has a match: section; an error wrapping rule.ErrMulti names
// a construct not run yet.
func NewMultiRule(r *rule.Rule, origin string) (*MultiRule, error) {
	m, err := rule.CompileMulti(r, 0, 0)
	if err != nil {
		return nil, err
	}
	vrs, err := m.VarRules()
	if err != nil {
		return nil, err
	}
	mr := &MultiRule{Rule: NewRule(r, origin), M: m, varNames: r.Vars}
	for _, vr := range vrs {
		mr.vars = append(mr.vars, &Rule{Compiled: vr, Name: vr.Name, Origin: origin})
	}
	return mr, nil
}

// multiVarRules are the per-variable rules of every multi-event rule,
// for the prefilter.
func multiVarRules(ms []*MultiRule) []*Rule {
	var out []*Rule
	for _, m := range ms {
		out = append(out, m.vars...)
	}
	return out
}

// multi makes the candidates of one record that the single-event rules
// have seen (its time is known and inside the window).
func (s *recordSink) multi(ev *udm.Event, t time.Time, index int) error {
	add := s.addCandidate
	for i, mr := range s.w.cfg.Multi {
		// A variable's filter runs only on a record whose search found
		// its requirement (fast.Checker.MayMatch): it cannot match any
		// other, so neither can Candidates' evaluation of it.
		may := func(v int) bool {
			if !s.w.mayMatchVar(i, v) {
				return false
			}
			s.w.varFilters++
			return true
		}
		if mr.corr != nil {
			if err := mr.corr.candidates(mr.Name, mr.vars, may, ev, &s.w.sigma, t.UnixNano(), s.uri, index, add); err != nil {
				return fmt.Errorf("rule %s: %w", mr.Name, err)
			}
			continue
		}
		// CandidatesMay evaluates each variable's filter once, only
		// where may says it can match (no separate gate: the filter's
		// rows are the candidates' rows).
		err := mr.M.CandidatesMay(ev, may, s.uri, int64(index), add)
		if errors.Is(err, rule.ErrNoTime) {
			continue // the record was skipped for it already
		}
		if err != nil {
			return fmt.Errorf("rule %s: %w", mr.Name, err)
		}
	}
	return nil
}

// spec is the rule's window.
// Window is how long the rule's match window is: a YARA-L rule's
// "over" duration, a Sigma correlation's timespan.
func (m *MultiRule) Window() time.Duration { return m.spec().Size }

func (m *MultiRule) spec() window.Spec {
	if m.corr != nil {
		return m.corr.spec
	}
	return m.M.Spec()
}

// writeDetections groups the run's candidates into windows and writes
// the detection rows; a window reaching outside --since/--until is
// flagged truncated.
func writeDetections(ctx context.Context, cfg Config, sum *Summary, w output.Writer) error {
	var since, until int64
	if !cfg.Window.Since.IsZero() {
		since = cfg.Window.Since.UnixNano()
	}
	if !cfg.Window.Until.IsZero() {
		until = cfg.Window.Until.UnixNano()
	}
	var batch []output.Hit
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		sum.written(batch, 0)
		if err := w.Write(batch); err != nil {
			return fmt.Errorf("write detections: %w", err)
		}
		batch = batch[:0]
		return nil
	}
	err := detect(ctx, cfg.Multi, cfg.candidates, cfg.DetectionEvents,
		func(sp window.Spec) window.Spec {
			sp.Since, sp.Until = since, until
			return sp
		},
		func(_ *MultiRule, win *window.Window) (bool, bool) { return true, win.Truncated },
		func(h output.Hit) error {
			if batch = append(batch, h); len(batch) >= heldBatch {
				return flush()
			}
			return nil
		})
	if err != nil {
		return err
	}
	return flush()
}

// detect is the one way windows become detection rows, for a scan
// (writeDetections) and a sweep (Detections): it groups store's
// candidates with each rule's window (bounded by bound), evaluates each
// window, applies the rule's options: suppression_window to every
// window whose condition holds (in Detect's order, emitted or not), asks
// decide whether to emit it and whether it is truncated, and hands emit
// the rows of those it keeps. limit caps the events listed per event
// variable (<= 0: DefaultDetectionEvents). detect consumes the store.
func detect(ctx context.Context, rules []*MultiRule, store *window.Store, limit int,
	bound func(window.Spec) window.Spec,
	decide func(m *MultiRule, w *window.Window) (keep, truncated bool), emit func(output.Hit) error) error {
	byName := make(map[string]*MultiRule, len(rules))
	sup := map[string]*rule.Suppressor{}
	for _, m := range rules {
		byName[m.Name] = m
		if m.M != nil {
			sup[m.Name] = m.M.NewSuppressor()
		}
	}
	if limit <= 0 {
		limit = DefaultDetectionEvents
	}
	n := 0
	return window.Detect(store, func(name string) (window.Spec, bool) {
		m, ok := byName[name]
		if !ok {
			return window.Spec{}, false
		}
		return bound(m.spec()), true
	}, func(win *window.Window) error {
		if n++; n%ctxEvery == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		m := byName[win.Rule]
		var d *rule.Detection
		var ok bool
		if m.corr != nil {
			d, ok = m.corr.evaluate(win)
		} else {
			d, ok = m.M.Evaluate(win)
		}
		if !ok {
			return nil
		}
		kept := sup[win.Rule].Keep(d)
		keep, truncated := decide(m, win)
		if !kept || !keep {
			return nil
		}
		d.Truncated = truncated
		return emit(m.detectionRow(d, limit))
	})
}

// detectionRow builds the output row of one detection: the rule's
// metadata, the window, the match values and outcomes, and the
// provenance of the first limit contributing events of each event
// variable, in time order. event_time, source_uri
// and record_index are the first event's, so that the row sorts and
// partitions with its events.
func (m *MultiRule) detectionRow(d *rule.Detection, limit int) output.Hit {
	start, end := time.Unix(0, d.Start).UTC(), time.Unix(0, d.End).UTC()
	count := int64(len(d.Events))
	truncated := d.Truncated
	h := output.Hit{
		RuleName:        m.Name,
		RuleVersion:     m.Version,
		Severity:        m.Severity,
		Technique:       m.Technique,
		Tactic:          m.Tactic,
		RowKind:         "detection",
		WindowStart:     &start,
		WindowEnd:       &end,
		EventCount:      &count,
		WindowTruncated: &truncated,
	}
	if len(d.Events) > 0 {
		first := d.Events[0]
		h.EventTime = time.Unix(0, first.Time).UTC()
		h.SourceURI = first.Source
		h.RecordIndex = first.Record
	}
	if len(d.Outcomes) > 0 {
		h.RiskScore, h.Outcomes = outcomeColumns(d.Outcomes)
	}
	b := []byte{'{'}
	for i, k := range d.Match {
		if i > 0 {
			b = append(b, ',')
		}
		name, _ := json.Marshal(k.Name)
		b = append(b, name...)
		b = append(b, ':')
		b = k.Value.AppendJSON(b)
	}
	h.Match = string(append(b, '}'))
	type ref struct {
		Var         string `json:"var"`
		SourceURI   string `json:"source_uri"`
		RecordIndex int64  `json:"record_index"`
		EventTime   string `json:"event_time"`
	}
	var refs []ref
	perVar := make([]int, len(m.varNames))
	for _, e := range d.Events {
		if perVar[e.Var]++; perVar[e.Var] > limit {
			continue
		}
		refs = append(refs, ref{Var: m.varNames[e.Var], SourceURI: e.Source, RecordIndex: e.Record,
			EventTime: time.Unix(0, e.Time).UTC().Format(time.RFC3339Nano)})
	}
	ev, _ := json.Marshal(refs) // strings and ints: cannot fail
	h.Events = string(ev)
	return h
}
