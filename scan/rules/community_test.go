package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/internal/corpora"
	"github.com/retrohunt/retrohunt/scan/reflist"
	"github.com/retrohunt/retrohunt/scan/rule"
)

// Independent of the parser: what kind of rule a file holds, from its
// text (comments removed).
var (
	cMatch    = regexp.MustCompile(`(?m)^\s*match\s*:`)
	cField    = regexp.MustCompile(`\$([A-Za-z_][A-Za-z0-9_]*)\.[A-Za-z_]`)
	cList     = regexp.MustCompile(`(?i)\bin\s+(regex\s+|cidr\s+)?%([A-Za-z_][A-Za-z0-9_]*)`)
	cComments = regexp.MustCompile(`(?s)/\*.*?\*/|//[^\n]*`)
)

type loadCount struct {
	files, match, multiVarNoMatch           int // from the text
	single, multi, skipped, failed          int // through the loader
	skippedNoMatch, skippedGraph, skippedOK int
}

// TestCommunityRulesLoad loads every community rule through LoadWith
// with SkipUnsupported, as `retrohunt scan --skip-unsupported` does
// (lists the corpus ships loaded, the others given empty): single-event
// rules load as such, the multi-event rules the engine compiles load
// with their rule.Multi, and every other rule is skipped as unsupported
// with a reason naming the construct; none fails. The per-folder counts
// are asserted exactly; their totals are checked against counts taken
// from the files' text: every rule with several event variables and no
// match: section is skipped for it, and every match: rule that
// parses (242 of 280) compiles (TestCommunityMultiCompile).
func TestCommunityRulesLoad(t *testing.T) {
	root := filepath.Join(corpora.Dir(t, "chronicle-detection-rules"), "rules", "community")
	kinds := map[string]reflist.Kind{}
	var files []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaral") {
			return err
		}
		files = append(files, p)
		src, err := os.ReadFile(p)
		for _, m := range cList.FindAllSubmatch(cComments.ReplaceAll(src, nil), -1) {
			kind := reflist.String
			switch strings.ToLower(strings.TrimSpace(string(m[1]))) {
			case "regex":
				kind = reflist.Regex
			case "cidr":
				kind = reflist.CIDR
			}
			kinds[string(m[2])] = kind
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	lists := reflist.Set{}
	for name, kind := range kinds {
		src, _ := os.ReadFile(filepath.Join(root, "reference_lists", name))
		l, err := reflist.Parse(name, kind, src)
		if err != nil {
			l, _ = reflist.Parse(name, kind, nil) // hacktool_regex holds globs, not RE2
		}
		lists[name] = l
	}
	counts := map[string]*loadCount{}
	for _, p := range files {
		src, _ := os.ReadFile(p)
		text := cComments.ReplaceAll(src, nil)
		rel, _ := filepath.Rel(root, p)
		folder := filepath.Dir(rel)
		c := counts[folder]
		if c == nil {
			c = &loadCount{}
			counts[folder] = c
		}
		c.files++
		vars := map[string]bool{}
		for _, m := range cField.FindAllSubmatch(text, -1) {
			vars[string(m[1])] = true
		}
		hasMatch := cMatch.Match(text)
		if hasMatch {
			c.match++
		} else if len(vars) > 1 {
			c.multiVarNoMatch++
		}
		ls, sk, err := LoadWith([]string{p}, Options{Lists: lists, SkipUnsupported: true})
		if err != nil {
			c.failed++
			t.Logf("%s: not loaded: %v", rel, err)
			continue
		}
		for _, l := range ls {
			if l.Multi != nil {
				c.multi++
				if !hasMatch {
					t.Errorf("%s: loaded as multi-event without a match: section", rel)
				}
			} else {
				c.single++
				if hasMatch || len(vars) != 1 {
					t.Errorf("%s: loaded as single-event, but the text has match: %v and %d event variables", rel, hasMatch, len(vars))
				}
			}
		}
		for _, s := range sk {
			c.skipped++
			why := strings.Join(s.Reasons, "; ")
			switch {
			case strings.Contains(why, "no match: section"):
				c.skippedNoMatch++
			case strings.Contains(why, "reads the entity graph"):
				c.skippedGraph++
			case strings.Contains(why, rule.ErrMulti.Error()):
				c.skippedOK++
			default:
				t.Errorf("%s: skipped for neither the entity graph nor a multi-event construct: %s", rel, why)
			}
			if !strings.Contains(why, rel) {
				t.Errorf("%s: skipped without a position: %s", rel, why)
			}
			if os.Getenv("LOAD_VERBOSE") != "" {
				t.Logf("%s: skipped: %s", rel, why)
			}
		}
	}
	var folders []string
	for f := range counts {
		folders = append(folders, f)
	}
	sort.Strings(folders)
	var b strings.Builder
	var total loadCount
	got := map[string][5]int{}
	fmt.Fprintf(&b, "%-16s %5s %5s %9s | %6s %5s %7s %6s | %s\n", "folder", "files", "match", "vars>1-nm", "single", "multi", "skipped", "failed", "skipped: no-match graph other")
	for _, f := range folders {
		c := counts[f]
		fmt.Fprintf(&b, "%-16s %5d %5d %9d | %6d %5d %7d %6d | %d %d %d\n", f, c.files, c.match, c.multiVarNoMatch, c.single, c.multi, c.skipped, c.failed, c.skippedNoMatch, c.skippedGraph, c.skippedOK)
		got[f] = [5]int{c.files, c.single, c.multi, c.skipped, c.failed}
		total.files += c.files
		total.match += c.match
		total.multiVarNoMatch += c.multiVarNoMatch
		total.single += c.single
		total.multi += c.multi
		total.skipped += c.skipped
		total.failed += c.failed
		total.skippedNoMatch += c.skippedNoMatch
		total.skippedGraph += c.skippedGraph
		total.skippedOK += c.skippedOK
	}
	fmt.Fprintf(&b, "%-16s %5d %5d %9d | %6d %5d %7d %6d | %d\n", "total", total.files, total.match, total.multiVarNoMatch, total.single, total.multi, total.skipped, total.failed, total.skippedNoMatch)
	t.Logf("community rules through the loader:\n%s", b.String())
	// The corpus at commit 19793eb: files, single-event, multi-event
	// loaded, skipped, failed per folder.
	want := map[string][5]int{
		"authentication":           {2, 0, 2, 0, 0},
		"aws/cloudtrail":           {46, 15, 30, 1, 0},
		"aws/guardduty":            {9, 9, 0, 0, 0},
		"gcp":                      {24, 12, 11, 1, 0},
		"github":                   {26, 10, 15, 1, 0},
		"microsoft/adfs":           {2, 0, 2, 0, 0},
		"microsoft/entra_id":       {16, 0, 16, 0, 0},
		"microsoft/graph_activity": {19, 0, 19, 0, 0},
		"microsoft/o365":           {28, 0, 28, 0, 0},
		"microsoft/sharepoint":     {6, 3, 3, 0, 0},
		"microsoft/windows":        {85, 3, 79, 3, 0},
		"network":                  {4, 0, 3, 1, 0},
		"okta":                     {19, 1, 17, 1, 0},
		"onelogin":                 {7, 2, 5, 0, 0},
		"threat_intel":             {31, 0, 1, 30, 0},
		"workspace":                {24, 13, 11, 0, 0},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("per folder (files, single, multi, skipped, failed):\n got %v\nwant %v", got, want)
	}
	// Cross-checks with counts from the text: 68 single-event files
	// (TestCommunityRules); no rule with several event variables lacks a
	// match: section, so none is skipped for it; every match: rule
	// compiles except the 38 that read the entity graph, which are
	// skipped for it.
	if total.single != 68 || total.multiVarNoMatch != 0 || total.skippedNoMatch != 0 || total.skippedOK != 0 || total.skippedGraph != 38 ||
		total.multi+total.skippedOK+total.skippedGraph != total.match || total.failed != 0 {
		t.Errorf("totals: %+v", total)
	}
}
