package udm

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestMapEntraSamples checks the tenant logs' rows on real records
// (testdata/samples/SOURCES.md). Every expected value was read by hand
// from the raw record; the constants are the names Google's parsers and
// community rules use (docs/udm.md).
func TestMapEntraSamples(t *testing.T) {
	f := func(sample string, typ LogType, want map[string][]string) {
		t.Helper()
		raw, err := os.ReadFile(filepath.Join("../../testdata/samples", sample))
		if err != nil {
			t.Fatal(err)
		}
		ev, err := Map(raw)
		if err != nil {
			t.Fatalf("%s: %v", sample, err)
		}
		if ev.Type != typ {
			t.Errorf("%s: type %v, want %v", sample, ev.Type, typ)
		}
		for k, v := range want {
			if !reflect.DeepEqual(ev.Values(k), v) {
				t.Errorf("%s: %s = %q, want %q", sample, k, ev.Values(k), v)
			}
		}
	}
	f("entra_signin_SignInLogs_success__elastic_sample.json", AzureADSignIn, map[string][]string{
		"metadata.vendor_name":                       {"Microsoft"},
		"metadata.product_name":                      {"Azure AD"},
		"metadata.log_type":                          {"AZURE_AD"},
		"metadata.product_event_type":                {"Sign-in activity"},
		"metadata.event_type":                        {"USER_LOGIN"},
		"metadata.event_timestamp":                   {"2022-01-24T05:10:08.6816663Z"},
		"metadata.product_log_id":                    {"933f20c0-efdf-477f-9586-e5cc566d2e00"},
		"metadata.product_deployment_id":             {"4bbb79f7-5724-4c9e-95f3-de075f6ec090"},
		"target.user.userid":                         {"mpliftrelastic20210901@outlook.com"},
		"target.user.user_display_name":              {"elastic testing"},
		"target.user.product_object_id":              {"2ce85a15-8640-465d-b916-d2eac620a717"},
		"target.application":                         {"Azure Portal"},
		`target.resource.attribute.labels["App Id"]`: {"c44b4083-3bb0-49c1-b47d-974e53cbdf3c"},
		"target.resource.name":                       {"Windows Azure Service Management API"},
		"principal.ip":                               {"1.128.3.4"},
		"principal.location.city":                    {"Nizampet"},
		"principal.location.state":                   {"Telangana"},
		"principal.location.country_or_region":       {"IN"},
		"principal.application":                      {"Browser"},
		"principal.user.userid":                      nil, // Google maps the signing-in user to target.user
		"network.http.user_agent":                    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/97.0.4692.99 Safari/537.36 Edg/97.0.1072.69"},
		"security_result.action":                     {"ALLOW"},
		"security_result.rule_id":                    {"0"},
		"security_result.severity_details":           {"none"},
		"security_result.threat_status":              {"none"},
		"security_result.summary":                    nil, // no failureReason, no resultDescription
	})
	f("entra_signin_SignInLogs_failure_50140__elastic_raw.json", AzureADSignIn, map[string][]string{
		"target.user.userid":       {"test@elastic.co"},
		"security_result.action":   {"BLOCK"},
		"security_result.rule_id":  {"50140"},
		"security_result.summary":  {"This error occurred due to 'Keep me signed in' interrupt when the user was signing-in."},
		"principal.ip":             {"81.2.69.144"},
		"metadata.event_timestamp": {"2019-10-18T09:45:48.0729893Z"},
	})
	f("entra_audit_AddServicePrincipalCredentials__elastic_sample.json", AzureADAudit, map[string][]string{
		"metadata.vendor_name":              {"Microsoft"},
		"metadata.product_name":             {"Azure AD Directory Audit"},
		"metadata.log_type":                 {"AZURE_AD_AUDIT"},
		"metadata.product_event_type":       {"Add service principal credentials"},
		"metadata.event_type":               {"USER_UNCATEGORIZED"},
		"metadata.event_timestamp":          {"2022-01-22T18:15:02.5168093Z"},
		"metadata.product_log_id":           {"Directory_53161141-e3f4-4944-85b6-7b953f17265e_6X649_134684731"},
		"metadata.product_deployment_id":    {"4bbb79f7-5724-4c9e-95f3-de075f6ec090"},
		"principal.user.userid":             nil, // an app initiated it
		"principal.application":             {"Managed Service Identity"},
		"principal.user.product_object_id":  {"b9814691-9ca1-4e55-a1ac-8ef5dd010ec0"},
		"principal.ip":                      {"1.128.3.4"},
		"target.application":                {"Core Directory"},
		"target.resource.name":              {"billing-test-wus"},
		"target.resource.product_object_id": {"a7d5dcbe-0627-4ddf-a2f4-86b6785bcc42"},
		"security_result.action":            {"ALLOW"},
		"security_result.summary":           {"success"},
		"security_result.category_details":  {"ApplicationManagement"},
	})
	f("entra_audit_UpdateDevice_user__elastic_raw.json", AzureADAudit, map[string][]string{
		"metadata.product_event_type":      {"Update device"},
		"principal.user.userid":            {"UserName"},
		"principal.ip":                     {"0.0.0.0"},
		"target.resource.name":             {"LAPTOP-12"},
		"security_result.category_details": {"Device"},
	})
	f("graph_GET_organization_app__elastic_raw.json", GraphActivity, map[string][]string{
		"metadata.vendor_name":                 {"Microsoft"},
		"metadata.product_name":                {"Microsoft Graph"},
		"metadata.log_type":                    {"MICROSOFT_GRAPH_ACTIVITY_LOGS"},
		"metadata.product_event_type":          {"Microsoft Graph Activity"},
		"metadata.event_type":                  {"NETWORK_HTTP"},
		"metadata.event_timestamp":             {"2024-03-07T11:47:00.6442361Z"},
		"metadata.product_deployment_id":       {"a140785b-418d-4344-a4ec-8e9648919gdb"},
		"target.url":                           {"https://graph.microsoft.com/v1.0/organization/a140785b-418d-4344-a4ec-8e9648919gdb?$select=Id,DisplayName,CreatedDateTime,ReplicationScope,Country,CountryLetterCode,DataBoundary"},
		"network.http.method":                  {"GET"},
		"network.http.response_code":           {"200"},
		"network.http.user_agent":              {"python-requests/2.27.1"},
		"principal.ip":                         {"2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6"},
		"principal.user.product_object_id":     {"f2aq4c71-31e3-5066-92g3-4b3dfbav50f0"}, // userId is null: the service principal
		"principal.resource.product_object_id": {"a5a68e12-268a-3c91-a5e2-b9254e67hb29"},
		"principal.location.name":              {"West Europe"},
	})
	f("graph_GET_me_photos_404_user__elastic_raw.json", GraphActivity, map[string][]string{
		"principal.user.product_object_id": {"b37ec517-0a34-4266-b627-f7bb0d679d70"},
		"network.http.response_code":       {"404"},
		"network.http.user_agent":          {""},
	})
}

