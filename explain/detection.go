package explain

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/output/text"
	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/rule/fn"
	"github.com/retrohunt/retrohunt/scan/rules"
	"github.com/retrohunt/retrohunt/scan/udm"
	"github.com/retrohunt/retrohunt/scan/window"
)

// FetchFunc fetches record index of the object at uri (a detection
// event's source_uri and record_index).
type FetchFunc func(ctx context.Context, uri string, index int64) (*Record, error)

// detectionEvent is one element of a detection row's events column.
type detectionEvent struct {
	Var         string `json:"var"`
	SourceURI   string `json:"source_uri"`
	RecordIndex int64  `json:"record_index"`
	EventTime   string `json:"event_time"`
}

// WriteDetection explains detection row d (number n of total, in the
// order of `retrohunt report`) of the multi-event rule l: the rule,
// window and match; each contributing event the row lists, fetched
// again from its provenance, with its event variable's own conditions
// clause by clause; then the window evaluated again from those events:
// each variable's events after the joins, the condition and its value,
// and the outcomes. A row lists at most --detection-events events per
// variable: when it lists fewer than event_count, the window evaluated
// again holds only those, and the output says so.
func WriteDetection(ctx context.Context, out io.Writer, d output.Hit, n, total int, l rules.Loaded, fetch FetchFunc) error {
	m := l.Multi
	if m == nil {
		return fmt.Errorf("rule %s is not a multi-event rule", l.Rule.Name)
	}
	if d.WindowStart == nil || d.WindowEnd == nil {
		return inputErrorf("detection %d has no window", n)
	}
	var events []detectionEvent
	if err := json.Unmarshal([]byte(d.Events), &events); err != nil {
		return inputErrorf("detection %d: events column: %v", n, err)
	}
	var match map[string]string
	if err := json.Unmarshal([]byte(d.Match), &match); err != nil {
		return inputErrorf("detection %d: match column: %v", n, err)
	}
	key := make([]string, len(m.Keys))
	for i, k := range m.Keys {
		key[i] = match[k]
	}
	spec := m.Spec()
	w := &text.ErrWriter{W: out}
	fmt.Fprintf(w, "detection %d of %d: rule %s (%s)\n", n, total, text.Escape(l.Rule.Name), text.Escape(l.Origin))
	fmt.Fprintf(w, "  window    %s - %s (%s, %s)", d.WindowStart.UTC().Format(time.RFC3339), d.WindowEnd.UTC().Format(time.RFC3339), spec.Kind, spec.Size)
	if d.WindowTruncated != nil && *d.WindowTruncated {
		fmt.Fprint(w, ", truncated: events outside the scanned range could have changed it")
	}
	fmt.Fprintln(w)
	var pairs []string
	for i, k := range m.Keys {
		pairs = append(pairs, k+" = "+strconv.Quote(key[i]))
	}
	fmt.Fprintf(w, "  match     %s\n", text.Escape(strings.Join(pairs, ", ")))
	count := int64(len(events))
	if d.EventCount != nil {
		count = *d.EventCount
	}
	fmt.Fprintf(w, "  events    %d contributing, %d listed\n", count, len(events))
	if count > int64(len(events)) {
		fmt.Fprintln(w, "            (the row lists a sample: the window below is evaluated again over the listed events only)")
	}

	vrs, err := m.VarRules()
	if err != nil {
		return err
	}
	var cands []window.Candidate
	for i, e := range events {
		v := slices.Index(l.Rule.Vars, e.Var)
		fmt.Fprintf(w, "\nevent %d  %s  %s record %d  %s\n", i+1, text.Escape(e.Var), text.Escape(e.SourceURI), e.RecordIndex, text.Escape(e.EventTime))
		if v < 0 {
			fmt.Fprintf(w, "  %s is not an event variable of the rule (changed since the scan?)\n", text.Escape(e.Var))
			continue
		}
		rec, err := fetch(ctx, e.SourceURI, e.RecordIndex)
		if err != nil {
			fmt.Fprintf(w, "  cannot fetch the record: %s\n", text.Escape(err.Error()))
			continue
		}
		ev, err := udm.Map(rec.Raw)
		if err != nil {
			fmt.Fprintf(w, "  cannot map the record to UDM: %s\n", text.Escape(err.Error()))
			continue
		}
		tr := vrs[v].Explain(ev)
		fmt.Fprintf(w, "  conditions of %s on this event:\n", text.Escape(e.Var))
		fmt.Fprintf(w, "  %-6s %s\n", "RESULT", "CLAUSE  ← VALUES COMPARED")
		writeTraceNoPos(w, tr, 0)
		found := false
		err = m.Candidates(ev, e.SourceURI, e.RecordIndex, func(c window.Candidate) error {
			if c.Var == v && candidateHasKey(m, c, key) {
				cands = append(cands, c)
				found = true
			}
			return nil
		})
		switch {
		case err != nil:
			fmt.Fprintf(w, "  not a candidate: %s\n", text.Escape(err.Error()))
		case found:
			fmt.Fprintf(w, "  verdict: a candidate of %s for this match\n", text.Escape(e.Var))
		default:
			fmt.Fprintf(w, "  verdict: NOT a candidate of %s for this match (the record or the rule changed since the scan?)\n", text.Escape(e.Var))
		}
	}

	// The window again, from the listed events.
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].Time < cands[j].Time })
	win := &window.Window{Rule: l.Rule.Name, Key: key, Start: d.WindowStart.UnixNano(), End: d.WindowEnd.UnixNano(), Events: cands, PivotIndex: -1}
	if spec.Kind == window.Sliding {
		at := win.Start
		if !spec.After {
			at = win.End
		}
		for i, c := range cands {
			if c.Var == spec.Pivot && c.Time == at {
				win.PivotIndex = i
				break
			}
		}
	}
	det, ok := m.Evaluate(win)
	fmt.Fprintln(w)
	cond := "(none)"
	if l.Rule.Condition != nil {
		cond = l.Rule.Condition.String()
	}
	fmt.Fprintf(w, "condition %s: %t\n", text.Escape(cond), ok)
	kept := make([]int, len(l.Rule.Vars))
	if ok {
		for _, c := range det.Events {
			kept[c.Var]++
		}
	}
	for v, name := range l.Rule.Vars {
		listed := 0
		for _, c := range cands {
			if c.Var == v {
				listed++
			}
		}
		if ok {
			fmt.Fprintf(w, "  #%s = %d (%d listed, %d after the joins)\n", name[1:], kept[v], listed, kept[v])
		} else {
			fmt.Fprintf(w, "  #%s: %d listed\n", name[1:], listed)
		}
	}
	if ok && len(det.Outcomes) > 0 {
		fmt.Fprintln(w, "outcomes:")
		for _, o := range det.Outcomes {
			v := o.Value.String()
			if o.Value.Kind == fn.String {
				v = strconv.Quote(v)
			}
			fmt.Fprintf(w, "  $%s = %s\n", o.Name, text.Escape(v))
		}
	}
	return w.Err()
}

// candidateHasKey reports whether candidate c belongs to the match key
// key: equal, or for a rule whose variables do not all assign the key,
// agreeing on the columns c assigns.
func candidateHasKey(m *rule.Multi, c window.Candidate, key []string) bool {
	if !m.Spec().SubKey {
		return slices.Equal(c.Key, key)
	}
	if len(c.Values) == 0 {
		return false
	}
	k, known, ok := window.DecodeKey(c.Values[0])
	if !ok || len(k) != len(key) {
		return false
	}
	for i := range k {
		if known[i] && k[i] != key[i] {
			return false
		}
	}
	return true
}

// writeTraceNoPos is writeTrace without positions: an event variable's
// conditions are a rule of their own whose positions are not the rule
// file's.
func writeTraceNoPos(w io.Writer, t *rule.Trace, depth int) {
	res, clause := traceLine(t)
	fmt.Fprintf(w, "  %-6s %s%s\n", res, strings.Repeat("  ", depth), clause)
	for _, k := range t.Kids {
		writeTraceNoPos(w, k, depth+1)
	}
}
