package scan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/retrohunt/retrohunt/scan/decode"
	"github.com/retrohunt/retrohunt/scan/fast"
	"github.com/retrohunt/retrohunt/scan/sigma"
	"github.com/retrohunt/retrohunt/scan/udm"
	"github.com/retrohunt/retrohunt/sources"
)

// worker owns the state reused from object to object: the decoder with
// its gzip reader and buffers, and the prefilter's scratch state.
type worker struct {
	cfg Config
	dec *decode.Decoder
	chk *fast.Checker // nil: the reference path
	// unwrapped holds the last record decode.Unwrap decoded from a
	// string.
	unwrapped []byte
	sigma     sigma.Record // the record Sigma rules read, reused
	// filterIndex[i] is the number the prefilter knows cfg.Rules[i] by
	// (fast.Filter.RuleIndex, for fast.Checker.MayMatch).
	filterIndex []int
	// multiIndex[i][v] is the number the prefilter knows the filter of
	// cfg.Multi[i]'s v-th event variable by.
	multiIndex [][]int
	// varFilters counts the event-variable filters evaluated (tests).
	varFilters int

	// Reused from object to object, so that an object whose records
	// are all passed over allocates nothing here: the sink, its two
	// callbacks bound once, and the reader over a buffered object.
	sink         recordSink
	sinkRef      func(int, []byte) error
	sinkFast     func(int, []byte) error
	bufferReader bytes.Reader
}

// newWorker returns a worker on the fast path when filter is set, else
// on the reference path.
func newWorker(cfg Config, filter *fast.Filter) *worker {
	w := &worker{cfg: cfg, dec: decode.NewDecoder(cfg.Limits)}
	w.sinkRef, w.sinkFast = w.sink.reference, w.sink.fast
	if filter != nil {
		w.chk = filter.NewChecker()
		w.filterIndex = make([]int, len(cfg.Rules))
		for i, r := range cfg.Rules {
			w.filterIndex[i] = ruleIndex(filter, r)
		}
		w.multiIndex = make([][]int, len(cfg.Multi))
		for i, m := range cfg.Multi {
			w.multiIndex[i] = make([]int, len(m.vars))
			for v, r := range m.vars {
				w.multiIndex[i][v] = ruleIndex(filter, r)
			}
		}
	}
	return w
}

// ruleIndex is the number filter knows r by (fast.Filter.RuleIndex).
func ruleIndex(filter *fast.Filter, r *Rule) int {
	if r.Sigma != nil {
		return filter.RuleIndex(nil, r.Sigma)
	}
	return filter.RuleIndex(r.Compiled, nil)
}

// mayMatchVar reports whether the filter of cfg.Multi[i]'s v-th event
// variable can match the record the prefilter has just searched: always
// on the reference path.
func (w *worker) mayMatchVar(i, v int) bool {
	return w.chk == nil || w.chk.MayMatch(w.multiIndex[i][v])
}

