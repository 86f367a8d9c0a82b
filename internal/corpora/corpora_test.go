package corpora

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDirFindsTheEnvDirectory(t *testing.T) {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "sigmahq"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(Env, root)
	if got := Dir(t, "sigmahq"); got != filepath.Join(root, "sigmahq") {
		t.Fatalf("Dir = %q", got)
	}
}
