// Package explain shows why a record does or does not match a rule: the
// record's UDM view (every mapped field, its values and the raw path each
// came from), then the rule's events section evaluated clause by clause,
// the verdict, and the rule's lint findings, with the clauses lint proves
// never true marked "dead". It backs 'retrohunt explain'; the CLI parses
// flags and opens the source.
package explain

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/retrohunt/retrohunt/output/text"
	"github.com/retrohunt/retrohunt/scan/decode"
	"github.com/retrohunt/retrohunt/scan/lint"
	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/rule/fn"
	"github.com/retrohunt/retrohunt/scan/rules"
	"github.com/retrohunt/retrohunt/scan/udm"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/open"
)

// InputError is a RECORD argument that names no single record: a folder,
// a missing object, an object of several records without an index, an
// index past the last record. The CLI exits 2 for it.
type InputError struct{ Err error }

func (e InputError) Error() string { return e.Err.Error() }
func (e InputError) Unwrap() error { return e.Err }

func inputErrorf(format string, a ...any) error { return InputError{fmt.Errorf(format, a...)} }

// Write maps rec to UDM and prints its UDM view, then each rule's
// explanation; it returns the first write error.
func Write(out io.Writer, rec *Record, loaded []rules.Loaded) error {
	ev, err := udm.Map(rec.Raw)
	if err != nil {
		return fmt.Errorf("%s record %d: cannot map to UDM: %w", rec.URI, rec.Index, err)
	}
	w := &text.ErrWriter{W: out}
	writeUDMView(w, rec, ev)
	for _, l := range loaded {
		fmt.Fprintln(w)
		if l.Sigma != nil {
			writeSigmaExplanation(w, l, rec.Raw, ev)
			continue
		}
		if l.Multi != nil {
			writeMultiExplanation(w, l, ev)
			continue
		}
		writeExplanation(w, l, ev)
	}
	return w.Err()
}

// Record is one raw record and where it came from.
type Record struct {
	URI   string
	Index int
	Total int // records in the object, -1 when decoding stopped early
	Raw   []byte
}

// errFound stops decoding once the wanted record is in hand, errMany
// when a second record shows that --record is needed.
var (
	errFound = errors.New("found")
	errMany  = errors.New("more than one record")
)

// Fetch decodes the object key of src (or the only object of a
// single-file source, key "") and returns its record index; index -1
// asks for the only record, and is an InputError when there are more.
func Fetch(ctx context.Context, src sources.Source, key string, index int) (*Record, error) {
	obj, err := findObject(ctx, src, key)
	if err != nil {
		return nil, err
	}
	rec := &Record{URI: src.URI(obj.Key), Index: index, Total: -1}
	dec := decode.NewDecoder(decode.Limits{})
	var first []byte
	var res decode.Result
	err = sources.WithObject(ctx, src, obj, func(r io.Reader) error {
		var derr error
		res, derr = dec.Decode(r, func(i int, raw []byte) error {
			switch {
			case index < 0 && i == 0:
				first = append([]byte(nil), raw...)
			case index < 0:
				return errMany
			case i == index:
				rec.Raw = append([]byte(nil), raw...)
				return errFound
			}
			return nil
		})
		return derr
	})
	if errors.Is(err, errFound) {
		return rec, nil
	}
	if errors.Is(err, errMany) {
		return nil, inputErrorf("%s holds more than one record: choose one with --record N (a hit's record_index)", rec.URI)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", rec.URI, err)
	}
	for _, s := range res.Skipped {
		if s.Index == index || index < 0 && s.Index == 0 {
			return nil, fmt.Errorf("%s record %d was skipped by the decoder: %s", rec.URI, s.Index, s.Reason)
		}
	}
	if index < 0 {
		if first == nil {
			return nil, fmt.Errorf("%s holds no record", rec.URI)
		}
		rec.Index, rec.Total, rec.Raw = 0, 1, first
		return rec, nil
	}
	return nil, inputErrorf("%s has no record %d: it holds %d (indexes 0 to %d)", rec.URI, index, res.Records, res.Records-1)
}

// findObject returns the object whose key is exactly key, or the only
// object of a single-file source (key "").
func findObject(ctx context.Context, src sources.Source, key string) (sources.Object, error) {
	var found *sources.Object
	n := 0
	err := src.List(ctx, key, func(o sources.Object) error {
		n++
		if o.Key == key || key == "" {
			found = &o
			return errFound
		}
		return nil
	})
	if err != nil && !errors.Is(err, errFound) {
		return sources.Object{}, fmt.Errorf("list %s: %w", src.URI(key), open.Explained(err))
	}
	switch {
	case found != nil && (key != "" || n == 1):
		return *found, nil
	case key == "":
		return sources.Object{}, inputErrorf("%s is a folder, not one object: give the object's URI", src.Location())
	}
	return sources.Object{}, inputErrorf("no object %s", src.URI(key))
}

