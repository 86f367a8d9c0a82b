package scan

import (
	"context"
	"errors"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/scan/decode"
	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/udm"
	"github.com/retrohunt/retrohunt/scan/window"
)

// ctxEvery is how many records the fast path passes over between looks
// at the context.
const ctxEvery = 4096

// recordSink receives one object's records from the decoder, in order:
// it counts them, hands them to the rules and keeps the hits (counted by
// the writer, once duplicates are dropped). Its
// reference and fast methods are the decoder's callbacks for the two
// paths.
type recordSink struct {
	ctx  context.Context
	w    *worker
	uri  string
	etag string
	job  job // its Selection: job.evaluated records' hits are in the output

	st     objectStats
	hits   []output.Hit
	next   int64 // one past the highest record index handed on
	passed int   // records the prefilter passed over

	cands []window.Candidate // the object's candidates (Config.Carry)
}

func newRecordSink(ctx context.Context, w *worker, j job) *recordSink {
	s := new(recordSink)
	s.reset(ctx, w, j)
	return s
}

// reset readies s for the object of j, as newRecordSink would return it:
// a worker reuses one sink from object to object. What s handed on for
// the last object (its hits, candidates and skips) is not touched again.
func (s *recordSink) reset(ctx context.Context, w *worker, j job) {
	uri := j.uri
	if uri == "" {
		uri = j.src.URI(j.obj.Key)
	}
	*s = recordSink{ctx: ctx, w: w, uri: uri, etag: j.obj.ETag, job: j,
		st: objectStats{uri: uri, compressed: j.obj.Size}}
}

// reference hands every record to the rules.
func (s *recordSink) reference(index int, raw []byte) error {
	s.handedOn(index)
	raw, ok := s.unwrap(index, raw)
	if !ok {
		return s.ctx.Err()
	}
	return s.match(index, raw)
}

// unwrap replaces an envelope element that wraps a record (lookup-events,
// CloudWatch Logs, EventBridge) with the record, on both paths, before
// anything looks at it (decode.Unwrap); false when there is no record to
// look at, counted and, if it cannot be read, skipped.
func (s *recordSink) unwrap(index int, raw []byte) ([]byte, bool) {
	rec, scratch, reason := decode.Unwrap(raw, s.w.unwrapped)
	return s.unwrapped(index, rec, scratch, reason)
}

// unwrapWatched is unwrap for the record the prefilter has just searched:
// it knows which of the wrapping keys the record's bytes hold
// (unwrapWatch), so they are not searched for again.
func (s *recordSink) unwrapWatched(index int, raw []byte) ([]byte, bool) {
	holds, known := s.w.chk.WatchedRaw()
	if !known {
		return s.unwrap(index, raw)
	}
	var h [4]bool
	for i := range h {
		h[i] = holds&(1<<i) != 0
	}
	rec, scratch, reason := decode.UnwrapHolding(raw, s.w.unwrapped, h)
	return s.unwrapped(index, rec, scratch, reason)
}

// unwrapped keeps Unwrap's scratch buffer and counts and skips what is
// no record.
func (s *recordSink) unwrapped(index int, rec, scratch []byte, reason string) ([]byte, bool) {
	if cap(scratch) <= maxUnwrapScratch {
		s.w.unwrapped = scratch
	}
	if rec != nil {
		return rec, true
	}
	s.st.records++
	if reason != "" {
		s.st.skips = append(s.st.skips, Problem{URI: s.uri, Record: index, Reason: reason})
	}
	return nil, false
}

// maxUnwrapScratch bounds the buffer of unwrapped records a worker keeps
// between records.
const maxUnwrapScratch = 1 << 20

