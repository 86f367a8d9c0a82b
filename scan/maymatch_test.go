package scan

import (
	"testing"

	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/sources/local"
)

// TestMayMatchFollowsTheRule: a candidate is matched against the rules
// whose requirement its search found, each rule known to the filter by
// itself, not by its place in a list: a filter compiled from more
// YARA-L rules than the scan's own (the engine adds the event variables
// of multi-event rules) still finds a Sigma rule's requirement, and the
// fast path hits as the reference path does.
func TestMayMatchFollowsTheRule(t *testing.T) {
	sg := parseSigma(t, "t.yml", testSigmaRules)[0] // StartSession or SendCommand on ssm
	yl, err := rule.ParseFile("t.yaral", []byte(`
rule t_delete_trail {
  events:
    $e.metadata.product_event_type = "DeleteTrail"
  condition:
    $e
}
rule t_extra {
  events:
    $e.metadata.product_event_type = "StopLogging"
  condition:
    $e
}`))
	if err != nil {
		t.Fatal(err)
	}
	rules := []*Rule{NewRule(yl[0], "t.yaral"), sg}
	filter := newFilter(append(append([]*Rule(nil), rules...), NewRule(yl[1], "t.yaral")))
	src, err := local.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rec := `{"Records":[{"eventVersion":"1.08","eventTime":"2024-05-01T10:00:00Z","eventSource":"ssm.amazonaws.com","eventName":"StartSession","awsRegion":"us-east-1","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/a"}}]}`
	fast := objectOutcome(t, src, testWorker(rules, filter), []byte(rec))
	ref := objectOutcome(t, src, testWorker(rules, nil), []byte(rec))
	if len(ref.hits) != 1 {
		t.Fatalf("the reference path hits %d times, want 1 (the Sigma rule)", len(ref.hits))
	}
	if len(fast.hits) != len(ref.hits) {
		t.Errorf("fast path: %d hits, reference: %d", len(fast.hits), len(ref.hits))
	}
}
