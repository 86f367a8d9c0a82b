package sources

import (
	"testing"
	"time"
)

// The tenant-scoped keys below are spelled as Microsoft documents the
// storage destination of Entra ID and Microsoft Graph diagnostic
// settings: one container per category (insights-logs-<category>), then
// tenantId=<id>/y=YYYY/m=MM/d=DD/h=HH/m=00/PT1H.json; the container name
// is part of the key only in a local copy (azcopy keeps it).
func TestParseKeyTenant(t *testing.T) {
	const tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	hour := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }
	cases := []struct {
		key        string
		kind       Kind
		account    string
		start, end time.Time
	}{
		{"tenantId=" + tenant + "/y=2024/m=03/d=01/h=07/m=00/PT1H.json", KindAzureTenant, tenant, hour(2024, 3, 1, 7), hour(2024, 3, 1, 8)},
		{"insights-logs-signinlogs/tenantId=" + tenant + "/y=2024/m=02/d=29/h=23/m=00/PT1H.json", KindAzureTenant, tenant, hour(2024, 2, 29, 23), hour(2024, 3, 1, 0)},
		{"copy/insights-logs-microsoftgraphactivitylogs/TENANTID=" + tenant + "/y=2024/m=03/d=02/h=00/m=00/PT1H.json", KindAzureTenant, tenant, hour(2024, 3, 2, 0), hour(2024, 3, 2, 1)},
		// The resource-id form some exports use for the tenant-level
		// provider (microsoft.aadiam).
		{"resourceId=/tenants/" + tenant + "/providers/microsoft.aadiam/y=2024/m=03/d=01/h=10/m=00/PT1H.json", KindAzureTenant, tenant, hour(2024, 3, 1, 10), hour(2024, 3, 1, 11)},
		// A day folder without an hour speaks for the whole day.
		{"tenantId=" + tenant + "/y=2024/m=03/d=01/PT1H.json", KindAzureTenant, tenant, hour(2024, 3, 1, 0), hour(2024, 3, 2, 0)},
		// Folders only: the tenant is known, no date.
		{"tenantId=" + tenant + "/", KindAzureTenant, tenant, time.Time{}, time.Time{}},
		// Not a tenant: empty id, other names.
		{"tenantId=/y=2024/m=03/d=01/h=10/m=00/PT1H.json", KindUnknown, "", time.Time{}, time.Time{}},
		{"tenants/" + tenant + "/y=2024/m=03/d=01/h=10/m=00/PT1H.json", KindUnknown, "", time.Time{}, time.Time{}},
		// Resource logs of a subscription's resources stay out of the
		// Activity layout (they are not tenant logs either).
		{"resourceId=/SUBSCRIPTIONS/s/RESOURCEGROUPS/rg/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/aks/y=2024/m=03/d=01/h=10/m=00/PT1H.json", KindUnknown, "", time.Time{}, time.Time{}},
	}
	for _, c := range cases {
		got := ParseKey(c.key)
		if got.Kind != c.kind || got.Account != c.account || !got.Start.Equal(c.start) || !got.End.Equal(c.end) {
			t.Errorf("ParseKey(%q) = %v %q %v..%v, want %v %q %v..%v", c.key, got.Kind, got.Account, got.Start, got.End, c.kind, c.account, c.start, c.end)
		}
	}
	if s := KindAzureTenant.String(); s != "azure-tenant" {
		t.Errorf("KindAzureTenant.String() = %q", s)
	}
	if !(Info{Kind: KindAzureTenant}).HourBlob() || !(Info{Kind: KindAzureActivity}).HourBlob() || (Info{Kind: KindCloudTrail}).HourBlob() {
		t.Error("HourBlob: Azure Activity and tenant blobs are hour blobs, CloudTrail files are not")
	}
}
