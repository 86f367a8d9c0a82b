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
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/scan/decode"
	"github.com/retrohunt/retrohunt/scan/fast"
	"github.com/retrohunt/retrohunt/scan/window"
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

	// Multi are the multi-event rules (a match: section): their
	// candidates are grouped into windows after the last object and
	// their detections written as rows to the same Writer (multi.go).
	Multi []*MultiRule
	// CandidateDir is where candidates spill beyond CandidateBudget
	// bytes; defaults os.TempDir() and window.DefaultBudget.
	CandidateDir    string
	CandidateBudget int64
	// DetectionEvents caps the events of each event variable a detection
	// row lists; default DefaultDetectionEvents.
	DetectionEvents int
	// Carry hands each object's candidates to Done in
	// ObjectResult.Candidates instead of grouping them at the end: a
	// sweep commits them to its lake with the object and groups them
	// itself (package sweep, docs/sweeps.md). No detection is written.
	Carry bool

	candidates *window.Store // the run's candidates, set by Run
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
	// Covered, when set, narrows FromRecord to the records whose event
	// time lies in one of its spans (or that have none): an earlier run
	// evaluated them with another window, so their hits are in the
	// output, and the other records before FromRecord are evaluated now.
	Covered []Span
}

// Span is an interval of event time, Since <= t < Until; a zero bound
// is open.
type Span struct {
	Since time.Time `json:"since,omitzero"`
	Until time.Time `json:"until,omitzero"`
}

// Contains reports whether t lies in s.
func (s Span) Contains(t time.Time) bool {
	return (s.Since.IsZero() || !t.Before(s.Since)) && (s.Until.IsZero() || t.Before(s.Until))
}

// evaluated reports whether a record's hits are in the output from an
// earlier run (Selection.FromRecord and Covered); timed is false for a
// record without an event time, which every window lets through.
func (j *job) evaluated(index int, t time.Time, timed bool) bool {
	if int64(index) >= j.from {
		return false
	}
	if j.covered == nil || !timed {
		return true
	}
	for _, s := range j.covered {
		if s.Contains(t) {
			return true
		}
	}
	return false
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
	// Candidates are the multi-event candidates of the object's records
	// (Config.Carry only).
	Candidates []window.Candidate
}

// Target is one place to scan: a Source and a prefix inside it.
type Target struct {
	Source sources.Source
	Prefix string
}

type job struct {
	src     sources.Source
	obj     sources.Object
	uri     string // src.URI(obj.Key), made once by the lister; "": not yet made
	info    sources.Info
	from    int64         // Selection.FromRecord
	covered []Span        // Selection.Covered
	data    *bytes.Buffer // nil: the worker streams the object itself
}

