package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/output/text"
	"github.com/retrohunt/retrohunt/scan"
	"github.com/retrohunt/retrohunt/scan/decode"
	"github.com/retrohunt/retrohunt/scan/lint"
	"github.com/retrohunt/retrohunt/scan/rules"
	scanwindow "github.com/retrohunt/retrohunt/scan/window"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/open"
	"github.com/retrohunt/retrohunt/sweep"
	"github.com/retrohunt/retrohunt/sweep/state"
)

const scanUsage = `Usage: retrohunt scan [flags] ARCHIVE...

ARCHIVE is a local directory or file (or file://...), s3://bucket/prefix,
azblob://account/container/prefix or
https://account.blob.core.windows.net/container/prefix. Hits go to --out
(default: a table on stdout); logs and the summary go to stderr.

Examples:
  retrohunt scan s3://org-trail/AWSLogs/ --since 90d --regions eu-west-1 --out hits.parquet
  retrohunt scan azblob://acct/insights-activity-logs --since 2024-03-01 --until 2024-03-08
  retrohunt scan ./archive --since 2024-01-01 --until 2024-01-31 --out hits.parquet
  retrohunt scan ./archive --rule my_rule.yaral --format jsonl
  retrohunt scan ./archive --rule direct_cloud_vm_connection_t1021_008 --since 90d

Flags:
`

type scanFlags struct {
	since, until string
	ruleFlags
	out, format   string
	summaryJSON   string
	accounts      string
	regions       string
	subscriptions string
	workers       int
	connections   int
	bufferMiB     int64
	margin        time.Duration
	maxObject     int64
	maxRecord     int
	maxDepth      int
	quiet         bool
	progress      string
	reference     bool
	src           sourceFlags
	state         string
	partitionBy   string
	shard         string
	plan          bool
	maxRequests   int64
	maxBytes      byteSize
	candidateDir  string
	candBudget    byteSize
	detectEvents  int

	checkpointObjects int
}

