// Package scan is the engine: it walks the sources, downloads objects with
// a bounded pool, decodes and matches them on CPU workers and hands hits
// to one writer. Network and CPU are separate stages joined by bounded
// channels, and downloaded bytes are held against a byte budget, so
// memory stays flat whatever the archive's size.
package scan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/scan/decode"
	"github.com/retrohunt/retrohunt/scan/fast"
	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/sources"
)

// Config tunes a scan. Zero fields take the defaults named.
type Config struct {
	Rules []*Rule
	// Window filters records by event time, exactly: Since <= t < Until.
	// Its Margin widens only the pruning of keys.
	Window sources.Window
	// Accounts, Regions and Subscriptions restrict the walk.
	Accounts, Regions, Subscriptions []string
	// Workers decode and match (CPU); default GOMAXPROCS.
	Workers int
	// Connections is the number of list and download requests in flight;
	// default 64, since archive objects are small and latency dominates.
	Connections int
	// BufferBytes caps compressed bytes downloaded but not yet decoded;
	// default 64 MiB. An object larger than a quarter of it is streamed
	// by its worker instead of buffered.
	BufferBytes int64
	Limits      decode.Limits
	// Reference selects the reference path: every record is validated,
	// mapped with udm.Map and matched with rule.Match. The default fast
	// path hands only the records a literal prefilter lets through to
	// that same code (docs/fast-path.md).
	Reference bool
	// Attempts is how often a buffered object is downloaded before it
	// counts as failed, when its body breaks off; default 3.
	Attempts int
	// Warn receives one-line warnings; nil drops them.
	Warn func(string)
	// Now is the clock (tests); nil is time.Now.
	Now func() time.Time
	// Started, when set, receives the live Summary as the scan starts, so
	// a progress display can poll Summary.Progress.
	Started func(*Summary)
	// Select, when set, decides per listed object whether to scan it (an
	// incremental sweep skips what its state says is done, a shard what
	// another shard owns). It runs in the listing goroutine.
	Select func(src sources.Source, o sources.Object) Selection
	// Done, when set, receives every selected object's result in the
	// writer goroutine, after the object's hits were handed to the
	// Writer, one object at a time: the place to checkpoint between
	// objects. An error from Done stops the scan.
	Done func(ObjectResult) error
}

// Selection is Config.Select's verdict on one object.
type Selection struct {
	Scan bool
	// Why names the reason for not scanning ("unchanged", "other
	// shard"); the summary counts objects by it.
	Why string
	// FromRecord drops the hits of records before it: they are in the
	// output already (an append blob that grew, an object that failed
	// half-way in an earlier run).
	FromRecord int64
}

// ObjectStatus is how far a selected object was scanned.
type ObjectStatus uint8

const (
	ObjectScanned ObjectStatus = iota // read to the end (records may have been skipped)
	ObjectFailed                      // could not be read to the end; try again
	ObjectSkipped                     // not read on purpose (archive tier)
)

// ObjectResult is what the scan learned from one selected object.
type ObjectResult struct {
	URI    string
	Object sources.Object
	Status ObjectStatus
	Reason string
	// NextRecord is one past the highest record index handed to the
	// rules: hits of records before it are in the output.
	NextRecord int64
	Hits       []output.Hit
}

// Target is one place to scan: a Source and a prefix inside it.
type Target struct {
	Source sources.Source
	Prefix string
}

type job struct {
	src  sources.Source
	obj  sources.Object
	info sources.Info
	from int64         // Selection.FromRecord
	data *bytes.Buffer // nil: the worker streams the object itself
}

