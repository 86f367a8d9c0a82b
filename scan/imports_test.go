package scan

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsFlowDownward enforces the layering: sources never import
// scan or output, scan never imports a cloud SDK, and scan's non-test
// packages never import bench, which sits above the engine and drives
// it (go list -deps without -test leaves out the _test.go files, some
// of which take their corpus from bench/gen).
func TestImportsFlowDownward(t *testing.T) {
	deps := func(pkg string) []string {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		return strings.Fields(string(out))
	}
	const mod = "github.com/retrohunt/retrohunt/"
	check := func(pkg string, forbidden ...string) {
		for _, d := range deps(pkg) {
			for _, f := range forbidden {
				if d == f || strings.HasPrefix(d, f+"/") {
					t.Errorf("%s imports %s", pkg, d)
				}
			}
		}
	}
	check(mod+"sources/...", mod+"scan", mod+"output", mod+"cmd")
	check(mod+"scan/...", "github.com/aws", "github.com/Azure", mod+"cmd", mod+"sources/s3", mod+"sources/azblob", mod+"bench")
	check(mod+"output/...", mod+"cmd", "github.com/aws", "github.com/Azure")
}
