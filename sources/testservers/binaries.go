package testservers

import (
	"go/build"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

const installHint = "bash .ci/install-test-servers.sh"

// versitygwPath returns the versitygw binary to run.
func versitygwPath() string {
	if p := os.Getenv("RETROHUNT_VERSITYGW"); p != "" {
		return p
	}
	gobin := os.Getenv("GOBIN")
	if gobin == "" {
		gopath := filepath.SplitList(build.Default.GOPATH)
		if len(gopath) == 0 {
			return ""
		}
		gobin = filepath.Join(gopath[0], "bin")
	}
	return filepath.Join(gobin, "versitygw")
}

// azuritePath returns the azurite-blob launcher to run.
func azuritePath() string {
	if p := os.Getenv("RETROHUNT_AZURITE"); p != "" {
		return p
	}
	return filepath.Join(RepoRoot(), ".cache", "azurite", "node_modules", ".bin", "azurite-blob")
}

// RepoRoot is the module root, found from this file's location so that
// it does not depend on the test's working directory.
func RepoRoot() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "."
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// need skips t (or fails it under RETROHUNT_REQUIRE_SERVERS=1) when bin is
// not an executable file.
func need(t testing.TB, name, bin string) {
	t.Helper()
	if st, err := os.Stat(bin); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
		return
	}
	msg := name + " not found at " + bin + "; install it with: " + installHint
	if os.Getenv("RETROHUNT_REQUIRE_SERVERS") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}
