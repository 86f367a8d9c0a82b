package sigma

import (
	"errors"
	"strings"
	"testing"
)

// TestErrorsAllAtOnce: one file with three mistakes reports all three,
// each at the line and column counted by hand.
func TestErrorsAllAtOnce(t *testing.T) {
	src := `title: Bad rule
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventName|containz: 'x'
        eventSource: a
        eventSource: b
    condition: selection and not filter
level: low
`
	_, err := ParseFile("bad.yml", []byte(src), Options{})
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error %v is no ErrorList", err)
	}
	want := []string{
		`bad.yml:7:19: unknown modifier "containz"`,
		`bad.yml:9:9: duplicate key "eventSource" (first at line 8)`,
		`bad.yml:10:34: unknown search identifier "filter" in condition`,
	}
	got := strings.Split(err.Error(), "\n")
	if len(got) != len(want) {
		t.Fatalf("got %d errors:\n%v\nwant:\n%s", len(got), err, strings.Join(want, "\n"))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("error %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
}

func TestErrorYAMLDoesNotParse(t *testing.T) {
	src := "title: x\ndetection:\n  selection:\n    a: [1, 2\n  condition: selection\n"
	_, err := ParseFile("y.yml", []byte(src), Options{})
	if err == nil || !strings.HasPrefix(err.Error(), "y.yml:") || !strings.Contains(err.Error(), "YAML does not parse") {
		t.Fatalf("got %v", err)
	}
}

func TestErrorCorrelationUnsupportedType(t *testing.T) {
	src := "title: many bytes\ncorrelation:\n  type: value_sum\n  rules: [a]\n  timespan: 1h\n  condition: {field: b, gt: 1}\n"
	_, err := ParseFile("c.yml", []byte(src), Options{})
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 1 || !list[0].Unsupported || !strings.Contains(list[0].Msg, "value_sum") {
		t.Fatalf("got %v", err)
	}
	if list[0].Pos.String() != "c.yml:3:9" {
		t.Errorf("at %s, want c.yml:3:9", list[0].Pos)
	}
}
