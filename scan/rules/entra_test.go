package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/scan/udm"
)

// TestEntraRules runs the Entra ID built-in rules on real records
// (testdata/samples, SOURCES.md) and on real records with one field
// changed, named in each case: every rule has a record it must match and
// a near miss it must not.
func TestEntraRules(t *testing.T) {
	all, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Loaded{}
	for _, l := range all {
		byName[l.Rule.Name] = l
	}
	sample := func(name string) string {
		b, err := os.ReadFile(filepath.Join("../../testdata/samples", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	// edit replaces exactly one occurrence of old in rec.
	edit := func(rec, old, new string) string {
		t.Helper()
		if strings.Count(rec, old) != 1 {
			t.Fatalf("edit: %q occurs %d times", old, strings.Count(rec, old))
		}
		return strings.Replace(rec, old, new, 1)
	}
	signIn := sample("entra_signin_SignInLogs_success__elastic_sample.json")
	failed := sample("entra_signin_SignInLogs_failure_50140__elastic_raw.json")
	addCred := sample("entra_audit_AddServicePrincipalCredentials__elastic_sample.json")
	updateSP := sample("entra_audit_UpdateServicePrincipal__elastic_sample.json")
	activity := sample("azure_RUNCOMMAND_ACTION__SYNTH_export.json")
	cases := []struct {
		rule, what, rec string
		want            bool
	}{
		{"entra_legacy_auth_signin", "IMAP4 sign-in that succeeded", edit(signIn, `"clientAppUsed":"Browser"`, `"clientAppUsed":"IMAP4"`), true},
		{"entra_legacy_auth_signin", "Exchange ActiveSync, other case", edit(signIn, `"clientAppUsed":"Browser"`, `"clientAppUsed":"exchange activesync"`), true},
		{"entra_legacy_auth_signin", "browser sign-in (real)", signIn, false},
		{"entra_legacy_auth_signin", "IMAP4 sign-in that failed", edit(failed, `"clientAppUsed":"Browser"`, `"clientAppUsed":"IMAP4"`), false},
		{"entra_risky_signin", "high risk during sign-in, succeeded", edit(signIn, `"riskLevelDuringSignIn":"none"`, `"riskLevelDuringSignIn":"high"`), true},
		{"entra_risky_signin", "medium risk", edit(signIn, `"riskLevelDuringSignIn":"none"`, `"riskLevelDuringSignIn":"medium"`), true},
		{"entra_risky_signin", "no risk (real)", signIn, false},
		{"entra_risky_signin", "low risk", edit(signIn, `"riskLevelDuringSignIn":"none"`, `"riskLevelDuringSignIn":"low"`), false},
		{"entra_risky_signin", "aggregated risk only", edit(signIn, `"riskLevelAggregated":"none"`, `"riskLevelAggregated":"high"`), false},
		{"entra_risky_signin", "high risk, sign-in failed", edit(failed, `"riskLevelDuringSignIn":"none"`, `"riskLevelDuringSignIn":"high"`), false},
		{"entra_sp_credential_added", "Add service principal credentials (real)", addCred, true},
		{"entra_sp_credential_added", "application secret added", edit(addCred, `"operationName": "Add service principal credentials"`, `"operationName": "Update application – Certificates and secrets management "`), true},
		{"entra_sp_credential_added", "Update service principal (real)", updateSP, false},
		{"entra_sp_credential_added", "credentials add that failed", edit(addCred, `"result":"success"`, `"result":"failure"`), false},
		{"entra_sp_credential_added", "an Activity record", activity, false},
	}
	for _, c := range cases {
		l, ok := byName[c.rule]
		if !ok {
			t.Fatalf("no built-in rule %s", c.rule)
		}
		if !l.Default {
			t.Errorf("%s is not in the default pack", c.rule)
		}
		ev, err := udm.Map([]byte(c.rec))
		if err != nil {
			t.Fatalf("%s: %s: %v", c.rule, c.what, err)
		}
		if got := l.Rule.Match(ev); got != c.want {
			t.Errorf("%s on %s: match %v, want %v", c.rule, c.what, got, c.want)
		}
	}
}
