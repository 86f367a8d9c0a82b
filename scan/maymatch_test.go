package scan

import (
	"testing"

	"github.com/retrohunt/retrohunt/scan/decode"
	"github.com/retrohunt/retrohunt/scan/fast"
	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/sigma"
	"github.com/retrohunt/retrohunt/scan/window"
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

// TestMultiVarFiltersFollowMayMatch: a candidate record (it holds a
// single-event rule's literal) that holds none of a multi-event rule's
// literals is not given to that rule's event-variable filters; the one
// that holds them is, and becomes the one window candidate, as on the
// reference path. A YARA-L rule and a Sigma correlation alike.
func TestMultiVarFiltersFollowMayMatch(t *testing.T) {
	rs, err := rule.ParseFileOptions("t.yaral", []byte(`
rule t_delete_trail {
  events:
    $e.metadata.product_event_type = "DeleteTrail"
  condition:
    $e
}
rule t_logins {
  events:
    $e.metadata.product_event_type = "ConsoleLogin"
    $ip = $e.principal.ip
  match:
    $ip over 10m
  condition:
    #e >= 5
}`), rule.Options{MultiEvent: true})
	if err != nil {
		t.Fatal(err)
	}
	mr, err := NewMultiRule(rs[1], "t.yaral")
	if err != nil {
		t.Fatal(err)
	}
	sg, err := sigma.ParseFile("c.yml", []byte(`title: logins
name: logins
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventName: ConsoleLogin}
  condition: sel
---
title: many logins
correlation:
  type: event_count
  rules: [logins]
  group-by: [sourceIPAddress]
  timespan: 10m
  condition: {gte: 5}
`), sigma.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if errs := sigma.Resolve(sg[1:], sg); errs != nil {
		t.Fatal(errs)
	}
	corr, err := NewSigmaCorrelation(sg[1], "c.yml")
	if err != nil {
		t.Fatal(err)
	}
	src, err := local.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rec := func(name, ip string) string {
		return `{"eventVersion":"1.08","eventTime":"2024-05-01T10:00:00Z","eventSource":"signin.amazonaws.com","eventName":"` + name +
			`","awsRegion":"us-east-1","sourceIPAddress":"` + ip + `","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/a"}}`
	}
	body := []byte(`{"Records":[` + rec("DeleteTrail", "192.0.2.1") + "," + rec("ConsoleLogin", "192.0.2.2") + "," + rec("DeleteTrail", "192.0.2.3") + `]}`)
	single := []*Rule{NewRule(rs[0], "t.yaral")}
	multi := []*MultiRule{mr, corr}
	run := func(filter *fast.Filter) (*worker, outcome) {
		cfg := Config{Rules: single, Multi: multi, Reference: filter == nil, Limits: decode.Limits{MaxRecordBytes: 1 << 16, MaxDepth: 16}}.withDefaults()
		cfg.candidates = window.NewStore(t.TempDir(), 0)
		t.Cleanup(func() { cfg.candidates.Close() })
		w := newWorker(cfg, filter)
		return w, objectOutcome(t, src, w, body)
	}
	w, fastOut := run(newFilter(append(append([]*Rule(nil), single...), multiVarRules(multi)...)))
	ref, refOut := run(nil)
	if len(refOut.hits) != 2 || len(fastOut.hits) != 2 {
		t.Fatalf("hits: fast %d, reference %d, want 2 (the DeleteTrail records)", len(fastOut.hits), len(refOut.hits))
	}
	// Each rule has one event variable: the ConsoleLogin record is the
	// only one its filter is evaluated on, and its one candidate.
	if got := w.varFilters; got != 2 {
		t.Errorf("fast path: %d event-variable filter evaluations, want 2 (the ConsoleLogin record, once per rule)", got)
	}
	if got := ref.varFilters; got != 6 {
		t.Errorf("reference path: %d event-variable filter evaluations, want 6 (every record, once per rule)", got)
	}
	if f, r := w.cfg.candidates.Len(), ref.cfg.candidates.Len(); f != 2 || r != 2 {
		t.Errorf("window candidates: fast %d, reference %d, want 2 (the ConsoleLogin record, once per rule)", f, r)
	}
}
