package lint_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/internal/corpora"
	"github.com/retrohunt/retrohunt/scan/lint"
	"github.com/retrohunt/retrohunt/scan/reflist"
	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/rule/fn"
)

// Independent of the parser: a file is a single-event rule when it has no
// match: section and reads fields of one event variable only.
var (
	matchSection = regexp.MustCompile(`(?m)^\s*match\s*:`)
	eventField   = regexp.MustCompile(`\$([A-Za-z_][A-Za-z0-9_]*)\.[A-Za-z_]`)
	refListName  = regexp.MustCompile(`(?i)\bin\s+(regex\s+|cidr\s+)?%([A-Za-z_][A-Za-z0-9_]*)`)
	comments     = regexp.MustCompile(`(?s)/\*.*?\*/|//[^\n]*`)
)

func singleEvent(src []byte) bool {
	src = comments.ReplaceAll(src, nil)
	if matchSection.Match(src) {
		return false
	}
	vars := map[string]bool{}
	for _, m := range eventField.FindAllSubmatch(src, -1) {
		vars[string(m[1])] = true
	}
	return len(vars) == 1
}

type folderCount struct {
	files, single, parsed, unsupported, lintFindings, neverTrue int
}

// TestCommunityRules walks Google's community rules: every single-event
// rule (no match:, one event variable) parses, runs and lints; every
// other rule is rejected only for multi-event constructs, each named at
// its position. Lists the corpus does not ship are given empty, as a
// user passes their own with --reference-list.
func TestCommunityRules(t *testing.T) {
	root := filepath.Join(corpora.Dir(t, "chronicle-detection-rules"), "rules", "community")
	// The kind of each list, from how the rules use it; the lists the
	// corpus ships are loaded, the others given empty.
	kinds := map[string]reflist.Kind{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaral") {
			return err
		}
		src, err := os.ReadFile(p)
		for _, m := range refListName.FindAllSubmatch(comments.ReplaceAll(src, nil), -1) {
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
			// hacktool_regex holds globs ("*foo*"), not RE2.
			t.Logf("list %s given empty: %v", name, strings.SplitN(err.Error(), "\n", 2)[0])
			l, _ = reflist.Parse(name, kind, nil)
		}
		lists[name] = l
	}
	counts := map[string]*folderCount{}
	unknownFuncs := map[string]int{}
	err = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaral") {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		folder := filepath.Dir(rel)
		c := counts[folder]
		if c == nil {
			c = &folderCount{}
			counts[folder] = c
		}
		c.files++
		single := singleEvent(src)
		if single {
			c.single++
		}
		rules, err := rule.ParseFileOptions(rel, src, rule.Options{Lists: lists})
		var list rule.ErrorList
		if err != nil && !errors.As(err, &list) {
			t.Errorf("%s: error %T: %v", rel, err, err)
		}
		if single && err != nil {
			t.Errorf("%s: a single-event rule does not parse:\n%v", rel, err)
		}
		if !single && err == nil {
			t.Errorf("%s: a multi-event rule parsed without being rejected", rel)
		}
		if err != nil {
			unsupported := false
			for _, e := range list {
				switch {
				case e.Unsupported:
					unsupported = true
					if !e.Pos.IsValid() || !strings.Contains(e.Msg, "match window") && !strings.Contains(e.Msg, "SecOps") {
						t.Errorf("%s: unsupported for something else than a multi-event construct: %v", rel, e)
					}
				case strings.HasPrefix(e.Msg, "unknown function "):
					// The function library is hfn's package; a name it
					// lacks is counted and listed, never excused when
					// the table has it.
					name := strings.TrimPrefix(e.Msg, "unknown function ")
					if _, ok := fn.Lookup(name); ok {
						t.Errorf("%s: %v", rel, e)
					}
					unknownFuncs[name]++
				default:
					t.Errorf("%s: rejected for an error: %v", rel, e)
				}
			}
			if !unsupported {
				t.Errorf("%s: rejected without an unsupported construct:\n%v", rel, err)
			}
			c.unsupported++
		}
		for _, r := range rules {
			c.parsed++
			r.Match(emptyEvent{}) // runs
			fs := lint.Lint(r)
			c.lintFindings += len(fs)
			for _, f := range fs {
				if f.Level == lint.Never && f.Pos == r.Pos {
					c.neverTrue++
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var folders []string
	for f := range counts {
		folders = append(folders, f)
	}
	sort.Strings(folders)
	var b strings.Builder
	total := folderCount{}
	fmt.Fprintf(&b, "%-16s %5s %6s %6s %11s %5s %10s\n", "folder", "files", "single", "parsed", "unsupported", "lint", "never-true")
	for _, f := range folders {
		c := counts[f]
		fmt.Fprintf(&b, "%-16s %5d %6d %6d %11d %5d %10d\n", f, c.files, c.single, c.parsed, c.unsupported, c.lintFindings, c.neverTrue)
		total.files += c.files
		total.single += c.single
		total.parsed += c.parsed
		total.unsupported += c.unsupported
		total.lintFindings += c.lintFindings
		total.neverTrue += c.neverTrue
		if c.parsed != c.single || c.parsed+c.unsupported != c.files {
			t.Errorf("%s: %d files, %d single-event, %d parsed, %d rejected", f, c.files, c.single, c.parsed, c.unsupported)
		}
	}
	fmt.Fprintf(&b, "%-16s %5d %6d %6d %11d %5d %10d\n", "total", total.files, total.single, total.parsed, total.unsupported, total.lintFindings, total.neverTrue)
	t.Logf("community rules:\n%s", b.String())
	if len(unknownFuncs) > 0 {
		var names []string
		for n, k := range unknownFuncs {
			names = append(names, fmt.Sprintf("%s (%d)", n, k))
		}
		slices.Sort(names)
		t.Logf("functions the table lacks, in rules rejected anyway: %s", strings.Join(names, ", "))
	}
	// The corpus at commit 19793eb: 348 rules, 74 without match:, 68
	// of those with one event variable.
	if total.files != 348 || total.single != 68 {
		t.Errorf("corpus changed: %d files, %d single-event (want 348, 68)", total.files, total.single)
	}
}

type emptyEvent struct{}

func (emptyEvent) Values(string) []string { return nil }
