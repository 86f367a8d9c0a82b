package fn

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/internal/corpora"
)

// TestCommunityRuleFunctions: every namespaced function Google's public
// rule set calls (strings.x(...), re.x(...), ...) is implemented or
// Rejected with a reason, so no community rule fails on an unknown name.
func TestCommunityRuleFunctions(t *testing.T) {
	dir := corpora.Dir(t, "chronicle-detection-rules")
	call := regexp.MustCompile(`([a-z_]+\.[a-z_0-9]+)\s*\(`)
	seen := map[string]int{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaral") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for line := range strings.Lines(string(src)) {
			if i := strings.Index(line, "//"); i >= 0 && !strings.Contains(line[:i], `"`) {
				line = line[:i]
			}
			for _, m := range call.FindAllStringSubmatchIndex(line, -1) {
				// Not a field path ($e.a.b) or a method-like tail (x.y.z).
				if m[2] > 0 && strings.ContainsRune("$.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", rune(line[m[2]-1])) {
					continue
				}
				seen[line[m[2]:m[3]]]++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) == 0 {
		t.Fatal("no function calls found: the corpus layout changed")
	}
	var names []string
	for n := range seen {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		_, ok := Lookup(n)
		if !ok && Rejected[n] == "" {
			t.Errorf("%s (called %d times) is neither implemented nor Rejected", n, seen[n])
		}
	}
	t.Logf("%d functions called: %v", len(names), names)
}
