package main

import (
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/retrohunt/retrohunt/scan"
)

// printSummary writes the coverage report people read at the end of a
// scan: what was covered, what was not and why, and what was found.
func printSummary(w io.Writer, s *scan.Summary, rules []*scan.Rule, out string) {
	status := "complete"
	if s.Partial() {
		status = "PARTIAL: some objects or records were not scanned (see below)"
	}
	secs := s.Duration.Seconds()
	if secs <= 0 {
		secs = 1e-9
	}
	fmt.Fprintf(w, "\nretrohunt summary (%s)\n", status)
	fmt.Fprintf(w, "  objects:  %d listed, %d pruned by date, %d filtered, %d CloudTrail non-event, %d empty, %d not logs, %d scanned, %d failed\n",
		s.ObjectsListed, s.ObjectsPruned, s.ObjectsFiltered, s.ObjectsSibling, s.ObjectsEmpty, s.ObjectsIgnored, s.ObjectsScanned, s.ObjectsFailed)
	fmt.Fprintf(w, "  listing:  %d requests, %d prefixes listed", s.ListRequests, s.PrefixesListed)
	if s.Unpruned {
		fmt.Fprint(w, " (some prefixes listed without date pruning)")
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  records:  %d read, %d outside the window, %d skipped", s.Records, s.RecordsOutOfWindow, s.RecordsSkipped)
	if s.RecordsUntimed > 0 {
		fmt.Fprintf(w, ", %d without a readable time (evaluated)", s.RecordsUntimed)
	}
	if s.OpenAppendBlobs > 0 {
		fmt.Fprintf(w, ", %d open append blobs", s.OpenAppendBlobs)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  bytes:    %s compressed, %s decompressed in %s (%.1f MB/s decompressed)\n",
		mb(s.BytesCompressed), mb(s.BytesDecompressed), s.Duration.Round(time.Millisecond), float64(s.BytesDecompressed)/1e6/secs)
	fmt.Fprintf(w, "  hits:     %d", s.Hits)
	if out != "" && out != "-" {
		fmt.Fprintf(w, " → %s", out)
	}
	fmt.Fprintln(w)
	names := map[string]bool{}
	for _, n := range s.RuleNames() {
		fmt.Fprintf(w, "    %6d  %s\n", s.HitsByRule[n], n)
		names[n] = true
	}
	for _, r := range rules {
		if !names[r.Name] {
			fmt.Fprintf(w, "    %6d  %s\n", 0, r.Name)
		}
	}
	if len(s.SkipReasons) > 0 {
		fmt.Fprintln(w, "  not scanned, by reason:")
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
