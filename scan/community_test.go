package scan

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/internal/corpora"
	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/local"
)

// TestCommunityRulesOnHandWrittenRecords runs single-event AWS rules of
// Google's community set over records written by reading each rule's
// intent (testdata/yaral/community, the reasoning in each file): the
// positive record fires with the rule's $risk_score, the near-miss stays
// silent, on both paths.
func TestCommunityRulesOnHandWrittenRecords(t *testing.T) {
	root := filepath.Join(corpora.Dir(t, "chronicle-detection-rules"), "rules", "community")
	cases, err := filepath.Glob("../testdata/yaral/community/*.json")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	store, err := local.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(strings.TrimSuffix(filepath.Base(c), ".json"), func(t *testing.T) {
			var tc struct {
				Rule      string          `json:"rule"`
				RiskScore int64           `json:"risk_score"`
				Positive  json.RawMessage `json:"positive"`
				NearMiss  json.RawMessage `json:"near_miss"`
			}
			b, err := os.ReadFile(c)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &tc); err != nil {
				t.Fatal(err)
			}
			src, err := os.ReadFile(filepath.Join(root, tc.Rule))
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := rule.ParseFile(tc.Rule, src)
			if err != nil {
				t.Fatal(err)
			}
			rs := []*Rule{NewRule(parsed[0], tc.Rule)}
			for _, w := range []*worker{testWorker(rs, nil), testWorker(rs, newFilter(rs))} {
				run := func(rec json.RawMessage) []output.Hit {
					body := append(append([]byte(`{"Records":[`), rec...), "]}"...)
					sum := &Summary{}
					j := job{src: store, obj: sources.Object{Key: "obj.json", Size: int64(len(body))}, data: bytes.NewBuffer(body)}
					res, err := w.object(t.Context(), j, sum)
					if err != nil {
						t.Fatal(err)
					}
					return res.Hits
				}
				hits := run(tc.Positive)
				if len(hits) != 1 {
					t.Fatalf("positive record: %d hits, want 1", len(hits))
				}
				if h := hits[0]; h.RiskScore == nil || *h.RiskScore != tc.RiskScore || !strings.Contains(h.Outcomes, `"risk_score":`) {
					t.Errorf("risk_score %v, outcomes %s; want %d", h.RiskScore, h.Outcomes, tc.RiskScore)
				}
				if hits := run(tc.NearMiss); len(hits) != 0 {
					t.Errorf("near-miss: %d hits, want none", len(hits))
				}
			}
		})
	}
}
