package sources

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"strconv"
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

// dayRange returns the first and last UTC day whose folders can hold keys
// inside the window; loOK and hiOK are false for an open bound. An open
// upper bound ends at now when there is a lower one (no day folder after
// today holds anything yet).
func (w Window) dayRange(now time.Time) (lo, hi time.Time, loOK, hiOK bool) {
	if !w.Since.IsZero() {
		lo, loOK = w.Since.Add(-w.Margin).UTC().Truncate(24*time.Hour), true
	}
	until := w.Until
	if until.IsZero() && loOK {
		until = now
	}
	if !until.IsZero() {
		hi, hiOK = until.Add(w.Margin).UTC().Truncate(24*time.Hour), true
	}
	return lo, hi, loOK, hiOK
}

// shortWindowDays is the longest window, in day folders, whose day
// folders the walker computes instead of discovering (docs/sources.md,
// "Listing"): a 2-day window and its margins touch up to 4 folders, and in
// a dense archive discovering them costs one folder listing more than
// listing them all; in an empty region or subscription, at most 4
// requests go to folders that do not exist.
const shortWindowDays = 4

// WalkStats counts what a walk did; every field is safe to read while the
// walk runs.
type WalkStats struct {
	ListRequests atomic.Int64 // List and ListDirs calls made
	Prefixes     atomic.Int64 // leaf (day) prefixes listed
	Listed       atomic.Int64 // objects returned by listing
	Pruned       atomic.Int64 // objects dropped by the date in their key
	Filtered     atomic.Int64 // objects dropped by --accounts/--regions/--subscriptions
	Siblings     atomic.Int64 // CloudTrail digest/Insight/... objects skipped
	SiblingDirs  atomic.Int64 // CloudTrail-Digest/, CloudTrail-Insight/... folders passed over unlisted
	Ignored      atomic.Int64 // hidden files and notes (".*", "*.md") beside a local copy
	// Outside counts the files found where the layout has folders
	// (notes.txt beside AWSLogs/, x.json.gz in a CloudTrail/ folder):
	// they are not scanned, and not part of Listed. OutsideLogs counts
	// those of them named like logs (LooksLikeLog).
	Outside     atomic.Int64
	OutsideLogs atomic.Int64
	Fallback    atomic.Bool // a prefix in no known layout was listed recursively
}

// Found is a listed object that survived pruning, with what its key says.
type Found struct {
	Object
	Info Info
}

// Walker lists a Source the way its layout allows: it discovers accounts,
// regions and subscriptions with delimiter listing, finds the year, month
// and day folders of the window that exist (listing a date folder only
// where that costs less than computing its children, see plan), and
// lists those day folders in parallel. Only a prefix in no known layout
// is listed whole.
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
	// Outside, when set, is told of each file the walk found in a
	// folder it listed with a delimiter, where the layout has folders
	// (counted in Stats.Outside); log says its name looks like a log.
	// Such a file is not scanned. Files beside the layout folders
	// (notes.txt next to AWSLogs/) are reported only when a layout was
	// found: otherwise the prefix is listed whole, and they with it. At
	// most maxHeldStrays of those wait for that verdict; the rest are
	// counted, not reported. It is never called concurrently.
	Outside func(o Object, log bool)
	Stats   WalkStats

	failMu sync.Mutex

	strayMu                 sync.Mutex
	held                    []heldStray // files beside the layout folders, until a layout is found
	heldN, heldLogs, heldNo int64       // their counts: outside, of them logs, not logs (hidden, notes)
}

// heldStray is a file found above the layout markers.
type heldStray struct {
	o   Object
	log bool
}

// maxHeldStrays bounds the files above the layout markers held until the
// walk knows whether it found a layout; their counts stay exact.
const maxHeldStrays = 200

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
	stRoot       step = iota // no layout marker seen yet
	stAWSLogs                // children: o-org or account
	stOrg                    // children: account
	stAccount                // children: CloudTrail, CloudTrail-*
	stTrail                  // children: region
	stRegion                 // children: YYYY
	stCTYear                 // children: MM
	stCTMonth                // children: DD
	stCTDay                  // leaf: objects
	stResource               // "resourceId=": children SUBSCRIPTIONS
	stSubs                   // children: subscription id
	stSub                    // children: y=YYYY
	stAzYear                 // children: m=MM
	stAzMonth                // children: d=DD
	stAzDay                  // leaf: objects (h=HH/m=00/PT1H.json below)
	stLost                   // inside a layout, but off its pattern
	stTenants                // "resourceId=/TENANTS": children tenant id
	stTenant                 // children: PROVIDERS
	stTenantProv             // children: MICROSOFT.AADIAM (then y=YYYY, as stSub)
)

