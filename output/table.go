package output

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

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
