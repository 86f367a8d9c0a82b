package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/internal/corpora"
)

// baseSignIn and baseAudit are Entra ID records in the shape diagnostic
// settings archive to Blob Storage (insights-logs-signinlogs,
// insights-logs-auditlogs: top-level time, category, operationName,
// resultType, properties{…}). baseSignIn is testdata/samples/
// entra_signin_SignInLogs_success__elastic_sample.json (an interactive
// single-factor sign-in to the Azure Portal, resultType "0", status
// {"errorCode":0}, networkLocationDetails [], deviceDetail.deviceId "")
// with its time moved to 2024; baseAudit is
// entra_audit_UpdateDevice_user__elastic_raw.json (a user-initiated
// Core Directory "Update device") with its time moved and its
// initiator given an address. Both samples are Elastic's test records
// (testdata/samples/SOURCES.md).
const (
	baseSignIn = `{"time":"2024-05-01T10:10:08.6816663Z","resourceId":"/tenants/4bbb79f7-5724-4c9e-95f3-de075f6ec090/providers/Microsoft.aadiam",
"operationName":"Sign-in activity","operationVersion":"1.0","category":"SignInLogs","tenantId":"4bbb79f7-5724-4c9e-95f3-de075f6ec090",
"resultType":"0","resultSignature":"None","durationMs":0,"callerIpAddress":"1.128.3.4","identity":"elastic testing","Level":4,"location":"IN",
"properties":{"id":"933f20c0-efdf-477f-9586-e5cc566d2e00","createdDateTime":"2024-05-01T10:10:08.6816663+00:00","userDisplayName":"elastic testing",
"userPrincipalName":"mpliftrelastic20210901@outlook.com","userId":"2ce85a15-8640-465d-b916-d2eac620a717","appId":"c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
"appDisplayName":"Azure Portal","ipAddress":"1.128.3.4","status":{"errorCode":0},"clientAppUsed":"Browser",
"userAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/97.0.4692.99 Safari/537.36 Edg/97.0.1072.69",
"deviceDetail":{"deviceId":"","operatingSystem":"Windows 10","browser":"Edge 97.0.1072"},
"location":{"city":"Nizampet","state":"Telangana","countryOrRegion":"IN","geoCoordinates":{"latitude":17.5164794921875,"longitude":78.376632690429688}},
"mfaDetail":{},"conditionalAccessStatus":"notApplied","appliedConditionalAccessPolicies":[],"originalRequestId":"933f20c0-efdf-477f-9586-e5cc566d2e00",
"isInteractive":true,"tokenIssuerName":"","tokenIssuerType":"AzureAD","authenticationProcessingDetails":[{"key":"Login Hint Present","value":"True"},
{"key":"Legacy TLS (TLS 1.0, 1.1, 3DES)","value":"False"},{"key":"Oauth Scope Info","value":""},{"key":"Is CAE Token","value":"False"}],
"networkLocationDetails":[],"processingTimeInMilliseconds":5662,"riskDetail":"none","riskLevelAggregated":"none","riskLevelDuringSignIn":"none",
"riskState":"none","riskEventTypes":[],"riskEventTypes_v2":[],"resourceDisplayName":"Windows Azure Service Management API",
"resourceId":"797f4846-ba00-4fd7-ba43-dac1f8f63013","resourceTenantId":"4bbb79f7-5724-4c9e-95f3-de075f6ec090","homeTenantId":"4bbb79f7-5724-4c9e-95f3-de075f6ec090",
"authenticationDetails":[{"authenticationStepDateTime":"2024-05-01T10:10:08.6816663+00:00","authenticationMethod":"Previously satisfied","succeeded":true,
"authenticationStepResultDetail":"First factor requirement satisfied by claim in the token","authenticationStepRequirement":"Primary authentication","StatusSequence":0,"RequestSequence":0}],
"authenticationRequirementPolicies":[],"authenticationRequirement":"singleFactorAuthentication","servicePrincipalId":"","userType":"Member",
"flaggedForReview":false,"isTenantRestricted":false,"autonomousSystemNumber":55836,"crossTenantAccessType":"none","privateLinkDetails":{},
"ssoExtensionVersion":"","uniqueTokenIdentifier":"OTMzZjIwYzAtZWZkZi00NzdmLTk1ODYtZTVjYzU2NmQyZTAw","incomingTokenType":"none","authenticationProtocol":"none"}}`
	baseAudit = `{"time":"2024-05-01T10:30:51.0273716Z","resourceId":"/tenants/4bbb79f7-5724-4c9e-95f3-de075f6ec090/providers/Microsoft.aadiam",
"operationName":"Update device","operationVersion":"1.0","category":"AuditLogs","tenantId":"4bbb79f7-5724-4c9e-95f3-de075f6ec090",
"resultSignature":"None","durationMs":0,"callerIpAddress":"81.2.69.144","identity":"Device Registration Service","level":"Informational",
"properties":{"activityDateTime":"2024-05-01T10:30:51.0273716+00:00","activityDisplayName":"Update device","category":"Device",
"id":"Directory_ESQ","loggedByService":"Core Directory","operationType":"Update","result":"success","resultReason":"",
"initiatedBy":{"user":{"userPrincipalName":"ops@contoso.com","displayName":"Ops","id":"0e4f6a2b-7c8d-4e1f-9a3b-5c6d7e8f9a0b","ipAddress":"81.2.69.144"}},
"targetResources":[{"displayName":"LAPTOP-12","id":"8a4de8b5-095c-47d0-a96f-a75130c61d53","type":"Device",
"modifiedProperties":[{"displayName":"Included Updated Properties","newValue":"\"\"","oldValue":""}]}],"additionalDetails":[]}}`
)

