package local

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/retrohunt/retrohunt/sources"
)

// TestListFollowsSymlinkedStart: an archive root (or a folder a prefix
// names) that is a symbolic link to a folder is listed through the link,
// as `ls link/` would, by both walks; before, filepath.WalkDir's refusal
// to follow a symlinked start listed nothing, and a scan of such a root
// found no object. Links below the start are still not followed into.
func TestListFollowsSymlinkedStart(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	for _, f := range []string{"a.json", "sub/b.json", "day/c.json"} {
		p := filepath.Join(real, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A link below the start, to a folder: not descended into.
	if err := os.Symlink(filepath.Join(real, "sub"), filepath.Join(real, "loop")); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	// A prefix naming a symlinked folder inside a real root.
	if err := os.Symlink(filepath.Join(real, "day"), filepath.Join(real, "today")); err != nil {
		t.Fatal(err)
	}
	keys := func(t *testing.T, root, prefix string, general bool) []string {
		t.Helper()
		s, err := New(root)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		list := s.List
		if general {
			list = s.listWalkDir
		}
		if err := list(context.Background(), prefix, func(o sources.Object) error {
			got = append(got, o.Key)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	for _, general := range []bool{false, true} {
		if got, want := keys(t, link, "", general), []string{"a.json", "day/c.json", "sub/b.json"}; !slices.Equal(got, want) {
			t.Errorf("general=%v: root through a link: %q, want %q", general, got, want)
		}
		if got, want := keys(t, real, "today/", general), []string{"today/c.json"}; !slices.Equal(got, want) {
			t.Errorf("general=%v: prefix naming a linked folder: %q, want %q", general, got, want)
		}
	}
}
