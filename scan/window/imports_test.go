package window

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStdlibOnly: the package imports nothing but the standard library,
// so that scan, sweep and a future correlate command can all use it.
func TestStdlibOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, d := range strings.Fields(string(out)) {
		if strings.Contains(d, ".") && d != "github.com/retrohunt/retrohunt/scan/window" {
			t.Errorf("imports %s", d)
		}
	}
}
