package scan

import (
	"bytes"
	"fmt"

	"github.com/retrohunt/retrohunt/output"
)

// hitWriter is the last stage, the one goroutine that touches the
// output.Writer. Results arrive from every stage (listing, download,
// decode), one object at a time; an object's hits are written before
// Config.Done sees its result. The summary's hit counts are made here.
type hitWriter struct {
	w    output.Writer
	done func(ObjectResult) error // Config.Done; may be nil
	sum  *Summary
	seen map[dupKey]bool
	buf  bytes.Buffer // dedup's scratch
}

func newHitWriter(w output.Writer, done func(ObjectResult) error, sum *Summary) *hitWriter {
	return &hitWriter{w: w, done: done, sum: sum, seen: map[dupKey]bool{}}
}

// run writes every result until results is closed.
func (h *hitWriter) run(results <-chan ObjectResult) error {
	for res := range results {
		// Hits are counted here, once, after duplicates are dropped.
		var dropped int64
		res.Hits, dropped = dedup(res.Hits, h.seen, &h.buf)
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
	return nil
}