// writeUDMView prints every UDM field the record maps to, in the order of
// the mapping table, with the raw path it came from.
func writeUDMView(w io.Writer, rec *Record, ev *udm.Event) {
	fmt.Fprintf(w, "record    %s record %d\n", text.Escape(rec.URI), rec.Index)
	fmt.Fprintf(w, "log type  %s\n\n", ev.Type)
	var rows [][]string
	var absent []string
	seen := map[string]bool{}
	for _, r := range udm.Rows(ev.Type) {
		if r.Raw {
			continue // read only when a rule asks
		}
		if r.Keys {
			// A map row: each key the record has, in key order.
			var keyed []string
			for k := range ev.Fields {
				if !seen[k] && r.Serves(k) {
					keyed = append(keyed, k)
				}
			}
			sort.Strings(keyed)
			for _, k := range keyed {
				seen[k] = true
				rows = append(rows, []string{k, quoteAll(ev.Fields[k]) + "  ← " + text.Escape(ev.Origin[k])})
			}
			continue
		}
		if r.Event != "" && r.Event != ev.First("metadata.product_event_type") {
			continue // a row for another call (labels["enable"] of UpdateDetector)
		}
		if seen[r.UDM] {
			continue // several rows map one field
		}
		seen[r.UDM] = true
		vals, ok := ev.Fields[r.UDM]
		if !ok {
			absent = append(absent, r.UDM)
			continue
		}
		rows = append(rows, []string{r.UDM, quoteAll(vals) + "  ← " + text.Escape(ev.Origin[r.UDM])})
	}
	fmt.Fprintln(w, "UDM view: field, values ← the raw path they came from")
	writeLeftTable(w, "  ", rows)
	if len(absent) > 0 {
		fmt.Fprintf(w, "  not in this record: %s\n", strings.Join(absent, ", "))
	}
}

// writeLeftTable prints rows with every column left-aligned.
func writeLeftTable(w io.Writer, indent string, rows [][]string) {
	var width []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		b.WriteString(indent)
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", width[i]-len([]rune(c))+2))
			}
		}
		fmt.Fprintln(w, b.String())
	}
}

func quoteAll(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}

// writeMultiExplanation says, for a multi-event rule, whether the
// record passes each event variable's filter (becomes a candidate of
// it); one record cannot show a detection, which needs the window's
// other events (docs/yaral_windows.md).
func writeMultiExplanation(w io.Writer, l rules.Loaded, ev *udm.Event) {
	fmt.Fprintf(w, "rule %s (%s)\n", l.Rule.Name, text.Escape(l.Origin))
	fmt.Fprintln(w, "  multi-event rule (match:): a detection needs the events of a window; this record alone can only be a candidate")
	vrs, err := l.Multi.VarRules()
	if err != nil {
		fmt.Fprintf(w, "  cannot split the rule by event variable: %s\n", text.Escape(err.Error()))
		return
	}
	for i, vr := range vrs {
		verdict := "NOT a candidate: fails the variable's own conditions"
		if vr.Match(ev) {
			verdict = "candidate: passes the variable's own conditions (joins and the condition are checked per window)"
		}
		fmt.Fprintf(w, "  %s: %s\n", l.Rule.Vars[i], verdict)
	}
}

// writeExplanation prints one rule's evaluation tree, its verdict and its
// lint findings.
func writeExplanation(w io.Writer, l rules.Loaded, ev *udm.Event) {
	r := l.Rule
	fmt.Fprintf(w, "rule %s (%s)\n", r.Name, text.Escape(l.Origin))
	tr := r.Explain(ev)
	findings := lint.Lint(r)
	dead := deadClauses(r, findings)
	if r.Events == nil {
		fmt.Fprintln(w, "  (no events section)")
	} else {
		fmt.Fprintf(w, "  %-6s %-8s %s\n", "RESULT", "AT", "CLAUSE  ← VALUES COMPARED")
		writeTrace(w, tr, 0, dead)
	}
	if tr.Result {
		fmt.Fprintf(w, "verdict: MATCH: %s fires on this record\n", r.Name)
		for _, o := range r.Outcomes(ev) {
			v := o.Value.String()
			if o.Value.Kind == fn.String {
				v = strconv.Quote(v)
			}
			fmt.Fprintf(w, "         outcome $%s = %s\n", o.Name, text.Escape(v))
		}
	} else {
		fmt.Fprintf(w, "verdict: NO MATCH: %s does not fire on this record", r.Name)
		if why := failing(tr); len(why) > 0 {
			fmt.Fprintf(w, "; false at %s", strings.Join(why, ", "))
		}
		fmt.Fprintln(w)
	}
	if _, ok := dead[r.Events]; ok && r.Events != nil {
		fmt.Fprintln(w, "         the rule can never match any record: every branch holds a dead clause (lint below)")
	}
	if len(findings) > 0 {
		fmt.Fprintf(w, "lint (%d):\n", len(findings))
		for _, fd := range findings {
			lines := strings.Split(fd.String(), "\n")
			for i, l := range lines {
				lines[i] = text.Escape(l)
			}
			fmt.Fprintf(w, "  %s\n", strings.Join(lines, "\n  "))
		}
	}
}

