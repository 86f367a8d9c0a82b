package fn

import (
	"flag"
	"os"
	"os/exec"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/yaral_functions.md from the table")

// TestDoc fails when docs/yaral_functions.md is not what Markdown renders.
func TestDoc(t *testing.T) {
	path := "../../../docs/yaral_functions.md"
	want := Markdown()
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != want {
		t.Fatalf("docs/yaral_functions.md is out of date: run go test ./scan/rule/fn -run TestDoc -update (%v)", err)
	}
}

// TestImportsNothingOfOurs: the function library sits below the rule
// parser and imports nothing of retrohunt's.
func TestImportsNothingOfOurs(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, d := range strings.Fields(string(out)) {
		if strings.HasPrefix(d, "github.com/retrohunt/retrohunt/") && d != "github.com/retrohunt/retrohunt/scan/rule/fn" {
			t.Errorf("scan/rule/fn imports %s", d)
		}
		if first, _, _ := strings.Cut(d, "/"); strings.Contains(first, ".") && !strings.HasPrefix(d, "github.com/retrohunt/retrohunt/") {
			t.Errorf("scan/rule/fn imports non-stdlib %s", d)
		}
	}
}