// entraNeverFires lists the SigmaHQ Entra ID rules that cannot fire on
// the records diagnostic settings archive, with the reason (docs/sigma.md
// lists them too). Their positive case is the realistic record of the
// activity the rule means; the test asserts it does not fire them.
var entraNeverFires = map[string]string{
	// Audit: properties.message is no field of AuditLogs records (the
	// activity is operationName and properties.activityDisplayName).
	"azure_aad_secops_ca_policy_removedby_bad_actor.yml":         "properties.message: no such field",
	"azure_aad_secops_ca_policy_updatedby_bad_actor.yml":         "properties.message: no such field",
	"azure_aad_secops_new_ca_policy_addedby_bad_actor.yml":       "properties.message: no such field",
	"azure_ad_account_created_deleted.yml":                       "properties.message: no such field; Status: no such field in audit records (the outcome is properties.result)",
	"azure_app_appid_uri_changes.yml":                            "properties.message: no such field",
	"azure_app_credential_added.yml":                             "properties.message: no such field",
	"azure_app_delegated_permissions_all_users.yml":              "properties.message: no such field",
	"azure_app_owner_added.yml":                                  "properties.message: no such field",
	"azure_app_permissions_msft.yml":                             "properties.message: no such field",
	"azure_app_privileged_permissions.yml":                       "properties.message: no such field",
	"azure_app_role_added.yml":                                   "properties.message: no such field; targetResources.type is ServicePrincipal, not 'Service Principal'",
	"azure_app_uri_modifications.yml":                            "properties.message: no such field",
	"azure_group_user_addition_ca_modification.yml":              "properties.message: no such field",
	"azure_group_user_removal_ca_modification.yml":               "properties.message: no such field",
	"azure_guest_invite_failure.yml":                             "properties.message: no such field; Status: none in audit records",
	"azure_guest_to_member.yml":                                  "properties.message: no such field (the UserType change is in targetResources[].modifiedProperties)",
	"azure_pim_activation_approve_deny.yml":                      "properties.message: no such field",
	"azure_pim_alerts_disabled.yml":                              "properties.message: no such field",
	"azure_pim_change_settings.yml":                              "properties.message: no such field",
	"azure_priviledged_role_assignment_add.yml":                  "properties.message: no such field",
	"azure_priviledged_role_assignment_bulk_change.yml":          "properties.message: no such field",
	"azure_privileged_account_creation.yml":                      "properties.message: no such field; Status: none in audit records",
	"azure_tap_added.yml":                                        "properties.message: no such field; Status: none in audit records (the text is properties.resultReason)",
	"azure_app_end_user_consent.yml":                             "ConsentContext.IsAdminConsent is the displayName of a modified property (targetResources[].modifiedProperties), not a field",
	"azure_app_end_user_consent_blocked.yml":                     "failure_status_reason: no such field (the reason is properties.resultReason)",
	"azure_auditlogs_laps_credential_dumping.yml":                "activityType: no such field (the activity is operationName); additionalInfo is the key of an additionalDetails {key, value} pair, not a field",
	"azure_subscription_permissions_elevation_via_auditlogs.yml": "Category Administrative and 'Assigns the caller to user access admin' are the Activity log's; the directory audit records category AzureRBACRoleManagementElevateAccess, activity 'User has elevated their access to User Access Administrator for their Azure Resources' (later SigmaHQ versions of the rule compare those)",
	"azure_user_password_change.yml":                             "Status, Initiatedby, Target, ActivityType: no such fields, and 'UPN' is a placeholder",
	// Sign-in.
	"azure_ad_only_single_factor_auth_required.yml":                          "Status is an object {errorCode, …} in the archive; its text never equals 'Success'",
	"azure_ad_risky_sign_ins_with_singlefactorauth_from_unknown_devices.yml": "Status is an object; its text never equals 'Success'",
	"azure_ad_suspicious_signin_bypassing_mfa.yml":                           "Status is an object; its text never equals 'Success'",
	"azure_ad_sign_ins_from_unknown_devices.yml":                             "NetworkLocationDetails '[]' compares Log Analytics' text of the column; the archive holds an array, and an empty array has no values",
	"azure_app_device_code_authentication.yml":                               "properties.message: no such field (the protocol is properties.authenticationProtocol)",
	"azure_app_ropc_authentication.yml":                                      "properties.message: no such field (the protocol is properties.authenticationProtocol)",
	"azure_blocked_account_attempt.yml":                                      "resultDescription of 50057 is the error's text, never 'Failure'",
	"azure_conditional_access_failure.yml":                                   "resultDescription of 53003 is 'Access has been blocked by Conditional Access policies. …', not 'Blocked by Conditional Access'",
	"azure_legacy_authentication_protocols.yml":                              "ActivityDetails, ClientApp, Username: no such fields (properties.clientAppUsed), and 'UPN' is a placeholder",
	"azure_unusual_authentication_interruption.yml":                          "the descriptions are compared whole; Entra's resultDescription is the error's sentence with its full stop ('Device authentication is required.'), and 'ExternalSecurityChallenge - …' is the error code reference's form, not the log's",
}

