package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/output/text"
	"github.com/retrohunt/retrohunt/report"
)

const reportUsage = `Usage: retrohunt report [flags] HITS...

Reads hit files written by 'retrohunt scan --out x.parquet' and prints
tables grouped by rule, principal, account/subscription and day (UTC).
HITS is a local .parquet file or a directory of them, or a prefix in
object storage (s3://bucket/prefix, azblob://account/container/prefix,
https://account.blob.core.windows.net/container/prefix): every *.parquet
object under it is read. A lake written by 'scan --out PREFIX/' (or one of
its partition folders) is read through its run manifests: only the part
files of finished runs count. A hit found in several files (same rule,
source object and record) is counted once.

--html writes one self-contained page (no scripts, no external assets:
it opens offline and can be attached to a ticket) with timelines of hits
per day per rule and per principal, the tables, and the hits themselves.

Examples:
  retrohunt report hits.parquet
  retrohunt report hits-aws.parquet hits-azure.parquet --html report.html
  retrohunt report s3://lake/findings/2024-03/ --region eu-west-1 --top 50

Flags:
`

type reportFlags struct {
	html     string
	top      int
	maxTable int
	src      sourceFlags
}

func (f *reportFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.html, "html", "", "also write a self-contained HTML report to this `file`")
	fs.IntVar(&f.top, "top", 20, "rows shown in the principal and account tables (0: all)")
	fs.IntVar(&f.maxTable, "html-max-hits", 5000, "hits listed in the HTML page's hit table (0: all); the charts and tables always count every hit")
	f.src.register(fs)
}

func cmdReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f reportFlags
	fs, inputs, err := parseCommand("report", reportUsage, stderr, f.register, args)
	if err != nil {
		return err
	}
	if len(inputs) == 0 {
		fs.Usage()
		return usagef("report: no hit file given")
	}
	if f.top < 0 || f.maxTable < 0 {
		return usagef("report: --top and --html-max-hits must be >= 0")
	}
	set := report.NewSet()
	for _, in := range inputs {
		if err := loadHits(ctx, set, in, &f.src); err != nil {
			var ie report.InputError
			if errors.As(err, &ie) {
				return usageError{fmt.Errorf("report: %w", err)}
			}
			return err
		}
	}
	rep := set.Report()
	if err := report.WriteText(stdout, rep, f.top); err != nil {
		return err
	}
	if f.html != "" {
		file, err := output.Create(f.html)
		if err != nil {
			return err
		}
		defer file.Abort()
		if err := report.WriteHTML(file, rep, f.maxTable); err != nil {
			return fmt.Errorf("write %s: %w", f.html, err)
		}
		if err := file.Commit(); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "retrohunt: report written to %s\n", text.Escape(f.html))
	}
	return nil
}

// loadHits reads one HITS argument into set: a local file or directory
// (a path or a file:// URI), or a prefix in object storage.
func loadHits(ctx context.Context, set *report.Set, arg string, sf *sourceFlags) error {
	scheme, _, hasScheme := strings.Cut(arg, "://")
	if !hasScheme || strings.EqualFold(scheme, "file") {
		path := arg
		if hasScheme {
			u, err := url.Parse(arg)
			if err != nil {
				return usagef("report: cannot parse %s: %v", arg, err)
			}
			path = u.Path
		}
		return set.ReadLocal(ctx, path)
	}
	t, err := openTarget(ctx, arg, sf, 8)
	if err != nil {
		return err
	}
	return set.ReadPrefix(ctx, t.Source, t.Prefix)
}
