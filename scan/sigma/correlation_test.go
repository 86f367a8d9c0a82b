package sigma

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// The specification's example shape: base rules and the correlation in
// one multi-document file, the base referred to by name.
const corrFile = `title: Failed console login
name: failed_login
logsource: {product: aws, service: cloudtrail}
detection:
  sel:
    eventName: ConsoleLogin
    responseElements.ConsoleLogin: Failure
  condition: sel
---
title: Many failed console logins from one address
id: 0b7d2c2e-0000-4000-8000-000000000001
correlation:
  type: event_count
  rules:
    - failed_login
  group-by:
    - sourceIPAddress
  timespan: 10m
  condition:
    gte: 5
level: high
`

func TestParseCorrelation(t *testing.T) {
	rs, err := ParseFile("c.yml", []byte(corrFile), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Name != "failed_login" || rs[1].Correlation == nil {
		t.Fatalf("got %d rules", len(rs))
	}
	c := rs[1].Correlation
	if c.Type != EventCount || c.Timespan != 10*time.Minute || len(c.Rules) != 1 || c.Rules[0] != "failed_login" ||
		len(c.GroupBy) != 1 || c.GroupBy[0] != "sourceIPAddress" || len(c.Conds) != 1 || c.Conds[0] != (Compare{"gte", 5}) || c.Generate {
		t.Fatalf("got %+v", c)
	}
	if errs := Resolve(rs[1:], rs); errs != nil {
		t.Fatal(errs)
	}
	if c.Bases[0] != rs[0] {
		t.Error("base not resolved")
	}
}

func TestParseCorrelationValueCountAliases(t *testing.T) {
	src := `title: v
correlation:
  type: value_count
  rules: [a, b]
  group-by: [user]
  aliases:
    user:
      a: userIdentity.arn
      b: requestParameters.userName
  timespan: 1h
  condition:
    field: eventName
    gte: 3
  generate: true
`
	rs, err := ParseFile("v.yml", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := rs[0].Correlation
	if c.Field != "eventName" || !c.Generate || c.GroupField(0, "user") != "userIdentity.arn" || c.GroupField(1, "user") != "requestParameters.userName" {
		t.Fatalf("got %+v", c)
	}
}

func TestCorrelationErrorsAllAtOnce(t *testing.T) {
	src := `title: bad
correlation:
  type: event_count
  rules: [a]
  timespan: 10x
  condition:
    gte: five
    around: 3
`
	_, err := ParseFile("b.yml", []byte(src), Options{})
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("got %v", err)
	}
	want := []string{"b.yml:5:13: timespan", "b.yml:7:10: condition gte", "b.yml:8:5: unknown condition operator"}
	if len(list) != len(want) {
		t.Fatalf("got %d errors: %v", len(list), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(list[i].Error(), w) {
			t.Errorf("error %d: got %s, want prefix %s", i, list[i], w)
		}
	}
}

func TestResolveErrors(t *testing.T) {
	src := `title: t
correlation:
  type: temporal_ordered
  rules: [create, missing]
  timespan: 15m
`
	rs, err := ParseFile("t.yml", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	base := &Rule{Title: "Create", Name: "create"}
	errs := Resolve(rs, []*Rule{base, rs[0]})
	if len(errs) != 1 || errs[0].Pos.String() != "t.yml:4:19" || !strings.Contains(errs[0].Msg, "missing") {
		t.Fatalf("got %v", errs)
	}
}
