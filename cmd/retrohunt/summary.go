package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/output/text"
	"github.com/retrohunt/retrohunt/report"
	"github.com/retrohunt/retrohunt/scan"
	"github.com/retrohunt/retrohunt/scan/rules"
)

// tally is a counting tee in front of the hits writer: it counts what the
// engine's Summary does not (hits per result and per principal) as the
// batches pass, and hands them on unchanged.
type tally struct {
	output.Writer

	mu          sync.Mutex
	byRule      map[string]map[string]int64 // rule → result → hits
	byResult    map[string]int64
	byPrincipal map[string]int64
}

func newTally(w output.Writer) *tally {
	return &tally{Writer: w, byRule: map[string]map[string]int64{}, byResult: map[string]int64{}, byPrincipal: map[string]int64{}}
}

func (t *tally) Write(hits []output.Hit) error {
	t.mu.Lock()
	for i := range hits {
		h := &hits[i]
		if h.RowKind == "detection" {
			continue // counted by the engine's Summary, apart from hits
		}
		res := h.Result
		if res == "" {
			res = "unknown"
		}
		m := t.byRule[h.RuleName]
		if m == nil {
			m = map[string]int64{}
			t.byRule[h.RuleName] = m
		}
		m[res]++
		t.byResult[res]++
		t.byPrincipal[report.Principal(*h)]++
	}
	t.mu.Unlock()
	return t.Writer.Write(hits)
}

// results returns the result values seen, in a fixed order: success,
// failure, then the rest by name.
func (t *tally) results() []string {
	out := make([]string, 0, len(t.byResult))
	for r := range t.byResult {
		out = append(out, r)
	}
	report.SortResults(out)
	return out
}

// principalCount is one row of the top-principals table.
type principalCount struct {
	Principal string `json:"principal"`
	Hits      int64  `json:"hits"`
}