type node struct {
	prefix string
	st     step
	depth  int       // stRoot folders searched below the start prefix
	t      time.Time // first instant of a year, month or day folder
}

// maxMarkerDepth is how deep below the start prefix Walk looks for
// "AWSLogs/", "resourceId=/" or "tenantId=<id>/" before it gives up on
// layouts.
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
			case stRegion, stSub, stCTYear, stAzYear, stCTMonth, stAzMonth:
				// Date levels: compute the folders the window needs when
				// that costs no more than listing the parent (see plan).
				leaves, kids := w.plan(n)
				for _, leaf := range leaves {
					if err := send(leaf); err != nil {
						return err
					}
				}
				if leaves != nil || kids != nil {
					mu.Lock()
					next = append(next, kids...)
					mu.Unlock()
					continue
				}
			case stLost:
				w.warn(fmt.Sprintf("%s: folder does not follow the CloudTrail, Azure Activity or tenant-log layout; listing it without date pruning", w.Source.URI(n.prefix)))
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
	w.settleHeld(found)
	if !found {
		if prefix != "" {
			w.warn(fmt.Sprintf("%s: no CloudTrail (AWSLogs/), Azure Activity (resourceId=/) or tenant-log (tenantId=) layout found; listing everything below it without date pruning", w.Source.URI(prefix)))
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
		_ = w.Source.ListDirs(ctx, prefix+"/", func(e Entry) error {
			if e.Dir == "" {
				return nil
			}
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
		st := w.advance(n.st, seg)
		// A start inside the date folders keeps their date, so the
		// levels below are still planned and filtered by the window.
		n.t, _ = folderTime(n, st, seg)
		n.st = st
	}
	n.prefix = prefix
	return n, true
}

var errStop = errors.New("stop")

// children lists one folder and places each child folder in the layout,
// dropping those the filters exclude.
func (w *Walker) children(ctx context.Context, n node) ([]node, error) {
	var kids []node
	err := w.listDirs(ctx, n.prefix, func(e Entry) error {
		dir := e.Dir
		if dir == "" {
			w.stray(n, e.Object)
			return nil
		}
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
		kid := node{prefix: dir, st: st, depth: n.depth + 1}
		if t, ok := folderTime(n, st, seg); ok {
			if !w.inWindow(t, st) {
				return nil
			}
			kid.t = t
		}
		kids = append(kids, kid)
		return nil
	})
	return kids, err
}

// stray judges a file found in folder n, which the layout expects to
// hold folders only. A file above the layout markers waits for the
// verdict on the layout (settleHeld).
func (w *Walker) stray(n node, o Object) {
	if strings.HasSuffix(o.Key, "/") && o.Size == 0 {
		return // a console-made "folder" placeholder, or the folder itself
	}
	w.strayMu.Lock()
	defer w.strayMu.Unlock()
	notLog := notArchive(o.Key)
	log := !notLog && LooksLikeLog(o.Key)
	if n.st == stRoot {
		switch {
		case notLog:
			w.heldNo++
			return
		case log:
			w.heldLogs++
		}
		w.heldN++
		if len(w.held) < maxHeldStrays {
			w.held = append(w.held, heldStray{o, log})
		}
		return
	}
	if notLog {
		w.Stats.Listed.Add(1)
		w.Stats.Ignored.Add(1)
		return
	}
	w.outside(o, log)
}

// outside counts and reports one file outside the layout; strayMu is
// held.
func (w *Walker) outside(o Object, log bool) {
	w.Stats.Outside.Add(1)
	if log {
		w.Stats.OutsideLogs.Add(1)
	}
	if w.Outside != nil {
		w.Outside(o, log)
	}
}

// settleHeld counts and reports the files held above the layout markers
// when a layout was found; without one the walk lists the whole prefix,
// those files with it, so they are dropped here.
func (w *Walker) settleHeld(found bool) {
	w.strayMu.Lock()
	defer w.strayMu.Unlock()
	if found {
		w.Stats.Listed.Add(w.heldNo)
		w.Stats.Ignored.Add(w.heldNo)
		for _, h := range w.held {
			w.outside(h.o, h.log)
		}
		if rest := int64(len(w.held)); w.heldN > rest {
			w.Stats.Outside.Add(w.heldN - rest)
			logs := int64(0)
			for _, h := range w.held {
				if h.log {
					logs++
				}
			}
			w.Stats.OutsideLogs.Add(w.heldLogs - logs)
		}
	}
	w.held, w.heldN, w.heldLogs, w.heldNo = nil, 0, 0, 0
}

// LooksLikeLog reports whether a file's name says it may hold log
// records: JSON, JSON Lines or gzip by its extension (CloudTrail's
// .json.gz, Azure's PT1H.json, an export's .jsonl). Files found outside
// the layout are judged by name alone, without a download.
func LooksLikeLog(key string) bool {
	base := strings.ToLower(key[strings.LastIndexByte(key, '/')+1:])
	// Any gzip file: compression hides what it holds.
	for _, ext := range []string{".gz", ".json", ".jsonl", ".ndjson"} {
		if strings.HasSuffix(base, ext) {
			return true
		}
	}
	return false
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
		case IsTenantFolder(seg):
			// A tenant-scoped log (Entra ID, Graph): its year folders
			// follow, as below a subscription.
			return stSub
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
			w.Stats.SiblingDirs.Add(1)
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
		switch {
		case strings.EqualFold(seg, "SUBSCRIPTIONS"):
			return stSubs
		case strings.EqualFold(seg, "TENANTS"):
			return stTenants
		}
		return stLost
	case stTenants:
		return stTenant
	case stTenant:
		if strings.EqualFold(seg, "PROVIDERS") {
			return stTenantProv
		}
		return stLost
	case stTenantProv:
		if strings.EqualFold(seg, TenantProvider) {
			return stSub
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

// dateStep accepts a numeric date folder ("2024", "m=03"). Which of them
// the window needs is decided by inWindow; finer pruning happens on keys,
// which is exact.
func (w *Walker) dateStep(seg, tag string, digits int, next step) step {
	v, ok := strings.CutPrefix(seg, tag)
	if !ok || len(v) != digits || strings.Trim(v, "0123456789") != "" {
		return stLost
	}
	return next
}

// folderTime is the first instant of the year, month or day folder seg
// found below n; ok is false for a folder that is not a date, or not a
// real one (month 13, February 30).
func folderTime(n node, st step, seg string) (time.Time, bool) {
	v := seg[strings.IndexByte(seg, '=')+1:]
	num, err := strconv.Atoi(v)
	if err != nil {
		return time.Time{}, false
	}
	var t time.Time
	switch st {
	case stCTYear, stAzYear:
		t = time.Date(num, 1, 1, 0, 0, 0, 0, time.UTC)
	case stCTMonth, stAzMonth:
		if n.t.IsZero() || num < 1 || num > 12 {
			return time.Time{}, false
		}
		t = time.Date(n.t.Year(), time.Month(num), 1, 0, 0, 0, 0, time.UTC)
	case stCTDay, stAzDay:
		if n.t.IsZero() || num < 1 || num > 31 {
			return time.Time{}, false
		}
		t = time.Date(n.t.Year(), n.t.Month(), num, 0, 0, 0, 0, time.UTC)
		if t.Month() != n.t.Month() {
			return time.Time{}, false
		}
	default:
		return time.Time{}, false
	}
	return t, true
}

// periodEnd is the first instant after the year, month or day folder
// that starts at t.
func periodEnd(t time.Time, st step) time.Time {
	switch st {
	case stCTYear, stAzYear, stRegion, stSub:
		return t.AddDate(1, 0, 0)
	case stCTMonth, stAzMonth:
		return t.AddDate(0, 1, 0)
	}
	return t.AddDate(0, 0, 1)
}

// inWindow reports whether the date folder at position st starting at t
// overlaps the window's days.
func (w *Walker) inWindow(t time.Time, st step) bool {
	lo, hi, loOK, hiOK := w.Window.dayRange(w.now())
	if loOK && !periodEnd(t, st).After(lo) {
		return false
	}
	if hiOK && t.After(hi) {
		return false
	}
	return true
}

// plan decides how the walk goes on below a date level (a region or
// subscription, a year, a month) when the window bounds it on both
// sides, without a request: it returns the day folders to list (leaves)
// or the folders of the next level (kids) when computing them costs no
// more than listing the folder n; both nil means list n.
//
//   - The window spans at most shortWindowDays day folders: below a region
//     or subscription, they are computed, each one List.
//   - The window's part of n falls in one child folder (one year, one
//     month, one day): that child is computed. Listing n would cost a
//     request and find at most that child.
//   - Otherwise n is listed (one ListDirs: a year has 12 months, a month
//     31 days, one page) and only children inside the window go on, so an
//     empty month or day costs nothing.
func (w *Walker) plan(n node) (leaves []string, kids []node) {
	lo, hi, loOK, hiOK := w.Window.dayRange(w.now())
	switch {
	case !loOK || !hiOK:
		return nil, nil
	case hi.Before(lo):
		return []string{}, nil // an empty window: nothing to list
	case n.st != stRegion && n.st != stSub && n.t.IsZero():
		return nil, nil // the walk started inside the date folders
	}
	azure := n.st == stSub || n.st == stAzYear || n.st == stAzMonth
	dayFolder := func(d time.Time) string {
		if azure {
			return d.Format("y=2006/m=01/d=02/")
		}
		return d.Format("2006/01/02/")
	}
	switch n.st {
	case stRegion, stSub:
		if int(hi.Sub(lo)/(24*time.Hour))+1 <= shortWindowDays {
			for d := lo; !d.After(hi); d = d.AddDate(0, 0, 1) {
				leaves = append(leaves, n.prefix+dayFolder(d))
			}
			return leaves, nil
		}
		if lo.Year() == hi.Year() {
			y := time.Date(lo.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
			seg := y.Format("2006/")
			st := stCTYear
			if azure {
				seg, st = y.Format("y=2006/"), stAzYear
			}
			return nil, []node{{prefix: n.prefix + seg, st: st, depth: n.depth + 1, t: y}}
		}
	case stCTYear, stAzYear:
		from, to := clip(n.t, periodEnd(n.t, n.st), lo, hi)
		if from.Month() == to.Month() {
			m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
			seg := m.Format("01/")
			st := stCTMonth
			if azure {
				seg, st = m.Format("m=01/"), stAzMonth
			}
			return nil, []node{{prefix: n.prefix + seg, st: st, depth: n.depth + 1, t: m}}
		}
	case stCTMonth, stAzMonth:
		from, to := clip(n.t, periodEnd(n.t, n.st), lo, hi)
		if from.Equal(to) {
			seg := from.Format("02/")
			if azure {
				seg = from.Format("d=02/")
			}
			return []string{n.prefix + seg}, nil
		}
	}
	return nil, nil
}

// clip returns the first and last day of [start, end) inside [lo, hi].
func clip(start, end, lo, hi time.Time) (from, to time.Time) {
	from, to = start, end.AddDate(0, 0, -1)
	if lo.After(from) {
		from = lo
	}
	if hi.Before(to) {
		to = hi
	}
	return from, to
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

func (w *Walker) listDirs(ctx context.Context, prefix string, fn func(Entry) error) error {
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
// never logs: hidden files (.DS_Store) and notes (README.md). A name
// ends in ".md" lower-cased exactly when its last three bytes are ".md"
// in any case: no other rune lower-cases to 'm', 'd' or '.', and those
// ASCII bytes are never part of a longer rune (TestNotArchiveMatchesReference
// compares it with strings.ToLower over every rune), so nothing is
// lower-cased or allocated.
func notArchive(key string) bool {
	base := key[lastSlash(key)+1:]
	if strings.HasPrefix(base, ".") {
		return true
	}
	n := len(base)
	return n >= 3 && base[n-3] == '.' && base[n-2]|0x20 == 'm' && base[n-1]|0x20 == 'd'
}

// lastSlash is strings.LastIndexByte(s, '/'), eight bytes at a time
// from the end: the name of a listed key is most of it, and
// LastIndexByte reads it byte by byte.
func lastSlash(s string) int {
	const slashes, low7 = 0x2f * 0x0101010101010101, 0x7f * 0x0101010101010101
	i := len(s)
	for ; i >= 8; i -= 8 {
		w := s[i-8 : i]
		x := (uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56) ^ slashes
		// The high bit of each byte of x that is zero, and of no other:
		// (b&0x7f)+0x7f carries into the high bit unless b&0x7f is 0,
		// and never into the next byte.
		if m := ^((x&low7 + low7) | x | low7); m != 0 {
			return i - 8 + (63-bits.LeadingZeros64(m))/8
		}
	}
	for i--; i >= 0; i-- {
		if s[i] == '/' {
			return i
		}
	}
	return -1
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
