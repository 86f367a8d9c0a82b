package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/retrohunt/retrohunt/output/text"
	"github.com/retrohunt/retrohunt/scan"
	"github.com/retrohunt/retrohunt/sources"
)

// Request prices assumed by the plan's cost estimate, in US dollars per
// request: public list prices (docs/sources.md, "Planning a scan"). They
// are estimates: a negotiated rate, another region or tier, free tier
// allowances and data transfer are not counted.
const (
	s3ListPrice    = 0.005 / 1000  // S3 Standard, us-east-1: PUT, COPY, POST, LIST per 1,000
	s3GetPrice     = 0.0004 / 1000 // S3 Standard, us-east-1: GET, SELECT and all other per 1,000
	azureListPrice = 0.05 / 10000  // Blob Storage hot tier, LRS: List and Create Container operations per 10,000
	azureReadPrice = 0.004 / 10000 // Blob Storage hot tier, LRS: read operations per 10,000
)

// planned is what --plan prints and the budgets are checked against.
type planned struct {
	plan  *scan.Plan
	lists int64 // LIST requests the listing made (pages where the store counts them)
	gets  int64 // GET requests the scan would make
	cost  float64
	costs []string // the price assumptions used, one per kind of store
}

// requestStats sums the request counters of the targets' stores that
// keep them (S3 and Azure); ok is false when none does.
func requestStats(tgs []scan.Target) (st sources.RequestStats, ok bool) {
	for _, t := range tgs {
		if s, is := t.Source.(interface{ Stats() sources.RequestStats }); is {
			r := s.Stats()
			st.ListRequests += r.ListRequests
			st.ListDirsRequests += r.ListDirsRequests
			st.GetRequests += r.GetRequests
			ok = true
		}
	}
	return st, ok
}

// makePlan lists the targets as the scan would (scan.List) and prices
// the requests.
func makePlan(ctx context.Context, cfg scan.Config, tgs []scan.Target) (*planned, error) {
	before, counted := requestStats(tgs)
	p, err := scan.List(ctx, cfg, tgs)
	if err != nil {
		return nil, err
	}
	pl := &planned{plan: p, lists: p.Summary.ListRequests, gets: p.GetRequests()}
	if after, _ := requestStats(tgs); counted {
		// The stores count pages: a folder of more than 1,000 keys (S3)
		// or 5,000 (Azure) takes one request per page.
		pl.lists = after.ListRequests + after.ListDirsRequests - before.ListRequests - before.ListDirsRequests
	}
	var s3, az bool
	for _, t := range tgs {
		switch uri := t.Source.URI(""); {
		case strings.HasPrefix(uri, "s3://"):
			s3 = true
		case strings.HasPrefix(uri, "azblob://"):
			az = true
		}
	}
	switch {
	case s3 && !az:
		pl.cost = float64(pl.lists)*s3ListPrice + float64(pl.gets)*s3GetPrice
		pl.costs = append(pl.costs, "S3 Standard in us-east-1: LIST $0.005, GET $0.0004 per 1,000")
	case az && !s3:
		pl.cost = float64(pl.lists)*azureListPrice + float64(pl.gets)*azureReadPrice
		pl.costs = append(pl.costs, "Blob Storage hot tier, LRS: list $0.05, read $0.004 per 10,000")
	case az && s3:
		// Requests are not split by store: price all at the dearer rates.
		pl.cost = float64(pl.lists)*max(s3ListPrice, azureListPrice) + float64(pl.gets)*max(s3GetPrice, azureReadPrice)
		pl.costs = append(pl.costs, "S3 and Azure targets: each request at the dearer of the two list prices")
	}
	return pl, nil
}