// Categories of other Azure logs stay unsupported, and the case of a
// category does not matter.
func TestTenantCategories(t *testing.T) {
	for raw, want := range map[string]LogType{
		`{"time":"2024-03-01T00:00:00Z","resourceId":"/tenants/t/providers/Microsoft.aadiam","category":"NonInteractiveUserSignInLogs"}`: AzureADSignIn,
		`{"time":"2024-03-01T00:00:00Z","resourceId":"/tenants/t/providers/Microsoft.aadiam","category":"servicePrincipalSignInLogs"}`:   AzureADSignIn,
		`{"time":"2024-03-01T00:00:00Z","resourceId":"/tenants/t/providers/Microsoft.aadiam","category":"ManagedIdentitySignInLogs"}`:    AzureADSignIn,
		`{"time":"2024-03-01T00:00:00Z","resourceId":"/tenants/t/providers/Microsoft.aadiam","category":"AUDITLOGS"}`:                    AzureADAudit,
	} {
		ev, err := Map([]byte(raw))
		if err != nil || ev.Type != want {
			t.Errorf("Map(%s) = %v, %v; want %v", raw, ev, err, want)
		}
	}
	for _, raw := range []string{
		`{"time":"2024-03-01T00:00:00Z","resourceId":"/tenants/t/providers/Microsoft.aadiam","category":"ProvisioningLogs"}`,
		`{"time":"2024-03-01T00:00:00Z","resourceId":"/tenants/t/providers/Microsoft.aadiam","category":"RiskyUsers"}`,
		`{"time":"2024-03-01T00:00:00Z","resourceId":"/SUBSCRIPTIONS/S/RESOURCEGROUPS/R/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/A","category":"kube-audit"}`,
	} {
		if _, err := Map([]byte(raw)); err != ErrUnsupported {
			t.Errorf("Map(%s) = %v, want ErrUnsupported", raw, err)
		}
	}
	// The "[*]" path takes each element of an array of objects, passing
	// over elements that are not objects or lack the key.
	ev, err := Map([]byte(`{"time":"2024-03-01T00:00:00Z","category":"AuditLogs","operationName":"Add member to role","properties":{"result":"failure","targetResources":[{"userPrincipalName":"a@x"},5,{"displayName":"Global Administrator"},{"userPrincipalName":"b@x"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string][]string{
		"target.user.userid":     {"a@x", "b@x"},
		"target.resource.name":   {"Global Administrator"},
		"metadata.event_type":    {"USER_CHANGE_PERMISSIONS"},
		"security_result.action": {"BLOCK"},
	} {
		if !reflect.DeepEqual(ev.Values(k), v) {
			t.Errorf("%s = %q, want %q", k, ev.Values(k), v)
		}
	}
}

// wholeTenantType is Map's tenant-log rule on the whole decode: a
// category that is a string naming a tenant log.
func wholeTenantType(doc map[string]any) LogType {
	c, ok := doc["category"].(string)
	if !ok {
		return Unknown
	}
	return TenantLogType(c)
}

// lookupWholeEach is lookupWhole for a path with "[*]": rest in each
// object of the array at head.
func lookupWholeEach(doc map[string]any, head, rest string) ([]string, bool) {
	var cur any = doc
	for _, seg := range splitPath(head) {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[seg]; !ok {
			return nil, false
		}
	}
	arr, ok := cur.([]any)
	if !ok {
		return nil, false
	}
	var out []string
	for _, e := range arr {
		if m, ok := e.(map[string]any); ok {
			if vals, ok := lookupWhole(m, rest); ok {
				out = append(out, vals...)
			}
		}
	}
	return out, len(out) > 0
}
