package scan

import (
	"os"
	"testing"

	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/sources/local"
)

// TestHitCarriesOutcomes: a rule's outcome variables reach the hit: the
// integer $risk_score as risk_score, every variable as one JSON object in
// rule order with typed values (output.Hit's contract). The expected
// values are read off the sample record by hand: SendCommand by
// eventSource ssm.amazonaws.com on three instances.
func TestHitCarriesOutcomes(t *testing.T) {
	src := `rule t_outcomes {
  events:
    $e.metadata.product_event_type = "SendCommand"
    $app = $e.target.application
  outcome:
    $risk_score = max(40 + if($e.target.resource.name = /^i-/, 10, 0)) + 0.6
    $app_name = $app
    $instances = count_distinct($e.target.resource.name)
    $interactive = false
  condition:
    $e and $risk_score >= 50
}
rule t_plain {
  events:
    $e.metadata.product_event_type = "SendCommand"
  condition:
    $e
}`
	parsed, err := rule.ParseFile("t.yaral", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	rs := []*Rule{NewRule(parsed[0], "test"), NewRule(parsed[1], "test")}
	body, err := os.ReadFile("../testdata/samples/aws_ssm_SendCommand__stratus.json")
	if err != nil {
		t.Fatal(err)
	}
	store, err := local.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []*worker{testWorker(rs, nil), testWorker(rs, newFilter(rs))} {
		out := objectOutcome(t, store, w, body)
		if len(out.hits) != 2 {
			t.Fatalf("%d hits, want 2: %v", len(out.hits), out.hits)
		}
		for _, h := range out.hits {
			var want string
			switch {
			case contains(h, `"rule_name":"t_outcomes"`):
				// 40 + 10 = 50, + 0.6 = 50.6, rounded half away from zero.
				want = `"risk_score":51,"outcomes":"{\"risk_score\":50.6,\"app_name\":\"ssm.amazonaws.com\",\"instances\":3,\"interactive\":false}"`
			default:
				want = `"risk_score":null,"outcomes":""`
			}
			if !contains(h, want) {
				t.Errorf("hit %s\nlacks %s", h, want)
			}
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
