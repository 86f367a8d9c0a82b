package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/retrohunt/retrohunt/scan/decode"
	"github.com/retrohunt/retrohunt/scan/lint"
	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/rules"
	"github.com/retrohunt/retrohunt/scan/udm"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/open"
)

const explainUsage = `Usage: retrohunt explain [--rule RULE]... [--record N] RECORD

Shows why a record does or does not match a rule: the record's UDM view
(every mapped field, its values and the raw path each came from), then the
rule's events section evaluated clause by clause, the verdict, and the
rule's lint findings. Clauses that can never be true for any record are
marked "dead".

RECORD is a JSON file holding one record; any archive object (a CloudTrail
.json.gz, an Azure PT1H.json) with --record N; or a hit's source_uri
(file://, s3://, azblob://, https://) with its record_index as --record.
RULE is a rule file, a directory of .yaral files or a built-in rule name
(default: the built-in T1021.008 pack).

Examples:
  retrohunt explain --rule aws_ssm_session_manager testdata/samples/aws_ssm_StartSession__stratus.json
  retrohunt explain --rule direct_cloud_vm_connection_t1021_008 testdata/samples/azure_RUNCOMMAND_ACTION__SYNTH_export.json
  retrohunt explain --rule my_rule.yaral s3://org-trail/AWSLogs/111122223333/CloudTrail/eu-west-1/2024/03/01/x.json.gz --record 17

Flags:
`

type explainFlags struct {
	rules  listFlag
	record int
	src    sourceFlags
}

func (f *explainFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.rules, "rule", "rule file, directory of .yaral files, or built-in rule name; repeatable (default: the built-in T1021.008 pack)")
	fs.IntVar(&f.record, "record", -1, "explain record `N` of the object (a hit's record_index); needed when the object holds more than one")
	f.src.register(fs)
}

func cmdExplain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f explainFlags
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, explainUsage); fs.PrintDefaults() }
	f.register(fs)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if len(pos) != 1 {
		fs.Usage()
		return usagef("explain: want exactly one RECORD (a file or a source URI), got %d", len(pos))
	}
	if f.record < -1 {
		return usagef("explain: --record must be >= 0")
	}
	loaded, err := loadRules(f.rules)
	if err != nil {
		return usageError{err}
	}
	rec, err := fetchRecord(ctx, pos[0], f.record, &f.src)
	if err != nil {
		return err
	}
	ev, err := udm.Map(rec.raw)
	if err != nil {
		return fmt.Errorf("%s record %d: cannot map to UDM: %w", rec.uri, rec.index, err)
	}
	w := &errWriter{w: stdout}
	writeUDMView(w, rec, ev)
	for _, l := range loaded {
		fmt.Fprintln(w)
		writeExplanation(w, l, ev)
	}
	return w.err
}

// record is one raw record and where it came from.
type record struct {
	uri   string
	index int
	total int // records in the object, -1 when decoding stopped early
	raw   []byte
}

// errFound stops decoding once the wanted record is in hand, errMany
// when a second record shows that --record is needed.
var (
	errFound = errors.New("found")
	errMany  = errors.New("more than one record")
)