func (f *scanFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.since, "since", "", "scan events at or after this `time` (2024-01-31, 2024-01-31T12:00:00Z, or an age: 90d, 12h)")
	fs.StringVar(&f.until, "until", "", "scan events before this `time`; a bare date includes that whole day")
	fs.Var(&f.rules, "rule", "rule file (YARA-L .yaral or Sigma .yml/.yaml), directory of them, or built-in rule name; repeatable (default: the built-in T1021.008 pack)")
	f.registerLists(fs)
	f.registerSkip(fs)
	fs.StringVar(&f.out, "out", "", "write hits to this `file` (\"-\" or empty: stdout)")
	fs.StringVar(&f.format, "format", "", "hits format: parquet, jsonl or table (default: parquet for --out files, table on stdout)")
	fs.StringVar(&f.summaryJSON, "summary-json", "", "also write the coverage summary as JSON to this `file`")
	fs.StringVar(&f.accounts, "accounts", "", "only these AWS account ids (comma-separated)")
	fs.StringVar(&f.regions, "regions", "", "only these AWS regions (comma-separated)")
	fs.StringVar(&f.subscriptions, "subscriptions", "", "only these Azure subscription ids (comma-separated)")
	fs.IntVar(&f.workers, "workers", 0, "decode-and-match workers (default GOMAXPROCS)")
	fs.IntVar(&f.connections, "connections", 64, "list and download requests in flight")
	fs.Int64Var(&f.bufferMiB, "buffer-mib", 64, "compressed MiB held between download and decode")
	fs.DurationVar(&f.margin, "prune-margin", time.Hour, "widen the window by this much when pruning by key date (late delivery)")
	fs.Int64Var(&f.maxObject, "max-object-bytes", decode.DefaultLimits.MaxObjectBytes, "skip an object that decompresses past this many bytes")
	fs.IntVar(&f.maxRecord, "max-record-bytes", decode.DefaultLimits.MaxRecordBytes, "skip a record larger than this many bytes")
	fs.IntVar(&f.maxDepth, "max-depth", decode.DefaultLimits.MaxDepth, "skip a record nested deeper than this")
	fs.BoolVar(&f.quiet, "quiet", false, "print nothing on stderr but errors and warnings")
	fs.StringVar(&f.progress, "progress", progressAuto, "progress on stderr: auto (bars when stderr is a terminal), plain (a line every 5s, for CI logs) or none")
	fs.BoolVar(&f.reference, "reference", false, "validate, map and match every record (the reference path, for debugging) instead of prefiltering")
	f.src.register(fs)
	fs.StringVar(&f.state, "state", "", "incremental sweep state `file` (path, s3:// or azblob://): scan only new, changed and failed objects, and resume a killed run exactly (docs/sweeps.md)")
	fs.StringVar(&f.partitionBy, "partition-by", "", "with a lake --out (ending in /, or s3:// / azblob://): Hive partitions, comma-separated from date, rule, account")
	fs.StringVar(&f.shard, "shard", "", "scan shard `i/n` of the archive (0-based), or auto/n from JOB_COMPLETION_INDEX / AWS_BATCH_JOB_ARRAY_INDEX")
	fs.IntVar(&f.checkpointObjects, "checkpoint-objects", 2000, "with --state and a lake: objects per checkpoint (also every minute)")
	fs.BoolVar(&f.plan, "plan", false, "list and print what the scan would read (objects, bytes, requests, an estimate of their cost) without downloading anything")
	fs.Int64Var(&f.maxRequests, "max-requests", 0, "stop before downloading anything (exit 2) when the scan would make more than `N` list and get requests (0: no limit)")
	f.candBudget = scanwindow.DefaultBudget
	fs.StringVar(&f.candidateDir, "candidate-dir", "", "multi-event rules: spill candidates beyond --candidate-budget to this `directory` (default: a new directory in the system's temp directory, removed after the scan)")
	fs.Var(&f.candBudget, "candidate-budget", "multi-event rules: memory `SIZE` for candidates before they spill to --candidate-dir (64MiB, 1GB)")
	fs.IntVar(&f.detectEvents, "detection-events", scan.DefaultDetectionEvents, "multi-event rules: sample events listed per detection and event variable (event_count has the true count)")
	fs.Var(&f.maxBytes, "max-bytes", "stop before downloading anything (exit 2) when the scan would download more than `SIZE` compressed (500MB, 2GiB; 0: no limit)")
}