// TestSigmaHQEntraRulesThroughCLI runs SigmaHQ's 44 Entra ID audit and
// 18 sign-in rules over the hand-written records of
// testdata/sigma/entra_*.json in one scan of an archive laid out as
// diagnostic settings write it (insights-logs-<category>/tenantId=…/
// y=/m=/d=/h=/m=00/PT1H.json, JSON Lines) and checks, per rule, that
// its positive record fires it and its near miss does not, except for
// the rules of entraNeverFires, which fire on neither.
func TestSigmaHQEntraRulesThroughCLI(t *testing.T) {
	root := filepath.Join(corpora.Dir(t, "sigmahq"), "rules", "cloud", "azure")
	dirs := map[string]string{"signin": filepath.Join(root, "signin_logs"), "audit": filepath.Join(root, "audit_logs")}
	titles := sigmaTitles(t, dirs) // rule file → title
	if len(titles) != 62 {
		t.Fatalf("%d rules, want 62", len(titles))
	}
	for r := range entraNeverFires {
		if _, ok := titles[r]; !ok {
			t.Errorf("entraNeverFires names no rule %s", r)
		}
	}

	const tenant = "4bbb79f7-5724-4c9e-95f3-de075f6ec090"
	in := t.TempDir()
	type want struct {
		c   sigmaCase
		hit bool
	}
	wants := map[string]want{} // "container#index" → expectation
	done := map[string]bool{}
	logs := []struct{ kind, base, container string }{
		{"signin", baseSignIn, "insights-logs-signinlogs"},
		{"audit", baseAudit, "insights-logs-auditlogs"},
	}
	for _, l := range logs {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "sigma", "entra_"+l.kind+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var cases []sigmaCase
		if err := json.Unmarshal(b, &cases); err != nil {
			t.Fatalf("entra_%s.json: %v", l.kind, err)
		}
		var body []byte
		n := 0
		add := func(c sigmaCase, over map[string]any, hit bool) {
			rec := record(t, l.base, over, fmt.Sprintf("00000000-0000-4000-8000-%012d", n), "correlationId")
			if l.kind == "audit" {
				// The export writes the activity twice: operationName
				// and properties.activityDisplayName.
				p := rec["properties"].(map[string]any)
				if _, ok := over["properties"].(map[string]any)["activityDisplayName"]; !ok {
					p["activityDisplayName"] = rec["operationName"]
				}
			}
			line, err := json.Marshal(rec)
			if err != nil {
				t.Fatal(err)
			}
			body = append(append(body, line...), '\n')
			_, never := entraNeverFires[c.Rule]
			wants[fmt.Sprintf("%s#%d", l.container, n)] = want{c, hit && !never}
			n++
		}
		for _, c := range cases {
			if _, ok := titles[c.Rule]; !ok {
				t.Fatalf("entra_%s.json: no rule %s", l.kind, c.Rule)
			}
			if filepath.Base(dirs[l.kind]) != filepath.Base(filepath.Dir(ruleFile(dirs, c.Rule))) {
				t.Fatalf("entra_%s.json: %s is not a rule of %s", l.kind, c.Rule, dirs[l.kind])
			}
			if done[c.Rule] {
				t.Fatalf("entra_%s.json: rule %s has two cases", l.kind, c.Rule)
			}
			done[c.Rule] = true
			for _, over := range []map[string]any{c.Hit, c.Miss} {
				if _, ok := over["properties"].(map[string]any); !ok && over["properties"] != nil {
					t.Fatalf("entra_%s.json: %s: properties is not an object", l.kind, c.Rule)
				}
				if over["properties"] == nil {
					over["properties"] = map[string]any{}
				}
			}
			add(c, c.Hit, true)
			add(c, c.Miss, false)
		}
		p := filepath.Join(in, l.container, "tenantId="+tenant, "y=2024", "m=05", "d=01", "h=10", "m=00", "PT1H.json")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d of 62 rules have a positive record and a near miss; %d never fire on the archived shape", len(done), len(entraNeverFires))

	code, out, errOut := cli(t, "scan", in, "--rule", dirs["signin"], "--rule", dirs["audit"], "--format", "jsonl", "--quiet")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	// "container#index" → rule names
	fired := firedRules(t, out, func(src string) string {
		i := strings.Index(src, "insights-logs-")
		if i < 0 {
			t.Fatalf("hit from %s", src)
		}
		container, _, _ := strings.Cut(src[i:], "/")
		return container
	})
	keys := make([]string, 0, len(wants))
	for k := range wants {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		w := wants[k]
		title := titles[w.c.Rule]
		if got := fired[k][title]; got != w.hit {
			why := w.c.Why
			if r, ok := entraNeverFires[w.c.Rule]; ok {
				why = "never fires on the archived shape: " + r
			} else if !w.hit {
				why = w.c.MissWhy
			}
			t.Errorf("%s (%s): %s fired %v, want %v: %s", k, w.c.Rule, title, got, w.hit, why)
		}
	}
	for r := range titles {
		if !done[r] {
			t.Errorf("rule %s has no case", r)
		}
	}
}

// ruleFile returns the path of rule file name in one of dirs.
func ruleFile(dirs map[string]string, name string) string {
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, name)); err == nil {
			return filepath.Join(d, name)
		}
	}
	return ""
}
