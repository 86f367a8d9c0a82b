// Package corpora finds the public rule corpora (Google's community
// YARA-L rules, SigmaHQ's cloud rules) that tests read in place. They
// are not part of the repository: they sit beside the clone, as
// ../shared/corpora, unmodified and with their licences.
package corpora

import (
	"os"
	"path/filepath"
	"testing"
)

// Env names the directory holding the corpora when it is not
// ../shared/corpora beside the module root.
const Env = "RETROHUNT_CORPORA"

// Dir returns the directory of one corpus ("chronicle-detection-rules",
// "sigmahq"). A test that needs it is skipped, saying where it looked,
// when the corpus is absent, unless RETROHUNT_REQUIRE_CORPORA=1, which
// makes that a failure (CI sets it).
func Dir(t testing.TB, name string) string {
	t.Helper()
	root := os.Getenv(Env)
	if root == "" {
		mod, err := moduleRoot()
		if err != nil {
			t.Fatalf("corpora: %v", err)
		}
		root = filepath.Join(mod, "..", "shared", "corpora")
	}
	dir := filepath.Join(root, name)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		if os.Getenv("RETROHUNT_REQUIRE_CORPORA") == "1" {
			t.Fatalf("corpus %s not found at %s (set %s)", name, dir, Env)
		}
		t.Skipf("corpus %s not found at %s (set %s)", name, dir, Env)
	}
	return dir
}

// moduleRoot walks up from the working directory (a test runs in its
// package's directory) to the directory holding go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
