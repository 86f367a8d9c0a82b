package sourcetest

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/sources"
)

// dayFolder is a day folder of either layout, spelled out from the
// documented key formats rather than by sources.ParseKey.
var dayFolder = regexp.MustCompile(`(^|/)(AWSLogs/(o-[a-z0-9]+/)?\d{12}/CloudTrail/[a-z0-9-]+/\d{4}/\d{2}/\d{2}|(resourceId=/SUBSCRIPTIONS/[^/]+|tenantId=[^/]+|resourceId=/TENANTS/[^/]+/PROVIDERS/MICROSOFT.AADIAM)/y=\d{4}/m=\d{2}/d=\d{2})/$`)

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

// The oracle below shares no code with the walker: it judges each
// fixture entry from the metadata Tree wrote down, minute by minute, so a
// slip in Window.KeepKey, in the walker's day arithmetic or in its
// filters shows up as a difference.

// span is the instants, a minute apart, that a window with its margin
// covers: from Since-Margin to Until+Margin, until (the walk's clock
// for an open end) standing in for a zero Until. ok is false without a
// lower bound.
func (c walkCase) span() (lo, hi time.Time, ok bool) {
	w := c.window
	if w.Since.IsZero() {
		return time.Time{}, time.Time{}, false
	}
	hi = w.Until
	if hi.IsZero() {
		hi = walkNow
	}
	return w.Since.Add(-w.Margin), hi.Add(w.Margin), true
}

// covers reports whether instant t lies inside the window widened by its
// margin on each side; an open bound is no limit.
func (c walkCase) covers(t time.Time) bool {
	w := c.window
	if !w.Since.IsZero() && t.Before(w.Since.Add(-w.Margin)) {
		return false
	}
	if !w.Until.IsZero() && t.After(w.Until.Add(w.Margin)) {
		return false
	}
	return true
}

// keep reports whether entry e belongs in the walk's result. A
// CloudTrail file speaks for its delivery instant; an Azure hour blob
// for every minute of its hour, its end included (an event stamped on
// the hour may be in either blob).
func (c walkCase) keep(e Entry) bool {
	if !strings.HasPrefix(e.Key, c.start) {
		return false
	}
	switch e.Kind {
	case "cloudtrail":
		return oneOf(c.accts, e.Account) && oneOf(c.regs, e.Region) && c.covers(e.Time)
	case "azure", "tenant":
		if e.Kind == "azure" && !oneOf(c.subs, e.Account) {
			return false
		}
		for m := 0; m <= 60; m++ {
			if c.covers(e.Time.Add(time.Duration(m) * time.Minute)) {
				return true
			}
		}
		return false
	}
	// Siblings are skipped; keys outside the layouts are not visited
	// when the start prefix holds a layout.
	return false
}

// oneOf is the filter flags' rule: an empty list keeps all, otherwise
// the value must be in the list, whatever its case.
func oneOf(list []string, s string) bool {
	if len(list) == 0 {
		return true
	}
	set := map[string]bool{}
	for _, v := range list {
		set[strings.ToLower(v)] = true
	}
	return set[strings.ToLower(s)]
}