// fetchRecord opens arg (a local path or a source URI), decodes its one
// object and returns record index (-1: the only record).
func fetchRecord(ctx context.Context, arg string, index int, sf *sourceFlags) (*record, error) {
	loc := arg
	if strings.HasPrefix(strings.ToLower(arg), "file://") {
		// Provenance URIs escape the path ("%20"); the local source
		// takes a plain path.
		u, err := url.Parse(arg)
		if err != nil {
			return nil, usagef("explain: cannot parse %s: %v", arg, err)
		}
		loc = u.Path
	}
	t, err := openTarget(ctx, loc, sf, 4)
	if err != nil {
		return nil, err
	}
	obj, err := findObject(ctx, t.Source, t.Prefix)
	if err != nil {
		return nil, err
	}
	rec := &record{uri: t.Source.URI(obj.Key), index: index, total: -1}
	dec := decode.NewDecoder(decode.Limits{})
	var first []byte
	var res decode.Result
	err = sources.WithObject(ctx, t.Source, obj, func(r io.Reader) error {
		var derr error
		res, derr = dec.Decode(r, func(i int, raw []byte) error {
			switch {
			case index < 0 && i == 0:
				first = append([]byte(nil), raw...)
			case index < 0:
				return errMany
			case i == index:
				rec.raw = append([]byte(nil), raw...)
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
		return nil, usagef("explain: %s holds more than one record: choose one with --record N (a hit's record_index)", rec.uri)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", rec.uri, err)
	}
	for _, s := range res.Skipped {
		if s.Index == index || index < 0 && s.Index == 0 {
			return nil, fmt.Errorf("%s record %d was skipped by the decoder: %s", rec.uri, s.Index, s.Reason)
		}
	}
	if index < 0 {
		if first == nil {
			return nil, fmt.Errorf("%s holds no record", rec.uri)
		}
		rec.index, rec.total, rec.raw = 0, 1, first
		return rec, nil
	}
	return nil, usagef("explain: %s has no record %d: it holds %d (indexes 0 to %d)", rec.uri, index, res.Records, res.Records-1)
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
		return sources.Object{}, fmt.Errorf("list %s: %s", src.URI(key), open.Explain(err))
	}
	switch {
	case found != nil && (key != "" || n == 1):
		return *found, nil
	case key == "":
		return sources.Object{}, usagef("explain: %s is a folder, not one object: give the object's URI", src.Location())
	}
	return sources.Object{}, usagef("explain: no object %s", src.URI(key))
}

// writeUDMView prints every UDM field the record maps to, in the order of
// the mapping table, with the raw path it came from.
func writeUDMView(w io.Writer, rec *record, ev *udm.Event) {
	fmt.Fprintf(w, "record    %s record %d\n", rec.uri, rec.index)
	fmt.Fprintf(w, "log type  %s\n\n", ev.Type)
	var rows [][]string
	var absent []string
	for _, r := range udm.Rows(ev.Type) {
		vals, ok := ev.Fields[r.UDM]
		if !ok {
			absent = append(absent, r.UDM)
			continue
		}
		rows = append(rows, []string{r.UDM, quoteAll(vals) + "  ← " + ev.Origin[r.UDM]})
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

// writeExplanation prints one rule's evaluation tree, its verdict and its
// lint findings.
func writeExplanation(w io.Writer, l rules.Loaded, ev *udm.Event) {
	r := l.Rule
	fmt.Fprintf(w, "rule %s (%s)\n", r.Name, l.Origin)
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
			fmt.Fprintf(w, "  %s\n", strings.ReplaceAll(fd.String(), "\n", "\n  "))
		}
	}
}

// writeTrace prints one clause per line: its result, its position, the
// clause (connectives by name) and, for leaves, the values compared.
func writeTrace(w io.Writer, t *rule.Trace, depth int, dead map[rule.Expr]string) {
	res := "false"
	if t.Result {
		res = "true"
	}
	var text string
	switch t.Expr.(type) {
	case *rule.And:
		text = "and"
	case *rule.Or:
		text = "or"
	case *rule.Not:
		text = "not"
	default:
		text = t.Text + "  ← "
		if len(t.Values) == 0 {
			text += "(absent)"
		} else {
			text += quoteAll(t.Values)
		}
	}
	mark := ""
	if at, ok := dead[t.Expr]; ok {
		mark = "   [dead: never true for any record"
		if at != "" {
			mark += ", lint " + at
		}
		mark += "]"
	}
	fmt.Fprintf(w, "  %-6s %-8s %s%s%s\n", res, fmt.Sprintf("%d:%d", t.Pos.Line, t.Pos.Col), strings.Repeat("  ", depth), text, mark)
	for _, k := range t.Kids {
		writeTrace(w, k, depth+1, dead)
	}
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

// errWriter keeps the first write error, so a long report can be
// printed without checking each line.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