// Run scans every target and writes hits to w (w is not closed). It
// returns an error only for what must stop the whole scan: cancellation
// or a failing writer. Objects and listings that fail are counted in the
// Summary, and the scan goes on.
func Run(ctx context.Context, cfg Config, targets []Target, w output.Writer) (*Summary, error) {
	cfg = cfg.withDefaults()
	cfg.Connections = fitConnections(cfg.Connections, cfg.Warn)
	sum := &Summary{Started: cfg.Now()}
	for _, t := range targets {
		sum.Targets = append(sum.Targets, t.Source.URI(t.Prefix))
	}
	defer func() { sum.Duration = cfg.Now().Sub(sum.Started) }()
	if cfg.Started != nil {
		cfg.Started(sum)
	}

	parent := ctx
	if len(cfg.Multi) > 0 && !cfg.Carry {
		cfg.candidates = window.NewStore(cfg.CandidateDir, cfg.CandidateBudget)
		defer cfg.candidates.Close()
	}
	g, ctx := errgroup.WithContext(ctx)
	listed := make(chan job)
	fetched := make(chan job, cfg.Workers)
	results := make(chan ObjectResult, cfg.Workers)
	buffers := newBudget(cfg.BufferBytes)

	// Each stage closes its output once all its goroutines are done, so
	// shutdown runs in stage order: the lister closes listed, the last
	// downloader fetched, the last worker results, and the writer drains
	// them. Results arrive from every stage (listing, download, decode),
	// so results is closed once the lister and the downloaders are done
	// too: they are before the last worker in a scan that runs to its
	// end, but a cancelled scan's workers return at once, and a
	// downloader could then send a failed object's result on the closed
	// channel.
	//
	// One cap for every request of the scan (--connections): the lister
	// wraps each target's Source in it, and downloaders and workers reach
	// the store through their job's wrapped Source.
	lim := sources.NewLimiter(cfg.Connections)
	reach := &reachability{} // shared: a dead store ends the scan
	ls := &lister{cfg: cfg, lim: lim, sum: sum, out: listed, results: results, reach: reach}
	var upstream sync.WaitGroup // the lister and the downloaders, which send on results too
	upstream.Add(2)
	g.Go(func() error {
		defer upstream.Done()
		return ls.run(ctx, targets)
	})

	dl := &downloader{cfg: cfg, budget: buffers, sum: sum, in: listed, out: fetched, results: results, reach: reach}
	stage(g, cfg.Connections, func() error { return dl.run(ctx) }, func() {
		close(fetched)
		upstream.Done()
	})

	var filter *fast.Filter
	if !cfg.Reference {
		filter = newFilter(append(slices.Clone(cfg.Rules), multiVarRules(cfg.Multi)...))
		if filter.Requirements().TooMany && cfg.Warn != nil {
			cfg.Warn(fmt.Sprintf("the rules name more than %d literals: the prefilter is off and every record is evaluated (docs/fast-path.md, \"Many literals\")", fast.MaxLiterals))
		}
	}
	stage(g, cfg.Workers, func() error {
		return newWorker(cfg, filter).run(ctx, fetched, results, buffers, sum)
	}, func() {
		upstream.Wait()
		close(results)
	})

	hw := newHitWriter(w, cfg.Done, sum)
	g.Go(func() error { return hw.run(results) })

	err := g.Wait()
	if err == nil && len(cfg.Multi) > 0 && !cfg.Carry {
		err = writeDetections(parent, cfg, sum, w)
	}
	return sum, err
}

// stage runs n goroutines of fn in g and closes their output (closeOut)
// once all of them returned.
func stage(g *errgroup.Group, n int, fn func() error, closeOut func()) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		g.Go(func() error {
			defer wg.Done()
			return fn()
		})
	}
	g.Go(func() error {
		wg.Wait()
		closeOut()
		return nil
	})
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

// reasonClass turns an object error into a short, countable reason. It
// looks only at the error's classes (errors.Is, errors.As), never at its
// text, so rewording a message leaves the summary's counts alone. The
// order matters where a chain holds two classes: a record that breaks
// off because the gzip stream did is a gzip failure.
func reasonClass(err error) string {
	var dl *DownloadError
	switch {
	case errors.Is(err, decode.ErrTooLarge):
		return "decompressed size limit"
	case errors.Is(err, decode.ErrTruncatedGzip):
		return "truncated gzip"
	case errors.Is(err, decode.ErrCorruptGzip):
		return "corrupt gzip"
	case errors.Is(err, decode.ErrTruncatedJSON):
		return "truncated JSON"
	case errors.Is(err, decode.ErrNotJSON):
		return "not JSON"
	case errors.Is(err, decode.ErrEnvelope):
		return "broken envelope"
	case errors.As(err, &dl):
		return "download failed"
	}
	return "read error"
}

// newFilter compiles the fast path's prefilter for rules, watching for
// the keys of envelope elements that wrap a record (decode.Unwrap).
func newFilter(rules []*Rule) *fast.Filter {
	yl, sg := splitRules(rules)
	return fast.NewWatchingWithSigma(yl, sg, unwrapWatch)
}

// unwrapWatch are the strings the prefilter watches for: decode.UnwrapKeys
// and then decode.UnwrapTimestamp, in the order decode.UnwrapHolding
// takes them (recordSink.unwrapWatched).
var unwrapWatch = append(append([]string(nil), decode.UnwrapKeys...), decode.UnwrapTimestamp)
