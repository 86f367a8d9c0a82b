package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/output/text"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/open"
)

const reportUsage = `Usage: retrohunt report [flags] HITS...

Reads hit files written by 'retrohunt scan --out x.parquet' and prints
tables grouped by rule, principal, account/subscription and day (UTC).
HITS is a local .parquet file or a directory of them, or a prefix in
object storage (s3://bucket/prefix, azblob://account/container/prefix,
https://account.blob.core.windows.net/container/prefix): every *.parquet
object under it is read. A hit found in several files (same rule, source
object and record) is counted once.

--html writes one self-contained page (no scripts, no external assets:
it opens offline and can be attached to a ticket) with timelines of hits
per day per rule and per principal, the tables, and the hits themselves.

Examples:
  retrohunt report hits.parquet
  retrohunt report hits-aws.parquet hits-azure.parquet --html report.html
  retrohunt report s3://lake/findings/2024-03/ --region eu-west-1 --top 50

Flags:
`

type reportFlags struct {
	html     string
	top      int
	maxTable int
	src      sourceFlags
}

func (f *reportFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.html, "html", "", "also write a self-contained HTML report to this `file`")
	fs.IntVar(&f.top, "top", 20, "rows shown in the principal and account tables (0: all)")
	fs.IntVar(&f.maxTable, "html-max-hits", 5000, "hits listed in the HTML page's hit table (0: all); the charts and tables always count every hit")
	f.src.register(fs)
}

func cmdReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f reportFlags
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, reportUsage); fs.PrintDefaults() }
	f.register(fs)
	inputs, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if len(inputs) == 0 {
		fs.Usage()
		return usagef("report: no hit file given")
	}
	if f.top < 0 || f.maxTable < 0 {
		return usagef("report: --top and --html-max-hits must be >= 0")
	}
	set := &hitSet{seen: map[hitKey]bool{}}
	for _, in := range inputs {
		if err := set.load(ctx, in, &f.src); err != nil {
			return err
		}
	}
	rep := buildReport(set)
	w := &errWriter{w: stdout}
	writeReport(w, rep, f.top)
	if w.err != nil {
		return w.err
	}
	if f.html != "" {
		file, err := output.Create(f.html)
		if err != nil {
			return err
		}
		defer file.Abort()
		if err := writeHTMLReport(file, rep, f.maxTable); err != nil {
			return fmt.Errorf("write %s: %w", f.html, err)
		}
		if err := file.Commit(); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "retrohunt: report written to %s\n", f.html)
	}
	return nil
}

// hitKey identifies one hit across files: a rerun of the same scan, or
// overlapping windows, find the same record again.
type hitKey struct {
	rule, uri string
	index     int64
	id        string
}

// hitSet is every hit read, without duplicates, and where they came from.
type hitSet struct {
	hits  []output.Hit
	files []string
	dups  int
	seen  map[hitKey]bool
}

func (s *hitSet) add(hs []output.Hit) error {
	for _, h := range hs {
		k := hitKey{h.RuleName, h.SourceURI, h.RecordIndex, h.EventID}
		if s.seen[k] {
			s.dups++
			continue
		}
		s.seen[k] = true
		s.hits = append(s.hits, h)
	}
	return nil
}

