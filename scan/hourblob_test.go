package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/sources/local"
)

// Issue 15, item 12: an Azure hour blob whose last line is incomplete.
// In a closed hour it is a skipped record (its index, its reason), and
// the scan is partial; an hour dated ahead of the clock is not an open
// hour; and whether open or closed, the blob is not done for a sweep
// (ObjectFailed, with the records before the line reported), so the next
// run reads it again instead of passing it over as unchanged.
func TestIssue15IncompleteHourBlobs(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "samples", "azure_RUNCOMMAND_ACTION__SYNTH_export.json"))
	if err != nil {
		t.Fatal(err)
	}
	var line bytes.Buffer
	if err := json.Compact(&line, b); err != nil {
		t.Fatal(err)
	}
	// Line 0 a record that hits, line 1 blank, line 2 half written.
	body := slices.Concat(line.Bytes(), []byte("\n\n"), line.Bytes()[:40])
	now := time.Date(2024, 5, 1, 10, 50, 0, 0, time.UTC)
	keys := map[string]string{
		"open":        "y=2024/m=05/d=01/h=10",
		"just closed": "y=2024/m=05/d=01/h=09", // ended 50 minutes ago: still open
		"closed":      "y=2024/m=05/d=01/h=05",
		"skewed":      "y=2024/m=05/d=01/h=11", // 10 minutes ahead: clocks differ
		"future":      "y=2099/m=01/d=01/h=00",
	}
	root := t.TempDir()
	uris := map[string]string{}
	for name, hour := range keys {
		key := "insights-activity-logs/resourceId=/SUBSCRIPTIONS/S1/" + hour + "/m=00/PT1H.json"
		p := filepath.Join(root, filepath.FromSlash(key))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, body, 0o644); err != nil {
			t.Fatal(err)
		}
		uris[name] = "file://" + filepath.ToSlash(p)
	}
	src, err := local.New(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, reference := range []bool{true, false} {
		var (
			mu       sync.Mutex
			done     = map[string]ObjectResult{}
			warnings []string
			c        collect
		)
		cfg := Config{Rules: ruleSets(t)["pack"], Reference: reference, Workers: 2, Now: func() time.Time { return now },
			Warn: func(s string) { mu.Lock(); warnings = append(warnings, s); mu.Unlock() },
			Done: func(r ObjectResult) error { done[r.URI] = r; return nil }}
		sum, err := Run(context.Background(), cfg, []Target{{Source: src}}, &c)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.hits) != len(keys) {
			t.Errorf("reference %v: %d hits, want one per blob (%d)", reference, len(c.hits), len(keys))
		}
		var skips []string
		for _, p := range sum.Skips {
			skips = append(skips, fmt.Sprintf("%s %s @%d", p.URI, p.Reason, p.Record))
		}
		sort.Strings(skips)
		want := []string{uris["closed"] + " last line is incomplete in a closed hour blob @2", uris["future"] + " last line is incomplete in an hour blob dated in the future @2"}
		sort.Strings(want)
		if !slices.Equal(skips, want) {
			t.Errorf("reference %v: skips\n%q\nwant\n%q", reference, skips, want)
		}
		if !sum.Partial() || sum.OpenAppendBlobs != 3 || sum.ObjectsScanned != 5 || sum.ObjectsFailed != 0 {
			t.Errorf("reference %v: partial %v, %d open append blobs, %d scanned, %d failed", reference, sum.Partial(), sum.OpenAppendBlobs, sum.ObjectsScanned, sum.ObjectsFailed)
		}
		for name, uri := range uris {
			r, ok := done[uri]
			if !ok || r.Status != ObjectFailed || r.NextRecord != 1 || !strings.HasPrefix(r.Reason, "last line is") {
				t.Errorf("reference %v: %s: result %+v: want failed, to read again from record 1", reference, name, r)
			}
		}
		future := 0
		for _, w := range warnings {
			if strings.Contains(w, "ahead of the clock") && strings.Contains(w, uris["future"]) {
				future++
			}
		}
		if future != 1 {
			t.Errorf("reference %v: warnings %q: want one about the key dated in the future", reference, warnings)
		}
	}
}
