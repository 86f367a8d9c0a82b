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
