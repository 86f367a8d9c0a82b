package explain

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/rules"
	"github.com/retrohunt/retrohunt/sources/local"
)

// envelope is a CloudTrail object of three records, written by hand.
const envelope = `{"Records":[{"eventName":"A"},{"eventName":"B"},{"eventName":"C"}]}`

func TestFetch(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "x.json"), []byte(envelope), 0o644)
	os.WriteFile(filepath.Join(dir, "one.json"), []byte(`{"eventName":"Only"}`), 0o644)
	src, err := local.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	rec, err := Fetch(ctx, src, "x.json", 1)
	if err != nil || string(rec.Raw) != `{"eventName":"B"}` || rec.Index != 1 {
		t.Fatalf("record 1: %+v %v", rec, err)
	}
	rec, err = Fetch(ctx, src, "one.json", -1)
	if err != nil || string(rec.Raw) != `{"eventName":"Only"}` || rec.Index != 0 || rec.Total != 1 {
		t.Fatalf("the only record: %+v %v", rec, err)
	}

	// What names no single record is an InputError, with the reason.
	f := func(key string, index int, want string) {
		t.Helper()
		_, err := Fetch(ctx, src, key, index)
		var ie InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), want) {
			t.Errorf("Fetch(%q, %d) = %v, want an InputError with %q", key, index, err, want)
		}
	}
	f("x.json", -1, "holds more than one record")
	f("x.json", 3, "has no record 3: it holds 3 (indexes 0 to 2)")
	f("nope.json", 0, "no object file://")
}

// TestWriteEscapes: an object key is data; the view shows it escaped.
func TestWriteEscapes(t *testing.T) {
	var b strings.Builder
	rec := &Record{URI: "file:///tmp/evil\x1b]0;pwned\x07.json", Raw: []byte(`{"eventName":"StartSession","eventSource":"ssm.amazonaws.com"}`)}
	loaded, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(&b, rec, loaded); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(b.String(), "\x1b\x07") || !strings.Contains(b.String(), `evil\x1b]0;pwned\x07.json`) {
		t.Errorf("URI not escaped:\n%s", b.String())
	}
}

// TestWriteOutcomesAndRepeatedFields: explain shows a matched rule's
// outcome values, and reproduces issue 10 §6 on a record with
// requestParameters.instanceIds = ["i-aaa","i-bbb"]: "not ... = i-aaa"
// fires through the i-bbb copy, "= i-aaa and = i-bbb" does not.
func TestWriteOutcomesAndRepeatedFields(t *testing.T) {
	src := `rule not_aaa {
  events:
    $e.metadata.product_event_type = "StopInstances"
    not $e.target.resource.name = "i-aaa"
  outcome:
    $risk_score = max(40)
    $who = $e.principal.user.userid
  condition:
    $e
}
rule both {
  events:
    $e.target.resource.name = "i-aaa" and $e.target.resource.name = "i-bbb"
  condition:
    $e
}`
	parsed, err := rule.ParseFile("t.yaral", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var loaded []rules.Loaded
	for _, r := range parsed {
		loaded = append(loaded, rules.Loaded{Rule: r, Origin: "t.yaral"})
	}
	rec := &Record{URI: "file:///r.json", Raw: []byte(`{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"StopInstances",` +
		`"eventTime":"2024-01-02T03:04:05Z","userIdentity":{"arn":"arn:aws:iam::111122223333:user/alice"},` +
		`"requestParameters":{"instanceIds":["i-aaa","i-bbb"]}}`)}
	var b strings.Builder
	if err := Write(&b, rec, loaded); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"verdict: MATCH: not_aaa fires on this record",
		`outcome $risk_score = 40`,
		`outcome $who = "arn:aws:iam::111122223333:user/alice"`,
		"verdict: NO MATCH: both does not fire on this record",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