func cmdScan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f scanFlags
	fs, targets, err := parseCommand("scan", scanUsage, stderr, f.register, args)
	if err != nil {
		return err
	}
	if len(targets) == 0 {
		fs.Usage()
		return usagef("scan: no archive given")
	}
	now := time.Now().UTC()
	since, until, err := window(f.since, f.until, now)
	if err != nil {
		return usageError{err}
	}
	switch {
	case f.workers < 0, f.connections < 1, f.bufferMiB < 1, f.margin < 0, f.maxObject < 1, f.maxRecord < 1, f.maxDepth < 1:
		return usagef("scan: --workers must be >= 0; --connections, --buffer-mib, --max-* must be >= 1; --prune-margin >= 0")
	case f.maxRequests < 0:
		return usagef("scan: --max-requests must be >= 0")
	case f.candBudget < 1, f.detectEvents < 1:
		return usagef("scan: --candidate-budget and --detection-events must be >= 1")
	}
	format, toFile, err := outputFormat(f.format, f.out)
	if err != nil {
		return usageError{err}
	}
	if sweep.IsLake(f.out) && format != output.Parquet {
		return usagef("--out %s is a lake prefix: it takes Parquet part files, not --format %s", open.Redact(f.out), format)
	}
	if err := checkOutputs(&f, toFile); err != nil {
		return err
	}
	mode := f.progress
	if (mode == progressAuto || mode == "") && !toFile && drawable(stdout) {
		// Hits are going to the same terminal: bars would tear them.
		mode = progressNone
	}
	prog, err := newProgress(mode, f.quiet, stderr)
	if err != nil {
		return usageError{err}
	}
	defer prog.stop()

	loaded, skipped, err := loadRules(ctx, &f.ruleFlags, &f.src)
	if err != nil {
		return err
	}
	if loaded, skipped, err = refuseCarriedWindows(&f, loaded, skipped); err != nil {
		return err
	}
	warn := warnTo(prog)
	for _, sk := range skipped {
		warn(fmt.Sprintf("rule %s (%s) skipped (--skip-unsupported): %s", sk.Rule, sk.Origin, strings.Join(sk.Reasons, "; ")))
	}
	if len(loaded) == 0 {
		return usageError{errNoRules}
	}
	var (
		compiled []*scan.Rule
		multi    []*scan.MultiRule
	)
	for _, l := range loaded {
		if l.Sigma != nil && l.Sigma.Correlation != nil {
			mr, err := scan.NewSigmaCorrelation(l.Sigma, l.Origin)
			if err != nil {
				return fmt.Errorf("BUG: rule %s loaded but does not compile: %w", l.Sigma.Title, err)
			}
			multi = append(multi, mr)
			continue
		}
		if l.Sigma != nil {
			// A base rule only a correlation runs is linted all the same.
			if r := sigmaRule(l, warn); !l.BaseOnly {
				compiled = append(compiled, r)
			}
			continue
		}
		for _, fd := range ruleFindings(l) {
			if fd.Level == lint.Never {
				warn(fmt.Sprintf("rule %s: %s: %s", l.Rule.Name, fd.Pos, fd.Msg))
			}
		}
		if l.Multi != nil {
			mr, err := scan.NewMultiRule(l.Rule, l.Origin)
			if err != nil {
				return fmt.Errorf("BUG: rule %s loaded but does not compile: %w", l.Rule.Name, err)
			}
			multi = append(multi, mr)
			continue
		}
		compiled = append(compiled, scan.NewRule(l.Rule, l.Origin))
	}

	if !since.IsZero() && !until.IsZero() {
		// Issue 11: a window longer than the range can only be seen in
		// part: every detection it gives is flagged window_truncated.
		for _, m := range multi {
			if w, span := m.Window(), until.Sub(since); w > span {
				warn(fmt.Sprintf("rule %s: its match window (%s) is longer than the scanned range (%s): every detection is flagged window_truncated", m.Name, w, span))
			}
		}
	}
	var tgs []scan.Target
	for _, a := range targets {
		t, err := openTarget(ctx, a, &f.src, f.connections)
		if err != nil {
			return err
		}
		tgs = append(tgs, t)
	}

	sw, err := openSweep(ctx, &f, loaded, multi, scan.Span{Since: since, Until: until})
	if err != nil {
		return err
	}
	if sw != nil {
		defer sw.Abort()
	}

	cfg := scan.Config{
		Rules:         compiled,
		Window:        sources.Window{Since: since, Until: until, Margin: f.margin},
		Accounts:      splitList(f.accounts),
		Regions:       splitList(f.regions),
		Subscriptions: splitList(f.subscriptions),
		Workers:       f.workers,
		Connections:   f.connections,
		BufferBytes:   f.bufferMiB << 20,
		Attempts:      f.src.maxAttempts,
		Limits:        decode.Limits{MaxObjectBytes: f.maxObject, MaxRecordBytes: f.maxRecord, MaxDepth: f.maxDepth},
		Reference:     f.reference,
		Warn:          warn,
		Started:       prog.start,

		Multi:           multi,
		CandidateDir:    f.candidateDir,
		CandidateBudget: int64(f.candBudget),
		DetectionEvents: f.detectEvents,
	}
	if sw != nil {
		cfg.Select, cfg.Done, cfg.Carry = sw.Select, sw.Done, sw.Carry()
	}
	if f.plan || f.maxRequests > 0 || f.maxBytes > 0 {
		// List first, download nothing: print the plan, or check the
		// budgets (the scan then lists again).
		pl, err := makePlan(ctx, cfg, tgs)
		if err != nil {
			return err
		}
		if f.plan {
			prog.stop()
			for _, msg := range regionWarnings(tgs) {
				warn(msg)
			}
			pl.print(stdout)
		}
		if why := pl.overBudget(f.maxRequests, int64(f.maxBytes)); why != "" {
			fmt.Fprintf(stderr, "retrohunt: over budget, nothing was downloaded: the scan would make %s\n", why)
			return exitCode(exitUsage)
		}
		if f.plan {
			if len(pl.plan.Summary.ListErrors) > 0 {
				return exitCode(exitPartial)
			}
			return nil
		}
	}

	// Open the outputs only now (a usage error must not leave a file),
	// but before the scan: one that cannot be written fails here, not
	// after hours of scanning with the hits lost.
	var (
		dst     io.Writer = stdout
		file    *output.File
		sumFile *output.File
	)
	if sw != nil && sw.WritesLake() {
		toFile = false
	} else if toFile {
		file, err = createOutput("--out", f.out)
		if err != nil {
			return err
		}
		defer file.Abort()
		dst = file
	}
	if f.summaryJSON != "" {
		sumFile, err = createOutput("--summary-json", f.summaryJSON)
		if err != nil {
			return err
		}
		defer sumFile.Abort()
	}
	if len(multi) > 0 && f.candidateDir == "" {
		dir, err := os.MkdirTemp("", "retrohunt-candidates-")
		if err != nil {
			return fmt.Errorf("multi-event rules: candidate directory: %w", err)
		}
		defer os.RemoveAll(dir)
		cfg.CandidateDir = dir
	}
	var inner output.Writer
	if sw != nil && sw.WritesLake() {
		inner = sw
	} else {
		inner = output.New(format, dst)
	}
	w := newTally(inner)

	sum, runErr := scan.Run(ctx, cfg, tgs, w)
	prog.stop()
	// Close (and commit) even after an interrupt: the hits found so far
	// are real, and the file must be valid Parquet.
	if sw == nil || !sw.WritesLake() {
		if err := w.Close(); err != nil {
			return fmt.Errorf("write hits: %w", err)
		}
		if file != nil {
			if err := file.Commit(); err != nil {
				return err
			}
		}
	}
	if sw != nil && runErr == nil {
		// The windows this run completes (multi-event rules with
		// --state): their detections, committed with the coverage.
		// Listing errors and logs outside the layout leave unknown
		// objects unscanned; failed objects are the sweep's own count,
		// and skipped records are never evaluable. A run filtered by
		// --accounts, --regions or --subscriptions evaluated only some
		// objects of its times: it covers nothing (its candidates are
		// committed, and the next run without the filters covers them).
		filtered := f.accounts != "" || f.regions != "" || f.subscriptions != ""
		ds, err := sw.Detect(countingWriter{w, sum}, len(sum.ListErrors) > 0 || sum.LogsOutsideLayout > 0 || filtered)
		if err != nil {
			return fmt.Errorf("sweep: multi-event detections: %w", err)
		}
		if filtered && sw.Carry() && f.shard == "" && f.state != "" && !f.quiet {
			fmt.Fprintln(stderr, "retrohunt: multi-event rules: no detections written, since --accounts/--regions/--subscriptions leave other objects of these times unscanned; their candidates are kept, and the next run without those flags writes the detections")
		}
		switch {
		case !sw.Carry() || filtered:
		case ds.Partial:
			fmt.Fprintln(stderr, "retrohunt: warning: multi-event rules: this run's window is not added to the rules' coverage (listing errors, logs outside the layout, or an object without a date in its key not scanned): its windows are written by a later run that completes")
		case len(ds.Held) > 0:
			fmt.Fprintf(stderr, "retrohunt: warning: multi-event rules: event times %s not added to the rules' coverage: objects there failed or were skipped (their keys' times ± --prune-margin); their windows are written by a later run that reads them\n", spansText(ds.Held))
		}
		if ds.Open > 0 && !f.quiet {
			fmt.Fprintf(stderr, "retrohunt: %d windows still open, carried to the next run (their events are not all scanned yet)\n", ds.Open)
		}
	}
	if sw != nil {
		if err := sw.Finish(newSummaryDoc(sum, w, skipped)); err != nil {
			if state.IsConflict(err) {
				return err // it names both runs already
			}
			return fmt.Errorf("sweep: %w", err)
		}
	}
	if !f.quiet || runErr != nil || sum.Partial() {
		printSummary(stderr, sum, w, compiled, multi, f.out, runErr)
		printSkipped(stderr, skipped)
	}
	if msg := nothingScanned(sum, runErr); msg != "" {
		fmt.Fprintf(stderr, "retrohunt: warning: %s\n", msg)
	}
	if sumFile != nil {
		if err := writeSummaryJSON(sumFile, f.summaryJSON, newSummaryDoc(sum, w, skipped)); err != nil {
			return err
		}
	}
	switch {
	case runErr != nil:
		return runErr
	case sum.Partial():
		return exitCode(exitPartial)
	}
	return nil
}

