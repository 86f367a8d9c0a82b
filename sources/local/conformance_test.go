package local_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/retrohunt/retrohunt/sources/local"
	"github.com/retrohunt/retrohunt/sources/sourcetest"
)

func TestConformance(t *testing.T) {
	sourcetest.Run(t, func(t *testing.T) sourcetest.Env {
		dir := t.TempDir()
		src, err := local.New(dir)
		if err != nil {
			t.Fatal(err)
		}
		return sourcetest.Env{Source: src, Put: writer(dir)}
	})
}

// TestConformancePrefixed runs the suite in a sub-folder, as it runs in a
// per-run folder of a real bucket; this proves the narrowing wrapper.
func TestConformancePrefixed(t *testing.T) {
	sourcetest.Run(t, func(t *testing.T) sourcetest.Env {
		dir := t.TempDir()
		src, err := local.New(dir)
		if err != nil {
			t.Fatal(err)
		}
		// A neighbour outside the run folder must stay invisible.
		if err := writer(dir)("other/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01/x.json.gz", []byte("x")); err != nil {
			t.Fatal(err)
		}
		put := writer(dir)
		return sourcetest.Env{
			Source: sourcetest.Prefixed(src, "run/"),
			Put:    func(key string, body []byte) error { return put("run/"+key, body) },
		}
	})
}

func writer(dir string) func(key string, body []byte) error {
	return func(key string, body []byte) error {
		p := filepath.Join(dir, filepath.FromSlash(key))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, body, 0o644)
	}
}
