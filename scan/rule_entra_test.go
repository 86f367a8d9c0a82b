package scan

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/udm"
)

// TestTenantHitColumns: the hit columns of Entra ID and Graph records
// carry the tenant, the acting or signing-in principal and the result.
// Expected values are read by hand from the samples.
func TestTenantHitColumns(t *testing.T) {
	rs, err := rule.ParseFile("t.yaral", []byte(`rule any_event { events: $e.metadata.vendor_name = "Microsoft" condition: $e }`))
	if err != nil {
		t.Fatal(err)
	}
	r := NewRule(rs[0], "t.yaral")
	for _, c := range []struct {
		sample                                                string
		account, principal, ip, result, detail, event, target string
	}{
		{"entra_signin_SignInLogs_success__elastic_sample.json", "4bbb79f7-5724-4c9e-95f3-de075f6ec090", "mpliftrelastic20210901@outlook.com", "1.128.3.4", "success", "", "Sign-in activity", "Windows Azure Service Management API"},
		{"entra_signin_SignInLogs_failure_50140__elastic_raw.json", "8a4de8b5-095c-47d0-a96f-a75130c61d53", "test@elastic.co", "81.2.69.144", "failure", "This error occurred due to 'Keep me signed in' interrupt when the user was signing-in.", "Sign-in activity", ""},
		{"entra_audit_AddServicePrincipalCredentials__elastic_sample.json", "4bbb79f7-5724-4c9e-95f3-de075f6ec090", "Managed Service Identity", "1.128.3.4", "success", "success", "Add service principal credentials", "billing-test-wus"},
		{"entra_audit_UpdateDevice_user__elastic_raw.json", "8a4de8b5-095c-47d0-a96f-a75130c61d53", "UserName", "0.0.0.0", "success", "success", "Update device", "LAPTOP-12"},
		{"graph_GET_me_photos_404_user__elastic_raw.json", "aa30985b-427d-4434-b4dc-8f9040719adb", "b37ec517-0a34-4266-b627-f7bb0d679d70", "81.2.69.143", "failure", "404", "Microsoft Graph Activity", "https://graph.microsoft.com/v1.0/me/photos/96x96/$value"},
	} {
		raw, err := os.ReadFile(filepath.Join("../testdata/samples", c.sample))
		if err != nil {
			t.Fatal(err)
		}
		ev, err := udm.Map(raw)
		if err != nil {
			t.Fatalf("%s: %v", c.sample, err)
		}
		h := r.hit(ev, time.Time{}, raw, "u", "e", 0)
		got := [...]string{h.AccountID, h.PrincipalUser, h.PrincipalIP, h.Result, h.ResultDetail, h.EventName, h.TargetResource}
		want := [...]string{c.account, c.principal, c.ip, c.result, c.detail, c.event, c.target}
		if got != want {
			t.Errorf("%s:\n got %q\nwant %q", c.sample, got, want)
		}
	}
}
