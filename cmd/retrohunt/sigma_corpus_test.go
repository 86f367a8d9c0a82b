package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/retrohunt/retrohunt/internal/corpora"
	"github.com/retrohunt/retrohunt/scan/sigma"
)

// sigmaCase is one SigmaHQ rule's hand-written records (testdata/sigma/):
// Hit must fire the rule, Miss must not; Why and MissWhy say why, from
// reading the rule. Both are laid over a base record of the rule's log.
type sigmaCase struct {
	Rule    string         `json:"rule"`
	Why     string         `json:"why"`
	Hit     map[string]any `json:"hit"`
	MissWhy string         `json:"miss_why"`
	Miss    map[string]any `json:"miss"`
}

// baseCloudTrail and baseActivity are plain records of each log: an IAM
// user's API call, an Administrative operation in the storage export's
// shape. A case's fields replace or extend them (objects merge).
const (
	baseCloudTrail = `{"eventVersion":"1.09","eventTime":"2024-05-01T10:00:00Z","awsRegion":"us-east-1",
"recipientAccountId":"111122223333","eventType":"AwsApiCall","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15.0",
"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"}}`
	baseActivity = `{"time":"2024-05-01T10:00:00.0000000Z","category":"Administrative","resultType":"Success",
"resultSignature":"Succeeded.","callerIpAddress":"198.51.100.9","level":"Information","location":"global",
"resourceId":"/SUBSCRIPTIONS/00000000-1111-2222-3333-444444444444/RESOURCEGROUPS/RG-TEST/PROVIDERS/MICROSOFT.EXAMPLE/THINGS/T1",
"identity":{"claims":{"name":"ops@contoso.com"}},"properties":{"eventCategory":"Administrative"}}`
)

func merge(dst, src map[string]any) {
	for k, v := range src {
		if sv, ok := v.(map[string]any); ok {
			if dv, ok := dst[k].(map[string]any); ok {
				merge(dv, sv)
				continue
			}
		}
		dst[k] = v
	}
}

func record(t *testing.T, base string, over map[string]any, id string, idKey string) map[string]any {
	t.Helper()
	var rec map[string]any
	if err := json.Unmarshal([]byte(base), &rec); err != nil {
		t.Fatal(err)
	}
	merge(rec, over)
	rec[idKey] = id
	return rec
}

// sigmaTitles parses every SigmaHQ rule file of dirs and returns each
// file's title by its base name.
func sigmaTitles(t *testing.T, dirs map[string]string) map[string]string {
	t.Helper()
	titles := map[string]string{}
	for _, d := range dirs {
		names, _ := filepath.Glob(filepath.Join(d, "*.yml"))
		for _, n := range names {
			src, err := os.ReadFile(n)
			if err != nil {
				t.Fatal(err)
			}
			rs, err := sigma.ParseFile(n, src, sigma.Options{})
			if err != nil {
				t.Fatal(err)
			}
			titles[filepath.Base(n)] = rs[0].Title
		}
	}
	return titles
}

// TestSigmaHQRulesThroughCLI runs all 92 SigmaHQ CloudTrail and Azure
// Activity rules over the hand-written records of testdata/sigma in one
// scan and checks, per rule, that its positive record fires it and its
// near miss does not.
func TestSigmaHQRulesThroughCLI(t *testing.T) {
	root := filepath.Join(corpora.Dir(t, "sigmahq"), "rules", "cloud")
	dirs := map[string]string{"cloudtrail": filepath.Join(root, "aws", "cloudtrail"), "activity": filepath.Join(root, "azure", "activity_logs")}
	titles := sigmaTitles(t, dirs) // rule file → title
	if len(titles) != 92 {
		t.Fatalf("%d rules, want 92", len(titles))
	}

	in := t.TempDir()
	type want struct {
		c   sigmaCase
		hit bool
	}
	wants := map[string]want{} // "file#index" → expectation
	done := map[string]bool{}
	for kind, base := range map[string]string{"cloudtrail": baseCloudTrail, "activity": baseActivity} {
		files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "sigma", kind+"*.json"))
		var recs []map[string]any
		var exp []want
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var cases []sigmaCase
			if err := json.Unmarshal(b, &cases); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			for _, c := range cases {
				if _, ok := titles[c.Rule]; !ok {
					t.Fatalf("%s: no rule %s", f, c.Rule)
				}
				if done[c.Rule] {
					t.Fatalf("%s: rule %s has two cases", f, c.Rule)
				}
				done[c.Rule] = true
				idKey := "eventID"
				if kind == "activity" {
					idKey = "correlationId"
				}
				n := len(recs)
				recs = append(recs, record(t, base, c.Hit, fmt.Sprintf("00000000-0000-4000-8000-%012d", n), idKey),
					record(t, base, c.Miss, fmt.Sprintf("00000000-0000-4000-8000-%012d", n+1), idKey))
				exp = append(exp, want{c, true}, want{c, false})
			}
		}
		key := "Records"
		if kind == "activity" {
			key = "records"
		}
		body, err := json.MarshalIndent(map[string]any{key: recs}, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(in, kind+".json")
		if err := os.WriteFile(p, body, 0o644); err != nil {
			t.Fatal(err)
		}
		for i, w := range exp {
			wants[fmt.Sprintf("%s#%d", kind, i)] = w
		}
	}
	t.Logf("%d of 92 rules have a positive record and a near miss", len(done))

	code, out, errOut := cli(t, "scan", in, "--rule", dirs["cloudtrail"], "--rule", dirs["activity"], "--format", "jsonl", "--quiet")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	// "file#index" → rule names
	fired := firedRules(t, out, func(src string) string {
		kind := filepath.Base(src)
		return kind[:len(kind)-len(".json")]
	})
	keys := make([]string, 0, len(wants))
	for k := range wants {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		w := wants[k]
		title := titles[w.c.Rule]
		if got := fired[k][title]; got != w.hit {
			why := w.c.Why
			if !w.hit {
				why = w.c.MissWhy
			}
			t.Errorf("%s (%s): %s fired %v, want %v: %s", k, w.c.Rule, title, got, w.hit, why)
		}
	}
	if len(done) != 92 {
		t.Errorf("only %d of 92 rules have cases", len(done))
	}
}

// firedRules reads the JSON Lines hits in out and returns, for each
// record ("place#record_index", place being what placeOf makes of the
// hit's source_uri), the names of the rules that fired on it.
func firedRules(t *testing.T, out string, placeOf func(sourceURI string) string) map[string]map[string]bool {
	t.Helper()
	fired := map[string]map[string]bool{}
	for _, h := range jsonlHits(t, out) {
		k := fmt.Sprintf("%s#%d", placeOf(h["source_uri"].(string)), int(h["record_index"].(float64)))
		if fired[k] == nil {
			fired[k] = map[string]bool{}
		}
		fired[k][h["rule_name"].(string)] = true
	}
	return fired
}
