package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/retrohunt/retrohunt/output/text"
	"github.com/retrohunt/retrohunt/scan"
)

// --progress values.
const (
	progressAuto  = "auto"  // bars when stderr is a terminal, else nothing
	progressPlain = "plain" // one line every plainEvery, for CI logs
	progressNone  = "none"
)

// How often the display polls the scan, and how often plain mode prints.
// Variables so tests can shorten them.
var (
	pollEvery  = 200 * time.Millisecond
	plainEvery = 5 * time.Second
)

// newTicker starts the display's clock: ticks every d and a stop. Tests
// replace it to tick by hand.
var newTicker = func(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(d)
	return t.C, t.Stop
}

// progress shows a running scan on stderr: live bars on a terminal, a
// line every few seconds with --progress=plain, nothing otherwise. It
// polls scan.Summary.Progress from its own goroutine, started by
// scan.Config.Started, and must be stopped before the summary is printed.
//
// It is also the writer for warnings during the scan: while bars are on
// screen, a line written here is printed above them instead of through
// them.
type progress struct {
	mode string // "bar", progressPlain, or "" for off
	w    io.Writer
	now  func() time.Time

	mu      sync.RWMutex
	bars    *mpb.Progress // set while bars are drawn
	stopc   chan struct{}
	stopped chan struct{}
	once    sync.Once
}

// newProgress resolves --progress and --quiet against where stderr goes.
func newProgress(mode string, quiet bool, stderr io.Writer) (*progress, error) {
	p := &progress{w: stderr, now: time.Now}
	switch mode {
	case progressAuto, "":
		if !quiet && drawable(stderr) {
			p.mode = "bar"
		}
	case progressPlain:
		if !quiet {
			p.mode = progressPlain
		}
	case progressNone:
	default:
		return nil, fmt.Errorf("--progress %q: want auto, plain or none", mode)
	}
	return p, nil
}

// drawable reports whether w is a terminal that understands cursor
// movement.
func drawable(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd())) && os.Getenv("TERM") != "dumb"
}

// Write prints a log line; above the bars while they are drawn.
func (p *progress) Write(b []byte) (int, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.bars != nil {
		if n, err := p.bars.Write(b); err == nil {
			return n, nil
		}
	}
	return p.w.Write(b)
}

// start is scan.Config.Started: it begins polling sum.
func (p *progress) start(sum *scan.Summary) {
	if p.mode == "" || p.stopc != nil {
		return
	}
	p.stopc = make(chan struct{})
	p.stopped = make(chan struct{})
	r := &rater{started: p.now()}
	switch p.mode {
	case "bar":
		go p.drawBars(sum, r)
	case progressPlain:
		go p.printLines(sum, r)
	}
}

// stop ends the display and waits until it has left the terminal. It is
// safe to call more than once, and without start.
func (p *progress) stop() {
	p.once.Do(func() {
		if p.stopc == nil {
			return
		}
		close(p.stopc)
		<-p.stopped
	})
}

func (p *progress) printLines(sum *scan.Summary, r *rater) {
	defer close(p.stopped)
	ticks, stopTicks := newTicker(plainEvery)
	defer stopTicks()
	for {
		select {
		case <-p.stopc:
			return
		case <-ticks:
			st := r.update(sum.Progress(), p.now())
			fmt.Fprintf(p.w, "retrohunt: %s\n", st.line())
		}
	}
}

