package sources

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// Window is the time range a scan asks about. A zero bound is open.
type Window struct {
	Since, Until time.Time
	// Margin widens the window when keys are judged, because a file's key
	// time is its delivery time: CloudTrail files hold events up to about
	// 15 minutes older than their key, and Azure hour blobs can receive
	// late events.
	Margin time.Duration
}

// KeepKey reports whether an object with this key may hold events inside
// the window. Undated keys are always kept.
func (w Window) KeepKey(i Info) bool {
	if !i.Dated() {
		return true
	}
	if !w.Since.IsZero() && i.End.Add(w.Margin).Before(w.Since) {
		return false
	}
	if !w.Until.IsZero() && i.Start.Add(-w.Margin).After(w.Until) {
		return false
	}
	return true
}

// days returns the UTC days whose folders can hold keys inside the window,
// or ok=false when the window has no lower bound to enumerate from.
func (w Window) days(now time.Time) (first, last time.Time, ok bool) {
	if w.Since.IsZero() {
		return time.Time{}, time.Time{}, false
	}
	until := w.Until
	if until.IsZero() {
		until = now
	}
	first = w.Since.Add(-w.Margin).UTC().Truncate(24 * time.Hour)
	last = until.Add(w.Margin).UTC().Truncate(24 * time.Hour)
	return first, last, true
}

// WalkStats counts what a walk did; every field is safe to read while the
// walk runs.
type WalkStats struct {
	ListRequests atomic.Int64 // List and ListDirs calls made
	Prefixes     atomic.Int64 // leaf (day) prefixes listed
	Listed       atomic.Int64 // objects returned by listing
	Pruned       atomic.Int64 // objects dropped by the date in their key
	Filtered     atomic.Int64 // objects dropped by --accounts/--regions/--subscriptions
	Siblings     atomic.Int64 // CloudTrail digest/Insight/... objects and folders skipped
	Ignored      atomic.Int64 // hidden files and notes (".*", "*.md") beside a local copy
	Fallback     atomic.Bool  // a prefix in no known layout was listed recursively
}

// Found is a listed object that survived pruning, with what its key says.
type Found struct {
	Object
	Info Info
}

// Walker lists a Source the way its layout allows: it discovers accounts,
// regions and subscriptions with delimiter listing, enumerates the day
// folders inside the window without listing them, and lists those day
// folders in parallel. Only a prefix in no known layout is listed whole.
type Walker struct {
	Source Source
	Window Window
	// Accounts, Regions and Subscriptions restrict the walk when non-empty
	// (compared case-insensitively).
	Accounts, Regions, Subscriptions []string
	// Parallel is how many folders are listed at once; < 1 means 8.
	// It does not cap requests in flight: a folder's lister waiting in
	// fn holds no request. Wrap Source with a Limiter for that cap.
	Parallel int
	// Warn receives one-line warnings (nil: dropped).
	Warn func(string)
	// Now is the clock for open-ended windows (nil: time.Now).
	Now func() time.Time
	// Failed, when set, is told of each folder whose listing failed (a
	// store error, not one of fn's), and the walk goes on with the other
	// folders: only what failed is left out, not the whole prefix. A
	// non-nil return stops the walk with that error. It is never called
	// concurrently. Nil: the first failure ends the walk and is returned.
	Failed func(prefix string, err error) error
	Stats  WalkStats

	failMu sync.Mutex
}

// failed reports a folder's failed listing to Failed, or returns err
// when nobody listens, or when ctx ended (then the failure is the
// cancellation's, not the store's).
func (w *Walker) failed(ctx context.Context, prefix string, err error) error {
	if w.Failed == nil || ctx.Err() != nil {
		return err
	}
	w.failMu.Lock()
	defer w.failMu.Unlock()
	return w.Failed(prefix, err)
}

// step is a position inside a known layout: what the children of a folder
// at this position are.
type step uint8

const (
	stRoot     step = iota // no layout marker seen yet
	stAWSLogs              // children: o-org or account
	stOrg                  // children: account
	stAccount              // children: CloudTrail, CloudTrail-*
	stTrail                // children: region
	stRegion               // children: YYYY
	stCTYear               // children: MM
	stCTMonth              // children: DD
	stCTDay                // leaf: objects
	stResource             // "resourceId=": children SUBSCRIPTIONS
	stSubs                 // children: subscription id
	stSub                  // children: y=YYYY
	stAzYear               // children: m=MM
	stAzMonth              // children: d=DD
	stAzDay                // leaf: objects (h=HH/m=00/PT1H.json below)
	stLost                 // inside a layout, but off its pattern
)

type node struct {
	prefix string
	st     step
	depth  int // stRoot folders searched below the start prefix
}

// maxMarkerDepth is how deep below the start prefix Walk looks for
// "AWSLogs/" or "resourceId=/" before it gives up on layouts.
const maxMarkerDepth = 3

// maxRootDirs bounds the folders searched for a marker, so an unrelated
// tree is not crawled folder by folder before the recursive fallback.
const maxRootDirs = 1000

