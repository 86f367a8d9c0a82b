package main

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/sources/testservers"
)

// TestEntraContainersOnAzurite (issue 14): Entra ID containers as
// diagnostic settings write them (one container per category,
// tenantId=<id>/y=/m=/d=/h=/m=00/PT1H.json append blobs), scanned over
// Azurite with --since/--until: the hour outside the window is not read,
// both the JSON Lines and the legacy envelope are decoded, and the hits
// carry the tenant, the principal, the address and the result. Records
// are the real samples with their time moved into their blob's hour (and
// one sign-in's riskLevelDuringSignIn set to high).
func TestEntraContainersOnAzurite(t *testing.T) {
	ctx := context.Background()
	const tenant = "4bbb79f7-5724-4c9e-95f3-de075f6ec090"
	signIn := func(at, risk string) map[string]any {
		r := sample(t, "entra_signin_SignInLogs_success__elastic_sample.json")
		r["time"] = at
		r["properties"].(map[string]any)["riskLevelDuringSignIn"] = risk
		return r
	}
	cred := sample(t, "entra_audit_AddServicePrincipalCredentials__elastic_sample.json")
	cred["time"] = "2024-05-01T06:01:02.5168093Z"
	hour := func(h string) string { return "tenantId=" + tenant + "/" + h + "/m=00/PT1H.json" }
	jsonl := func(recs ...map[string]any) []byte {
		var b []byte
		for _, r := range recs {
			b = append(append(b, mustJSON(r)...), '\n')
		}
		return b
	}
	az := testservers.SharedAzurite(t)
	blobs := map[string]map[string][]byte{
		"insights-logs-signinlogs": {
			hour("y=2024/m=05/d=01/h=05"): jsonl(signIn("2024-05-01T05:10:00.0000000Z", "none"), signIn("2024-05-01T05:40:00.0000000Z", "high")),
			hour("y=2024/m=05/d=01/h=23"): mustJSON(map[string]any{"records": []any{signIn("2024-05-01T23:59:00.0000000Z", "medium")}}),
			hour("y=2024/m=04/d=20/h=05"): jsonl(signIn("2024-04-20T05:40:00.0000000Z", "high")), // outside the window
		},
		"insights-logs-auditlogs": {
			hour("y=2024/m=05/d=01/h=06"): jsonl(cred),
		},
	}
	for c, keys := range blobs {
		az.CreateContainer(t, c)
		for k, body := range keys {
			if err := az.Put(ctx, c, k, body); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", az.ConnectionString())
	code, out, errOut := cli(t, "scan",
		"azblob://"+az.Account+"/insights-logs-signinlogs/", "azblob://"+az.Account+"/insights-logs-auditlogs/",
		"--endpoint", az.ServiceURL, "--since", "2024-04-30", "--until", "2024-05-01", "--format", "jsonl", "--quiet")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	var got []string
	for _, h := range jsonlHits(t, out) {
		var cols []string
		for _, k := range []string{"rule_name", "log_type", "account_id", "principal_user", "principal_ip", "result", "event_name", "event_time"} {
			v, _ := h[k].(string)
			cols = append(cols, v)
		}
		src, _ := h["source_uri"].(string)
		cols = append(cols, src[strings.Index(src, "/insights-logs-")+1:])
		got = append(got, strings.Join(cols, " | "))
	}
	sort.Strings(got)
	want := []string{
		"entra_risky_signin | AZURE_AD | " + tenant + " | mpliftrelastic20210901@outlook.com | 1.128.3.4 | success | Sign-in activity | 2024-05-01T05:40:00.000000Z | insights-logs-signinlogs/" + hour("y=2024/m=05/d=01/h=05"),
		"entra_risky_signin | AZURE_AD | " + tenant + " | mpliftrelastic20210901@outlook.com | 1.128.3.4 | success | Sign-in activity | 2024-05-01T23:59:00.000000Z | insights-logs-signinlogs/" + hour("y=2024/m=05/d=01/h=23"),
		"entra_sp_credential_added | AZURE_AD_AUDIT | " + tenant + " | Managed Service Identity | 1.128.3.4 | success | Add service principal credentials | 2024-05-01T06:01:02.516809Z | insights-logs-auditlogs/" + hour("y=2024/m=05/d=01/h=06"),
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("hits\n%s\nwant\n%s\nstderr:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), errOut)
	}
}