// writeTrace prints one clause per line: its result, its position, the
// clause (connectives by name) and, for leaves, the values compared.
func writeTrace(w io.Writer, t *rule.Trace, depth int, dead map[rule.Expr]string) {
	res, clause := traceLine(t)
	mark := ""
	if at, ok := dead[t.Expr]; ok {
		mark = "   [dead: never true for any record"
		if at != "" {
			mark += ", lint " + at
		}
		mark += "]"
	}
	fmt.Fprintf(w, "  %-6s %-8s %s%s%s\n", res, fmt.Sprintf("%d:%d", t.Pos.Line, t.Pos.Col), strings.Repeat("  ", depth), clause, mark)
	for _, k := range t.Kids {
		writeTrace(w, k, depth+1, dead)
	}
}

// traceLine is a clause's result and its text: connectives by name,
// leaves with the values they compared.
func traceLine(t *rule.Trace) (res, clause string) {
	res = "false"
	if t.Result {
		res = "true"
	}
	switch t.Expr.(type) {
	case *rule.And:
		clause = "and"
	case *rule.Or:
		clause = "or"
	case *rule.Not:
		clause = "not"
	default:
		clause = text.Escape(t.Text) + "  ← "
		if len(t.Values) == 0 {
			clause += "(absent)"
		} else {
			clause += quoteAll(t.Values)
		}
	}
	return res, clause
}

// failing names the false clauses directly under a false root: the
// first place to look.
func failing(t *rule.Trace) []string {
	if _, ok := t.Expr.(*rule.And); !ok {
		return []string{fmt.Sprintf("%d:%d", t.Pos.Line, t.Pos.Col)}
	}
	var out []string
	for _, k := range t.Kids {
		if !k.Result {
			out = append(out, fmt.Sprintf("%d:%d", k.Pos.Line, k.Pos.Col))
		}
	}
	return out
}

// deadClauses marks the clauses lint proves never true, with the
// position of the finding for leaves, and propagates as lint does: an
// "and" with a dead term is dead, an "or" when all its terms are;
// nothing is concluded through "not".
func deadClauses(r *rule.Rule, findings []lint.Finding) map[rule.Expr]string {
	at := map[rule.Pos]rule.Expr{}
	rule.Walk(r.Events, func(x rule.Expr) bool {
		switch x := x.(type) {
		case *rule.Compare:
			at[x.At], at[x.FieldPos], at[x.Value.At] = x, x, x
		case *rule.InList:
			at[x.At], at[x.FieldPos] = x, x
			for _, v := range x.Values {
				at[v.At] = x
			}
		case *rule.Regex:
			at[x.At], at[x.FieldPos], at[x.PatternPos] = x, x, x
		}
		return true
	})
	dead := map[rule.Expr]string{}
	for _, f := range findings {
		if x, ok := at[f.Pos]; ok && f.Level == lint.Never {
			if _, seen := dead[x]; !seen {
				dead[x] = fmt.Sprintf("%d:%d", f.Pos.Line, f.Pos.Col)
			}
		}
	}
	var walk func(x rule.Expr) bool
	walk = func(x rule.Expr) bool {
		var d bool
		switch x := x.(type) {
		case *rule.And:
			for _, t := range x.Terms {
				d = walk(t) || d
			}
		case *rule.Or:
			d = len(x.Terms) > 0
			for _, t := range x.Terms {
				d = walk(t) && d
			}
		case *rule.Not:
			walk(x.X)
		default:
			_, d = dead[x]
		}
		if d {
			if _, ok := dead[x]; !ok {
				dead[x] = ""
			}
		}
		return d
	}
	if r.Events != nil {
		walk(r.Events)
	}
	return dead
}
