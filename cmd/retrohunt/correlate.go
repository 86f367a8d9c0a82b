package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/retrohunt/retrohunt/scan"
	scanwindow "github.com/retrohunt/retrohunt/scan/window"
	"github.com/retrohunt/retrohunt/sources/open"
	"github.com/retrohunt/retrohunt/sweep"
)

const correlateUsage = `Usage: retrohunt correlate LAKE [--rule RULES] [flags]

Writes the detections of multi-event rules (YARA-L match: sections,
Sigma correlations) for a sharded sweep. Shards ('scan --shard i/n' into
the lake LAKE) cannot see each other's events, so each writes only its
candidates under LAKE/candidates/; correlate reads them and writes the
detections into LAKE like a sweep's hits. It refuses to run (exit 2,
naming the shard) unless the candidates manifests show every shard
having completed the range (--since/--until, else what they all
completed). With --state, each window is written once across correlate
runs: a window is written by the first run after which it is complete.
Give the rules the shards ran (rule versions must match; default, as
for scan, the built-in pack).

Examples:
  retrohunt correlate s3://secops-lake/findings/ --rule rules/ \
    --state s3://secops-state/retrohunt/correlate.state
  retrohunt correlate lake/ --rule brute.yaral --since 2024-03-01 --until 2024-03-31

Flags:
`

type correlateFlags struct {
	ruleFlags
	state        string
	since, until string
	quiet        bool
	candidateDir string
	candBudget   byteSize
	detectEvents int
	src          sourceFlags
}

func (f *correlateFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.rules, "rule", "rule file (YARA-L .yaral or Sigma .yml/.yaml) or directory of them, as the shards ran; repeatable (default: the built-in pack)")
	fs.Var(&f.rules, "rules", "same as --rule")
	f.registerLists(fs)
	fs.StringVar(&f.state, "state", "", "correlate state `file` (path, s3:// or azblob://): each window is written once across runs")
	fs.StringVar(&f.since, "since", "", "only windows at or after this `time`; every shard must have completed it")
	fs.StringVar(&f.until, "until", "", "only windows before this `time`; a bare date includes that whole day")
	fs.BoolVar(&f.quiet, "quiet", false, "print nothing but errors")
	f.candBudget = scanwindow.DefaultBudget
	fs.StringVar(&f.candidateDir, "candidate-dir", "", "spill candidates beyond --candidate-budget to this `directory` (default: the system's temp directory)")
	fs.Var(&f.candBudget, "candidate-budget", "memory `SIZE` for candidates before they spill (64MiB, 1GB)")
	fs.IntVar(&f.detectEvents, "detection-events", scan.DefaultDetectionEvents, "sample events listed per detection and event variable")
	f.src.register(fs)
}

func cmdCorrelate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f correlateFlags
	fs, pos, err := parseCommand("correlate", correlateUsage, stderr, f.register, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || !sweep.IsLake(pos[0]) {
		fs.Usage()
		return usagef("correlate: give one lake prefix (ending in \"/\", or s3://, azblob://)")
	}
	if f.candBudget < 1 || f.detectEvents < 1 {
		return usagef("correlate: --candidate-budget and --detection-events must be >= 1")
	}
	var rng scan.Span
	if f.since != "" || f.until != "" {
		if rng.Since, rng.Until, err = window(f.since, f.until, time.Now().UTC()); err != nil {
			return usageError{err}
		}
	}
	loaded, _, err := loadRules(ctx, &f.ruleFlags, &f.src)
	if err != nil {
		return err
	}
	var multi []*scan.MultiRule
	for _, l := range loaded {
		switch {
		case l.Sigma != nil && l.Sigma.Correlation != nil:
			mr, err := scan.NewSigmaCorrelation(l.Sigma, l.Origin)
			if err != nil {
				return fmt.Errorf("BUG: rule %s loaded but does not compile: %w", l.Sigma.Title, err)
			}
			multi = append(multi, mr)
		case l.Multi != nil:
			mr, err := scan.NewMultiRule(l.Rule, l.Origin)
			if err != nil {
				return fmt.Errorf("BUG: rule %s loaded but does not compile: %w", l.Rule.Name, err)
			}
			multi = append(multi, mr)
		}
	}
	if len(multi) == 0 {
		return usagef("correlate: none of the rules is a multi-event rule (match:) or a Sigma correlation")
	}
	opts := open.Options{Endpoint: f.src.endpoint, PathStyle: f.src.pathStyle, Region: f.src.region, Profile: f.src.profile, SAS: f.src.sas, MaxAttempts: f.src.maxAttempts}
	stores, err := sweep.OpenStores(ctx, f.state, pos[0], opts)
	if err != nil {
		return err
	}
	ds, err := sweep.RunCorrelate(ctx, stores, sweep.CorrelateRun{Multi: multi, Range: rng, CorrelateOptions: sweep.CorrelateOptions{
		DetectionEvents: f.detectEvents, CandidateDir: f.candidateDir, CandidateBudget: int64(f.candBudget)}},
		func(ds sweep.DetectStats) any {
			return map[string]int64{"detections": ds.Detections, "windows_open": ds.Open, "candidates": ds.Candidates}
		})
	if errors.Is(err, sweep.ErrShardsIncomplete) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	if !f.quiet {
		fmt.Fprintf(stderr, "retrohunt correlate: %d detections written from %d candidates; %d windows still open, carried (their events are not all complete in every shard)\n",
			ds.Detections, ds.Candidates, ds.Open)
	}
	return nil
}
