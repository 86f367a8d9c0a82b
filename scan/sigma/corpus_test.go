package sigma

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/retrohunt/retrohunt/internal/corpora"
	"github.com/retrohunt/retrohunt/scan/udm"
)

// TestSigmaHQCloudCorpus loads every SigmaHQ cloud rule: all 92 of the
// CloudTrail and Azure Activity folders, and the Entra ID sign-in and
// audit folders, load and route to their log type; the other folders
// load and are not applicable, in the exact numbers of files they hold
// (counted with ls at commit 8eaafff).
func TestSigmaHQCloudCorpus(t *testing.T) {
	root := filepath.Join(corpora.Dir(t, "sigmahq"), "rules", "cloud")
	want := []struct {
		dir        string
		files      int
		applicable udm.LogType // Unknown: every rule is not applicable
	}{
		{"aws/cloudtrail", 57, udm.AWSCloudTrail},
		{"azure/activity_logs", 35, udm.AzureActivity},
		{"azure/audit_logs", 44, udm.AzureADAudit},
		{"azure/identity_protection", 19, udm.Unknown},
		{"azure/privileged_identity_management", 7, udm.Unknown},
		{"azure/signin_logs", 18, udm.AzureADSignIn},
		{"gcp/audit", 16, udm.Unknown},
		{"gcp/gworkspace/admin", 7, udm.Unknown},
		{"gcp/gworkspace/login", 3, udm.Unknown},
		{"m365/audit", 4, udm.Unknown},
		{"m365/exchange", 1, udm.Unknown},
		{"m365/threat_detection", 1, udm.Unknown},
		{"m365/threat_management", 13, udm.Unknown},
	}
	total := 0
	for _, w := range want {
		names, err := filepath.Glob(filepath.Join(root, w.dir, "*.yml"))
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(names)
		if len(names) != w.files {
			t.Errorf("%s: %d files, want %d", w.dir, len(names), w.files)
		}
		loaded, applicable := 0, 0
		for _, n := range names {
			src, err := os.ReadFile(n)
			if err != nil {
				t.Fatal(err)
			}
			rs, err := ParseFile(n, src, Options{})
			if err != nil {
				t.Errorf("%v", err)
				continue
			}
			for _, r := range rs {
				loaded++
				if r.Type != udm.Unknown {
					applicable++
					for _, f := range Lint(r) {
						if f.Level == Never {
							t.Errorf("%s: lint: %s", f.Pos, f.Msg)
						}
					}
					if r.Type != w.applicable {
						t.Errorf("%s: routed to %v, want %v", n, r.Type, w.applicable)
					}
				}
			}
		}
		wantApplicable := 0
		if w.applicable != udm.Unknown {
			wantApplicable = w.files
		}
		if loaded != w.files || applicable != wantApplicable {
			t.Errorf("%s: %d loaded, %d applicable; want %d, %d", w.dir, loaded, applicable, w.files, wantApplicable)
		}
		total += applicable
	}
	if total != 92+44+18 {
		t.Errorf("%d CloudTrail, Azure Activity and Entra ID rules apply, want %d", total, 92+44+18)
	}
}
