package scan

import (
	"testing"

	"github.com/retrohunt/retrohunt/scan/sigma"
	"github.com/retrohunt/retrohunt/scan/window"
)

// TestSigmaCorrelationEvaluate: each type's verdict on hand-made
// windows (events in time order, Var the base rule's index).
func TestSigmaCorrelationEvaluate(t *testing.T) {
	ev := func(v int, at int64, val string) window.Candidate {
		return window.Candidate{Var: v, Time: at, Values: []string{val}}
	}
	cases := []struct {
		name string
		c    sigma.Correlation
		evs  []window.Candidate
		want bool
	}{
		{"event_count gte met", sigma.Correlation{Type: sigma.EventCount, Rules: []string{"a"}, Conds: []sigma.Compare{{Op: "gte", N: 2}}},
			[]window.Candidate{ev(0, 1, ""), ev(0, 2, "")}, true},
		{"event_count range missed", sigma.Correlation{Type: sigma.EventCount, Rules: []string{"a"}, Conds: []sigma.Compare{{Op: "gt", N: 1}, {Op: "lte", N: 2}}},
			[]window.Candidate{ev(0, 1, ""), ev(0, 2, ""), ev(0, 3, "")}, false},
		{"event_count lt", sigma.Correlation{Type: sigma.EventCount, Rules: []string{"a"}, Conds: []sigma.Compare{{Op: "lt", N: 3}}},
			[]window.Candidate{ev(0, 1, ""), ev(0, 2, "")}, true},
		{"value_count distinct", sigma.Correlation{Type: sigma.ValueCount, Rules: []string{"a"}, Conds: []sigma.Compare{{Op: "eq", N: 2}}},
			[]window.Candidate{ev(0, 1, "x"), ev(0, 2, "y"), ev(0, 3, "x")}, true},
		{"value_count neq", sigma.Correlation{Type: sigma.ValueCount, Rules: []string{"a"}, Conds: []sigma.Compare{{Op: "neq", N: 2}}},
			[]window.Candidate{ev(0, 1, "x"), ev(0, 2, "y")}, false},
		{"temporal any order", sigma.Correlation{Type: sigma.Temporal, Rules: []string{"a", "b"}},
			[]window.Candidate{ev(1, 1, ""), ev(0, 2, "")}, true},
		{"temporal one missing", sigma.Correlation{Type: sigma.Temporal, Rules: []string{"a", "b", "c"}},
			[]window.Candidate{ev(1, 1, ""), ev(0, 2, ""), ev(0, 3, "")}, false},
		{"temporal condition on rules matched", sigma.Correlation{Type: sigma.Temporal, Rules: []string{"a", "b", "c"}, Conds: []sigma.Compare{{Op: "gte", N: 2}}},
			[]window.Candidate{ev(1, 1, ""), ev(0, 2, "")}, true},
		{"temporal_ordered in order with others between", sigma.Correlation{Type: sigma.TemporalOrdered, Rules: []string{"a", "b", "c"}},
			[]window.Candidate{ev(1, 1, ""), ev(0, 2, ""), ev(2, 3, ""), ev(1, 4, ""), ev(2, 5, "")}, true},
		{"temporal_ordered last before first", sigma.Correlation{Type: sigma.TemporalOrdered, Rules: []string{"a", "b"}},
			[]window.Candidate{ev(1, 1, ""), ev(0, 2, "")}, false},
		// Same time: candidates sort by time, then base rule index, so
		// a and b at one instant are in the listed order.
		{"temporal_ordered same instant", sigma.Correlation{Type: sigma.TemporalOrdered, Rules: []string{"a", "b"}},
			[]window.Candidate{ev(0, 1, ""), ev(1, 1, "")}, true},
	}
	for _, tc := range cases {
		sc := &sigmaCorr{c: &tc.c}
		_, got := sc.evaluate(&window.Window{Rule: "r", Events: tc.evs})
		if got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestSigmaCorrelationAliases: with an alias, each base rule's group-by
// value comes from its own field: the creator's userName and the user
// the policy is attached to meet in one group.
func TestSigmaCorrelationAliases(t *testing.T) {
	src := `title: created
name: created
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventName: CreateUser}
  condition: sel
---
title: attached
name: attached
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventName: AttachUserPolicy}
  condition: sel
---
title: new user given a policy
correlation:
  type: temporal_ordered
  rules: [created, attached]
  group-by: [newuser]
  aliases:
    newuser:
      created: requestParameters.userName
      attached: requestParameters.userName
  timespan: 15m
`
	rs, err := sigma.ParseFile("a.yml", []byte(src), sigma.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if errs := sigma.Resolve(rs[2:], rs); errs != nil {
		t.Fatal(errs)
	}
	m, err := NewSigmaCorrelation(rs[2], "test")
	if err != nil {
		t.Fatal(err)
	}
	var rec sigma.Record
	rec.Reset([]byte(`{"eventName":"AttachUserPolicy","requestParameters":{"userName":"bob"}}`), rs[1].Type)
	key, ok := m.corr.values(&rec, 1)
	if !ok || len(key) != 1 || key[0] != "bob" {
		t.Errorf("key %v %v, want [bob]", key, ok)
	}
	rec.Reset([]byte(`{"eventName":"AttachUserPolicy"}`), rs[1].Type)
	if _, ok := m.corr.values(&rec, 1); ok {
		t.Error("a record without the group-by field is a candidate")
	}
}
