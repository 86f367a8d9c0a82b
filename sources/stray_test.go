package sources

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"
)

// mapSource is a store of keys in memory, listed as S3 lists them.
type mapSource struct{ keys map[string]int64 }

func (m mapSource) Location() string      { return "mem://" }
func (m mapSource) URI(key string) string { return "mem://" + key }

func (m mapSource) sorted() []string {
	ks := make([]string, 0, len(m.keys))
	for k := range m.keys {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func (m mapSource) List(ctx context.Context, prefix string, fn func(Object) error) error {
	for _, k := range m.sorted() {
		if strings.HasPrefix(k, prefix) {
			if err := fn(Object{Key: k, Size: m.keys[k]}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m mapSource) ListDirs(ctx context.Context, prefix string, fn func(Entry) error) error {
	seen := map[string]bool{}
	for _, k := range m.sorted() {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		e := Entry{Object: Object{Key: k, Size: m.keys[k]}}
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			if seen[rest[:i]] {
				continue
			}
			seen[rest[:i]] = true
			e = Entry{Dir: prefix + rest[:i+1]}
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

func (m mapSource) Open(ctx context.Context, o Object) (io.ReadCloser, error) {
	return io.NopCloser(strings.NewReader("")), nil
}
func (m mapSource) IsNotExist(err error) bool  { return false }
func (m mapSource) IsPermanent(err error) bool { return true }
func (m mapSource) Properties() Properties     { return Properties{Connections: 1} }

const strayLog = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01/111122223333_CloudTrail_us-east-1_20240301T0005Z_abc.json.gz"

func walkStrays(t *testing.T, keys map[string]int64) (*Walker, []string, []string) {
	t.Helper()
	var outside, found []string
	w := &Walker{Source: mapSource{keys}, Outside: func(o Object, log bool) { outside = append(outside, fmt.Sprintf("%s %v", o.Key, log)) }}
	if err := w.Walk(context.Background(), "", func(f Found) error {
		found = append(found, f.Key)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sort.Strings(outside)
	return w, outside, found
}

// Folder placeholders (a zero-byte key ending in "/", as the S3 console
// makes) are folders, not files outside the layout.
func TestStrayPlaceholdersAreFolders(t *testing.T) {
	w, outside, found := walkStrays(t, map[string]int64{
		"AWSLogs/":                  0,
		"AWSLogs/111122223333/":     0,
		"notes/":                    0,
		strayLog:                    10,
		"AWSLogs/111122223333/x.gz": 5,
	})
	if want := []string{"AWSLogs/111122223333/x.gz true"}; fmt.Sprint(outside) != fmt.Sprint(want) {
		t.Errorf("outside the layout: %q, want %q", outside, want)
	}
	if len(found) != 1 || found[0] != strayLog {
		t.Errorf("found %q, want the one log", found)
	}
	if n := w.Stats.Outside.Load(); n != 1 {
		t.Errorf("Stats.Outside = %d, want 1", n)
	}
}

// More files beside the layout folders than are held for the verdict:
// every one is counted, the first maxHeldStrays are reported.
func TestStrayHeldAreBounded(t *testing.T) {
	keys := map[string]int64{strayLog: 10}
	const n = maxHeldStrays + 50
	for i := range n {
		name := fmt.Sprintf("note-%04d.txt", i)
		if i%2 == 0 {
			name = fmt.Sprintf("export-%04d.json", i)
		}
		keys[name] = 1
	}
	w, outside, _ := walkStrays(t, keys)
	if len(outside) != maxHeldStrays {
		t.Errorf("%d reported, want %d", len(outside), maxHeldStrays)
	}
	if got := w.Stats.Outside.Load(); got != n {
		t.Errorf("Stats.Outside = %d, want %d", got, n)
	}
	if got := w.Stats.OutsideLogs.Load(); got != n/2 {
		t.Errorf("Stats.OutsideLogs = %d, want %d", got, n/2)
	}
}

func TestLooksLikeLog(t *testing.T) {
	for key, want := range map[string]bool{
		strayLog:                    true,
		"a/PT1H.json":               true,
		"export.JSONL":              true,
		"x.ndjson.gz":               true,
		"trail.gz":                  true,
		"notes.txt":                 false,
		"a.json/readme":             false,
		"archive.tar":               false,
		"firehose-1-2024-01-01-xyz": false,
	} {
		if got := LooksLikeLog(key); got != want {
			t.Errorf("LooksLikeLog(%q) = %v, want %v", key, got, want)
		}
	}
}