// refuseCarriedWindows refuses multi-event rules with --state or
// --shard but no lake --out: their candidates are carried across runs
// and shards in the lake's candidates table (docs/sweeps.md), so
// without a lake a window straddling two runs or two shards would be
// missed or cut. With --skip-unsupported they are skipped by name
// instead.
func refuseCarriedWindows(f *scanFlags, loaded []rules.Loaded, skipped []rules.Skipped) ([]rules.Loaded, []rules.Skipped, error) {
	var flag, why string
	switch {
	case sweep.IsLake(f.out):
		return loaded, skipped, nil
	case f.state != "":
		flag, why = "--state", "open windows are carried across sweep runs in a lake's candidates table, and --out is not a lake"
	case f.shard != "":
		flag, why = "--shard", "shards carry their candidates to `retrohunt correlate` in a lake's candidates table, and --out is not a lake"
	default:
		return loaded, skipped, nil
	}
	var keep []rules.Loaded
	var names []string
	for _, l := range loaded {
		if l.Multi == nil && (l.Sigma == nil || l.Sigma.Correlation == nil) {
			keep = append(keep, l)
			continue
		}
		if !f.skipUnsupported {
			names = append(names, l.Name()+" ("+l.Position()+")")
			continue
		}
		kind := "multi-event rule (match:)"
		if l.Multi == nil {
			kind = "Sigma correlation rule"
		}
		skipped = append(skipped, rules.Skipped{Rule: l.Name(), Origin: l.Origin,
			Reasons: []string{fmt.Sprintf("%s: %s not run with %s: %s", l.Position(), kind, flag, why)}})
	}
	if len(names) > 0 {
		return nil, nil, usagef("multi-event rule(s) %s cannot run with %s: %s (docs/sweeps.md); give a lake --out ending in \"/\" (or s3://, azblob://), or pass --skip-unsupported to skip them",
			strings.Join(names, ", "), flag, why)
	}
	// No correlation is left to filter for: their base rules report
	// their own hits.
	for i := range keep {
		keep[i].BaseOnly = false
	}
	return keep, skipped, nil
}

