package scan

import (
	"context"
	"fmt"
	"time"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/scan/window"
)

// Carried candidates (Config.Carry): a sweep receives each object's
// candidates with its result, commits them to its lake with the object,
// and later groups the lake's candidates itself with Detections, emitting
// only the windows its coverage completes (docs/sweeps.md, "Multi-event
// rules in sweeps").

// addCandidate is the candidates' destination of one record: the run's
// store, or with Config.Carry the object's result.
func (s *recordSink) addCandidate(c window.Candidate) error {
	if s.w.cfg.Carry {
		s.cands = append(s.cands, c)
		return nil
	}
	return s.w.cfg.candidates.Add(c)
}

// Spec is the rule's window: its kind and size (Since and Until zero).
func (m *MultiRule) Spec() window.Spec { return m.spec() }

// Suppression is the rule's options: suppression_window (0: none, and
// for Sigma correlations).
func (m *MultiRule) Suppression() time.Duration {
	if m.M == nil {
		return 0
	}
	return m.M.SuppressionWindow()
}

// VarNames are the rule's event variables as detection rows name them,
// indexed by window.Candidate.Var.
func (m *MultiRule) VarNames() []string { return m.varNames }

// Detections groups the candidates of store (all of rules' windows,
// without Since or Until) and, for each window whose condition holds and
// that the rule's suppression_window keeps (applied to every such window
// in order, emitted or not), asks decide whether to emit it now and
// whether it is truncated; emit receives the detection rows of those it
// keeps. limit caps the events
// listed per event variable (<= 0: DefaultDetectionEvents). Detections
// consumes the store.
func Detections(ctx context.Context, rules []*MultiRule, store *window.Store, limit int,
	decide func(m *MultiRule, w *window.Window) (keep, truncated bool), emit func(output.Hit) error) error {
	return detect(ctx, rules, store, limit, func(sp window.Spec) window.Spec { return sp }, decide, func(h output.Hit) error {
		if err := emit(h); err != nil {
			return fmt.Errorf("write detections: %w", err)
		}
		return nil
	})
}

// CountWritten counts rows written after Run returned (a sweep's
// detections) in the summary, as Run counts its own.
func (s *Summary) CountWritten(hits []output.Hit) { s.written(hits, 0) }