// top returns the n principals with the most hits, ties by name.
func (t *tally) top(n int) []principalCount {
	out := make([]principalCount, 0, len(t.byPrincipal))
	for p, c := range t.byPrincipal {
		out = append(out, principalCount{p, c})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Hits != out[j].Hits {
			return out[i].Hits > out[j].Hits
		}
		return out[i].Principal < out[j].Principal
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// topPrincipals is how many principals the summary names.
const topPrincipals = 5

// summaryDoc is the --summary-json document: the engine's Summary with
// the counts of the tally and the throughput beside it.
type summaryDoc struct {
	*scan.Summary
	HitsByResult     map[string]int64            `json:"hits_by_result"`
	HitsByRuleResult map[string]map[string]int64 `json:"hits_by_rule_result"`
	TopPrincipals    []principalCount            `json:"top_principals"`
	RecordsPerSecond float64                     `json:"records_per_second"`
	MBPerSecond      float64                     `json:"decompressed_mb_per_second"`
	// Warnings says what a script should look at although the exit code
	// is 0: "nothing was scanned" (README, "Exit codes").
	Warnings []string `json:"warnings,omitempty"`
	// SkippedRules are the rules --skip-unsupported left out, each with
	// its file and reasons: never a silent drop.
	SkippedRules []rules.Skipped `json:"skipped_rules,omitempty"`
}

func newSummaryDoc(s *scan.Summary, t *tally, skipped []rules.Skipped) summaryDoc {
	secs := seconds(s.Duration)
	var warnings []string
	if msg := nothingScanned(s, nil); msg != "" {
		warnings = append(warnings, msg)
	}
	return summaryDoc{
		SkippedRules:     skipped,
		Warnings:         warnings,
		Summary:          s,
		HitsByResult:     t.byResult,
		HitsByRuleResult: t.byRule,
		TopPrincipals:    t.top(topPrincipals),
		RecordsPerSecond: float64(s.Records) / secs,
		MBPerSecond:      float64(s.BytesDecompressed) / 1e6 / secs,
	}
}

func seconds(d time.Duration) float64 {
	if d <= 0 {
		return 1e-9
	}
	return d.Seconds()
}

// printSummary writes the coverage report people read at the end of a
// scan: what was covered, what was not and why, and what was found. t
// may be nil (no per-result or per-principal counts then). Every string
// that came from a record, a key or the command line is escaped
// (text.Escape; the tables escape their cells).
func printSummary(w io.Writer, s *scan.Summary, t *tally, rules []*scan.Rule, multi []*scan.MultiRule, out string, runErr error) {
	status := "complete"
	switch {
	case errors.Is(runErr, context.Canceled):
		status = "INTERRUPTED: the counts below are what was done before the stop"
	case runErr != nil:
		status = "FAILED: the scan stopped on the error below"
	case s.Partial():
		status = "PARTIAL: some objects or records were not scanned (see below)"
	case nothingScanned(s, runErr) != "":
		status = "complete, but NOTHING WAS SCANNED: see the warning below"
	}
	secs := seconds(s.Duration)
	fmt.Fprintf(w, "\nretrohunt summary (%s)\n", status)
	text.WriteTable(w, "  ", []string{"          ", "listed", "pruned", "filtered", "non-event", "empty", "not logs", "scanned", "failed"},
		[][]string{{"objects", text.Count(s.ObjectsListed), text.Count(s.ObjectsPruned), text.Count(s.ObjectsFiltered), text.Count(s.ObjectsSibling),
			text.Count(s.ObjectsEmpty), text.Count(s.ObjectsIgnored), text.Count(s.ObjectsScanned), text.Count(s.ObjectsFailed)}})
	fmt.Fprintf(w, "  listing     %s requests, %s prefixes listed", text.Count(s.ListRequests), text.Count(s.PrefixesListed))
	if s.FoldersSibling > 0 {
		fmt.Fprintf(w, ", %s non-event folders passed over unlisted (CloudTrail-Digest/, CloudTrail-Insight/, ...)", text.Count(s.FoldersSibling))
	}
	if s.FilesOutsideLayout > 0 {
		fmt.Fprintf(w, ", %s files outside the layout not scanned (%s named like logs, listed below)", text.Count(s.FilesOutsideLayout), text.Count(s.LogsOutsideLayout))
	}
	if s.Unpruned {
		fmt.Fprint(w, " (some prefixes listed without date pruning)")
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  records     %s read, %s outside the window, %s skipped", text.Count(s.Records), text.Count(s.RecordsOutOfWindow), text.Count(s.RecordsSkipped))
	if s.OpenAppendBlobs > 0 {
		fmt.Fprintf(w, ", %s open append blobs", text.Count(s.OpenAppendBlobs))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  throughput  %s compressed, %s decompressed in %s: %.1f MB/s, %s records/s\n",
		text.MB(s.BytesCompressed), text.MB(s.BytesDecompressed), s.Duration.Round(time.Millisecond),
		float64(s.BytesDecompressed)/1e6/secs, text.Count(int64(float64(s.Records)/secs+0.5)))
	fmt.Fprintf(w, "  hits        %s", text.Count(s.Hits))
	if out != "" && out != "-" {
		fmt.Fprintf(w, " → %s", text.Escape(out))
	}
	if s.HitsDuplicate > 0 {
		fmt.Fprintf(w, " (%s duplicate CloudTrail deliveries collapsed)", text.Count(s.HitsDuplicate))
	}
	fmt.Fprintln(w)
	if len(multi) > 0 || s.Detections > 0 {
		fmt.Fprintf(w, "  detections  %s (multi-event rules, one per match key and window)\n", text.Count(s.Detections))
	}
	printRuleTable(w, s, t, rules)
	printDetectionTable(w, s, multi)
	printNotApplicable(w, rules)
	if t != nil && s.Hits > 0 {
		var rows [][]string
		for _, p := range t.top(topPrincipals) {
			rows = append(rows, []string{text.ClipMiddle(p.Principal, 72), text.Count(p.Hits)})
		}
		if n := len(t.byPrincipal); n > topPrincipals {
			rows = append(rows, []string{fmt.Sprintf("(%d more)", n-topPrincipals), ""})
		}
		fmt.Fprintln(w)
		text.WriteTable(w, "  ", []string{"TOP PRINCIPALS", "HITS"}, rows)
	}
	if len(s.SkipReasons) > 0 {
		fmt.Fprintln(w, "\n  not scanned, by reason:")
		reasons := make([]string, 0, len(s.SkipReasons))
		for r := range s.SkipReasons {
			reasons = append(reasons, r)
		}
		sort.Strings(reasons)
		for _, r := range reasons {
			fmt.Fprintf(w, "    %6d  %s\n", s.SkipReasons[r], text.Escape(r))
		}
	}
	for _, p := range s.ListErrors {
		fmt.Fprintf(w, "  listing failed: %s: %s\n", text.Escape(p.URI), text.Escape(p.Reason))
	}
	for i, p := range s.OutsideLayout {
		if i == maxShown {
			fmt.Fprintf(w, "  (%d files outside the layout in all; --summary-json names up to 200)\n", s.FilesOutsideLayout)
			break
		}
		fmt.Fprintf(w, "  outside the layout: %s: %s\n", text.Escape(p.URI), text.Escape(p.Reason))
	}
	shown := 0
	for _, p := range s.Failures {
		if shown++; shown > maxShown {
			break
		}
		fmt.Fprintf(w, "  failed: %s: %s\n", text.Escape(p.URI), text.Escape(p.Reason))
	}
	for _, p := range s.Skips {
		if shown++; shown > maxShown {
			break
		}
		fmt.Fprintf(w, "  skipped: %s record %d: %s\n", text.Escape(p.URI), p.Record, text.Escape(p.Reason))
	}
	if n := s.ObjectsFailed + s.RecordsSkipped; n > maxShown {
		fmt.Fprintf(w, "  (%d in all; --summary-json lists up to 200 of each with reasons)\n", n)
	}
}

// printSkipped lists the rules --skip-unsupported left out, after the
// summary.
func printSkipped(w io.Writer, skipped []rules.Skipped) {
	if len(skipped) == 0 {
		return
	}
	fmt.Fprintf(w, "\n  %d rule(s) not run (--skip-unsupported):\n", len(skipped))
	for _, sk := range skipped {
		fmt.Fprintf(w, "    %s (%s)\n", text.Escape(sk.Rule), text.Escape(sk.Origin))
		for _, r := range sk.Reasons {
			fmt.Fprintf(w, "      %s\n", text.Escape(r))
		}
	}
}

// printRuleTable prints hits per rule, split by result when the tally
// has them; rules that ran without a hit are listed with 0.
func printRuleTable(w io.Writer, s *scan.Summary, t *tally, rules []*scan.Rule) {
	names := s.RuleNames()
	seen := map[string]bool{}
	for _, n := range names {
		seen[n] = true
	}
	for _, r := range rules {
		if !seen[r.Name] {
			names = append(names, r.Name)
			seen[r.Name] = true
		}
	}
	if len(names) == 0 {
		return
	}
	var results []string
	if t != nil {
		results = t.results()
	}
	head := []string{"RULE", "HITS"}
	for _, r := range results {
		head = append(head, strings.ToUpper(r))
	}
	var rows [][]string
	for _, n := range names {
		row := []string{n, text.Count(s.HitsByRule[n])}
		for _, r := range results {
			row = append(row, text.Count(t.byRule[n][r]))
		}
		rows = append(rows, row)
	}
	if len(names) > 1 {
		row := []string{"total", text.Count(s.Hits)}
		for _, r := range results {
			row = append(row, text.Count(t.byResult[r]))
		}
		rows = append(rows, row)
	}
	fmt.Fprintln(w)
	text.WriteTable(w, "  ", head, rows)
}

// printDetectionTable prints detections per multi-event rule; rules
// that ran without one are listed with 0.
func printDetectionTable(w io.Writer, s *scan.Summary, multi []*scan.MultiRule) {
	if len(multi) == 0 && len(s.DetectionsByRule) == 0 {
		return
	}
	var names []string
	seen := map[string]bool{}
	for _, m := range multi {
		names = append(names, m.Name)
		seen[m.Name] = true
	}
	var other []string
	for n := range s.DetectionsByRule {
		if !seen[n] {
			other = append(other, n)
		}
	}
	sort.Strings(other)
	names = append(names, other...)
	sort.SliceStable(names, func(i, j int) bool { return s.DetectionsByRule[names[i]] > s.DetectionsByRule[names[j]] })
	var rows [][]string
	for _, n := range names {
		rows = append(rows, []string{n, text.Count(s.DetectionsByRule[n])})
	}
	if len(names) > 1 {
		rows = append(rows, []string{"total", text.Count(s.Detections)})
	}
	fmt.Fprintln(w)
	text.WriteTable(w, "  ", []string{"MULTI-EVENT RULE", "DETECTIONS"}, rows)
}

// maxShown bounds the failure lines on stderr; a terminal is not a log.
const maxShown = 20
