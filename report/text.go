package report

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/output/text"
)

const minuteLayout = "2006-01-02 15:04"

// WriteText prints the grouped tables; top bounds the rows of the
// principal and account tables (0: all). It returns the first write
// error.
func WriteText(out io.Writer, r *Report, top int) error {
	w := &text.ErrWriter{W: out}
	writeText(w, r, top)
	return w.Err()
}

func writeText(w io.Writer, r *Report, top int) {
	fmt.Fprintf(w, "%s hits from %d file(s)", text.Count(int64(len(r.Hits))), len(r.Files))
	if len(r.Hits) > 0 {
		fmt.Fprintf(w, ", %s to %s UTC", r.First.Format(minuteLayout), r.Last.Format(minuteLayout))
	}
	switch {
	case r.Duplicates == 1:
		fmt.Fprint(w, " (1 duplicate hit counted once)")
	case r.Duplicates > 1:
		fmt.Fprintf(w, " (%s duplicate hits counted once)", text.Count(int64(r.Duplicates)))
	}
	fmt.Fprintln(w)
	writeDetections(w, r)
	if len(r.Hits) == 0 {
		return
	}

	fmt.Fprintln(w, "\nBY RULE")
	head := []string{"RULE", "SEVERITY", "HITS"}
	head = append(head, upper(r.Results)...)
	head = append(head, "PRINCIPALS", "FIRST", "LAST")
	var rows [][]string
	for _, g := range r.Rules {
		row := []string{g.Key, text.Dash(g.Severity), text.Count(g.Hits)}
		for _, res := range r.Results {
			row = append(row, text.Count(g.ByResult[res]))
		}
		rows = append(rows, append(row, text.Count(int64(len(g.Principals))), g.First.Format(minuteLayout), g.Last.Format(minuteLayout)))
	}
	text.WriteAligned(w, "  ", "llr"+strings.Repeat("r", len(r.Results))+"rll", head, rows)

	fmt.Fprintln(w, "\nBY PRINCIPAL")
	rows = nil
	for _, g := range limit(r.Principals, top) {
		rows = append(rows, []string{text.ClipMiddle(g.Key, 80), text.Count(g.Hits), text.Count(int64(len(g.Rules))), text.Count(int64(len(g.Accounts))),
			text.Clip(strings.Join(keys(g.IPs), ","), 40), g.First.Format(minuteLayout), g.Last.Format(minuteLayout)})
	}
	text.WriteAligned(w, "  ", "lrrrlll", []string{"PRINCIPAL", "HITS", "RULES", "ACCOUNTS", "SOURCE IPS", "FIRST", "LAST"}, rows)
	more(w, len(r.Principals), top, "principals")

	fmt.Fprintln(w, "\nBY ACCOUNT / SUBSCRIPTION")
	rows = nil
	for _, g := range limit(r.Accounts, top) {
		rows = append(rows, []string{g.Key, g.LogType, text.Count(g.Hits), text.Count(int64(len(g.Rules))), text.Count(int64(len(g.Principals))),
			g.First.Format(minuteLayout), g.Last.Format(minuteLayout)})
	}
	text.WriteAligned(w, "  ", "llrrrll", []string{"ACCOUNT", "LOG TYPE", "HITS", "RULES", "PRINCIPALS", "FIRST", "LAST"}, rows)
	more(w, len(r.Accounts), top, "accounts")

	fmt.Fprintln(w, "\nBY DAY (UTC)")
	rows = nil
	for _, g := range r.Days {
		if g.Hits == 0 {
			continue
		}
		var per []string
		for _, rg := range r.Rules {
			if n := g.ByRule[rg.Key]; n > 0 {
				per = append(per, fmt.Sprintf("%s %d", rg.Key, n))
			}
		}
		rows = append(rows, []string{g.Key, text.Count(g.Hits), text.Count(int64(len(g.Principals))), strings.Join(per, ", ")})
	}
	text.WriteAligned(w, "  ", "lrrl", []string{"DAY", "HITS", "PRINCIPALS", "BY RULE"}, rows)
	if quiet := len(r.Days) - len(rows); quiet > 0 {
		fmt.Fprintf(w, "  (%d day(s) without hits in between not shown)\n", quiet)
	}
}

// writeDetections lists the detection rows of multi-event rules, apart
// from the hits: rule, window, match values, events, truncated. Each is
// numbered from 1, the N that 'retrohunt explain --detection N' takes.
func writeDetections(w io.Writer, r *Report) {
	if len(r.Detections) == 0 {
		return
	}
	fmt.Fprintf(w, "\nDETECTIONS (%s)\n", text.Count(int64(len(r.Detections))))
	var rows [][]string
	for i, d := range r.Detections {
		rows = append(rows, []string{strconv.Itoa(i + 1), d.RuleName, text.Dash(d.Severity), windowOf(d), text.Clip(d.Match, 80), count(d.EventCount), truncated(d.WindowTruncated)})
	}
	text.WriteAligned(w, "  ", "rlllllrl", []string{"#", "RULE", "SEVERITY", "WINDOW (UTC)", "MATCH", "EVENTS", "TRUNCATED"}, rows)
}

// windowOf renders a detection's window, the end without its date when
// on the same day.
func windowOf(d output.Hit) string {
	if d.WindowStart == nil || d.WindowEnd == nil {
		return "-"
	}
	a, b := d.WindowStart.UTC(), d.WindowEnd.UTC()
	if a.Format(dayLayout) == b.Format(dayLayout) {
		return a.Format(minuteLayout) + " - " + b.Format("15:04")
	}
	return a.Format(minuteLayout) + " - " + b.Format(minuteLayout)
}

func count(n *int64) string {
	if n == nil {
		return "-"
	}
	return text.Count(*n)
}

func truncated(b *bool) string {
	if b != nil && *b {
		return "yes"
	}
	return "no"
}

func limit(gs []*Group, n int) []*Group {
	if n > 0 && len(gs) > n {
		return gs[:n]
	}
	return gs
}

func more(w io.Writer, all, top int, what string) {
	if top > 0 && all > top {
		fmt.Fprintf(w, "  (%d more %s; --top 0 shows all)\n", all-top, what)
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func upper(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToUpper(s)
	}
	return out
}
