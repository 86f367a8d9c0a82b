package scan

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/internal/corpora"
	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/scan/lint"
	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/local"
)

// communityCase is one file of testdata/yaral/community: a rule of
// Google's community set, a record written by reading the rule's intent
// that must fire, the risk_score and outcomes computed by hand from the
// rule's outcome section and docs/udm.md, and near-misses that must stay
// silent.
type communityCase struct {
	Rule      string          `json:"rule"`
	RiskScore int64           `json:"risk_score"`
	Outcomes  json.RawMessage `json:"outcomes"`
	Positive  json.RawMessage `json:"positive"`
	NearMiss  json.RawMessage `json:"near_miss"`
	// MorePositives are records of the rule's other branches, each with
	// its reason and its own outcomes.
	MorePositives []struct {
		Why      string          `json:"why"`
		Outcomes json.RawMessage `json:"outcomes"`
		Record   json.RawMessage `json:"record"`
	} `json:"more_positives"`
	// MoreNearMisses are further near-misses, each with its reason.
	MoreNearMisses []struct {
		Why    string          `json:"why"`
		Record json.RawMessage `json:"record"`
	} `json:"more_near_misses"`
}

func readCommunityCases(t *testing.T) map[string]communityCase {
	t.Helper()
	files, err := filepath.Glob("../testdata/yaral/community/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	cases := make(map[string]communityCase, len(files))
	for _, f := range files {
		var tc communityCase
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &tc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		cases[strings.TrimSuffix(filepath.Base(f), ".json")] = tc
	}
	return cases
}

// TestCommunityRulesOnHandWrittenRecords runs single-event AWS rules of
// Google's community set over records written by reading each rule's
// intent (testdata/yaral/community, the reasoning in each file): the
// positive record fires with the rule's $risk_score and the outcomes
// worked out by hand, the near-misses stay silent, on both paths.
func TestCommunityRulesOnHandWrittenRecords(t *testing.T) {
	root := filepath.Join(corpora.Dir(t, "chronicle-detection-rules"), "rules", "community")
	store, err := local.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cases := readCommunityCases(t)
	for _, name := range slices.Sorted(maps.Keys(cases)) {
		tc := cases[name]
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(root, tc.Rule))
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := rule.ParseFile(tc.Rule, src)
			if err != nil {
				t.Fatal(err)
			}
			rs := []*Rule{NewRule(parsed[0], tc.Rule)}
			for path, w := range map[string]*worker{"reference": testWorker(rs, nil), "fast": testWorker(rs, newFilter(rs))} {
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
				fires := func(what string, rec, outcomes json.RawMessage) {
					t.Helper()
					var want bytes.Buffer
					if err := json.Compact(&want, outcomes); err != nil {
						t.Fatalf("%s: outcomes %q: %v", what, outcomes, err)
					}
					hits := run(rec)
					if len(hits) != 1 {
						t.Fatalf("%s: %s: %d hits, want 1", path, what, len(hits))
					}
					if h := hits[0]; h.RiskScore == nil || *h.RiskScore != tc.RiskScore {
						t.Errorf("%s: %s: risk_score %v, want %d", path, what, h.RiskScore, tc.RiskScore)
					}
					if got := hits[0].Outcomes; got != want.String() {
						t.Errorf("%s: %s: outcomes\n got %s\nwant %s", path, what, got, want.String())
					}
				}
				fires("positive record", tc.Positive, tc.Outcomes)
				for _, p := range tc.MorePositives {
					if p.Why == "" {
						t.Error("a positive without its reason")
					}
					fires(p.Why, p.Record, p.Outcomes)
				}
				if len(tc.NearMiss) == 0 {
					t.Fatal("no near_miss")
				}
				if hits := run(tc.NearMiss); len(hits) != 0 {
					t.Errorf("%s: near-miss: %d hits, want none", path, len(hits))
				}
				for _, m := range tc.MoreNearMisses {
					if m.Why == "" {
						t.Error("a near-miss without its reason")
					}
					if hits := run(m.Record); len(hits) != 0 {
						t.Errorf("%s: near-miss (%s): %d hits, want none", path, m.Why, len(hits))
					}
				}
			}
		})
	}
}

// TestCommunityCasesCoverEverySingleEventCloudTrailRule asserts that the
// hand-written cases cover exactly the single-event rules (no match:
// section, one event variable) of the corpus's aws/cloudtrail folder, so a
// new upstream rule fails here until it has records.
func TestCommunityCasesCoverEverySingleEventCloudTrailRule(t *testing.T) {
	root := filepath.Join(corpora.Dir(t, "chronicle-detection-rules"), "rules", "community")
	files, err := filepath.Glob(filepath.Join(root, "aws", "cloudtrail", "*.yaral"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no rules: %v", err)
	}
	var single []string
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, f)
		rel = filepath.ToSlash(rel)
		rs, err := rule.ParseFile(rel, src)
		if len(rs) != 1 {
			// A rule refused by the parser: every single-event rule
			// parses (scan/lint TestCommunityRules), so this one is multi-event.
			if !bytes.Contains(src, []byte("match:")) {
				t.Errorf("%s: no match: section, yet refused: %v", rel, err)
			}
			continue
		}
		if rs[0].MatchSec == nil && len(rs[0].Vars) == 1 {
			single = append(single, rel)
		}
	}
	var covered []string
	for _, tc := range readCommunityCases(t) {
		if strings.HasPrefix(tc.Rule, "aws/cloudtrail/") {
			covered = append(covered, tc.Rule)
		}
	}
	slices.Sort(single)
	slices.Sort(covered)
	if !slices.Equal(covered, single) {
		t.Errorf("cases cover\n %v\nsingle-event CloudTrail rules in the corpus\n %v", covered, single)
	}
}