// print writes the plan for a human.
func (pl *planned) print(w io.Writer) {
	s := pl.plan.Summary
	fmt.Fprintf(w, "plan for %s (nothing downloaded)\n", text.Escape(strings.Join(s.Targets, " ")))
	fmt.Fprintf(w, "  objects          %s to download, %s compressed (%s bytes)\n", text.Count(pl.plan.Objects), text.MB(pl.plan.Bytes), text.Count(pl.plan.Bytes))
	fmt.Fprintf(w, "  list requests    %s made\n", text.Count(pl.lists))
	fmt.Fprintf(w, "  get requests     %s to make\n", text.Count(pl.gets))
	fmt.Fprintf(w, "  archive tier     %s objects (not downloaded: restore them first)\n", text.Count(s.ObjectsArchived))
	fmt.Fprintf(w, "  listed           %s objects: %s outside the window, %s filtered, %s without events, %s empty\n",
		text.Count(s.ObjectsListed), text.Count(s.ObjectsPruned), text.Count(s.ObjectsFiltered), text.Count(s.ObjectsSibling+s.ObjectsIgnored), text.Count(s.ObjectsEmpty))
	if s.FilesOutsideLayout > 0 {
		fmt.Fprintf(w, "  outside layout   %s files not scanned (%s named like logs: name them as archive arguments)\n", text.Count(s.FilesOutsideLayout), text.Count(s.LogsOutsideLayout))
	}
	for why, n := range s.NotSelected {
		fmt.Fprintf(w, "  passed over      %s objects: %s\n", text.Count(n), text.Escape(why))
	}
	if len(pl.costs) > 0 {
		cost := fmt.Sprintf("%.6f", pl.cost) // requests cost fractions of a cent
		if pl.cost >= 1 {
			cost = fmt.Sprintf("%.2f", pl.cost)
		}
		fmt.Fprintf(w, "  request cost     about $%s (estimate at public list prices: %s; data transfer not included)\n", cost, strings.Join(pl.costs, "; "))
	}
	for _, e := range s.ListErrors {
		fmt.Fprintf(w, "  listing failed   %s: %s\n", text.Escape(e.URI), text.Escape(e.Reason))
	}
}

// regionWarnings names each S3 target whose bucket is in another region
// than this machine's (AWS_REGION, else AWS_DEFAULT_REGION), when both
// are known: its downloads leave the region, and data transfer out is
// billed per GB.
func regionWarnings(tgs []scan.Target) []string {
	here := os.Getenv("AWS_REGION")
	if here == "" {
		here = os.Getenv("AWS_DEFAULT_REGION")
	}
	if here == "" {
		return nil
	}
	var out []string
	for _, t := range tgs {
		r, ok := t.Source.(interface{ Region() string })
		if !ok || r.Region() == "" || strings.EqualFold(r.Region(), here) {
			continue
		}
		out = append(out, fmt.Sprintf("%s is in region %s, this machine's AWS_REGION is %s: downloads cross regions and data transfer is billed per GB", t.Source.URI(t.Prefix), r.Region(), here))
	}
	return out
}

// overBudget returns why the plan exceeds --max-requests or --max-bytes,
// or "".
func (pl *planned) overBudget(maxRequests, maxBytes int64) string {
	var why []string
	if total := pl.lists + pl.gets; maxRequests > 0 && total > maxRequests {
		why = append(why, fmt.Sprintf("%s requests (%s list, %s get), more than --max-requests %s",
			text.Count(total), text.Count(pl.lists), text.Count(pl.gets), text.Count(maxRequests)))
	}
	if maxBytes > 0 && pl.plan.Bytes > maxBytes {
		why = append(why, fmt.Sprintf("%s compressed bytes in %s objects, more than --max-bytes %s",
			text.Count(pl.plan.Bytes), text.Count(pl.plan.Objects), text.Count(maxBytes)))
	}
	return strings.Join(why, "; ")
}

// byteSize is a flag.Value for a size: bytes, or a number with a unit
// (KB, MB, GB, TB: powers of 1000; KiB, MiB, GiB, TiB: powers of 1024).
type byteSize int64

func (b *byteSize) String() string { return strconv.FormatInt(int64(*b), 10) }

func (b *byteSize) Set(s string) error {
	units := []struct {
		suffix string
		mul    int64
	}{
		{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1},
	}
	num, mul := strings.TrimSpace(s), int64(1)
	for _, u := range units {
		if v, ok := strings.CutSuffix(num, u.suffix); ok {
			num, mul = strings.TrimSpace(v), u.mul
			break
		}
	}
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || n < 0 || n*float64(mul) > 1<<62 {
		return fmt.Errorf("want a size such as 500MB, 2GiB or 1000000, not %q", s)
	}
	*b = byteSize(n * float64(mul))
	return nil
}
