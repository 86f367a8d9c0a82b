package local

import (
	"math/rand/v2"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

// TestPathsMatchStdlib: the path of a key, its URI and a walked path's
// key are what filepath.Join, url.URL.String and filepath.Rel make of
// them (the code before issue 17 called those), for keys made of every
// byte, dot segments, doubled and trailing slashes, and for a root of
// "/" as well as a deeper one.
func TestPathsMatchStdlib(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 17))
	var keys []string
	for c := range 256 {
		keys = append(keys, "AWSLogs/a"+string(rune(c))+"b/x.json.gz", string([]byte{byte(c)}), "d/"+string([]byte{byte(c), 'z'}))
	}
	keys = append(keys, "", ".", "..", "a/./b", "a/../b", "../x", "a//b", "a/", "/a", "a/b/..", "./a", "a/.b", "a/..b", "a/b.", "é/ü", "a b/c?d#e%20", "C:/x", "a:b", "~u/.", "x/.git")
	parts := []string{"a", "b", ".", "..", "", "%", " ", "?", "é", "AWSLogs", "2025", ":", "@", "+", "="}
	for range 3000 {
		n := 1 + rng.IntN(5)
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte('/')
			}
			b.WriteString(parts[rng.IntN(len(parts))])
			if rng.IntN(3) == 0 {
				b.WriteString(parts[rng.IntN(len(parts))])
			}
		}
		keys = append(keys, b.String())
	}
	for _, root := range []string{"/", "/tmp/bench c", "/tmp/benchc/AWSLogs", "/tmp/bench%c"} {
		s := &Source{root: root}
		for _, key := range keys {
			wantPath := filepath.Join(root, filepath.FromSlash(key))
			if got := s.path(key); got != wantPath {
				t.Errorf("root %q: path(%q) = %q, filepath.Join: %q", root, key, got, wantPath)
			}
			u := url.URL{Scheme: "file", Path: filepath.ToSlash(wantPath)}
			if got, want := s.URI(key), u.String(); got != want {
				t.Errorf("root %q: URI(%q) = %q, url.URL: %q", root, key, got, want)
			}
			// A walked path: the root joined with clean names.
			p := wantPath
			if p == root {
				continue
			}
			want, werr := filepath.Rel(root, p)
			got, gerr := s.rel(p)
			if got != want || (gerr == nil) != (werr == nil) {
				t.Errorf("root %q: rel(%q) = %q, %v; filepath.Rel: %q, %v", root, p, got, gerr, want, werr)
			}
		}
	}
}

// TestURIAllocations: the URI of a plain key below a plain root is made
// in one allocation, the string returned.
func TestURIAllocations(t *testing.T) {
	const key = "AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/10/111122223333_CloudTrail_us-east-1_20250310T0005Z_q9XAbCdEfGhIjKlM.json.gz"
	for _, root := range []string{"/", "/tmp/benchc"} {
		s := &Source{root: root}
		if n := testing.AllocsPerRun(100, func() { _ = s.URI(key) }); n != 1 {
			t.Errorf("root %q: URI took %.0f allocations, want 1", root, n)
		}
	}
}