// Run scans every target and writes hits to w (w is not closed). It
// returns an error only for what must stop the whole scan: cancellation
// or a failing writer. Objects and listings that fail are counted in the
// Summary, and the scan goes on.
func Run(ctx context.Context, cfg Config, targets []Target, w output.Writer) (*Summary, error) {
	cfg = cfg.withDefaults()
	sum := &Summary{Started: cfg.Now()}
	for _, t := range targets {
		sum.Targets = append(sum.Targets, t.Source.URI(t.Prefix))
	}
	defer func() { sum.Duration = cfg.Now().Sub(sum.Started) }()
	if cfg.Started != nil {
		cfg.Started(sum)
	}

	g, ctx := errgroup.WithContext(ctx)
	listed := make(chan job)
	fetched := make(chan job, cfg.Workers)
	results := make(chan ObjectResult, cfg.Workers)
	budget := semaphore.NewWeighted(cfg.BufferBytes)
	pool := sync.Pool{New: func() any { return new(bytes.Buffer) }}
	// One cap for every request of the scan (--connections): listing,
	// downloads and streamed objects draw from the same slots, and a slot
	// covers one request, never a wait on the next stage.
	lim := sources.NewLimiter(cfg.Connections)

	// Stage 1: list.
	g.Go(func() error {
		defer close(listed)
		for _, t := range targets {
			if err := list(ctx, cfg, t, lim.Wrap(t.Source), sum, listed, results); err != nil {
				return err
			}
		}
		sum.mu.Lock()
		sum.listingDone = true
		sum.mu.Unlock()
		return nil
	})

	// Stage 2: download (network-bound).
	var fetchers sync.WaitGroup
	for i := 0; i < cfg.Connections; i++ {
		fetchers.Add(1)
		g.Go(func() error {
			defer fetchers.Done()
			for j := range listed {
				if j.obj.Size > 0 && j.obj.Size <= cfg.BufferBytes/4 {
					if err := budget.Acquire(ctx, j.obj.Size); err != nil {
						return err
					}
					buf := pool.Get().(*bytes.Buffer)
					buf.Reset()
					if err := download(ctx, j, buf, cfg.Attempts); err != nil {
						budget.Release(j.obj.Size)
						pool.Put(buf)
						if ctx.Err() != nil {
							return ctx.Err()
						}
						uri := j.src.URI(j.obj.Key)
						sum.fail(uri, err)
						select {
						case results <- ObjectResult{URI: uri, Object: j.obj, Status: ObjectFailed, Reason: err.Error()}:
						case <-ctx.Done():
							return ctx.Err()
						}
						continue
					}
					j.data = buf
				}
				select {
				case fetched <- j:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return nil
		})
	}
	g.Go(func() error {
		fetchers.Wait()
		close(fetched)
		return nil
	})

	// Stage 3: decode and match (CPU-bound).
	var filter *fast.Filter
	if !cfg.Reference {
		filter = fast.New(compiledRules(cfg.Rules))
	}
	var workers sync.WaitGroup
	for i := 0; i < cfg.Workers; i++ {
		workers.Add(1)
		g.Go(func() error {
			defer workers.Done()
			wk := newWorker(cfg, filter)
			for j := range fetched {
				res, err := wk.object(ctx, j, sum)
				if j.data != nil {
					budget.Release(j.obj.Size)
					if j.data.Cap() <= 16<<20 { // keep the pool from hoarding huge buffers
						pool.Put(j.data)
					}
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
		})
	}
	g.Go(func() error {
		workers.Wait()
		close(results)
		return nil
	})

	// Stage 4: the one goroutine that touches the writer. Results arrive
	// from every stage (listing, download, decode), so the lister and the
	// downloaders are done before the last worker closes results.
	g.Go(func() error {
		seen := map[dupKey]bool{}
		for res := range results {
			res.Hits = dedup(res.Hits, seen, sum)
			if len(res.Hits) > 0 {
				if err := w.Write(res.Hits); err != nil {
					return fmt.Errorf("write hits: %w", err)
				}
			}
			if cfg.Done != nil {
				if err := cfg.Done(res); err != nil {
					return err
				}
			}
		}
		return nil
	})

	err := g.Wait()
	return sum, err
}

// list walks one target through src (its Source under the scan's
// Limiter) and sends what survives pruning. A listing that fails is
// recorded and the scan goes on with the other targets.
func list(ctx context.Context, cfg Config, t Target, src sources.Source, sum *Summary, out chan<- job, results chan<- ObjectResult) error {
	wk := &sources.Walker{
		Source:        src,
		Window:        cfg.Window,
		Accounts:      cfg.Accounts,
		Regions:       cfg.Regions,
		Subscriptions: cfg.Subscriptions,
		Parallel:      cfg.Connections,
		Warn:          cfg.Warn,
		Now:           cfg.Now,
	}
	result := func(r ObjectResult) error {
		if cfg.Done == nil {
			return nil
		}
		select {
		case results <- r:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	err := wk.Walk(ctx, t.Prefix, func(f sources.Found) error {
		var from int64
		if cfg.Select != nil {
			sel := cfg.Select(t.Source, f.Object)
			if !sel.Scan {
				sum.notSelected(sel.Why)
				return nil
			}
			from = sel.FromRecord
		}
		uri := t.Source.URI(f.Key)
		if f.Archived {
			sum.archived(uri)
			return result(ObjectResult{URI: uri, Object: f.Object, Status: ObjectSkipped, Reason: "archive tier"})
		}
		if f.Size == 0 {
			sum.mu.Lock()
			sum.ObjectsEmpty++
			sum.mu.Unlock()
			return result(ObjectResult{URI: uri, Object: f.Object, Status: ObjectScanned})
		}
		sum.mu.Lock()
		sum.queued++
		sum.mu.Unlock()
		select {
		case out <- job{src: src, obj: f.Object, info: f.Info, from: from}:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	sum.mu.Lock()
	sum.ListRequests += wk.Stats.ListRequests.Load()
	sum.PrefixesListed += wk.Stats.Prefixes.Load()
	sum.ObjectsListed += wk.Stats.Listed.Load()
	sum.ObjectsPruned += wk.Stats.Pruned.Load()
	sum.ObjectsFiltered += wk.Stats.Filtered.Load()
	sum.ObjectsSibling += wk.Stats.Siblings.Load()
	sum.ObjectsIgnored += wk.Stats.Ignored.Load()
	sum.Unpruned = sum.Unpruned || wk.Stats.Fallback.Load()
	sum.mu.Unlock()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		sum.listError(t.Source.URI(t.Prefix), err)
		if cfg.Warn != nil {
			cfg.Warn(fmt.Sprintf("listing %s failed, its objects are not covered: %v", t.Source.URI(t.Prefix), err))
		}
	}
	return nil
}

func compiledRules(rs []*Rule) []*rule.Rule {
	out := make([]*rule.Rule, len(rs))
	for i, r := range rs {
		out[i] = r.Compiled
	}
	return out
}

func (c Config) withDefaults() Config {
	if c.Workers < 1 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.Connections < 1 {
		c.Connections = 64
	}
	if c.Attempts < 1 {
		c.Attempts = 3
	}
	if c.BufferBytes <= 0 {
		c.BufferBytes = 64 << 20
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// reasonClass turns an object error into a short, countable reason.
func reasonClass(err error) string {
	msg := err.Error()
	switch {
	case errors.Is(err, decode.ErrTooLarge):
		return "decompressed size limit"
	case strings.Contains(msg, "truncated gzip"):
		return "truncated gzip"
	case strings.Contains(msg, "gzip"), strings.Contains(msg, "flate"):
		return "corrupt gzip"
	case strings.Contains(msg, "breaks off"):
		return "truncated JSON"
	case strings.Contains(msg, "not JSON"):
		return "not JSON"
	case strings.Contains(msg, "envelope"):
		return "broken envelope"
	case strings.HasPrefix(msg, "download"):
		return "download failed"
	}
	return "read error"
}