// TestCommunityMicrosoftAndGuardDutyRulesNeedNoRecords: the single-event
// rules of the aws/guardduty and microsoft/ folders read GuardDuty
// findings and Windows endpoint events (PROCESS_LAUNCH, FILE_CREATION...),
// which retrohunt does not read. Each must either have hand-written
// records here or be one rules lint proves can never match a log type
// retrohunt maps; a new upstream rule on Azure Activity, Entra ID or Graph
// records fails here until it has records.
func TestCommunityMicrosoftAndGuardDutyRulesNeedNoRecords(t *testing.T) {
	root := filepath.Join(corpora.Dir(t, "chronicle-detection-rules"), "rules", "community")
	covered := map[string]bool{}
	for _, tc := range readCommunityCases(t) {
		covered[tc.Rule] = true
	}
	var never []string
	for _, dir := range []string{"aws/guardduty", "microsoft"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaral") {
				return err
			}
			src, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			rel = filepath.ToSlash(rel)
			rs, _ := rule.ParseFile(rel, src)
			if len(rs) != 1 || rs[0].MatchSec != nil || len(rs[0].Vars) != 1 || covered[rel] {
				return nil
			}
			for _, f := range lint.Lint(rs[0]) {
				if f.Level == lint.Never && strings.Contains(f.Msg, "can never match") {
					never = append(never, rel)
					return nil
				}
			}
			t.Errorf("%s: a single-event rule that can match records retrohunt maps, without hand-written records", rel)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Counted by hand from the corpus: nine GuardDuty finding rules, three
	// SharePoint and three Windows endpoint rules.
	if len(never) != 15 {
		t.Errorf("%d single-event rules that can never match, want 15: %v", len(never), never)
	}
}

// TestCommunityRulesThroughRun runs the 15 rules together through Run, on
// both paths, over one CloudTrail object holding every record of every
// case: exactly the positives fire, each only its own rule, with the
// outcomes worked out by hand; no near-miss fires any rule.
func TestCommunityRulesThroughRun(t *testing.T) {
	root := filepath.Join(corpora.Dir(t, "chronicle-detection-rules"), "rules", "community")
	cases := readCommunityCases(t)
	var rs []*Rule
	var recs []json.RawMessage
	want := map[string]string{} // "rule eventID" → outcomes
	expect := func(ruleFile string, rec, outcomes json.RawMessage) {
		var ev struct {
			EventID string `json:"eventID"`
		}
		if err := json.Unmarshal(rec, &ev); err != nil || ev.EventID == "" {
			t.Fatalf("%s: a positive without eventID: %v", ruleFile, err)
		}
		var o bytes.Buffer
		if err := json.Compact(&o, outcomes); err != nil {
			t.Fatal(err)
		}
		want[strings.TrimSuffix(filepath.Base(ruleFile), ".yaral")+" "+ev.EventID] = o.String()
	}
	for _, name := range slices.Sorted(maps.Keys(cases)) {
		tc := cases[name]
		src, err := os.ReadFile(filepath.Join(root, tc.Rule))
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := rule.ParseFile(tc.Rule, src)
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, NewRule(parsed[0], tc.Rule))
		recs = append(recs, tc.Positive, tc.NearMiss)
		expect(tc.Rule, tc.Positive, tc.Outcomes)
		for _, p := range tc.MorePositives {
			recs = append(recs, p.Record)
			expect(tc.Rule, p.Record, p.Outcomes)
		}
		for _, m := range tc.MoreNearMisses {
			recs = append(recs, m.Record)
		}
	}
	dir := t.TempDir()
	key := filepath.Join(dir, "AWSLogs", "111122223333", "CloudTrail", "us-east-1", "2024", "05", "06", "111122223333_CloudTrail_us-east-1_20240506T0710Z_community.json")
	if err := os.MkdirAll(filepath.Dir(key), 0o755); err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"Records":[`)
	for i, r := range recs {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, r...)
	}
	body = append(body, "]}"...)
	if err := os.WriteFile(key, body, 0o644); err != nil {
		t.Fatal(err)
	}
	store, err := local.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, reference := range []bool{true, false} {
		var c collect
		sum, err := Run(t.Context(), Config{Rules: rs, Reference: reference, Workers: 2}, []Target{{Source: store}}, &c)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Records != int64(len(recs)) {
			t.Errorf("reference=%v: %d records scanned, want %d", reference, sum.Records, len(recs))
		}
		got := map[string]string{}
		for _, h := range c.hits {
			got[h.RuleName+" "+h.EventID] = h.Outcomes
		}
		if !maps.Equal(got, want) {
			for k, v := range got {
				if w, ok := want[k]; !ok || w != v {
					t.Errorf("reference=%v: unexpected hit %s %s", reference, k, v)
				}
			}
			for k := range want {
				if _, ok := got[k]; !ok {
					t.Errorf("reference=%v: missing hit %s", reference, k)
				}
			}
		}
	}
}
