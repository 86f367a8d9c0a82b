package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/sources"
)

// listTree writes a tree with what a walk can meet: nested folders,
// names that sort before and after "/" ("a-b", "a.b", "a/", "a0"),
// hidden files, an empty file, symbolic links to a file, to a folder and
// to nothing, a link that leaves the tree, and a folder of 300 files.
func listTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	put := func(key string, n int) {
		p := filepath.Join(root, filepath.FromSlash(key))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, make([]byte, n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, key string) {
		if err := os.Symlink(target, filepath.Join(root, filepath.FromSlash(key))); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"a/x", "a-b", "a.b/y", "a0", "a/b/c/d.json.gz", "a/b/.hidden", "a/b/README.md", "b/ü é/%20?.json", "AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/10/z.json.gz", "c/empty"} {
		put(k, len(k))
	}
	put("c/zero", 0)
	for i := 0; i < 300; i++ {
		put(fmt.Sprintf("many/%03d_%d.json.gz", (i*37)%300, i), i)
	}
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "f"), []byte("outside"), 0o644); err != nil {
		t.Fatal(err)
	}
	link("x", "a/link-to-file")
	link("b", "a/link-to-dir")
	link("nowhere", "a/dangling")
	link(filepath.Join(outside, "f"), "c/link-out")
	link("../a", "b/up")
	return root
}

// collect lists prefix through list and returns what it reported.
func collect(t *testing.T, list func(context.Context, string, func(sources.Object) error) error, prefix string) ([]sources.Object, error) {
	t.Helper()
	var got []sources.Object
	err := list(context.Background(), prefix, func(o sources.Object) error {
		got = append(got, o)
		return nil
	})
	return got, err
}

// TestListMatchesWalkDir: List reports the objects, keys, sizes, times,
// order and errors that listWalkDir (filepath.WalkDir, os.Stat on every
// file, the code before issue 17's listing work) reports, for prefixes
// that name folders, parts of names, nothing, dot segments and doubled
// slashes, at a root and at a folder below it.
func TestListMatchesWalkDir(t *testing.T) {
	root := listTree(t)
	for _, base := range []string{root, filepath.Join(root, "a")} {
		s, err := New(base)
		if err != nil {
			t.Fatal(err)
		}
		for _, prefix := range []string{"", "a", "a/", "a/b", "a/b/", "a-", "a/l", "a/link-to-dir/", "b/", "b/up/", "b/ü", "many/", "many/1", "c/", "nope/", "x", "./a/", "a//", "a/./b/", "../", "../a/", "a/../b/", "/", "AWSLogs/111122223333/CloudTrail/"} {
			want, werr := collect(t, s.listWalkDir, prefix)
			got, gerr := collect(t, s.List, prefix)
			if !reflect.DeepEqual(got, want) || fmt.Sprint(gerr) != fmt.Sprint(werr) {
				t.Errorf("root %s, prefix %q: List = %d objects, %v; listWalkDir: %d objects, %v", base, prefix, len(got), gerr, len(want), werr)
				for i := 0; i < len(got) || i < len(want); i++ {
					var g, w sources.Object
					if i < len(got) {
						g = got[i]
					}
					if i < len(want) {
						w = want[i]
					}
					if g != w {
						t.Errorf("  %d: %+v, want %+v", i, g, w)
						break
					}
				}
			}
		}
	}
}

// TestListCancelled: a walk whose context is cancelled ends with the
// context's error, as the code before did.
func TestListCancelled(t *testing.T) {
	s, err := New(listTree(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, list := range []func(context.Context, string, func(sources.Object) error) error{s.List, s.listWalkDir} {
		if err := list(ctx, "", func(sources.Object) error { return nil }); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled walk: %v, want context.Canceled", err)
		}
	}
}

// TestListAllocations: listing a folder of 300 objects costs 4
// allocations an object (os.ReadDir's entry and its name, the key, the
// name given to fstatat) and a few for the folder and the growing slice;
// with filepath.WalkDir and os.Stat it cost 5.1.
func TestListAllocations(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the count is fstatat's (stat_linux.go); other systems stat by path, which allocates more")
	}
	s, err := New(listTree(t))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	allocs := testing.AllocsPerRun(20, func() {
		n = 0
		_ = s.List(context.Background(), "many/", func(sources.Object) error { n++; return nil })
	})
	if n != 300 {
		t.Fatalf("listed %d, want 300", n)
	}
	if per := allocs / float64(n); per > 4.25 {
		t.Errorf("%.2f allocations per listed object, want at most 4.25", per)
	}
}

// FuzzList compares List with listWalkDir on a tree the input names
// (one path a line, at most 16; a line ending in "@" is a symbolic link
// to the path before it) and a prefix without "..".
func FuzzList(f *testing.F) {
	f.Add("a/b\nc\na-b/x\na.b/y\n.h\nd/e/f.md", "a")
	f.Add("x/y\nx/z@\nw/", "x/")
	f.Add("AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/10/f.json.gz\nAWSLogs/README.md", "AWSLogs/1")
	f.Fuzz(func(t *testing.T, tree, prefix string) {
		if strings.Contains(prefix, "..") {
			return
		}
		root := t.TempDir()
		prev := ""
		for i, line := range strings.Split(tree, "\n") {
			if i == 16 {
				break
			}
			name, isLink := strings.CutSuffix(line, "@")
			p := filepath.Join(root, filepath.FromSlash(name))
			if name == "" || strings.ContainsRune(name, 0) || !strings.HasPrefix(p, root+string(filepath.Separator)) {
				continue
			}
			_ = os.MkdirAll(filepath.Dir(p), 0o755)
			if isLink && prev != "" {
				_ = os.Symlink(prev, p)
			} else if strings.HasSuffix(name, "/") {
				_ = os.MkdirAll(p, 0o755)
			} else {
				_ = os.WriteFile(p, []byte(name), 0o644)
			}
			prev = p
		}
		s, err := New(root)
		if err != nil {
			t.Fatal(err)
		}
		want, werr := collect(t, s.listWalkDir, prefix)
		got, gerr := collect(t, s.List, prefix)
		if !reflect.DeepEqual(got, want) || fmt.Sprint(gerr) != fmt.Sprint(werr) {
			t.Errorf("prefix %q: List = %v, %v; listWalkDir: %v, %v", prefix, got, gerr, want, werr)
		}
	})
}
