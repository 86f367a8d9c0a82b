package scan

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsFlowDownward enforces the layering (STYLE.md §1): sources
// never import scan or output, and scan never imports a cloud SDK.
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
	check(mod+"scan/...", "github.com/aws", "github.com/Azure", mod+"cmd", mod+"sources/s3", mod+"sources/azblob")
	check(mod+"output/...", mod+"cmd", "github.com/aws", "github.com/Azure")
}