func (p *progress) drawBars(sum *scan.Summary, r *rater) {
	defer close(p.stopped)
	var cur atomic.Pointer[status]
	cur.Store(r.update(sum.Progress(), p.now()))
	bars := mpb.New(mpb.WithOutput(p.w), mpb.WithRefreshRate(pollEvery), mpb.WithAutoRefresh())
	objects := bars.New(0, mpb.BarStyle().Lbound("[").Filler("=").Tip(">").Padding("-").Rbound("]"),
		mpb.PrependDecorators(decor.Any(func(decor.Statistics) string { return cur.Load().objects() }, decor.WCSyncSpaceR)),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return cur.Load().eta() }, decor.WCSyncSpace)),
	)
	counters := bars.New(0, mpb.NopStyle(),
		mpb.PrependDecorators(decor.Any(func(decor.Statistics) string { return cur.Load().counters() })),
	)
	p.mu.Lock()
	p.bars = bars
	p.mu.Unlock()

	update := func() *status {
		st := r.update(sum.Progress(), p.now())
		cur.Store(st)
		objects.SetTotal(st.ObjectsQueued, false)
		objects.SetCurrent(st.ObjectsDone)
		return st
	}
	ticks, stopTicks := newTicker(pollEvery)
	defer stopTicks()
	for {
		select {
		case <-ticks:
			update()
			continue
		case <-p.stopc:
		}
		break
	}
	// Warnings from now on go straight to stderr: the container stops
	// taking lines once its bars are done.
	p.mu.Lock()
	p.bars = nil
	p.mu.Unlock()
	st := update()
	if st.ListingDone && st.ObjectsDone >= st.ObjectsQueued {
		objects.SetTotal(st.ObjectsQueued, true)
	} else {
		objects.Abort(false) // interrupted or failed: leave the last frame
	}
	counters.SetTotal(0, true)
	bars.Wait()
}

// rater turns successive snapshots into rates and an ETA.
type rater struct {
	started time.Time
	last    scan.Progress
	lastAt  time.Time
	recRate float64 // records/s, smoothed
}

// status is what one frame or line shows.
type status struct {
	scan.Progress
	elapsed time.Duration
	recRate float64
	etaLeft time.Duration // -1: unknown
}

func (r *rater) update(s scan.Progress, now time.Time) *status {
	if !s.Started.IsZero() {
		r.started = s.Started
	}
	st := &status{Progress: s, elapsed: now.Sub(r.started), etaLeft: -1}
	if !r.lastAt.IsZero() {
		if dt := now.Sub(r.lastAt).Seconds(); dt > 0 {
			inst := float64(s.Records-r.last.Records) / dt
			if r.recRate == 0 {
				r.recRate = inst
			} else {
				r.recRate = 0.7*r.recRate + 0.3*inst
			}
		}
	} else if secs := st.elapsed.Seconds(); secs > 0 {
		r.recRate = float64(s.Records) / secs
	}
	r.last, r.lastAt = s, now
	st.recRate = r.recRate
	// An ETA only once the work is known: before listing ends, the
	// number of objects still grows.
	if s.ListingDone && s.ObjectsDone > 0 && s.ObjectsDone < s.ObjectsQueued {
		per := st.elapsed / time.Duration(s.ObjectsDone)
		st.etaLeft = per * time.Duration(s.ObjectsQueued-s.ObjectsDone)
	} else if s.ListingDone && s.ObjectsDone >= s.ObjectsQueued {
		st.etaLeft = 0
	}
	return st
}

func (s *status) objects() string {
	if s.ListingDone {
		return fmt.Sprintf("objects %s/%s", text.Count(s.ObjectsDone), text.Count(s.ObjectsQueued))
	}
	return fmt.Sprintf("objects %s/%s+ (listing)", text.Count(s.ObjectsDone), text.Count(s.ObjectsQueued))
}

func (s *status) eta() string {
	switch {
	case s.etaLeft < 0:
		return "ETA after listing"
	case s.etaLeft == 0:
		return "done " + text.Dur(s.elapsed)
	}
	return "ETA " + text.Dur(s.etaLeft)
}

func (s *status) counters() string {
	return fmt.Sprintf("%s gz → %s · %s rec/s · %s hits · %s failed · %s",
		text.MB(s.BytesCompressed), text.MB(s.BytesDecompressed), text.Count(int64(s.recRate+0.5)),
		text.Count(s.Hits), text.Count(s.ObjectsFailed), text.Dur(s.elapsed))
}

// line is the plain-mode form: everything on one line, in words.
func (s *status) line() string {
	return fmt.Sprintf("%s · %s · %s gz → %s · %s records, %s/s · %s hits · %s failed · %s",
		text.Dur(s.elapsed), s.objects(), text.MB(s.BytesCompressed), text.MB(s.BytesDecompressed),
		text.Count(s.Records), text.Count(int64(s.recRate+0.5)), text.Count(s.Hits), text.Count(s.ObjectsFailed), s.eta())
}
