package scan

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsFlowDownward enforces the layering: cmd on top; report and
// explain (what the report and explain commands print) and sweep (the
// nightly-sweep protocol: state, shards, checkpoints) below it; scan,
// output and sources below them. sources never import scan or output,
// scan never imports a cloud SDK, output/text (terminal formatting),
// scan/internal/structure (the JSON structure scanner that scan/decode
// and scan/fast share), scan/inflate (the whole-buffer gzip decoder
// scan/decode uses) and internal/... (test support that packages on
// several floors share) import nothing of ours, and nothing below cmd
// imports report, explain or sweep, which do not import each other or
// cmd. bench sits above the engine and drives it: scan's non-test
// packages never import it (go list -deps without -test leaves out the
// _test.go files, some of which take their corpus from bench/gen).
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
	above := []string{mod + "cmd", mod + "report", mod + "explain", mod + "sweep"}
	check(mod+"sources/...", append([]string{mod + "scan", mod + "output"}, above...)...)
	check(mod+"scan/...", append([]string{"github.com/aws", "github.com/Azure", mod + "sources/s3", mod + "sources/azblob", mod + "bench"}, above...)...)
	check(mod+"output/...", append([]string{"github.com/aws", "github.com/Azure"}, above...)...)
	check(mod+"output/text", mod+"scan", mod+"sources", mod+"output/lake", mod+"cmd")
	check(mod+"scan/internal/structure", mod+"scan/decode", mod+"scan/fast", mod+"scan/udm", mod+"scan/rule", mod+"sources", mod+"output")
	check(mod+"scan/inflate", mod+"scan/decode", mod+"scan/fast", mod+"scan/udm", mod+"scan/rule", mod+"scan/internal", mod+"sources", mod+"output", mod+"internal")
	check(mod+"scan/reflist", mod+"scan/rule", mod+"scan/decode", mod+"scan/fast", mod+"scan/udm", mod+"scan/internal", mod+"sources", mod+"output", mod+"internal")
	check(mod+"report/...", mod+"cmd", mod+"explain", mod+"sweep", mod+"scan")
	check(mod+"explain/...", mod+"cmd", mod+"report", mod+"sweep")
	check(mod+"sweep/...", mod+"cmd", mod+"report", mod+"explain")
	check(mod+"internal/...", append([]string{mod + "scan", mod + "sources", mod + "output", mod + "bench"}, above...)...)
}
