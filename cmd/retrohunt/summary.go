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
	"unicode/utf8"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/scan"
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
		t.byPrincipal[principalOf(*h)]++
	}
	t.mu.Unlock()
	return t.Writer.Write(hits)
}

// principalOf names who acted: the user, else the address, as the hit
// table does.
func principalOf(h output.Hit) string {
	switch {
	case h.PrincipalUser != "":
		return h.PrincipalUser
	case h.PrincipalIP != "":
		return h.PrincipalIP
	}
	return "(unknown)"
}

// results returns the result values seen, in a fixed order: success,
// failure, then the rest by name.
func (t *tally) results() []string {
	rank := map[string]int{"success": 0, "failure": 1}
	var out []string
	for r := range t.byResult {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		a, oka := rank[out[i]]
		b, okb := rank[out[j]]
		switch {
		case oka && okb:
			return a < b
		case oka != okb:
			return oka
		}
		return out[i] < out[j]
	})
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
}

func newSummaryDoc(s *scan.Summary, t *tally) summaryDoc {
	secs := seconds(s.Duration)
	return summaryDoc{
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
// may be nil (no per-result or per-principal counts then).
func printSummary(w io.Writer, s *scan.Summary, t *tally, rules []*scan.Rule, out string, runErr error) {
	status := "complete"
	switch {
	case errors.Is(runErr, context.Canceled):
		status = "INTERRUPTED: the counts below are what was done before the stop"
	case runErr != nil:
		status = "FAILED: the scan stopped on the error below"
	case s.Partial():
		status = "PARTIAL: some objects or records were not scanned (see below)"
	}
	secs := seconds(s.Duration)
	fmt.Fprintf(w, "\nretrohunt summary (%s)\n", status)
	writeTable(w, "  ", []string{"          ", "listed", "pruned", "filtered", "non-event", "empty", "not logs", "scanned", "failed"},
		[][]string{{"objects", count(s.ObjectsListed), count(s.ObjectsPruned), count(s.ObjectsFiltered), count(s.ObjectsSibling),
			count(s.ObjectsEmpty), count(s.ObjectsIgnored), count(s.ObjectsScanned), count(s.ObjectsFailed)}})
	fmt.Fprintf(w, "  listing     %s requests, %s prefixes listed", count(s.ListRequests), count(s.PrefixesListed))
	if s.Unpruned {
		fmt.Fprint(w, " (some prefixes listed without date pruning)")
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  records     %s read, %s outside the window, %s skipped", count(s.Records), count(s.RecordsOutOfWindow), count(s.RecordsSkipped))
	if s.RecordsUntimed > 0 {
		fmt.Fprintf(w, ", %s without a readable time (evaluated)", count(s.RecordsUntimed))
	}
	if s.OpenAppendBlobs > 0 {
		fmt.Fprintf(w, ", %s open append blobs", count(s.OpenAppendBlobs))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  throughput  %s compressed, %s decompressed in %s: %.1f MB/s, %s records/s\n",
		mb(s.BytesCompressed), mb(s.BytesDecompressed), s.Duration.Round(time.Millisecond),
		float64(s.BytesDecompressed)/1e6/secs, count(int64(float64(s.Records)/secs+0.5)))
	fmt.Fprintf(w, "  hits        %s", count(s.Hits))
	if out != "" && out != "-" {
		fmt.Fprintf(w, " → %s", out)
	}
	fmt.Fprintln(w)
	printRuleTable(w, s, t, rules)
	if t != nil && s.Hits > 0 {
		var rows [][]string
		for _, p := range t.top(topPrincipals) {
			rows = append(rows, []string{clipMiddle(p.Principal, 72), count(p.Hits)})
		}
		if n := len(t.byPrincipal); n > topPrincipals {
			rows = append(rows, []string{fmt.Sprintf("(%d more)", n-topPrincipals), ""})
		}
		fmt.Fprintln(w)
		writeTable(w, "  ", []string{"TOP PRINCIPALS", "HITS"}, rows)
	}
	if len(s.SkipReasons) > 0 {
		fmt.Fprintln(w, "\n  not scanned, by reason:")
		reasons := make([]string, 0, len(s.SkipReasons))
		for r := range s.SkipReasons {
			reasons = append(reasons, r)
		}
		sort.Strings(reasons)
		for _, r := range reasons {
			fmt.Fprintf(w, "    %6d  %s\n", s.SkipReasons[r], r)
		}
	}
	for _, p := range s.ListErrors {
		fmt.Fprintf(w, "  listing failed: %s: %s\n", p.URI, p.Reason)
	}
	shown := 0
	for _, p := range s.Failures {
		if shown++; shown > maxShown {
			break
		}
		fmt.Fprintf(w, "  failed: %s: %s\n", p.URI, p.Reason)
	}
	for _, p := range s.Skips {
		if shown++; shown > maxShown {
			break
		}
		fmt.Fprintf(w, "  skipped: %s record %d: %s\n", p.URI, p.Record, p.Reason)
	}
	if n := s.ObjectsFailed + s.RecordsSkipped; n > maxShown {
		fmt.Fprintf(w, "  (%d in all; --summary-json lists up to 200 of each with reasons)\n", n)
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
		row := []string{n, count(s.HitsByRule[n])}
		for _, r := range results {
			row = append(row, count(t.byRule[n][r]))
		}
		rows = append(rows, row)
	}
	if len(names) > 1 {
		row := []string{"total", count(s.Hits)}
		for _, r := range results {
			row = append(row, count(t.byResult[r]))
		}
		rows = append(rows, row)
	}
	fmt.Fprintln(w)
	writeTable(w, "  ", head, rows)
}

// writeTable prints an aligned table: the first column left-aligned, the
// others (numbers) right-aligned, two spaces between columns.
func writeTable(w io.Writer, indent string, head []string, rows [][]string) {
	writeAligned(w, indent, "l"+strings.Repeat("r", len(head)-1), head, rows)
}

// writeAligned prints an aligned table; align has one letter per column,
// 'l' or 'r'. Trailing blanks are trimmed.
func writeAligned(w io.Writer, indent, align string, head []string, rows [][]string) {
	width := make([]int, len(head))
	for i, h := range head {
		width[i] = utf8.RuneCountInString(h)
	}
	for _, r := range rows {
		for i, c := range r {
			if i < len(width) {
				width[i] = max(width[i], utf8.RuneCountInString(c))
			}
		}
	}
	line := func(cells []string) {
		var b strings.Builder
		b.WriteString(indent)
		for i, c := range cells {
			if i >= len(width) {
				break
			}
			if i > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i < len(align) && align[i] == 'r' {
				b.WriteString(pad)
				b.WriteString(c)
			} else {
				b.WriteString(c)
				b.WriteString(pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	line(head)
	for _, r := range rows {
		line(r)
	}
}

// clipMiddle shortens s to n runes by cutting out its middle: both ends
// of an ARN (the account and the session) are what tell principals apart.
func clipMiddle(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	head := (n - 1) / 2
	tail := n - 1 - head
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}

// maxShown bounds the failure lines on stderr; a terminal is not a log.
const maxShown = 20

func mb(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}