// fast is the fast path: records are split without validating them, and
// only those the prefilter lets through are validated, mapped and
// matched, exactly as the reference path does with every record.
func (s *recordSink) fast(index int, raw []byte) error {
	s.handedOn(index)
	// The splitter's hint is for raw as the decoder handed it on; an
	// unwrapped record is asked about without it.
	candidate, unwrapped := s.w.chk.CandidateHint(raw, s.w.dec.FirstNestedEnd()), false
	if s.w.chk.Watched() {
		// raw may be an element that wraps its record: the record is
		// what is asked about, as on the reference path. (A record
		// without the keys of one is returned as it is by unwrap.)
		rec, ok := s.unwrapWatched(index, raw)
		if !ok {
			return s.ctx.Err()
		}
		if unwrapped = len(rec) != len(raw) || len(rec) > 0 && &rec[0] != &raw[0]; unwrapped {
			raw, candidate = rec, s.w.chk.Candidate(rec)
		}
	}
	if !candidate {
		// Fast path: no rule can match raw.
		s.st.records++
		if s.passed++; s.passed%ctxEvery == 0 {
			return s.ctx.Err()
		}
		return nil
	}
	// A record unwrapped from its element that is not JSON is refused by
	// udm.Map, as on the reference path, where the decoder validated the
	// element only.
	return s.mapAndMatch(index, raw, !unwrapped)
}

func (s *recordSink) handedOn(index int) {
	if int64(index) >= s.next {
		s.next = int64(index) + 1
	}
}

// ReasonNoEventTime is the skip reason of a record whose event time is
// absent or not a time udm.ParseTime reads.
const ReasonNoEventTime = "no event time"

// match maps one record and runs the rules on it.
func (s *recordSink) match(index int, raw []byte) error { return s.mapAndMatch(index, raw, false) }

// mapAndMatch is match for a record that the decoder validated, or, when
// unchecked, one that it did not (the fast path's candidates): that one
// is then skipped as the decoder skips malformed JSON
// (decode.ErrMalformed). udm.MapLazy validates the whole record before
// anything else, and says udm.ErrMalformed exactly when json.Valid says
// false, so the record is not validated twice. Its fields are mapped as
// the rules and the hit rows read them, with udm.Map's values.
func (s *recordSink) mapAndMatch(index int, raw []byte, unchecked bool) error {
	ev, err := udm.MapLazy(raw)
	if unchecked && errors.Is(err, udm.ErrMalformed) {
		return decode.ErrMalformed
	}
	if !errors.Is(err, udm.ErrMalformed) {
		// A record that is not JSON (only an unwrapped record reaches
		// here so: the decoder validated the others) is a skip and no
		// record, as the decoder reports one.
		s.st.records++
	}
	if err != nil {
		s.st.skips = append(s.st.skips, Problem{URI: s.uri, Record: index, Reason: skipReason(err)})
		return nil
	}
	t, ok := eventTime(ev)
	if !ok {
		if s.job.evaluated(index, t, ok) {
			return s.ctx.Err() // reported by the run that evaluated it
		}
		// Never written with a zero time. The fast path passes over no
		// record whose time it has not read (fast.Checker.Candidate), so
		// both paths skip the same records, whatever the rules.
		s.st.skips = append(s.st.skips, Problem{URI: s.uri, Record: index, Reason: ReasonNoEventTime})
		return nil
	}
	if !s.w.inWindow(t) {
		s.st.outOfWindow++
		return nil
	}
	if s.job.evaluated(index, t, ok) {
		return s.ctx.Err() // its hits are in the output from an earlier run
	}
	s.w.sigma.Reset(raw, ev.Type)
	for i, r := range s.w.cfg.Rules {
		if s.w.chk != nil && !s.w.chk.MayMatch(s.w.filterIndex[i]) {
			// The fast path: the prefilter's search of this record
			// shows the rule cannot match it.
			continue
		}
		var outs []rule.Outcome
		if r.Sigma == nil && len(r.Compiled.OutcomeVars) > 0 {
			// One evaluation gives both the verdict and the values.
			if outs = r.Compiled.Outcomes(ev); outs == nil {
				continue
			}
		} else if !r.matches(ev, &s.w.sigma) {
			continue
		}
		h := r.hit(ev, t, raw, s.uri, s.etag, index)
		if outs != nil {
			h.RiskScore, h.Outcomes = outcomeColumns(outs)
		}
		s.hits = append(s.hits, h)
	}
	if len(s.w.cfg.Multi) > 0 {
		if err := s.multi(ev, t, index); err != nil {
			return err
		}
	}
	return s.ctx.Err()
}