// Walk calls fn for every object under prefix that the layout, the window
// and the filters keep. fn is called from several goroutines, but never
// concurrently; Walk stops at the first error fn returns.
func (w *Walker) Walk(ctx context.Context, prefix string, fn func(Found) error) error {
	par := w.Parallel
	if par < 1 {
		par = 8
	}
	g, ctx := errgroup.WithContext(ctx)
	leaves := make(chan string)
	var mu sync.Mutex
	emit := func(f Found) error {
		mu.Lock()
		defer mu.Unlock()
		return fn(f)
	}
	for i := 0; i < par; i++ {
		g.Go(func() error {
			for leaf := range leaves {
				w.Stats.Prefixes.Add(1)
				if err := w.list(ctx, leaf, emit); err != nil {
					return err
				}
			}
			return nil
		})
	}
	g.Go(func() error {
		defer close(leaves)
		return w.discover(ctx, par, prefix, leaves, emit)
	})
	return g.Wait()
}

// discover walks the folder levels breadth-first, listing up to par
// folders of a level at once, and sends leaf prefixes.
func (w *Walker) discover(ctx context.Context, par int, prefix string, leaves chan<- string, emit func(Found) error) error {
	start, ok := w.startNode(ctx, prefix)
	if !ok {
		// A partial key: list exactly what the user named.
		return w.list(ctx, prefix, emit)
	}
	send := func(leaf string) error {
		select {
		case leaves <- leaf:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	level := []node{start}
	found := start.st != stRoot
	rootDirs := 0
	for len(level) > 0 {
		var (
			mu   sync.Mutex
			next []node
		)
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(par)
		for _, n := range level {
			switch n.st {
			case stCTDay, stAzDay:
				if err := send(n.prefix); err != nil {
					return err
				}
				continue
			case stRegion, stSub:
				if first, last, ok := w.Window.days(w.now()); ok {
					for d := first; !d.After(last); d = d.Add(24 * time.Hour) {
						if err := send(n.prefix + dayFolder(n.st, d)); err != nil {
							return err
						}
					}
					continue
				}
			case stLost:
				w.warn(fmt.Sprintf("%s: folder does not follow the CloudTrail or Azure Activity layout; listing it without date pruning", w.Source.URI(n.prefix)))
				w.Stats.Fallback.Store(true)
				if err := send(n.prefix); err != nil {
					return err
				}
				continue
			case stRoot:
				if rootDirs++; rootDirs > maxRootDirs {
					continue
				}
			}
			g.Go(func() error {
				kids, err := w.children(gctx, n)
				mu.Lock()
				next = append(next, kids...)
				mu.Unlock()
				return err
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
		for _, n := range next {
			if n.st != stRoot {
				found = true
			}
		}
		level = next
	}
	if !found {
		if prefix != "" {
			w.warn(fmt.Sprintf("%s: no CloudTrail (AWSLogs/) or Azure Activity (resourceId=/) layout found; listing everything below it without date pruning", w.Source.URI(prefix)))
		}
		w.Stats.Fallback.Store(true)
		return send(prefix)
	}
	return nil
}

// startNode places the start prefix in the layout. ok is false when the
// prefix ends inside a key name rather than at a folder.
func (w *Walker) startNode(ctx context.Context, prefix string) (node, bool) {
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		// "s3://b/AWSLogs" means the folder when there is one.
		// A failure here is not reported: listing the prefix as a key
		// then fails too, and reports it once.
		isDir := false
		w.Stats.ListRequests.Add(1)
		_ = w.Source.ListDirs(ctx, prefix+"/", func(string) error {
			isDir = true
			return errStop
		})
		if !isDir {
			return node{}, false
		}
		prefix += "/"
	}
	n := node{st: stRoot}
	for _, seg := range strings.Split(strings.TrimSuffix(prefix, "/"), "/") {
		if seg == "" {
			continue
		}
		n.st = w.advance(n.st, seg)
	}
	n.prefix = prefix
	return n, true
}

var errStop = errors.New("stop")

// children lists one folder and places each child folder in the layout,
// dropping those the filters exclude.
func (w *Walker) children(ctx context.Context, n node) ([]node, error) {
	var kids []node
	err := w.listDirs(ctx, n.prefix, func(dir string) error {
		seg := strings.TrimSuffix(strings.TrimPrefix(dir, n.prefix), "/")
		st := w.advance(n.st, seg)
		switch {
		case st == stRoot && n.depth+1 > maxMarkerDepth:
			return nil
		case st == stLost && n.st == stAccount:
			// Any other folder beside CloudTrail/ is not ours to judge.
			return nil
		case st == stSkip:
			return nil
		}
		kids = append(kids, node{prefix: dir, st: st, depth: n.depth + 1})
		return nil
	})
	return kids, err
}

// stSkip marks a child folder the walk leaves out on purpose.
const stSkip step = 255

// advance is the layout's transition function: the position of a child
// folder named seg below a folder at position st.
func (w *Walker) advance(st step, seg string) step {
	switch st {
	case stRoot:
		switch {
		case seg == "AWSLogs":
			return stAWSLogs
		case strings.EqualFold(seg, "resourceId="):
			return stResource
		}
		return stRoot
	case stAWSLogs, stOrg:
		switch {
		case st == stAWSLogs && IsOrgID(seg):
			return stOrg
		case IsAccountID(seg):
			if !matchAny(w.Accounts, seg) {
				return stSkip
			}
			return stAccount
		}
		return stLost
	case stAccount:
		switch {
		case seg == "CloudTrail":
			return stTrail
		case strings.HasPrefix(seg, "CloudTrail-"):
			w.Stats.Siblings.Add(1)
			return stSkip
		}
		return stLost
	case stTrail:
		if !matchAny(w.Regions, seg) {
			return stSkip
		}
		return stRegion
	case stRegion:
		return w.dateStep(seg, "", 4, stCTYear)
	case stCTYear:
		return w.dateStep(seg, "", 2, stCTMonth)
	case stCTMonth:
		return w.dateStep(seg, "", 2, stCTDay)
	case stResource:
		if strings.EqualFold(seg, "SUBSCRIPTIONS") {
			return stSubs
		}
		return stLost
	case stSubs:
		if !matchAny(w.Subscriptions, seg) {
			return stSkip
		}
		return stSub
	case stSub:
		return w.dateStep(seg, "y=", 4, stAzYear)
	case stAzYear:
		return w.dateStep(seg, "m=", 2, stAzMonth)
	case stAzMonth:
		return w.dateStep(seg, "d=", 2, stAzDay)
	}
	return stLost
}

// dateStep accepts a numeric date folder ("2024", "m=03") and, when the
// window has an upper bound, skips years past it. Finer pruning happens on
// keys, which is exact.
func (w *Walker) dateStep(seg, tag string, digits int, next step) step {
	v, ok := strings.CutPrefix(seg, tag)
	if !ok || len(v) != digits || strings.Trim(v, "0123456789") != "" {
		return stLost
	}
	if digits == 4 && !w.Window.Until.IsZero() && v > w.Window.Until.Add(w.Window.Margin).UTC().Format("2006") {
		return stSkip
	}
	return next
}

// dayFolder is the folder of day d below a region (CloudTrail) or a
// subscription (Azure).
func dayFolder(st step, d time.Time) string {
	if st == stRegion {
		return d.Format("2006/01/02/")
	}
	return d.Format("y=2006/m=01/d=02/")
}

// list lists one leaf prefix recursively and passes on what survives.
func (w *Walker) list(ctx context.Context, prefix string, emit func(Found) error) error {
	w.Stats.ListRequests.Add(1)
	// An error from emit is the caller's (a cancelled scan, a failing
	// sink), not the store's: return it as it is, not as a listing error.
	var emitErr error
	err := w.Source.List(ctx, prefix, func(o Object) error {
		if strings.HasSuffix(o.Key, "/") && o.Size == 0 {
			return nil // a console-made "folder" placeholder
		}
		w.Stats.Listed.Add(1)
		if notArchive(o.Key) {
			w.Stats.Ignored.Add(1)
			return nil
		}
		info := ParseKey(o.Key)
		switch {
		case info.Kind == KindCloudTrailOther:
			w.Stats.Siblings.Add(1)
			return nil
		case !w.keepInfo(info):
			w.Stats.Filtered.Add(1)
			return nil
		case !w.Window.KeepKey(info):
			w.Stats.Pruned.Add(1)
			return nil
		}
		emitErr = emit(Found{Object: o, Info: info})
		return emitErr
	})
	if emitErr != nil {
		return emitErr
	}
	if err != nil {
		return w.failed(ctx, prefix, fmt.Errorf("list %s: %w", w.Source.URI(prefix), err))
	}
	return nil
}

func (w *Walker) listDirs(ctx context.Context, prefix string, fn func(string) error) error {
	w.Stats.ListRequests.Add(1)
	err := w.Source.ListDirs(ctx, prefix, fn)
	if err != nil && !errors.Is(err, errStop) {
		return w.failed(ctx, prefix, fmt.Errorf("list %s: %w", w.Source.URI(prefix), err))
	}
	return nil
}

// keepInfo applies the account, region and subscription filters to a key
// found by recursive listing.
func (w *Walker) keepInfo(i Info) bool {
	switch i.Kind {
	case KindCloudTrail:
		return matchAny(w.Accounts, i.Account) && (i.Region == "" || matchAny(w.Regions, i.Region))
	case KindAzureActivity:
		return matchAny(w.Subscriptions, i.Account)
	}
	return true
}

// notArchive spots files that sit beside archives in local copies but are
// never logs: hidden files (.DS_Store) and notes (README.md).
func notArchive(key string) bool {
	base := key[strings.LastIndexByte(key, '/')+1:]
	return strings.HasPrefix(base, ".") || strings.HasSuffix(strings.ToLower(base), ".md")
}

func matchAny(list []string, s string) bool {
	if len(list) == 0 {
		return true
	}
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

func (w *Walker) warn(msg string) {
	if w.Warn != nil {
		w.Warn(msg)
	}
}

func (w *Walker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}
