package lint_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/scan/lint"
	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/udm"
)

func lintEvents(t *testing.T, events string) []lint.Finding {
	t.Helper()
	rs, err := rule.ParseFile("t.yaral", []byte("rule t {\nevents:\n"+events+"\ncondition:\n$e\n}\n"))
	if err != nil {
		t.Fatal(err)
	}
	return lint.Lint(rs[0])
}

// TestLintEnumValues: issue 10 §8's examples. metadata.event_type =
// "NETWORK_HTTP" is never derived from a CloudTrail or Azure record, nor
// security_result.action = "FAIL"; the rule can then never match.
func TestLintEnumValues(t *testing.T) {
	f := func(events, want string, never bool) {
		t.Helper()
		fs := lintEvents(t, events)
		var got []string
		for _, f := range fs {
			got = append(got, f.String())
		}
		all := strings.Join(got, "\n")
		if want != "" && !strings.Contains(all, want) || want == "" && strings.Contains(all, "never derives") {
			t.Errorf("%s: findings\n%s\nwant %q", events, all, want)
		}
		whole := len(fs) > 0 && fs[len(fs)-1].Level == lint.Never && strings.Contains(fs[len(fs)-1].Msg, "can never match")
		if whole != never {
			t.Errorf("%s: whole rule never = %v, want %v\n%s", events, whole, never, all)
		}
	}
	// Graph activity records are NETWORK_HTTP: on CloudTrail, never.
	f("$e.metadata.product_name = \"AWS CloudTrail\"\n$e.metadata.event_type = \"NETWORK_HTTP\"", `never true on AWS_CLOUDTRAIL: the mapping never derives metadata.event_type "NETWORK_HTTP"`, true)
	f(`$e.metadata.event_type = "NETWORK_HTTP"`, "", false)
	f(`$e.metadata.event_type = "NETWORK_DNS"`, `never true: the mapping never derives metadata.event_type "NETWORK_DNS"`, true)
	f(`$e.security_result.action = "FAIL"`, `never true: the mapping never derives security_result.action "FAIL"`, true)
	f(`$e.security_result.action in ("FAIL", "QUARANTINE")`, `never derives security_result.action`, true)
	f(`$e.security_result.action = "FAIL" or $e.metadata.product_event_type = "ConsoleLogin"`, `never derives security_result.action "FAIL"`, false)
	f(`$e.security_result.action = "BLOCK"`, "", false)
	f(`$e.metadata.event_type = "RESOURCE_WRITTEN"`, "", false) // Azure writes it
	f(`$e.security_result.action != "FAIL"`, "", false)
}

// TestLintEnumValuesCoverSamples: every value the mapping derives for an
// enumerated field on the public samples is one lint knows, so lint never
// calls a derivable value dead (the list in lint follows udm's derive).
func TestLintEnumValuesCoverSamples(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/samples/*.json")
	if len(files) == 0 {
		t.Skip("no samples")
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := udm.Map(b)
		if err != nil {
			continue
		}
		for _, field := range []string{"metadata.event_type", "security_result.action"} {
			for _, v := range ev.Values(field) {
				if fs := lintEvents(t, "$e."+field+" = \""+v+"\""); len(fs) > 0 && fs[0].Level == lint.Never {
					t.Errorf("%s: %s = %q is derived but lint says %s", filepath.Base(p), field, v, fs[0])
				}
			}
		}
	}
}

// TestLintNeverFilled: issue 10 §8: a field compared with an ARN of a
// resource type none of its raw paths holds is flagged. target.resource.name
// is mapped from requestParameters.policyArn among others (docs/udm.md), so
// the community rule aws_iam_administrator_access_policy_attached, which
// compares it with a policy ARN, is not flagged (its hand-written records
// fire, testdata/yaral/community); no raw path it is mapped from holds a
// role ARN, so a role ARN is.
func TestLintNeverFilled(t *testing.T) {
	if fs := lintEvents(t, `$e.target.resource.name = "arn:aws:iam::aws:policy/AdministratorAccess"`); len(fs) != 0 {
		t.Errorf("policy ARN, mapped from requestParameters.policyArn: %v", fs)
	}
	fs := lintEvents(t, `$e.target.resource.name = "arn:aws:iam::111122223333:role/Admin"`)
	var all []string
	for _, f := range fs {
		all = append(all, f.String())
	}
	if s := strings.Join(all, "\n"); !strings.Contains(s, `no raw field it is mapped from holds a role ARN`) || !strings.Contains(s, "requestParameters.policyArn") {
		t.Errorf("findings:\n%s", s)
	}
	if fs := lintEvents(t, `$e.target.resource.name = "i-0123456789abcdef0"`); len(fs) != 0 {
		t.Errorf("instance id: %v", fs)
	}
}