func outputFormat(format, out string) (output.Format, bool, error) {
	toFile := out != "" && out != "-"
	if format == "" {
		switch {
		case strings.HasSuffix(out, ".jsonl"), strings.HasSuffix(out, ".ndjson"):
			format = "jsonl"
		case toFile:
			format = "parquet"
		default:
			format = "table"
		}
	}
	f, err := output.ParseFormat(format)
	if err != nil {
		return "", false, fmt.Errorf("--format: %w", err)
	}
	if f == output.Parquet && !toFile && isTerminal(os.Stdout) {
		return "", false, errors.New("--format parquet to a terminal: give --out FILE, or redirect stdout")
	}
	return f, toFile, nil
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func writeSummaryJSON(file *output.File, path string, doc summaryDoc) error {
	enc := json.NewEncoder(file)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return file.Commit()
}

// warnTo returns the scan's Config.Warn, printing on w. A warning names
// URIs, whose keys are the attacker's as much as the records are: it is
// escaped (text.Escape) to one line of text a terminal only prints.
func warnTo(w io.Writer) func(string) {
	return func(msg string) { fmt.Fprintf(w, "retrohunt: warning: %s\n", text.Escape(msg)) }
}

// createOutput opens the output named by flag; a directory is a usage
// error.
func createOutput(flag, path string) (*output.File, error) {
	file, err := output.Create(path)
	if errors.Is(err, output.ErrIsDir) {
		return nil, usagef("%s %s is a directory: give a file name (a lake takes a trailing \"/\" in --out)", flag, path)
	}
	return file, err
}

// checkOutputs refuses the flag combinations that used to lose hits
// silently (issue 15 item 13), before anything is opened.
func checkOutputs(f *scanFlags, toFile bool) error {
	lake := sweep.IsLake(f.out)
	if f.partitionBy != "" && !lake {
		return usagef("--partition-by needs a lake --out (a directory ending in \"/\", s3:// or azblob://): a single file has no partitions")
	}
	if f.state != "" && toFile && !lake {
		return usagef("--state with a single --out file would replace the last run's hits with only this run's new ones: give a lake --out ending in \"/\" (each run adds part files), or leave out --out and append stdout (--format jsonl >> hits.jsonl)")
	}
	if f.summaryJSON != "" && toFile && !lake && sameRegularFile(f.out, f.summaryJSON) {
		return usagef("--summary-json %s is the --out file: the summary would overwrite the hits; give another file", f.summaryJSON)
	}
	return nil
}

// sameRegularFile reports whether a and b name the same file that is, or
// would be created as, a regular file. Two names of one FIFO or device
// (--out /dev/null --summary-json /dev/null) are not refused.
func sameRegularFile(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(sa, sb) && sa.Mode().IsRegular()
	}
	aa, err1 := filepath.Abs(a)
	ab, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == ab
}

