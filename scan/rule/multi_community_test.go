package rule

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/internal/corpora"
	"github.com/retrohunt/retrohunt/scan/reflist"
)

// multiRefList finds the lists a rule names; YARA-L keywords are case
// insensitive ("IN regex %hacktool_regex").
var multiRefList = regexp.MustCompile(`(?i)\bin\s+(?:regex\s+|cidr\s+)?%([A-Za-z0-9_]+)`)

// TestCommunityMultiCompile walks Google's community rules with a match:
// section: each parses with Options.MultiEvent (lists the rules name
// given empty) and compiles; the rules that do not parse are refused
// only for reading the entity graph (data only SecOps has), each reason
// logged.
func TestCommunityMultiCompile(t *testing.T) {
	root := filepath.Join(corpora.Dir(t, "chronicle-detection-rules"), "rules", "community")
	var files, withMatch, parsed, compiled int
	reasons := map[string]int{}
	parseErrs := map[string]int{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaral") {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		lists := reflist.Set{}
		for _, m := range multiRefList.FindAllStringSubmatch(string(src), -1) {
			kind := reflist.String
			switch {
			case strings.Contains(strings.ToLower(m[0]), "regex"):
				kind = reflist.Regex
			case strings.Contains(strings.ToLower(m[0]), "cidr"):
				kind = reflist.CIDR
			}
			lists[m[1]], _ = reflist.Parse(m[1], kind, nil)
		}
		rules, err := ParseFileOptions(p, src, Options{Lists: lists, MultiEvent: true})
		if err != nil {
			msg := err.Error()
			if i := strings.Index(msg, ": "); i >= 0 {
				msg = msg[i+2:]
			}
			if len(msg) > 70 {
				msg = msg[:70]
			}
			parseErrs[msg]++
		}
		for _, r := range rules {
			if r.MatchSec == nil {
				continue
			}
			withMatch++
			parsed++
			m, err := CompileMulti(r, 0, 0)
			if err == nil {
				if _, err := m.VarRules(); err != nil {
					t.Errorf("%s: VarRules: %v", p, err)
				}
			}
			if err != nil {
				if !errors.Is(err, ErrMulti) {
					t.Errorf("%s: %v (not ErrMulti)", p, err)
				}
				msg := err.Error()
				if os.Getenv("MULTI_VERBOSE") != "" {
					t.Log(msg)
				}
				if i := strings.LastIndex(msg, ": "); i >= 0 {
					msg = msg[:i]
				}
				if i := strings.Index(msg, ": "); i >= 0 {
					msg = msg[i+2:]
				}
				// The construct, not the rule's text.
				if i := strings.LastIndex(msg, ": "); i >= 0 {
					msg = msg[i+2:]
				}
				reasons[msg]++
				continue
			}
			compiled++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d files, %d match: rules parsed with MultiEvent, %d compiled", files, parsed, compiled)
	log := func(title string, m map[string]int) {
		type kv struct {
			k string
			n int
		}
		var l []kv
		for k, n := range m {
			l = append(l, kv{k, n})
		}
		sort.Slice(l, func(i, j int) bool { return l[i].n > l[j].n || l[i].n == l[j].n && l[i].k < l[j].k })
		for _, e := range l {
			t.Logf("%s %4d  %s", title, e.n, e.k)
		}
	}
	log("refused", reasons)
	log("parse", parseErrs)
	// The corpus at commit 19793eb: 280 match: rules, 38 of which read
	// the entity graph (they do not parse, and that is the only reason
	// a match: rule is refused); the 242 that parse all compile.
	for msg := range parseErrs {
		if !strings.Contains(msg, "entity graph") {
			t.Errorf("a match: rule is refused for something other than the entity graph: %s", msg)
		}
	}
	if parsed != 242 || compiled != 242 || len(reasons) != 0 {
		t.Errorf("%d match: rules parsed, %d compiled, refused for %v; want 242 and 242, none refused", parsed, compiled, reasons)
	}
}
