package scan

import (
	"context"

	"golang.org/x/sync/errgroup"

	"github.com/retrohunt/retrohunt/sources"
)

// Plan is what a scan would read, found by listing alone: the same
// walker, pruning, filters and Config.Select as Run, without a download.
type Plan struct {
	// Summary holds the listing's counts: list requests, objects listed,
	// pruned, filtered, archived (ObjectsArchived: an offline tier, not
	// downloaded), empty, passed over by Select, and listing failures.
	Summary *Summary
	// Objects is how many objects the scan would download, and Bytes
	// their compressed size as listed.
	Objects, Bytes int64
}

// GetRequests is how many downloads the scan would start: one per
// object. A body that breaks off is downloaded again (Config.Attempts),
// which a plan cannot foresee.
func (p *Plan) GetRequests() int64 { return p.Objects }

// List lists every target as Run would and returns what the scan would
// read. cfg.Done is not called. It returns an error only for
// cancellation or a store that stopped answering; listing failures are
// in the Summary.
func List(ctx context.Context, cfg Config, targets []Target) (*Plan, error) {
	cfg = cfg.withDefaults()
	cfg.Connections = fitConnections(cfg.Connections, nil)
	cfg.Done = nil
	sum := &Summary{Started: cfg.Now()}
	for _, t := range targets {
		sum.Targets = append(sum.Targets, t.Source.URI(t.Prefix))
	}
	p := &Plan{Summary: sum}
	g, gctx := errgroup.WithContext(ctx)
	listed := make(chan job)
	ls := &lister{cfg: cfg, lim: sources.NewLimiter(cfg.Connections), sum: sum, out: listed, reach: &reachability{}}
	g.Go(func() error { return ls.run(gctx, targets) })
	g.Go(func() error {
		for j := range listed {
			p.Objects++
			p.Bytes += j.obj.Size
		}
		return nil
	})
	err := g.Wait()
	sum.Duration = cfg.Now().Sub(sum.Started)
	return p, err
}