// nothingScanned returns a warning when a scan that ran to its end
// looked at no object at all: a mistyped prefix, filters or a window
// that match nothing, an empty directory. The exit code stays 0 (README,
// "Exit codes"); an object passed over by a sweep's state or shard is
// not nothing.
func nothingScanned(s *scan.Summary, runErr error) string {
	if runErr != nil || s.ObjectsScanned+s.ObjectsFailed+s.ObjectsArchived+s.ObjectsEmpty > 0 || len(s.NotSelected) > 0 || len(s.ListErrors) > 0 {
		return ""
	}
	targets := text.Escape(strings.Join(s.Targets, " "))
	if s.ObjectsListed == 0 {
		return fmt.Sprintf("nothing was scanned: no object found under %s; check the path or prefix and --accounts, --regions, --subscriptions", targets)
	}
	return fmt.Sprintf("nothing was scanned: %d object(s) under %s, none inside the window and filters (%d outside the window by their key's date, %d filtered by --accounts/--regions/--subscriptions, %d without events); check --since, --until and the filters",
		s.ObjectsListed, targets, s.ObjectsPruned, s.ObjectsFiltered, s.ObjectsSibling+s.ObjectsIgnored)
}

// spansText prints event-time spans as [since, until) in RFC 3339.
func spansText(ss []scan.Span) string {
	var parts []string
	for _, sp := range ss {
		f := func(t time.Time, open string) string {
			if t.IsZero() {
				return open
			}
			return t.UTC().Format(time.RFC3339)
		}
		parts = append(parts, "["+f(sp.Since, "-inf")+", "+f(sp.Until, "+inf")+")")
	}
	return strings.Join(parts, " ")
}