// dayPrefixes is what a walk with a lower time bound must List: the day
// folders of the window below every trail region and subscription that
// the filters keep, and nothing else. The days are those of the window's
// minutes (UTC), visited one by one.
func (c walkCase) dayPrefixes(tree []Entry) []string {
	lo, hi, ok := c.span()
	if !ok {
		return nil
	}
	days := map[string]time.Time{}
	for t := lo; !t.After(hi); t = t.Add(time.Minute) {
		days[t.UTC().Format("2006-01-02")] = t.UTC()
	}
	days[hi.UTC().Format("2006-01-02")] = hi.UTC()
	set := map[string]bool{}
	for _, e := range tree {
		var base string
		switch {
		case e.Kind == "cloudtrail" && oneOf(c.accts, e.Account) && oneOf(c.regs, e.Region):
			base = "AWSLogs/"
			if e.Org != "" {
				base += e.Org + "/"
			}
			base += e.Account + "/CloudTrail/" + e.Region + "/"
		case e.Kind == "azure" && oneOf(c.subs, e.Account):
			base = "resourceId=/SUBSCRIPTIONS/" + e.Account + "/"
		case e.Kind == "tenant":
			base = tenantBase(e)
		default:
			continue
		}
		for _, d := range days {
			folder := base + fmt.Sprintf("%04d/%02d/%02d/", d.Year(), d.Month(), d.Day())
			if e.Kind == "azure" || e.Kind == "tenant" {
				folder = base + fmt.Sprintf("y=%04d/m=%02d/d=%02d/", d.Year(), d.Month(), d.Day())
			}
			if strings.HasPrefix(folder, c.start) {
				set[folder] = true
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
	// The margin reaches past Until into the next day, exactly to the
	// first files of that day (00:05).
	marginAfter := sources.Window{Since: time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC), Until: time.Date(2024, 3, 1, 23, 50, 0, 0, time.UTC), Margin: 15 * time.Minute}
	cases := []walkCase{
		{name: "All"},
		{name: "Day", window: day1},
		{name: "Margin", window: margin},
		{name: "MarginAfter", window: marginAfter},
		{name: "OpenEnded", window: sources.Window{Since: time.Date(2024, 3, 2, 12, 0, 0, 0, time.UTC)}},
		{name: "Account", accts: []string{AccountA}},
		{name: "AccountAndRegionInWindow", window: day1, accts: []string{AccountC}, regs: []string{"EU-WEST-1"}},
		{name: "Subscription", subs: []string{strings.ToUpper(Sub2)}},
		{name: "SubscriptionInWindow", window: margin, subs: []string{Sub1}},
		{name: "OrgOnly", start: "AWSLogs/" + Org + "/", window: day1},
		{name: "StartWithoutSlash", start: "AWSLogs", window: day1},
		{name: "StartInsideAccount", start: "AWSLogs/" + AccountB + "/CloudTrail/", regs: []string{"us-east-1"}},
		// Longer windows discover the date folders: across the month
		// end, and a quarter that reaches into the year before.
		{name: "Week", window: sources.Window{Since: time.Date(2024, 2, 25, 0, 0, 0, 0, time.UTC), Until: time.Date(2024, 3, 2, 0, 4, 0, 0, time.UTC), Margin: 15 * time.Minute}},
		{name: "Quarter", window: sources.Window{Since: walkNow.Add(-90 * 24 * time.Hour)}, accts: []string{AccountA}},
		{name: "StartInsideYear", start: "AWSLogs/" + AccountB + "/CloudTrail/us-east-1/2024/", window: sources.Window{Since: time.Date(2024, 2, 25, 0, 0, 0, 0, time.UTC), Until: time.Date(2024, 3, 1, 0, 4, 0, 0, time.UTC), Margin: 15 * time.Minute}},
		{name: "UntilOnly", window: sources.Window{Until: time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { runWalk(t, env, tree, c) })
	}
}

func runWalk(t *testing.T, env Env, tree []Entry, c walkCase) *recorder {
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
	var warnings, outside []string
	w.Warn = func(s string) { warnings = append(warnings, s) }
	w.Outside = func(o sources.Object, log bool) {
		outside = append(outside, o.Key)
		if log {
			t.Errorf("walk called %s, found outside the layout, a log", o.Key)
		}
	}
	if err := w.Walk(context.Background(), c.start, func(f sources.Found) error {
		mu.Lock()
		got = append(got, f.Key)
		mu.Unlock()
		if f.Info.Kind != sources.KindCloudTrail && f.Info.Kind != sources.KindAzureActivity && f.Info.Kind != sources.KindAzureTenant {
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
	// The odd keys lie outside every layout, beside AWSLogs/ or in a
	// folder next to it, and no deeper than the walk looks for a
	// layout: a walk from the top finds each once, by a delimiter
	// listing it makes anyway.
	var wantOutside []string
	for _, e := range tree {
		if e.Kind == "odd" && strings.HasPrefix(e.Key, c.start) {
			wantOutside = append(wantOutside, e.Key)
		}
	}
	sort.Strings(outside)
	if strings.Join(outside, "\n") != strings.Join(wantOutside, "\n") {
		t.Errorf("walk found %d files outside the layout, want %d\n got %q\nwant %q", len(outside), len(wantOutside), outside, wantOutside)
	}
	if n := w.Stats.Outside.Load(); n != int64(len(wantOutside)) {
		t.Errorf("Stats.Outside = %d, want %d", n, len(wantOutside))
	}

	lists, dirs := rec.listed()
	for _, p := range append(lists, dirs...) {
		if strings.Contains(p, "CloudTrail-") {
			t.Errorf("walk listed sibling folder %q", p)
		}
		for _, a := range []string{AccountA, AccountB, AccountC} {
			if strings.Contains(p, "/"+a+"/") && !oneOf(c.accts, a) {
				t.Errorf("walk listed %q of filtered-out account %s", p, a)
			}
		}
		for _, r := range Regions {
			if strings.Contains(p, "/"+r+"/") && !oneOf(c.regs, r) {
				t.Errorf("walk listed %q of filtered-out region %s", p, r)
			}
		}
		for _, s := range []string{Sub1, Sub2} {
			if strings.Contains(p, "/"+s+"/") && !oneOf(c.subs, s) {
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
			if !dayFolder.MatchString(p) {
				t.Errorf("walk without a window listed %q recursively, not a day folder", p)
			}
		}
		return rec
	}
	// With a lower bound, the recursive Lists are day folders of the
	// window below kept trails and subscriptions, each once, and every
	// such folder that holds an object is among them.
	allowed := map[string]bool{}
	for _, p := range c.dayPrefixes(tree) {
		allowed[p] = true
	}
	listed := map[string]bool{}
	for _, p := range lists {
		if !allowed[p] {
			t.Errorf("walk listed %q recursively, not a day folder of the window", p)
		}
		if listed[p] {
			t.Errorf("walk listed %q twice", p)
		}
		listed[p] = true
	}
	for _, p := range c.nonEmptyDays(tree) {
		if !listed[p] {
			t.Errorf("walk did not list day folder %q, which holds objects", p)
		}
	}
	if lo, hi, _ := c.span(); c.folderDays(lo, hi) <= 4 {
		// A short window computes its day folders: no date folder is
		// listed with a delimiter.
		for _, p := range dirs {
			if strings.Contains(p, "/2024/") || strings.Contains(p, "/y=2024/") {
				t.Errorf("walk with a short window listed date folder %q", p)
			}
		}
	}
	return rec
}

// folderDays is how many day folders the instants lo..hi touch.
func (c walkCase) folderDays(lo, hi time.Time) int {
	n := 0
	for d := lo.UTC().Truncate(24 * time.Hour); !d.After(hi); d = d.Add(24 * time.Hour) {
		n++
	}
	return n
}

// base is the folder of e's trail region or subscription, or "" when e
// is in neither layout or the filters drop it.
func (c walkCase) base(e Entry) string {
	switch {
	case e.Kind == "cloudtrail" && oneOf(c.accts, e.Account) && oneOf(c.regs, e.Region):
		b := "AWSLogs/"
		if e.Org != "" {
			b += e.Org + "/"
		}
		return b + e.Account + "/CloudTrail/" + e.Region + "/"
	case e.Kind == "azure" && oneOf(c.subs, e.Account):
		return "resourceId=/SUBSCRIPTIONS/" + e.Account + "/"
	case e.Kind == "tenant":
		return tenantBase(e)
	}
	return ""
}

// tenantBase is the folder of a tenant blob's tenant, the key up to its
// year folder, spelled as TenantTree writes it.
func tenantBase(e Entry) string {
	return e.Key[:strings.Index(e.Key, "y=")]
}

// dayFolderOf is the day folder e's key sits in, from its metadata.
func (c walkCase) dayFolderOf(e Entry) string {
	if e.Kind == "azure" || e.Kind == "tenant" {
		return c.base(e) + e.Time.Format("y=2006/m=01/d=02/")
	}
	return c.base(e) + e.Time.Format("2006/01/02/")
}

// inDays reports whether the day folder of day d is one of the window's.
func (c walkCase) inDays(d time.Time) bool {
	lo, hi, ok := c.span()
	if !ok {
		return true
	}
	d = d.UTC().Truncate(24 * time.Hour)
	return !d.Before(lo.UTC().Truncate(24*time.Hour)) && !d.After(hi)
}

// nonEmptyDays is the day folders of the window that hold an object of
// a kept trail or subscription.
func (c walkCase) nonEmptyDays(tree []Entry) []string {
	set := map[string]bool{}
	for _, e := range tree {
		if c.base(e) != "" && strings.HasPrefix(c.dayFolderOf(e), c.start) && c.inDays(e.Time) {
			set[c.dayFolderOf(e)] = true
		}
	}
	var out []string
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// requestBound is the most list requests a walk of the window may make
// (docs/sources.md, "Listing"), counted from the tree's keys: the
// discovery of the folders above each kept trail region or subscription
// (one listing each), and per region or subscription one listing for its
// years, one per year folder that exists and overlaps the window, one
// per month of the window in such a year, and one per non-empty day
// folder of the window.
func (c walkCase) requestBound(tree []Entry) int {
	lo, hi, _ := c.span()
	lo = lo.UTC().Truncate(24 * time.Hour)
	discovery := map[string]bool{}
	years := map[string]bool{} // base + year
	bases := map[string]bool{}
	for _, e := range tree {
		b := c.base(e)
		if b == "" {
			continue
		}
		bases[b] = true
		segs := strings.Split(strings.TrimSuffix(b, "/"), "/")
		for i := range segs {
			discovery[strings.Join(segs[:i], "/")] = true
		}
		y := time.Date(e.Time.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		if y.AddDate(1, 0, 0).After(lo) && !y.After(hi) {
			years[b+y.Format("2006")] = true
		}
	}
	n := len(discovery) + len(bases) + len(c.nonEmptyDays(tree))
	for by := range years {
		n++ // the year folder
		year, _ := time.Parse("2006", by[len(by)-4:])
		for m := year; m.Year() == year.Year(); m = m.AddDate(0, 1, 0) {
			if m.AddDate(0, 1, 0).After(lo) && !m.After(hi) {
				n++ // a month of the window in that year
			}
		}
	}
	return n
}

func testWalkSparse(t *testing.T, env Env) {
	tree := SparseTree()
	upload(t, env, tree)
	ninety := sources.Window{Since: walkNow.Add(-90 * 24 * time.Hour), Margin: 15 * time.Minute}
	cases := []walkCase{
		{name: "All"},
		{name: "Last90Days", window: ninety},
		{name: "Last90DaysAccount", window: ninety, accts: []string{AccountA}},
		{name: "Last90DaysSubscription", window: ninety, subs: []string{Sub1}},
		{name: "AcrossYearEnd", window: sources.Window{Since: time.Date(2023, 12, 31, 23, 0, 0, 0, time.UTC), Until: time.Date(2024, 2, 25, 0, 0, 0, 0, time.UTC), Margin: 15 * time.Minute}},
		{name: "OneMonth", window: sources.Window{Since: time.Date(2024, 2, 5, 0, 0, 0, 0, time.UTC), Until: time.Date(2024, 2, 25, 0, 0, 0, 0, time.UTC)}},
		{name: "Short", window: sources.Window{Since: time.Date(2024, 3, 2, 8, 0, 0, 0, time.UTC), Margin: 15 * time.Minute}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before sources.RequestStats
			if env.Stats != nil {
				before = env.Stats()
			}
			rec := runWalk(t, env, tree, c)
			if c.window.Since.IsZero() {
				return
			}
			lists, dirs := rec.listed()
			bound := c.requestBound(tree)
			got := len(lists) + len(dirs)
			t.Logf("%d list requests (bound %d): %d List, %d ListDirs", got, bound, len(lists), len(dirs))
			if got > bound {
				t.Errorf("walk made %d list requests, more than the bound %d\nList %q\nListDirs %q", got, bound, lists, dirs)
			}
			if env.Stats != nil {
				after := env.Stats()
				pages := after.ListRequests - before.ListRequests + after.ListDirsRequests - before.ListDirsRequests
				if pages > int64(bound) {
					t.Errorf("the store counted %d list requests, more than the bound %d", pages, bound)
				}
			}
		})
	}
}

// testWalkTenant walks the tenant-scoped layout of Entra ID and Graph
// containers: every window case finds exactly the hour blobs it covers,
// lists only day folders of the window recursively, and stays inside
// the sparse request bound.
func testWalkTenant(t *testing.T, env Env) {
	tree := TenantTree()
	upload(t, env, tree)
	ninety := sources.Window{Since: walkNow.Add(-90 * 24 * time.Hour), Margin: 15 * time.Minute}
	cases := []walkCase{
		{name: "Everything"},
		{name: "Last90Days", window: ninety},
		{name: "LeapDay", window: sources.Window{Since: time.Date(2024, 2, 29, 0, 5, 0, 0, time.UTC), Until: time.Date(2024, 2, 29, 22, 0, 0, 0, time.UTC)}},
		{name: "MarginAcrossMidnight", window: sources.Window{Since: time.Date(2024, 3, 1, 0, 10, 0, 0, time.UTC), Until: time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC), Margin: 15 * time.Minute}},
		{name: "AcrossYearEnd", window: sources.Window{Since: time.Date(2023, 12, 31, 23, 0, 0, 0, time.UTC), Until: time.Date(2024, 2, 25, 0, 0, 0, 0, time.UTC), Margin: 15 * time.Minute}},
		{name: "StartAtTenant", start: "tenantId=" + Tenant1 + "/", window: ninety},
		{name: "StartAtResourceTenant", start: "resourceId=/TENANTS/" + Tenant2 + "/", window: ninety},
		{name: "UntilOnly", window: sources.Window{Until: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := runWalk(t, env, tree, c)
			if c.window.Since.IsZero() {
				return
			}
			lists, dirs := rec.listed()
			bound := c.requestBound(tree)
			t.Logf("%d list requests (bound %d): %d List, %d ListDirs", len(lists)+len(dirs), bound, len(lists), len(dirs))
			if got := len(lists) + len(dirs); got > bound {
				t.Errorf("walk made %d list requests, more than the bound %d\nList %q\nListDirs %q", got, bound, lists, dirs)
			}
		})
	}
}

// StrayTree returns a small archive with files where the layouts have
// folders: notes beside AWSLogs/, a stray gzip file in a CloudTrail/
// folder, a JSON file in a month folder, a JSON Lines export beside a
// subscription's year folders, a gzip file in a folder beside AWSLogs/,
// and hidden files and notes (.DS_Store, README.md), beside one log
// file of each layout.
func StrayTree() []Entry {
	ctKey := fmt.Sprintf("AWSLogs/%s/CloudTrail/us-east-1/2024/03/01/%s_CloudTrail_us-east-1_20240301T1205Z_0000000000000001.json.gz", AccountA, AccountA)
	azKey := fmt.Sprintf("resourceId=/SUBSCRIPTIONS/%s/y=2024/m=03/d=01/h=05/m=00/PT1H.json", Sub1)
	t := []Entry{
		{Key: ctKey, Body: gz(`{"Records":[{"eventTime":"2024-03-01T12:01:00Z","eventName":"ListBuckets"}]}`), Kind: "cloudtrail", Account: AccountA, Region: "us-east-1", Time: time.Date(2024, 3, 1, 12, 5, 0, 0, time.UTC)},
		{Key: azKey, Body: []byte(`{"time":"2024-03-01T05:17:00Z","category":"Administrative"}` + "\n"), Kind: "azure", Account: Sub1, Time: time.Date(2024, 3, 1, 5, 0, 0, 0, time.UTC)},
	}
	for _, k := range []string{
		"notes.txt",
		"AWSLogs/" + AccountA + "/CloudTrail/x.json.gz",
		"AWSLogs/" + AccountA + "/CloudTrail/us-east-1/2024/03/stray.json",
		"resourceId=/SUBSCRIPTIONS/" + Sub1 + "/export.jsonl",
		"misc/old/trail.JSON.GZ",
	} {
		t = append(t, Entry{Key: k, Body: []byte("stray " + k + "\n"), Kind: "stray"})
	}
	for _, k := range []string{".DS_Store", "AWSLogs/" + AccountA + "/README.md"} {
		t = append(t, Entry{Key: k, Body: []byte("note\n"), Kind: "note"})
	}
	sort.Slice(t, func(i, j int) bool { return t[i].Key < t[j].Key })
	return t
}

// testWalkStrays checks that a walk counts and names each file it finds
// where the layout has folders, in the folders it lists anyway, and only
// when it found a layout: without one, everything is listed and scanned.
func testWalkStrays(t *testing.T, env Env) {
	tree := StrayTree()
	upload(t, env, tree)
	acct := "AWSLogs/" + AccountA + "/"
	cases := []struct {
		name  string
		start string
		win   sources.Window
		// outside is every stray the walk lists a folder of, written
		// from the tree by hand: name -> named like a log.
		outside map[string]bool
		ignored int64
		found   []string
	}{
		{name: "All", outside: map[string]bool{
			"notes.txt":                   false,
			acct + "CloudTrail/x.json.gz": true,
			acct + "CloudTrail/us-east-1/2024/03/stray.json":      true,
			"resourceId=/SUBSCRIPTIONS/" + Sub1 + "/export.jsonl": true,
			"misc/old/trail.JSON.GZ":                              true,
		}, ignored: 2, found: []string{tree[indexOf(tree, "cloudtrail")].Key, tree[indexOf(tree, "azure")].Key}},
		// A short window computes its day folders below a region or
		// subscription: neither they nor the month folder are listed, so
		// export.jsonl and stray.json are not seen (no request is spent
		// on them).
		{name: "ShortWindow", win: sources.Window{Since: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2024, 3, 1, 23, 0, 0, 0, time.UTC)}, outside: map[string]bool{
			"notes.txt":                   false,
			acct + "CloudTrail/x.json.gz": true,
			"misc/old/trail.JSON.GZ":      true,
		}, ignored: 2, found: []string{tree[indexOf(tree, "cloudtrail")].Key, tree[indexOf(tree, "azure")].Key}},
		{name: "InsideAccount", start: acct, outside: map[string]bool{
			acct + "CloudTrail/x.json.gz":                    true,
			acct + "CloudTrail/us-east-1/2024/03/stray.json": true,
		}, ignored: 1, found: []string{tree[indexOf(tree, "cloudtrail")].Key}},
		// No layout below misc/: it is listed whole, its file with it.
		{name: "NoLayout", start: "misc/", outside: map[string]bool{}, found: []string{"misc/old/trail.JSON.GZ"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := map[string]bool{}
			var found []string
			w := &sources.Walker{Source: env.Source, Window: c.win, Parallel: 4, Now: func() time.Time { return walkNow },
				Outside: func(o sources.Object, log bool) {
					if _, dup := got[o.Key]; dup {
						t.Errorf("%s reported twice", o.Key)
					}
					got[o.Key] = log
				}}
			if err := w.Walk(context.Background(), c.start, func(f sources.Found) error {
				found = append(found, f.Key)
				return nil
			}); err != nil {
				t.Fatalf("Walk: %v", err)
			}
			if fmt.Sprint(got) != fmt.Sprint(c.outside) {
				t.Errorf("outside the layout:\n got %v\nwant %v", got, c.outside)
			}
			logs := int64(0)
			for _, l := range c.outside {
				if l {
					logs++
				}
			}
			if n, l := w.Stats.Outside.Load(), w.Stats.OutsideLogs.Load(); n != int64(len(c.outside)) || l != logs {
				t.Errorf("Stats.Outside, OutsideLogs = %d, %d; want %d, %d", n, l, len(c.outside), logs)
			}
			if n := w.Stats.Ignored.Load(); n != c.ignored {
				t.Errorf("Stats.Ignored = %d, want %d", n, c.ignored)
			}
			sort.Strings(found)
			sort.Strings(c.found)
			if fmt.Sprint(found) != fmt.Sprint(c.found) {
				t.Errorf("walk found %q, want %q", found, c.found)
			}
		})
	}
}

func indexOf(tree []Entry, kind string) int {
	for i, e := range tree {
		if e.Kind == kind {
			return i
		}
	}
	panic("no entry of kind " + kind)
}
