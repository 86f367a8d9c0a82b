package rule

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// seedBaseline is the seed rule written by hand with the standard library,
// under the package's semantics. It is the baseline the evaluator is
// measured against, and TestSeedBaselineAgrees keeps the two in step.
type seedBaseline struct{ runCommand, serialConsole, extensionWrite *regexp.Regexp }

func newSeedBaseline() *seedBaseline {
	return &seedBaseline{
		runCommand:     regexp.MustCompile(`(?i)VIRTUALMACHINES/RUNCOMMAND/ACTION`),
		serialConsole:  regexp.MustCompile(`(?i)SERIALCONSOLE/CONSOLESERVICES/ACCESS`),
		extensionWrite: regexp.MustCompile(`(?i)VIRTUALMACHINES/EXTENSIONS/WRITE`),
	}
}

func (s *seedBaseline) match(ev Event) bool {
	vals := func(path string) []string {
		if v := ev.Values(path); len(v) > 0 {
			return v
		}
		return []string{""}
	}
	anyOf := func(path string, pred func(string) bool) bool { return slices.ContainsFunc(vals(path), pred) }
	eq := func(path, want string) bool { return anyOf(path, func(v string) bool { return v == want }) }
	inFold := func(path string, list ...string) bool {
		return anyOf(path, func(v string) bool {
			return slices.ContainsFunc(list, func(l string) bool { return strings.EqualFold(v, l) })
		})
	}
	if !eq("metadata.event_type", "USER_RESOURCE_ACCESS") || !anyOf("principal.user.userid", func(v string) bool { return v != "" }) {
		return false
	}
	aws := eq("metadata.vendor_name", "Amazon Web Services") && eq("metadata.product_name", "AWS CloudTrail") &&
		inFold("target.application", "ssm.amazonaws.com", "ec2-instance-connect.amazonaws.com") &&
		inFold("metadata.product_event_type", "StartSession", "ResumeSession", "TerminateSession", "SendCommand",
			"StartAutomationExecution", "SendSSHPublicKey", "StartSSHSession")
	if aws {
		return true
	}
	return eq("metadata.vendor_name", "Microsoft") && eq("metadata.product_name", "Azure Activity") &&
		(anyOf("target.resource.name", s.runCommand.MatchString) ||
			anyOf("target.resource.name", s.serialConsole.MatchString) ||
			anyOf("target.resource.name", s.extensionWrite.MatchString))
}

func TestSeedBaselineAgrees(t *testing.T) {
	r, base := loadSeed(t), newSeedBaseline()
	for name, ev := range loadSeedEvents(t) {
		if got, want := r.Match(ev), base.match(ev); got != want {
			t.Errorf("%s: Match %v, baseline %v", name, got, want)
		}
	}
}

// eventBytes is the size of the values an event holds, for b.SetBytes.
func eventBytes(ev mapEvent) int64 {
	var n int64
	for _, vs := range ev {
		for _, v := range vs {
			n += int64(len(v))
		}
	}
	return n
}

func BenchmarkMatchSeed(b *testing.B) {
	r, base := loadSeed(b), newSeedBaseline()
	evs := loadSeedEvents(b)
	for _, name := range []string{"aws_start_session", "azure_run_command", "aws_get_object"} {
		ev := evs[name]
		want := base.match(ev)
		b.Run("rule/"+name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(eventBytes(ev))
			for b.Loop() {
				if r.Match(ev) != want {
					b.Fatal("wrong result")
				}
			}
		})
		b.Run("stdlib/"+name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(eventBytes(ev))
			for b.Loop() {
				if base.match(ev) != want {
					b.Fatal("wrong result")
				}
			}
		})
	}
}

func BenchmarkParseSeed(b *testing.B) {
	src, err := os.ReadFile(seedFile)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := ParseFile(seedFile, src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOutcomes: a community-style rule with an outcome section on a
// CloudTrail-shaped event with a repeated field (three instance ids):
// Match alone, and Match with the outcome values (what a hit costs).
// The baseline is the same test written in Go by hand.
func BenchmarkOutcomes(b *testing.B) {
	src := "rule t {\nevents:\n  $e.metadata.vendor_name = \"AMAZON\"\n  $e.metadata.product_event_type = \"SendCommand\"\n" +
		"  $e.security_result.action = \"ALLOW\"\n  not $e.target.resource.name = /^i-0/\n" +
		"outcome:\n  $risk_score = max(50)\n  $ids = array_distinct($e.target.resource.name)\n" +
		"  $user = $e.principal.user.userid\ncondition:\n  $e\n}\n"
	rs, err := ParseFile("t.yaral", []byte(src))
	if err != nil {
		b.Fatal(err)
	}
	r := rs[0]
	ev := mapEvent{"metadata.vendor_name": {"AMAZON"}, "metadata.product_event_type": {"SendCommand"},
		"security_result.action": {"ALLOW"}, "target.resource.name": {"i-00456A8D163f546Ff", "i-cfE23b1a7ceba6f86", "i-9D40CCFc0aE91CFa5"},
		"principal.user.userid": {"arn:aws:iam::111122223333:user/alice"}}
	b.Run("rule/match", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(eventBytes(ev))
		for b.Loop() {
			if !r.Match(ev) {
				b.Fatal("no match")
			}
		}
	})
	b.Run("rule/outcomes", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(eventBytes(ev))
		for b.Loop() {
			if len(r.Outcomes(ev)) != 3 {
				b.Fatal("no outcomes")
			}
		}
	})
	b.Run("stdlib/match", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(eventBytes(ev))
		for b.Loop() {
			ok := ev.Values("metadata.vendor_name")[0] == "AMAZON" && ev.Values("metadata.product_event_type")[0] == "SendCommand" &&
				ev.Values("security_result.action")[0] == "ALLOW"
			any := false
			for _, id := range ev.Values("target.resource.name") {
				any = any || !strings.HasPrefix(id, "i-0")
			}
			if !ok || !any {
				b.Fatal("no match")
			}
		}
	})
}
