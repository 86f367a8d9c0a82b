package sourcetest

import (
	"context"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/sources"
)

// walkNow is the walks' clock.
var walkNow = time.Date(2024, 3, 3, 6, 0, 0, 0, time.UTC)

// walkCase is one Walker configuration and what it must find.
type walkCase struct {
	name   string
	start  string
	window sources.Window
	accts  []string
	regs   []string
	subs   []string
}

// keep reports whether entry e belongs in the walk's result, judged from
// the fixture's own metadata.
func (c walkCase) keep(e Entry) bool {
	if !strings.HasPrefix(e.Key, c.start) {
		return false
	}
	w := c.window
	in := func(start, end time.Time) bool {
		return (w.Since.IsZero() || !end.Add(w.Margin).Before(w.Since)) &&
			(w.Until.IsZero() || !start.Add(-w.Margin).After(w.Until))
	}
	switch e.Kind {
	case "cloudtrail":
		return match(c.accts, e.Account) && match(c.regs, e.Region) && in(e.Time, e.Time)
	case "azure":
		return match(c.subs, e.Account) && in(e.Time, e.Time.Add(time.Hour))
	}
	// Siblings are skipped; keys outside the layouts are not visited
	// when the start prefix holds a layout.
	return false
}

func match(list []string, s string) bool {
	if len(list) == 0 {
		return true
	}
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// dayPrefixes is what a walk with a lower time bound must List: the day
// folders of the window below every trail region and subscription that
// the filters keep, and nothing else.
func (c walkCase) dayPrefixes(tree []Entry) []string {
	until := c.window.Until
	if until.IsZero() {
		until = walkNow
	}
	first := c.window.Since.Add(-c.window.Margin).UTC().Truncate(24 * time.Hour)
	last := until.Add(c.window.Margin).UTC().Truncate(24 * time.Hour)
	set := map[string]bool{}
	for _, e := range tree {
		var base string
		switch {
		case e.Kind == "cloudtrail" && match(c.accts, e.Account) && match(c.regs, e.Region):
			base = "AWSLogs/"
			if e.Org != "" {
				base += e.Org + "/"
			}
			base += e.Account + "/CloudTrail/" + e.Region + "/"
		case e.Kind == "azure" && match(c.subs, e.Account):
			base = "resourceId=/SUBSCRIPTIONS/" + e.Account + "/"
		default:
			continue
		}
		if !strings.HasPrefix(base, c.start) {
			continue
		}
		for d := first; !d.After(last); d = d.Add(24 * time.Hour) {
			if e.Kind == "azure" {
				set[base+d.Format("y=2006/m=01/d=02/")] = true
			} else {
				set[base+d.Format("2006/01/02/")] = true
			}
		}
	}
	var out []string
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func testWalk(t *testing.T, env Env, tree []Entry) {
	t1 := time.Date(2024, 3, 1, 0, 1, 0, 0, time.UTC)
	day1 := sources.Window{Since: t1, Until: time.Date(2024, 3, 1, 23, 58, 0, 0, time.UTC)}
	// The margin reaches back into the day before Since.
	margin := sources.Window{Since: time.Date(2024, 3, 2, 0, 9, 0, 0, time.UTC), Until: time.Date(2024, 3, 2, 12, 0, 0, 0, time.UTC), Margin: 15 * time.Minute}
	cases := []walkCase{
		{name: "All"},
		{name: "Day", window: day1},
		{name: "Margin", window: margin},
		{name: "OpenEnded", window: sources.Window{Since: time.Date(2024, 3, 2, 12, 0, 0, 0, time.UTC)}},
		{name: "Account", accts: []string{AccountA}},
		{name: "AccountAndRegionInWindow", window: day1, accts: []string{AccountC}, regs: []string{"EU-WEST-1"}},
		{name: "Subscription", subs: []string{strings.ToUpper(Sub2)}},
		{name: "SubscriptionInWindow", window: margin, subs: []string{Sub1}},
		{name: "OrgOnly", start: "AWSLogs/" + Org + "/", window: day1},
		{name: "StartWithoutSlash", start: "AWSLogs", window: day1},
		{name: "StartInsideAccount", start: "AWSLogs/" + AccountB + "/CloudTrail/", regs: []string{"us-east-1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { runWalk(t, env, tree, c) })
	}
}

func runWalk(t *testing.T, env Env, tree []Entry, c walkCase) {
	rec := &recorder{Source: env.Source}
	w := &sources.Walker{
		Source:        rec,
		Window:        c.window,
		Accounts:      c.accts,
		Regions:       c.regs,
		Subscriptions: c.subs,
		Parallel:      4,
		// Open-ended windows end "now": a fixed clock keeps the
		// enumerated days small and the test deterministic.
		Now: func() time.Time { return walkNow },
	}
	var (
		mu  sync.Mutex
		got []string
	)
	var warnings []string
	w.Warn = func(s string) { warnings = append(warnings, s) }
	if err := w.Walk(context.Background(), c.start, func(f sources.Found) error {
		mu.Lock()
		got = append(got, f.Key)
		mu.Unlock()
		if f.Info.Kind != sources.KindCloudTrail && f.Info.Kind != sources.KindAzureActivity {
			t.Errorf("walk passed %s of kind %v", f.Key, f.Info.Kind)
		}
		return nil
	}); err != nil {
		t.Fatalf("Walk: %v", err)
	}
	sort.Strings(got)
	var want []string
	orgSeen := false
	for _, e := range tree {
		if c.keep(e) {
			want = append(want, e.Key)
			orgSeen = orgSeen || e.Org != ""
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("walk found %d objects, want %d\n got %q\nwant %q", len(got), len(want), got, want)
	}
	if c.name == "All" && !orgSeen {
		t.Error("the unfiltered walk found no organization-trail object")
	}
	if len(warnings) > 0 {
		t.Errorf("unexpected warnings: %q", warnings)
	}

	lists, dirs := rec.listed()
	for _, p := range append(lists, dirs...) {
		if strings.Contains(p, "CloudTrail-") {
			t.Errorf("walk listed sibling folder %q", p)
		}
		for _, a := range []string{AccountA, AccountB, AccountC} {
			if strings.Contains(p, "/"+a+"/") && !match(c.accts, a) {
				t.Errorf("walk listed %q of filtered-out account %s", p, a)
			}
		}
		for _, r := range Regions {
			if strings.Contains(p, "/"+r+"/") && !match(c.regs, r) {
				t.Errorf("walk listed %q of filtered-out region %s", p, r)
			}
		}
		for _, s := range []string{Sub1, Sub2} {
			if strings.Contains(p, "/"+s+"/") && !match(c.subs, s) {
				t.Errorf("walk listed %q of filtered-out subscription %s", p, s)
			}
		}
	}
	if w.Stats.Fallback.Load() {
		t.Error("walk fell back to listing without a layout")
	}
	if c.window.Since.IsZero() {
		// Without a lower bound the walk discovers day folders by
		// listing; it still lists only day folders recursively.
		for _, p := range lists {
			if !sources.ParseKey(p + "x").Dated() {
				t.Errorf("walk without a window listed %q recursively, not a day folder", p)
			}
		}
		return
	}
	// With a lower bound, the day folders are computed, not listed: the
	// recursive Lists are exactly the window's day folders.
	if want := c.dayPrefixes(tree); strings.Join(lists, "\n") != strings.Join(want, "\n") {
		t.Errorf("walk listed recursively\n got %q\nwant %q", lists, want)
	}
	for _, p := range dirs {
		if strings.Contains(p, "/2024/") || strings.Contains(p, "/y=2024/") {
			t.Errorf("walk with a window listed date folder %q", p)
		}
	}
}