// run is the CPU stage: it decodes and matches the objects from in, gives
// each buffered object's bytes and buffer back to the budget, and sends
// the results to the writer.
func (w *worker) run(ctx context.Context, in <-chan job, results chan<- ObjectResult, b *budget, sum *Summary) error {
	for j := range in {
		res, err := w.object(ctx, j, sum)
		if j.data != nil {
			b.Release(j.obj.Size, j.data)
		}
		if err != nil {
			return err
		}
		select {
		case results <- res:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// object decodes and matches one object. Only cancellation is returned as
// an error; damage is recorded in sum.
func (w *worker) object(ctx context.Context, j job, sum *Summary) (ObjectResult, error) {
	s := &w.sink
	s.reset(ctx, w, j)
	var (
		res decode.Result
		err error
	)
	if j.data != nil {
		w.bufferReader.Reset(j.data.Bytes())
		res, err = w.decode(&w.bufferReader)
		w.bufferReader.Reset(nil) // the buffer goes back to the budget
	} else {
		res, err = w.stream(ctx, j)
	}
	if ctx.Err() != nil {
		return ObjectResult{}, ctx.Err()
	}
	uri, st := s.uri, &s.st
	st.decompressed = res.Bytes
	for _, sk := range res.Skipped {
		st.skips = append(st.skips, Problem{URI: uri, Record: sk.Index, Reason: sk.Reason})
	}
	// notDone is why an object read to its end must still be looked at
	// again: an hour blob whose last line is incomplete.
	notDone := ""
	if res.PartialEnd {
		notDone = w.partialEnd(j, uri, res.PartialIndex, st)
	}
	if err != nil {
		// Hits found before the damage are real: keep them.
		sum.fail(uri, err)
		st.skips = nil
		sum.merge(st, false)
		return ObjectResult{URI: uri, Object: j.obj, Status: ObjectFailed, Reason: err.Error(), NextRecord: s.next, Hits: s.hits, Candidates: s.cands}, nil
	}
	sum.merge(st, true)
	if notDone != "" {
		// Read to its end as far as it is written, and reported so in the
		// summary; for a sweep's state, not done: the next run reads the
		// blob again from its first unreported record, so an incomplete
		// line is reported (or its hits found) then too, instead of the
		// blob being passed over as unchanged for good.
		return ObjectResult{URI: uri, Object: j.obj, Status: ObjectFailed, Reason: notDone, NextRecord: s.next, Hits: s.hits, Candidates: s.cands}, nil
	}
	return ObjectResult{URI: uri, Object: j.obj, Status: ObjectScanned, NextRecord: s.next, Hits: s.hits, Candidates: s.cands}, nil
}

// decode splits the object r reads into records for the worker's sink,
// on the fast path or the reference path.
func (w *worker) decode(r io.Reader) (decode.Result, error) {
	if w.chk != nil {
		return w.dec.DecodeUnchecked(r, w.sinkFast)
	}
	return w.dec.Decode(r, w.sinkRef)
}

// stream opens an object that was not downloaded into a buffer and
// decodes it as it is read.
func (w *worker) stream(ctx context.Context, j job) (res decode.Result, err error) {
	err = sources.WithObject(ctx, j.src, j.obj, func(r io.Reader) error {
		var derr error
		res, derr = w.decode(r)
		return derr
	})
	return res, err
}

// The reasons an hour blob with an incomplete last line is not done.
const (
	reasonOpenBlob   = "last line is still being written (open append blob)"
	reasonClosedBlob = "last line is incomplete in a closed hour blob"
	reasonFutureBlob = "last line is incomplete in an hour blob dated in the future"
)

// partialEnd handles a JSON Lines object whose last line (at index) is
// incomplete, and returns why the object is not done. In an Azure hour
// blob whose hour is still open, it is an append blob being written: a
// warning, not a skip. Anywhere else the line is damage: a skipped
// record, and the scan's coverage is partial.
func (w *worker) partialEnd(j job, uri string, index int, st *objectStats) string {
	closed, future := w.hourClosed(j.info)
	switch {
	case future:
		if w.cfg.Warn != nil {
			w.cfg.Warn(fmt.Sprintf("%s: the key is dated %s, ahead of the clock (%s): its hour is taken as closed", uri, j.info.Start.Format(time.RFC3339), w.cfg.Now().UTC().Format(time.RFC3339)))
		}
		st.skips = append(st.skips, Problem{URI: uri, Record: index, Reason: reasonFutureBlob})
		return reasonFutureBlob
	case closed:
		st.skips = append(st.skips, Problem{URI: uri, Record: index, Reason: reasonClosedBlob})
		return reasonClosedBlob
	}
	st.openBlob = true
	if w.cfg.Warn != nil {
		w.cfg.Warn(fmt.Sprintf("%s: last line is still being written (open append blob); scan again after the hour closes", uri))
	}
	return reasonOpenBlob
}

func (w *worker) inWindow(t time.Time) bool {
	win := w.cfg.Window
	return (win.Since.IsZero() || !t.Before(win.Since)) && (win.Until.IsZero() || t.Before(win.Until))
}

// clockSkew is how far ahead of the clock an hour blob's key may be
// dated and still be taken as an hour being written: clocks differ by
// seconds, rarely minutes (S3 refuses requests 15 minutes off).
const clockSkew = 15 * time.Minute

// hourClosed reports whether an Azure hour blob can no longer grow: its
// hour ended more than an hour ago. Blobs without a dated key are judged
// closed, since nothing says they are still being written. A key dated
// beyond clockSkew ahead of the clock (y=2099) cannot be an hour being
// written either: it is closed, and future says why.
func (w *worker) hourClosed(i sources.Info) (closed, future bool) {
	if !i.HourBlob() || !i.Dated() {
		return true, false
	}
	now := w.cfg.Now()
	if i.Start.After(now.Add(clockSkew)) {
		return true, true
	}
	return now.After(i.End.Add(time.Hour)), false
}

func eventTime(ev *udm.Event) (time.Time, bool) {
	s := ev.First("metadata.event_timestamp")
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// skipReason names why udm.Map refused a record by the error's class
// alone, so that the summary counts classes, not messages.
func skipReason(err error) string {
	switch {
	case errors.Is(err, udm.ErrNotObject):
		return "record is not a JSON object"
	case errors.Is(err, udm.ErrUnrecognised):
		return "unrecognised record"
	case errors.Is(err, udm.ErrUnsupported):
		return "unsupported log type (Azure resource log, not Activity)"
	case errors.Is(err, udm.ErrMalformed):
		return decode.ReasonMalformed
	}
	return "record not mapped"
}
