// Package report aggregates hit files into the tables and the HTML page
// of 'retrohunt report': hits grouped by rule, principal,
// account/subscription and day (UTC), each hit counted once across
// files. It reads local Parquet files and folders, and prefixes in any
// sources.Source; the CLI parses flags and opens sources.
package report

import (
	"sort"
	"strings"
	"time"

	"github.com/retrohunt/retrohunt/output"
)

// Report is the aggregation both the text tables and the HTML page show.
type Report struct {
	Hits []output.Hit // by event time
	// Detections are the detection rows of multi-event rules
	// (row_kind "detection"), by window start; they are not hits and
	// count in none of the groups.
	Detections  []output.Hit
	Files       []string
	Duplicates  int
	First, Last time.Time
	Results     []string // result values seen, success and failure first
	Rules       []*Group
	Principals  []*Group
	Accounts    []*Group
	Days        []*Group // every day from First to Last, empty ones included
	Generated   time.Time
}

// Group is one row of a grouped table.
type Group struct {
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

func newGroup(key string) *Group {
	return &Group{Key: key, ByResult: map[string]int64{}, ByRule: map[string]int64{}, ByPrincipal: map[string]int64{},
		Principals: map[string]bool{}, Accounts: map[string]bool{}, Rules: map[string]bool{}, IPs: map[string]bool{}}
}

func (g *Group) add(h *output.Hit) {
	g.Hits++
	g.ByResult[resultOf(h)]++
	g.ByRule[h.RuleName]++
	g.ByPrincipal[Principal(*h)]++
	g.Principals[Principal(*h)] = true
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

// Report groups the hits read so far; the Set keeps them, sorted by
// event time.
func (s *Set) Report() *Report {
	r := &Report{Hits: s.hits, Detections: s.dets, Files: s.files, Duplicates: s.dups, Generated: time.Now().UTC()}
	sort.SliceStable(r.Detections, func(i, j int) bool {
		a, b := r.Detections[i].WindowStart, r.Detections[j].WindowStart
		if a != nil && b != nil && !a.Equal(*b) {
			return a.Before(*b)
		}
		return r.Detections[i].RuleName < r.Detections[j].RuleName
	})
	sort.SliceStable(r.Hits, func(i, j int) bool {
		a, b := &r.Hits[i], &r.Hits[j]
		if !a.EventTime.Equal(b.EventTime) {
			return a.EventTime.Before(b.EventTime)
		}
		return a.RuleName < b.RuleName
	})
	rules, principals, accounts, days := map[string]*Group{}, map[string]*Group{}, map[string]*Group{}, map[string]*Group{}
	get := func(m map[string]*Group, k string) *Group {
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
		get(principals, Principal(*h)).add(h)
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
func byHits(m map[string]*Group) []*Group {
	out := make([]*Group, 0, len(m))
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
	out := make([]string, 0, len(m))
	for r := range m {
		out = append(out, r)
	}
	SortResults(out)
	return out
}

// SortResults puts result values in the order tables show them:
// success, failure, then the rest by name.
func SortResults(rs []string) {
	rank := map[string]int{"success": 0, "failure": 1}
	sort.Slice(rs, func(i, j int) bool {
		a, oka := rank[rs[i]]
		b, okb := rank[rs[j]]
		switch {
		case oka && okb:
			return a < b
		case oka != okb:
			return oka
		}
		return rs[i] < rs[j]
	})
}

// Principal names who acted: the user, else the address.
func Principal(h output.Hit) string {
	switch {
	case h.PrincipalUser != "":
		return h.PrincipalUser
	case h.PrincipalIP != "":
		return h.PrincipalIP
	}
	return "(unknown)"
}
