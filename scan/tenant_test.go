package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/local"
)

// Issue 14: Entra ID containers (insights-logs-<category>/tenantId=…)
// are pruned by the hour in their keys, read in JSON Lines and in the
// legacy {"records":[…]} envelope, and an open hour's half-written last
// line waits for the next run, as for the Activity Log. The records are
// real (testdata/samples) with their time moved into the hour of their
// blob and, for the risky sign-in, riskLevelDuringSignIn set to high.
func TestIssue14TenantContainers(t *testing.T) {
	line := func(sample string, edits ...string) []byte {
		t.Helper()
		b, err := os.ReadFile(filepath.Join("..", "testdata", "samples", sample))
		if err != nil {
			t.Fatal(err)
		}
		var c bytes.Buffer
		if err := json.Compact(&c, b); err != nil {
			t.Fatal(err)
		}
		s := c.String()
		for i := 0; i < len(edits); i += 2 {
			if strings.Count(s, edits[i]) != 1 {
				t.Fatalf("%s: %q occurs %d times", sample, edits[i], strings.Count(s, edits[i]))
			}
			s = strings.Replace(s, edits[i], edits[i+1], 1)
		}
		return []byte(s)
	}
	risky := func(at string) []byte {
		return line("entra_signin_SignInLogs_success__elastic_sample.json",
			`"time":"2022-01-24T05:10:08.6816663Z"`, `"time":"`+at+`"`,
			`"riskLevelDuringSignIn":"none"`, `"riskLevelDuringSignIn":"high"`)
	}
	calm := line("entra_signin_SignInLogs_success__elastic_sample.json", `"time":"2022-01-24T05:10:08.6816663Z"`, `"time":"2024-05-01T05:20:00.0000000Z"`)
	cred := line("entra_audit_AddServicePrincipalCredentials__elastic_sample.json", `"time":"2022-01-22T18:15:02.5168093Z"`, `"time":"2024-05-01T06:01:02.5168093Z"`)
	const tenant = "4bbb79f7-5724-4c9e-95f3-de075f6ec090"
	signins := "insights-logs-signinlogs/tenantId=" + tenant + "/"
	files := map[string][]byte{
		// The hour being written: a record, then half of the next.
		signins + "y=2024/m=05/d=01/h=10/m=00/PT1H.json": slices.Concat(risky("2024-05-01T10:12:00.0000000Z"), []byte("\n"), risky("2024-05-01T10:13:00Z")[:60]),
		// The legacy envelope of older exports.
		signins + "y=2024/m=05/d=01/h=05/m=00/PT1H.json": slices.Concat([]byte(`{"records":[`), calm, []byte(","), risky("2024-05-01T05:40:00.0000000Z"), []byte("]}")),
		// Before the window: its day folder is never listed.
		signins + "y=2024/m=04/d=29/h=05/m=00/PT1H.json":                                       risky("2024-04-29T05:40:00.0000000Z"),
		"insights-logs-auditlogs/tenantId=" + tenant + "/y=2024/m=05/d=01/h=06/m=00/PT1H.json": slices.Concat(cred, []byte("\n")),
	}
	root := t.TempDir()
	for key, body := range files {
		p := filepath.Join(root, filepath.FromSlash(key))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src, err := local.New(root)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2024, 5, 1, 10, 50, 0, 0, time.UTC)
	for _, reference := range []bool{true, false} {
		var c collect
		cfg := Config{Rules: ruleSets(t)["pack"], Reference: reference, Workers: 2, Now: func() time.Time { return now },
			Window: sources.Window{Since: time.Date(2024, 4, 30, 0, 0, 0, 0, time.UTC)}}
		sum, err := Run(context.Background(), cfg, []Target{{Source: src}}, &c)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range c.hits {
			got = append(got, strings.Join([]string{h.RuleName, h.LogType, h.AccountID, h.PrincipalUser, h.PrincipalIP, h.Result, h.EventTime.Format(time.RFC3339)}, " "))
		}
		sort.Strings(got)
		want := []string{
			"entra_risky_signin AZURE_AD " + tenant + " mpliftrelastic20210901@outlook.com 1.128.3.4 success 2024-05-01T05:40:00Z",
			"entra_risky_signin AZURE_AD " + tenant + " mpliftrelastic20210901@outlook.com 1.128.3.4 success 2024-05-01T10:12:00Z",
			"entra_sp_credential_added AZURE_AD_AUDIT " + tenant + " Managed Service Identity 1.128.3.4 success 2024-05-01T06:01:02Z",
		}
		if !slices.Equal(got, want) {
			t.Errorf("reference %v: hits\n%q\nwant\n%q", reference, got, want)
		}
		if sum.ObjectsScanned != 3 || sum.OpenAppendBlobs != 1 || len(sum.Skips) != 0 {
			t.Errorf("reference %v: %d scanned, %d open append blobs, skips %+v", reference, sum.ObjectsScanned, sum.OpenAppendBlobs, sum.Skips)
		}
	}
}
