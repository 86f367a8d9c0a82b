package scan

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"

	"github.com/retrohunt/retrohunt/output"
)

// heldBatch is how many held hits go to the Writer at once at the end.
const heldBatch = 4096

// hitWriter is the last stage, the one goroutine that touches the
// output.Writer. Results arrive from every stage (listing, download,
// decode), one object at a time, in the order workers finish them. The
// summary's hit counts are made here.
//
// Duplicate CloudTrail deliveries (dedup.go) collapse to the copy with
// the lowest (source_uri, record_index), whichever worker finished
// first, so the hits written never depend on scheduling
// (docs/output.md, "Duplicate deliveries"). How depends on Config.Done:
//
//   - Without Done (a scan to a file): the CloudTrail hits that carry an
//     eventID are held until the last result, one per (rule, content)
//     key, a later copy with a lower provenance replacing the one held;
//     they are written at the end, sorted by provenance. Every other hit
//     is written as its object's result arrives. Memory: one hit (with
//     its record) per distinct CloudTrail hit, which the seen-set held
//     already, less the record.
//   - With Done (a sweep): an object's hits are written before Done sees
//     its result, which is what lets the sweep checkpoint between
//     objects; a hit written cannot be taken back for a lower copy in an
//     object finished later, so duplicates collapse within an object
//     only, and each object that delivers a record keeps its row.
type hitWriter struct {
	w    output.Writer
	done func(ObjectResult) error // Config.Done; may be nil
	sum  *Summary
	seen map[dupKey]int // the index in held of the copy kept
	held []output.Hit
	buf  bytes.Buffer // dedup's scratch
}

func newHitWriter(w output.Writer, done func(ObjectResult) error, sum *Summary) *hitWriter {
	return &hitWriter{w: w, done: done, sum: sum, seen: map[dupKey]int{}}
}

// run writes every result until results is closed, then the hits held.
func (h *hitWriter) run(results <-chan ObjectResult) error {
	for res := range results {
		// Hits are counted here, once, after duplicates are dropped.
		var dropped int64
		if h.done == nil {
			var held []output.Hit
			res.Hits, held, dropped = h.hold(res.Hits)
			h.sum.written(held, 0)
		} else {
			res.Hits, dropped = dedup(res.Hits, &h.buf)
		}
		h.sum.written(res.Hits, dropped)
		if len(res.Hits) > 0 {
			if err := h.w.Write(res.Hits); err != nil {
				return fmt.Errorf("write hits: %w", err)
			}
		}
		if h.done != nil {
			if err := h.done(res); err != nil {
				return err
			}
		}
	}
	slices.SortFunc(h.held, func(a, b output.Hit) int {
		return cmp.Or(provenance(a, b), cmp.Compare(a.RuleName, b.RuleName))
	})
	for len(h.held) > 0 {
		n := min(len(h.held), heldBatch)
		if err := h.w.Write(h.held[:n]); err != nil {
			return fmt.Errorf("write hits: %w", err)
		}
		h.held = h.held[n:]
	}
	return nil
}

// hold takes the CloudTrail hits that could have a duplicate out of hits
// into h.held, and returns the others, the hits newly held (for the
// counts) and how many were duplicates of a hit held.
func (h *hitWriter) hold(hits []output.Hit) (now, held []output.Hit, dropped int64) {
	now = hits[:0:0]
	for _, hit := range hits {
		k, ok := keyOf(hit, &h.buf)
		if !ok {
			now = append(now, hit)
			continue
		}
		i, seen := h.seen[k]
		if !seen {
			h.seen[k] = len(h.held)
			h.held = append(h.held, hit)
			held = append(held, hit)
			continue
		}
		dropped++
		if provenance(hit, h.held[i]) < 0 {
			h.held[i] = hit
		}
	}
	return now, held, dropped
}

// provenance orders two copies of a record: the lower source_uri, then
// the lower record_index, is kept.
func provenance(a, b output.Hit) int {
	return cmp.Or(cmp.Compare(a.SourceURI, b.SourceURI), cmp.Compare(a.RecordIndex, b.RecordIndex))
}
