package explain

import (
	"fmt"
	"io"
	"strings"

	"github.com/retrohunt/retrohunt/output/text"
	"github.com/retrohunt/retrohunt/scan/rules"
	"github.com/retrohunt/retrohunt/scan/sigma"
	"github.com/retrohunt/retrohunt/scan/udm"
)

// writeSigmaExplanation prints a Sigma rule's evaluation on the record's
// own JSON: every search identifier and item with the values compared,
// the verdict and the lint findings.
func writeSigmaExplanation(w io.Writer, l rules.Loaded, raw []byte, ev *udm.Event) {
	r := l.Sigma
	if r.Correlation != nil {
		writeCorrelation(w, l, raw, ev)
		return
	}
	fmt.Fprintf(w, "sigma rule %s (%s)\n", text.Escape(r.Title), text.Escape(l.Origin))
	if r.Type != ev.Type {
		why := "its logsource is none retrohunt reads"
		if r.Type != udm.Unknown {
			why = "it reads " + r.Type.String() + " records"
		}
		fmt.Fprintf(w, "verdict: NOT APPLICABLE: the record is %s and the rule's logsource is %s (%s)\n",
			ev.Type, text.Escape(r.Logsource.String()), why)
	} else {
		var rec sigma.Record
		rec.Reset(raw, ev.Type)
		tr := r.Explain(&rec)
		fmt.Fprintf(w, "  %-6s %-8s %s\n", "RESULT", "AT", "CLAUSE  ← VALUES COMPARED")
		writeSigmaTrace(w, tr, 0)
		if tr.Result {
			fmt.Fprintf(w, "verdict: MATCH: %s fires on this record\n", text.Escape(r.Title))
		} else {
			fmt.Fprintf(w, "verdict: NO MATCH: %s does not fire on this record\n", text.Escape(r.Title))
		}
	}
	if fs := sigma.Lint(r); len(fs) > 0 {
		fmt.Fprintf(w, "lint (%d):\n", len(fs))
		for _, f := range fs {
			lv := [...]string{"note", "warning", "never"}[f.Level]
			fmt.Fprintf(w, "  %s: %s: %s\n", text.Escape(f.Pos.String()), lv, text.Escape(f.Msg))
		}
	}
}

func writeSigmaTrace(w io.Writer, t *sigma.Trace, depth int) {
	res := "false"
	if t.Result {
		res = "true"
	}
	at := ""
	if t.Pos.Line > 0 {
		at = fmt.Sprintf("%d:%d", t.Pos.Line, t.Pos.Col)
	}
	clause := text.Escape(t.Text)
	switch {
	case t.Absent:
		clause += "  ← (absent)"
	case len(t.Values) > 0:
		vals := make([]string, len(t.Values))
		for i, v := range t.Values {
			vals[i] = text.Escape(v)
		}
		clause += "  ← " + strings.Join(vals, ", ")
	}
	fmt.Fprintf(w, "  %-6s %-8s %s%s\n", res, at, strings.Repeat("  ", depth), clause)
	for _, k := range t.Kids {
		writeSigmaTrace(w, k, depth+1)
	}
}

// writeCorrelation says, for a Sigma correlation rule, whether the
// record is a candidate of each base rule and its group-by values: the
// verdict itself is over a window of events, which only a scan sees.
func writeCorrelation(w io.Writer, l rules.Loaded, raw []byte, ev *udm.Event) {
	r, c := l.Sigma, l.Sigma.Correlation
	fmt.Fprintf(w, "sigma correlation rule %s (%s): %s over %s, group-by %s\n", text.Escape(r.Title), text.Escape(l.Origin),
		c.Type, c.Timespan, text.Escape(strings.Join(c.GroupBy, ", ")))
	var rec sigma.Record
	rec.Reset(raw, ev.Type)
	for i, b := range c.Bases {
		if b == nil {
			continue
		}
		if b.Type != ev.Type || !b.Match(&rec) {
			fmt.Fprintf(w, "  %s: NOT a candidate (base rule %s does not match)\n", text.Escape(c.Rules[i]), text.Escape(b.Title))
			continue
		}
		var key []string
		for _, g := range c.GroupBy {
			vs, _ := rec.Values(c.GroupField(i, g))
			v := "(absent: no candidate)"
			if len(vs) > 0 {
				v = vs[0].S
			}
			key = append(key, g+"="+v)
		}
		fmt.Fprintf(w, "  %s: candidate, %s\n", text.Escape(c.Rules[i]), text.Escape(strings.Join(key, ", ")))
	}
	fmt.Fprintln(w, "verdict: a correlation is decided over the events of a window, not one record: run retrohunt scan")
}
