package output

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/retrohunt/retrohunt/output/text"
)

// tableWriter keeps hits until Close, then prints them in time order: a
// person reads a table top to bottom, and hit counts are small.
type tableWriter struct {
	w    io.Writer
	hits []Hit
}

// NewTable writes a readable, time-ordered table of hits on Close.
func NewTable(w io.Writer) Writer { return &tableWriter{w: w} }

func (t *tableWriter) Write(hits []Hit) error {
	for _, h := range hits {
		h.Raw, h.RawBytes = "", "" // not shown; do not keep it
		t.hits = append(t.hits, h)
	}
	return nil
}

func (t *tableWriter) Close() error {
	var dets []Hit
	hits := t.hits[:0]
	for _, h := range t.hits {
		if h.RowKind == "detection" {
			dets = append(dets, h)
		} else {
			hits = append(hits, h)
		}
	}
	t.hits = hits
	if err := t.hitTable(len(dets) > 0); err != nil {
		return err
	}
	return detectionTable(t.w, dets)
}

// hitTable prints the single-event hits; "(no hits)" unless there are
// detections to show instead.
func (t *tableWriter) hitTable(dets bool) error {
	if len(t.hits) == 0 && dets {
		return nil
	}
	sort.SliceStable(t.hits, func(i, j int) bool {
		a, b := t.hits[i], t.hits[j]
		if !a.EventTime.Equal(b.EventTime) {
			return a.EventTime.Before(b.EventTime)
		}
		return a.RuleName < b.RuleName
	})
	// A RISK column only when some hit has a score: most rules define
	// none, and the table is read on a terminal's width.
	risk := false
	for _, h := range t.hits {
		risk = risk || h.RiskScore != nil
	}
	tw := tabwriter.NewWriter(t.w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "EVENT TIME (UTC)\tRULE\tSEVERITY\t")
	if risk {
		fmt.Fprint(tw, "RISK\t")
	}
	fmt.Fprintln(tw, "EVENT\tRESULT\tPRINCIPAL\tSOURCE IP\tACCOUNT\tREGION\tTARGET")
	for _, h := range t.hits {
		fmt.Fprintf(tw, "%s\t%s\t%s\t", h.EventTime.UTC().Format("2006-01-02 15:04:05"), text.Escape(h.RuleName), text.Escape(h.Severity))
		if risk {
			fmt.Fprintf(tw, "%s\t", riskScore(h))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			text.Escape(h.EventName), text.Escape(result(h)),
			text.Dash(text.Escape(h.PrincipalUser)), text.Dash(text.Escape(h.PrincipalIP)), text.Dash(text.Escape(h.AccountID)),
			text.Dash(text.Escape(h.Region)), text.Dash(text.Clip(h.TargetResource, 60)))
	}
	if len(t.hits) == 0 {
		fmt.Fprintln(tw, "(no hits)")
	}
	return tw.Flush()
}

// detectionTable prints the detection rows of multi-event rules after
// the hits, in window order: the window, the rule, the match values,
// how many events contributed, and whether the window reaches outside
// the scanned range.
func detectionTable(w io.Writer, dets []Hit) error {
	if len(dets) == 0 {
		return nil
	}
	sort.SliceStable(dets, func(i, j int) bool {
		a, b := dets[i].WindowStart, dets[j].WindowStart
		if a != nil && b != nil && !a.Equal(*b) {
			return a.Before(*b)
		}
		return dets[i].RuleName < dets[j].RuleName
	})
	risk := false
	for _, h := range dets {
		risk = risk || h.RiskScore != nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "\nDETECTION WINDOW (UTC)\tRULE\tSEVERITY\t")
	if risk {
		fmt.Fprint(tw, "RISK\t")
	}
	fmt.Fprintln(tw, "MATCH\tEVENTS\tTRUNCATED")
	for _, h := range dets {
		win := "-"
		if h.WindowStart != nil && h.WindowEnd != nil {
			win = h.WindowStart.UTC().Format("2006-01-02 15:04:05") + " - " + h.WindowEnd.UTC().Format("15:04:05")
			if !sameDay(*h.WindowStart, *h.WindowEnd) {
				win = h.WindowStart.UTC().Format("2006-01-02 15:04:05") + " - " + h.WindowEnd.UTC().Format("2006-01-02 15:04:05")
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t", win, text.Escape(h.RuleName), text.Escape(h.Severity))
		if risk {
			fmt.Fprintf(tw, "%s\t", riskScore(h))
		}
		count, truncated := "-", "no"
		if h.EventCount != nil {
			count = strconv.FormatInt(*h.EventCount, 10)
		}
		if h.WindowTruncated != nil && *h.WindowTruncated {
			truncated = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", text.Dash(text.Clip(h.Match, 80)), count, truncated)
	}
	return tw.Flush()
}

func sameDay(a, b time.Time) bool {
	a, b = a.UTC(), b.UTC()
	return a.Year() == b.Year() && a.YearDay() == b.YearDay()
}

func riskScore(h Hit) string {
	if h.RiskScore == nil {
		return "-"
	}
	return strconv.FormatInt(*h.RiskScore, 10)
}

func result(h Hit) string {
	if h.ResultDetail == "" || strings.EqualFold(h.ResultDetail, h.Result) {
		return h.Result
	}
	return h.Result + " (" + h.ResultDetail + ")"
}