// load reads one HITS argument: a local file or directory, or a prefix in
// object storage.
func (s *hitSet) load(ctx context.Context, arg string, sf *sourceFlags) error {
	scheme, _, hasScheme := strings.Cut(arg, "://")
	if !hasScheme || strings.EqualFold(scheme, "file") {
		path := arg
		if hasScheme {
			u, err := url.Parse(arg)
			if err != nil {
				return usagef("report: cannot parse %s: %v", arg, err)
			}
			path = u.Path
		}
		return s.loadLocal(path)
	}
	t, err := openTarget(ctx, arg, sf, 8)
	if err != nil {
		return err
	}
	var objs []sources.Object
	err = t.Source.List(ctx, t.Prefix, func(o sources.Object) error {
		if strings.HasSuffix(o.Key, ".parquet") {
			objs = append(objs, o)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("list %s: %s", t.Source.URI(t.Prefix), open.Explain(err))
	}
	if len(objs) == 0 {
		return usagef("report: no .parquet object under %s", t.Source.URI(t.Prefix))
	}
	for _, o := range objs {
		if err := s.loadObject(ctx, t.Source, o); err != nil {
			return err
		}
	}
	return nil
}

func (s *hitSet) loadLocal(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return usagef("report: %v", err)
	}
	var files []string
	if st.IsDir() {
		err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(p, ".parquet") && !strings.HasPrefix(d.Name(), ".") {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(files) == 0 {
			return usagef("report: no .parquet file in %s", path)
		}
		sort.Strings(files)
	} else {
		files = []string{path}
	}
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		st, err := f.Stat()
		if err == nil {
			err = output.ReadHits(f, st.Size(), output.ReadOptions{}, s.add)
		}
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		s.files = append(s.files, p)
	}
	return nil
}

// inMemory is the largest hit file downloaded into memory; larger ones
// go to a temporary file, since Parquet is read from its footer back.
const inMemory = 64 << 20

func (s *hitSet) loadObject(ctx context.Context, src sources.Source, o sources.Object) error {
	uri := src.URI(o.Key)
	var ra io.ReaderAt
	var size int64
	if o.Size <= inMemory {
		var buf bytes.Buffer
		err := sources.WithObject(ctx, src, o, func(r io.Reader) error {
			_, err := buf.ReadFrom(r)
			return err
		})
		if err != nil {
			return fmt.Errorf("download %s: %s", uri, open.Explain(err))
		}
		ra, size = bytes.NewReader(buf.Bytes()), int64(buf.Len())
	} else {
		tmp, err := os.CreateTemp("", "retrohunt-report-*.parquet")
		if err != nil {
			return err
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		err = sources.WithObject(ctx, src, o, func(r io.Reader) error {
			n, err := io.Copy(tmp, r)
			size = n
			return err
		})
		if err != nil {
			return fmt.Errorf("download %s: %s", uri, open.Explain(err))
		}
		ra = tmp
	}
	if err := output.ReadHits(ra, size, output.ReadOptions{}, s.add); err != nil {
		return fmt.Errorf("%s: %w", uri, err)
	}
	s.files = append(s.files, uri)
	return nil
}

// report is the aggregation both the text tables and the HTML page show.
type report struct {
	Hits        []output.Hit // by event time
	Files       []string
	Duplicates  int
	First, Last time.Time
	Results     []string // result values seen, success and failure first
	Rules       []*group
	Principals  []*group
	Accounts    []*group
	Days        []*group // every day from First to Last, empty ones included
	Generated   time.Time
}

// group is one row of a grouped table.
type group struct {
	Key         string
	Hits        int64
	ByResult    map[string]int64
	ByRule      map[string]int64
	ByPrincipal map[string]int64
	Principals  map[string]bool
	Accounts    map[string]bool
	Rules       map[string]bool
	IPs         map[string]bool
	First, Last time.Time
	Severity    string // rules: from the hits
	LogType     string // accounts
}

func newGroup(key string) *group {
	return &group{Key: key, ByResult: map[string]int64{}, ByRule: map[string]int64{}, ByPrincipal: map[string]int64{},
		Principals: map[string]bool{}, Accounts: map[string]bool{}, Rules: map[string]bool{}, IPs: map[string]bool{}}
}

func (g *group) add(h *output.Hit) {
	g.Hits++
	g.ByResult[resultOf(h)]++
	g.ByRule[h.RuleName]++
	g.ByPrincipal[principalOf(*h)]++
	g.Principals[principalOf(*h)] = true
	g.Accounts[accountOf(h)] = true
	g.Rules[h.RuleName] = true
	if h.PrincipalIP != "" {
		g.IPs[h.PrincipalIP] = true
	}
	if g.First.IsZero() || h.EventTime.Before(g.First) {
		g.First = h.EventTime
	}
	if h.EventTime.After(g.Last) {
		g.Last = h.EventTime
	}
	if g.Severity == "" {
		g.Severity = h.Severity
	}
	if g.LogType == "" {
		g.LogType = h.LogType
	}
}

func resultOf(h *output.Hit) string {
	if h.Result == "" {
		return "unknown"
	}
	return h.Result
}

// accountOf is the AWS account or the Azure subscription. Subscription
// ids are GUIDs, which Azure writes in either case: fold them, or one
// subscription shows as two.
func accountOf(h *output.Hit) string {
	switch {
	case h.AccountID == "":
		return "(unknown)"
	case h.LogType == "AZURE_ACTIVITY":
		return strings.ToLower(h.AccountID)
	}
	return h.AccountID
}

const dayLayout = "2006-01-02"

func buildReport(s *hitSet) *report {
	r := &report{Hits: s.hits, Files: s.files, Duplicates: s.dups, Generated: time.Now().UTC()}
	sort.SliceStable(r.Hits, func(i, j int) bool {
		a, b := &r.Hits[i], &r.Hits[j]
		if !a.EventTime.Equal(b.EventTime) {
			return a.EventTime.Before(b.EventTime)
		}
		return a.RuleName < b.RuleName
	})
	rules, principals, accounts, days := map[string]*group{}, map[string]*group{}, map[string]*group{}, map[string]*group{}
	get := func(m map[string]*group, k string) *group {
		g := m[k]
		if g == nil {
			g = newGroup(k)
			m[k] = g
		}
		return g
	}
	results := map[string]bool{}
	for i := range r.Hits {
		h := &r.Hits[i]
		h.EventTime = h.EventTime.UTC()
		get(rules, h.RuleName).add(h)
		get(principals, principalOf(*h)).add(h)
		get(accounts, accountOf(h)).add(h)
		get(days, h.EventTime.Format(dayLayout)).add(h)
		results[resultOf(h)] = true
	}
	if len(r.Hits) > 0 {
		r.First, r.Last = r.Hits[0].EventTime, r.Hits[len(r.Hits)-1].EventTime
		for d := day(r.First); !d.After(day(r.Last)); d = d.AddDate(0, 0, 1) {
			r.Days = append(r.Days, get(days, d.Format(dayLayout)))
		}
	}
	r.Rules, r.Principals, r.Accounts = byHits(rules), byHits(principals), byHits(accounts)
	r.Results = sortedResults(results)
	return r
}

func day(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }

// byHits orders groups by hits, most first, ties by key.
func byHits(m map[string]*group) []*group {
	out := make([]*group, 0, len(m))
	for _, g := range m {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Hits != out[j].Hits {
			return out[i].Hits > out[j].Hits
		}
		return out[i].Key < out[j].Key
	})
	return out
}

func sortedResults(m map[string]bool) []string {
	t := &tally{byResult: map[string]int64{}}
	for r := range m {
		t.byResult[r] = 1
	}
	return t.results()
}

const minuteLayout = "2006-01-02 15:04"

// writeReport prints the grouped tables.
func writeReport(w io.Writer, r *report, top int) {
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

func limit(gs []*group, n int) []*group {
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
