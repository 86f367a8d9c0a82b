package scan

import (
	"context"
	"errors"
	"fmt"

	"github.com/retrohunt/retrohunt/sources"
)

// lister is the first stage: it walks every target, one after the other,
// and sends each object that survives pruning and Config.Select to the
// downloaders. Objects it settles itself (archive tier, empty) go
// straight to the writer as results.
type lister struct {
	cfg     Config
	lim     *sources.Limiter // the scan's one cap on requests
	sum     *Summary
	out     chan<- job
	results chan<- ObjectResult
	reach   *reachability
}

// run lists every target and closes out when done.
func (l *lister) run(ctx context.Context, targets []Target) error {
	defer close(l.out)
	for _, t := range targets {
		if err := l.target(ctx, t); err != nil {
			return err
		}
	}
	l.sum.mu.Lock()
	l.sum.listingDone = true
	l.sum.mu.Unlock()
	return nil
}

// target walks one target through its Source under the scan's Limiter.
// A folder whose listing fails is recorded (that folder only is not
// covered) and the walk goes on with the other folders and targets,
// unless the store stopped answering altogether (ErrStoreUnreachable).
func (l *lister) target(ctx context.Context, t Target) error {
	cfg, sum := l.cfg, l.sum
	src := l.lim.Wrap(t.Source)
	wk := &sources.Walker{
		Source:        src,
		Window:        cfg.Window,
		Accounts:      cfg.Accounts,
		Regions:       cfg.Regions,
		Subscriptions: cfg.Subscriptions,
		Parallel:      cfg.Connections,
		Warn:          cfg.Warn,
		Now:           cfg.Now,
		Failed: func(prefix string, err error) error {
			uri := t.Source.URI(prefix)
			sum.listError(uri, err)
			if cfg.Warn != nil {
				cfg.Warn(fmt.Sprintf("listing %s failed, its objects are not covered: %v", uri, err))
			}
			return l.reach.failed(err)
		},
		Outside: func(o sources.Object, log bool) { sum.outside(t.Source.URI(o.Key), log) },
	}
	err := wk.Walk(ctx, t.Prefix, func(f sources.Found) error { return l.found(ctx, t.Source, src, f) })
	sum.mu.Lock()
	sum.ListRequests += wk.Stats.ListRequests.Load()
	sum.PrefixesListed += wk.Stats.Prefixes.Load()
	sum.ObjectsListed += wk.Stats.Listed.Load()
	sum.ObjectsPruned += wk.Stats.Pruned.Load()
	sum.ObjectsFiltered += wk.Stats.Filtered.Load()
	sum.ObjectsSibling += wk.Stats.Siblings.Load()
	sum.FoldersSibling += wk.Stats.SiblingDirs.Load()
	sum.ObjectsIgnored += wk.Stats.Ignored.Load()
	sum.Unpruned = sum.Unpruned || wk.Stats.Fallback.Load()
	sum.mu.Unlock()
	sum.outsideCounts(wk.Stats.Outside.Load(), wk.Stats.OutsideLogs.Load())
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, ErrStoreUnreachable) {
			return err
		}
		sum.listError(t.Source.URI(t.Prefix), err)
		if cfg.Warn != nil {
			cfg.Warn(fmt.Sprintf("listing %s failed, its objects are not covered: %v", t.Source.URI(t.Prefix), err))
		}
	}
	return nil
}

// found settles one listed object: not selected, archived or empty
// (counted here), or queued for download from src, the target's Source
// under the Limiter. Config.Select sees the target's own Source.
func (l *lister) found(ctx context.Context, own, src sources.Source, f sources.Found) error {
	sum := l.sum
	var (
		from    int64
		covered []Span
	)
	if l.cfg.Select != nil {
		sel := l.cfg.Select(own, f.Object)
		if !sel.Scan {
			sum.notSelected(sel.Why)
			return nil
		}
		from, covered = sel.FromRecord, sel.Covered
	}
	uri := own.URI(f.Key)
	if f.Archived {
		sum.archived(uri)
		return l.result(ctx, ObjectResult{URI: uri, Object: f.Object, Status: ObjectSkipped, Reason: "archive tier"})
	}
	if f.Size == 0 {
		sum.mu.Lock()
		sum.ObjectsEmpty++
		sum.mu.Unlock()
		return l.result(ctx, ObjectResult{URI: uri, Object: f.Object, Status: ObjectScanned})
	}
	sum.mu.Lock()
	sum.queued++
	sum.mu.Unlock()
	select {
	case l.out <- job{src: src, obj: f.Object, uri: uri, info: f.Info, from: from, covered: covered}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// result hands an object the lister settled to the writer, when anyone
// (Config.Done) wants per-object results.
func (l *lister) result(ctx context.Context, r ObjectResult) error {
	if l.cfg.Done == nil {
		return nil
	}
	select {
	case l.results <- r:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
