package fast

import (
	"testing"

	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/rules"
)

// builtinPack returns the built-in pack's rules.
func builtinPack(t testing.TB) []*rule.Rule {
	t.Helper()
	loaded, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var pack []*rule.Rule
	for _, l := range loaded {
		pack = append(pack, l.Rule)
	}
	return pack
}

// A CloudTrail record holding "medium" (an instance type) cannot make
// entra_risky_signin match: udm gives every CloudTrail record the
// product name "AWS CloudTrail", and the rule asks for "Azure AD". The
// prefilter passes it over; an Entra sign-in that the rule matches is
// still a candidate (issue 17: 348 of the bench corpus's 616 candidates
// were such RunInstances records). Both records were written by hand
// from the schemas (CloudTrail's RunInstances request, Entra's
// SignInLogs export).
func TestCandidateGatedByLogType(t *testing.T) {
	pack := builtinPack(t)
	f := New(pack)
	trail := []byte(`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventSource":"ec2.amazonaws.com",` +
		`"eventName":"RunInstances","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7",` +
		`"requestParameters":{"instancesSet":{"items":[{"imageId":"ami-0abcdef1234567890","minCount":1,"maxCount":1}]},"instanceType":"t3.medium"},` +
		`"responseElements":null,"eventType":"AwsApiCall","recipientAccountId":"111122223333"}`)
	signin := []byte(`{"time":"2024-01-01T00:00:00Z","resourceId":"/tenants/00000000-0000-0000-0000-000000000001/providers/Microsoft.aadiam",` +
		`"operationName":"Sign-in activity","category":"SignInLogs","resultType":"0",` +
		`"properties":{"userPrincipalName":"alice@contoso.com","ipAddress":"203.0.113.9","riskLevelDuringSignIn":"medium","status":{"errorCode":0}}}`)
	for _, r := range pack {
		if matches(t, r, trail) {
			t.Fatalf("rule %s matches the RunInstances record; want none", r.Name)
		}
	}
	risky := false
	for _, r := range pack {
		risky = risky || r.Name == "entra_risky_signin" && matches(t, r, signin)
	}
	if !risky {
		t.Fatal("entra_risky_signin does not match the sign-in; the test's record is wrong")
	}
	c := f.NewChecker()
	if c.Candidate(trail) {
		t.Error("a CloudTrail record holding t3.medium is a candidate for the pack; want passed over")
	}
	if !c.Candidate(signin) {
		t.Error("an Entra sign-in the pack matches is not a candidate")
	}
	// The same with the splitter's hint.
	if c.CandidateHint(trail, nestedEndOf(trail)) {
		t.Error("with the hint, a CloudTrail record holding t3.medium is a candidate for the pack")
	}
}
