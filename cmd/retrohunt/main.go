// Command retrohunt scans cloud audit-log archives (CloudTrail in S3,
// Azure Activity Logs in Blob Storage, or local copies) with YARA-L 2.0
// rules and writes the hits to Parquet.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/retrohunt/retrohunt/output/text"
	"github.com/retrohunt/retrohunt/scan/reflist"
	"github.com/retrohunt/retrohunt/scan/rules"
	"github.com/retrohunt/retrohunt/sources/open"
)

// Exit codes are part of the API (README "Exit codes").
const (
	exitOK          = 0
	exitError       = 1
	exitUsage       = 2
	exitPartial     = 3
	exitInterrupted = 130
)

// Errors are printed escaped (text.Escape): they name object keys and
// paths, which can hold terminal controls.

// usageError marks errors that exit 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// exitCode is an error that ends the command with that exit code and
// prints nothing: its command has already said why (scan returns
// exitCode(exitPartial) after printing a summary that says "PARTIAL").
// run checks it before every other kind of error.
type exitCode int

func (c exitCode) Error() string { return fmt.Sprintf("exit %d", int(c)) }

const topUsage = `retrohunt: hunt cloud audit-log archives with YARA-L 2.0 and Sigma rules

Usage:
  retrohunt scan [flags] ARCHIVE...        scan archives, write hits
  retrohunt explain --rule R RECORD        why a record does or does not match a rule
  retrohunt report [flags] HITS...         tables and an HTML page from hit files
  retrohunt correlate LAKE --rule R        detections of a sharded sweep's multi-event rules
  retrohunt rules list|show|lint           list, show or lint rules
  retrohunt completion bash|zsh|fish       print a shell completion script
  retrohunt version                        print the version
  retrohunt help COMMAND                   help for a command (or: COMMAND -h)

Examples:
  retrohunt scan ./archive --since 2024-01-01 --until 2024-01-31 --out hits.parquet
  retrohunt explain --rule aws_ssm_session_manager record.json
  retrohunt report hits.parquet --html report.html
  retrohunt rules lint my_rule.yaral
  source <(retrohunt completion bash)

Exit codes: 0 complete, 1 error, 2 usage error, 3 partial coverage, 130 interrupted.
`

const rulesUsage = `Usage:
  retrohunt rules list                   list the built-in rules
  retrohunt rules show NAME              print a built-in rule's source
  retrohunt rules lint RULE...           check rules (files, directories or built-in
                                         names) against the UDM mapping; exit 1 on
                                         warnings or never-true comparisons

Examples:
  retrohunt rules list
  retrohunt rules show direct_cloud_vm_connection_t1021_008 > seed.yaral
  retrohunt rules lint seed.yaral ./my-rules/
`

const versionUsage = `Usage: retrohunt version

Prints the version of this binary.

Example:
  retrohunt version
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signalContext(stderr)
	defer stop()
	err := dispatch(ctx, args, stdout, stderr)
	var code exitCode
	var uerr usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &code):
		return int(code)
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &uerr):
		printError(stderr, err)
		return exitUsage
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "retrohunt: interrupted")
		return exitInterrupted
	}
	fmt.Fprintf(stderr, "retrohunt: %s\n", text.Escape(open.Redact(err.Error())))
	return exitError
}

// printError prints a usage error; one that is a list of errors (every
// bad rule file, every bad reference list line) gets a line per error,
// each escaped (text.Escape) on its own.
func printError(w io.Writer, err error) {
	var (
		le   *rules.LoadError
		lerr *listsError
		errs []error
	)
	switch {
	case errors.As(err, &le):
		errs = le.Errs
	case errors.As(err, &lerr):
		for _, e := range lerr.errs {
			var rl reflist.ErrorList
			if errors.As(e, &rl) {
				for _, x := range rl {
					errs = append(errs, x)
				}
				continue
			}
			errs = append(errs, e)
		}
	}
	if len(errs) <= 1 {
		fmt.Fprintf(w, "retrohunt: %s\n", text.Escape(open.Redact(err.Error())))
		return
	}
	fmt.Fprintf(w, "retrohunt: %d errors:\n", len(errs))
	for _, e := range errs {
		fmt.Fprintf(w, "  %s\n", text.Escape(open.Redact(e.Error())))
	}
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, topUsage)
		return usagef("no command given")
	}
	switch args[0] {
	case "scan":
		return cmdScan(ctx, args[1:], stdout, stderr)
	case "rules":
		switch {
		case len(args) > 1 && isHelp(args[1]):
			fmt.Fprint(stdout, rulesUsage)
			return nil
		case len(args) == 1:
			fmt.Fprint(stderr, rulesUsage)
		}
		return cmdRules(ctx, args[1:], stdout, stderr)
	case "explain":
		return cmdExplain(ctx, args[1:], stdout, stderr)
	case "report":
		return cmdReport(ctx, args[1:], stdout, stderr)
	case "correlate":
		return cmdCorrelate(ctx, args[1:], stdout, stderr)
	case "completion":
		return cmdCompletion(args[1:], stdout, stderr)
	case "version":
		if len(args) > 1 && isHelp(args[1]) {
			fmt.Fprint(stdout, versionUsage)
			return nil
		}
		fmt.Fprintln(stdout, "retrohunt", version)
		return nil
	case "help", "-h", "--help":
		if len(args) > 1 && args[0] == "help" {
			// Help asked for is the output: stdout, so it pages.
			return dispatch(ctx, []string{args[1], "-h"}, stdout, stdout)
		}
		fmt.Fprint(stdout, topUsage)
		return nil
	}
	fmt.Fprint(stderr, topUsage)
	return usagef("unknown command %q", args[0])
}

var version = "dev"

func isHelp(arg string) bool { return arg == "-h" || arg == "--help" || arg == "help" }

// signalContext cancels on the first SIGINT/SIGTERM, so the scan can stop
// cleanly and still write a valid output file; a second one exits at once.
func signalContext(stderr io.Writer) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		n := 0
		for range ch {
			n++
			if n == 1 {
				fmt.Fprintln(stderr, "retrohunt: stopping (interrupt again to exit at once)")
				cancel()
				continue
			}
			os.Exit(exitInterrupted)
		}
	}()
	return ctx, func() { signal.Stop(ch); cancel() }
}

// parseCommand parses a subcommand's flags, registered by register, and
// returns its flag set and positional arguments. -h is flag.ErrHelp;
// any other parse failure is a usage error. usage is printed before the
// flags' defaults.
func parseCommand(name, usage string, stderr io.Writer, register func(*flag.FlagSet), args []string) (*flag.FlagSet, []string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	register(fs)
	pos, err := parseInterleaved(fs, args)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		err = usageError{err}
	}
	return fs, pos, err
}

// parseInterleaved lets flags follow the positional arguments
// ("retrohunt scan ./archive --since 90d"), as people type them.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return fmt.Sprint(*l) }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }
