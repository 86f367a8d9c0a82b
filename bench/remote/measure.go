package remote

import (
	"context"
	"io"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/retrohunt/retrohunt/sources"
)

// Download is one download run: every object found by the Walker,
// fetched by conns workers through sources.Limit.
type Download struct {
	Conns    int
	Objects  int64
	Bytes    int64
	Requests int64 // HTTP requests, listing included
	Elapsed  time.Duration
}

// ObjectsPerSec and MBPerSec are the run's throughput.
func (d Download) ObjectsPerSec() float64 { return float64(d.Objects) / d.Elapsed.Seconds() }
func (d Download) MBPerSec() float64      { return float64(d.Bytes) / 1e6 / d.Elapsed.Seconds() }

// MeasureDownload walks src and downloads everything with conns workers,
// the way the scanner's network stage does: one lister feeding workers
// over an unbuffered channel.
func MeasureDownload(ctx context.Context, src sources.Source, conns int, lat *Latency) (Download, error) {
	lim := sources.Limit(src, conns)
	w := &sources.Walker{Source: lim, Parallel: 8}
	found := make(chan sources.Object)
	var objects, bytes atomic.Int64
	before := lat.Requests()
	start := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(found)
		return w.Walk(gctx, "", func(f sources.Found) error {
			select {
			case found <- f.Object:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		})
	})
	for i := 0; i < conns; i++ {
		g.Go(func() error {
			for o := range found {
				err := sources.WithObject(gctx, lim, o, func(r io.Reader) error {
					n, err := io.Copy(io.Discard, r)
					bytes.Add(n)
					return err
				})
				if err != nil {
					return err
				}
				objects.Add(1)
			}
			return nil
		})
	}
	err := g.Wait()
	return Download{
		Conns: conns, Objects: objects.Load(), Bytes: bytes.Load(),
		Requests: lat.Requests() - before, Elapsed: time.Since(start),
	}, err
}

// Listing is one way of listing the layout.
type Listing struct {
	Mode     string
	Objects  int64 // objects the listing returned (after pruning)
	Requests int64 // HTTP list requests
	Elapsed  time.Duration
}

// MeasureListings lists the layout four ways: one recursive List of the
// whole tree (what a layout-blind tool does), the Walker without a window
// (parallel per day folder), and the Walker with a window of the layout's
// last two days and last 90 days (pruned).
func MeasureListings(ctx context.Context, src sources.Source, l Layout, lat *Latency) ([]Listing, error) {
	var out []Listing
	run := func(mode string, fn func(count func()) error) error {
		var n int64
		before := lat.Requests()
		start := time.Now()
		err := fn(func() { n++ })
		out = append(out, Listing{Mode: mode, Objects: n, Requests: lat.Requests() - before, Elapsed: time.Since(start)})
		return err
	}
	if err := run("recursive List, no pruning", func(count func()) error {
		return src.List(ctx, "", func(sources.Object) error { count(); return nil })
	}); err != nil {
		return out, err
	}
	if err := run("Walker, no window", func(count func()) error {
		w := &sources.Walker{Source: src, Parallel: 8}
		return w.Walk(ctx, "", func(sources.Found) error { count(); return nil })
	}); err != nil {
		return out, err
	}
	for _, win := range []struct {
		mode string
		d    time.Duration
	}{
		{"Walker, last 2 days (pruned)", 48 * time.Hour},
		{"Walker, last 90 days (pruned)", 90 * 24 * time.Hour},
	} {
		if err := run(win.mode, func(count func()) error {
			w := &sources.Walker{
				Source: src, Parallel: 8,
				Window: sources.Window{Since: l.End().Add(-win.d), Until: l.End().Add(-time.Second), Margin: 15 * time.Minute},
			}
			return w.Walk(ctx, "", func(sources.Found) error { count(); return nil })
		}); err != nil {
			return out, err
		}
	}
	return out, nil
}
