package scan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/retrohunt/retrohunt/scan/fast"
	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/sigma"
	"github.com/retrohunt/retrohunt/sources/local"
)

// logTypeRules compare the log type's constants (metadata.vendor_name,
// product_name, log_type; udm.Table) in every way the prefilter's
// gating by log type reads them or must leave alone: exact and nocase,
// under or, with !=, negated, beside a term any type may meet.
const logTypeRules = `
rule lt_ad_nocase {
  events:
    $e.metadata.product_name = "azure ad" nocase
    $e.metadata.product_event_type = "PlantedOne"
  condition:
    $e
}
rule lt_ct_vendor {
  events:
    $e.metadata.vendor_name = "AMAZON"
    $e.metadata.product_event_type = "PlantedTwo" nocase
  condition:
    $e
}
rule lt_or {
  events:
    ($e.metadata.product_name = "AWS CloudTrail" or $e.metadata.log_type = "AZURE_AD_AUDIT") and $e.metadata.product_event_type = "PlantedThree"
  condition:
    $e
}
rule lt_ne {
  events:
    $e.metadata.product_name != "AWS CloudTrail"
    $e.metadata.product_event_type = "PlantedFour"
  condition:
    $e
}
rule lt_not {
  events:
    not $e.metadata.vendor_name = "Microsoft"
    $e.metadata.product_event_type = "PlantedFive"
  condition:
    $e
}
rule lt_graph_or_ip {
  events:
    ($e.metadata.product_name = "Microsoft Graph" and $e.metadata.product_event_type = "PlantedSeven") or $e.principal.ip = "198.51.100.250"
  condition:
    $e
}
rule lt_extracted {
  events:
    $e.extracted.fields["planted0"] = "PlantedEight"
  condition:
    $e
}
rule lt_activity_nocase_regex {
  events:
    $e.metadata.log_type = "azure_activity" nocase
    $e.metadata.product_event_type = /PlantedSix/
  condition:
    $e
}
`

// eventNameValue finds the value of the first key udm reads a record's
// event name from (metadata.product_event_type), for a planted literal.
var eventNameValue = regexp.MustCompile(`"(eventName|operationName)":"[^"\\]*"`)

// plantedRecords returns, for every public sample record (every log type
// retrohunt maps) and every rule, the record with the rule's literals
// planted in it: as new members before the others, after them (past
// CloudTrail's eventTime, where the key walk may stop), and the first
// as the event name. Each holds one rule's whole requirement, whatever
// its log type: gating by log type decides most of them.
func plantedRecords(t *testing.T, rs []*Rule) [][]byte {
	t.Helper()
	files, _ := filepath.Glob("../testdata/samples/*.json")
	if len(files) == 0 {
		t.Fatal("no samples")
	}
	var base [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		base = append(base, splitRecords(t, b)...)
	}
	var out [][]byte
	for _, r := range rs {
		var lits []fast.Literal
		if r.Sigma != nil {
			lits = fast.RequireWithSigma(nil, []*sigma.Rule{r.Sigma}).Literals
		} else {
			lits = fast.Require([]*rule.Rule{r.Compiled}).Literals
		}
		if len(lits) == 0 {
			continue
		}
		var members []byte
		for i, l := range lits {
			v, _ := json.Marshal(l.Text)
			members = fmt.Appendf(members, `"planted%d":%s,`, i, v)
		}
		first, _ := json.Marshal(lits[0].Text)
		for _, rec := range base {
			rec = bytes.TrimSpace(rec)
			if len(rec) < 2 || rec[0] != '{' {
				continue
			}
			front := append(append([]byte{'{'}, members...), rec[1:]...)
			back := append(append(bytes.Clone(rec[:len(rec)-1]), ','), members[:len(members)-1]...)
			back = append(back, '}')
			out = append(out, front, back)
			if loc := eventNameValue.FindSubmatchIndex(rec); loc != nil {
				named := append(bytes.Clone(rec[:loc[3]+2]), first...)
				named = append(named, rec[loc[1]:]...)
				out = append(out, named)
			}
		}
	}
	return out
}

// TestFastPathGatedByLogTypeMatchesReference: records of every log type
// holding the literals of other types' rules give the same hits and
// skips on both paths, for the pack, the test rules and Sigma rules and
// the log-type comparisons of logTypeRules; and the prefilter passes
// over many of them, whose literals alone would make them candidates.
func TestFastPathGatedByLogTypeMatchesReference(t *testing.T) {
	extra, err := rule.ParseFile("logtype.yaral", []byte(logTypeRules))
	if err != nil {
		t.Fatal(err)
	}
	rs := ruleSets(t)["builtin+test"]
	for _, r := range extra {
		rs = append(rs, NewRule(r, "test"))
	}
	if yl, sg := splitRules(rs); !fast.RequireWithSigma(yl, sg).Typed() {
		t.Fatal("the rules' requirements are not known per log type")
	}
	src, err := local.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	filter := newFilter(rs)
	chk := filter.NewChecker()
	refW, fastW := testWorker(rs, nil), testWorker(rs, filter)
	hits, passed := 0, 0
	recs := plantedRecords(t, rs)
	for _, rec := range recs {
		hits += len(recordOnBothPaths(t, src, refW, fastW, rec).hits)
		if !chk.Candidate(rec) {
			passed++
		}
	}
	// Every record holds some rule's whole requirement: without gating
	// by log type, each would be a candidate.
	if hits < 50 || passed < len(recs)/8 {
		t.Fatalf("%d hits, %d of %d records passed over: the test proves little", hits, passed, len(recs))
	}
	t.Logf("%d records, %d hits, %d passed over", len(recs), hits, passed)
}
