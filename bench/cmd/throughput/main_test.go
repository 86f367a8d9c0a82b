package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	f := func(v []float64, want float64) {
		t.Helper()
		if got := median(v); got != want {
			t.Errorf("median(%v) = %v, want %v", v, got, want)
		}
	}
	f(nil, 0)
	f([]float64{7}, 7)
	f([]float64{3, 1, 2}, 2)
	f([]float64{4, 1, 3, 2}, 2.5)
}

// TestRatio: each round's sample is compared with the base's of the same
// round, whatever the order the samples came in.
func TestRatio(t *testing.T) {
	s := func(round int, secs float64) sample {
		return sample{Decompressed: 1e6, Elapsed: time.Duration(secs * float64(time.Second)), round: round}
	}
	base := stats{rounds: []sample{s(1, 1), s(2, 2), s(3, 4)}}
	// MB/s per round: base 1, 0.5, 0.25; st 0.5, 1, 0.125.
	st := stats{rounds: []sample{s(3, 8), s(1, 2), s(2, 1)}}
	mbps := func(s sample) float64 { return s.mbps() }
	if got, want := st.ratio(base, mbps), 0.5; got != want {
		t.Errorf("ratio = %v, want %v (per round 0.5, 2, 0.5)", got, want)
	}
	if got, want := perRound(st, base, mbps), "0.50, 0.50, 2.00"; got != want {
		t.Errorf("perRound = %q, want %q", got, want)
	}
}

func TestThousands(t *testing.T) {
	for in, want := range map[float64]string{0: "0", 999.4: "999", 1000: "1,000", 153614.2: "153,614", 1234567: "1,234,567"} {
		if got := thousands(in); got != want {
			t.Errorf("thousands(%v) = %q, want %q", in, got, want)
		}
	}
}

// TestArgBatches: names split in order into runs of at most limit bytes,
// counting each name's NUL; the sums below are worked by hand.
func TestArgBatches(t *testing.T) {
	f := func(names []string, limit int, want [][]string) {
		t.Helper()
		got := argBatches(names, limit)
		if len(got) != len(want) {
			t.Fatalf("argBatches(%q, %d) = %q, want %q", names, limit, got, want)
		}
		for i := range got {
			if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
				t.Fatalf("argBatches(%q, %d) = %q, want %q", names, limit, got, want)
			}
		}
	}
	f(nil, 10, nil)
	// "abc" takes 4 bytes, "de" 3, "f" 2: 4+3 = 7 fits 8, +2 = 9 does not.
	f([]string{"abc", "de", "f"}, 8, [][]string{{"abc", "de"}, {"f"}})
	f([]string{"abc", "de", "f"}, 9, [][]string{{"abc", "de", "f"}})
	// A name longer than the limit is a run of its own, never dropped.
	f([]string{"a", "longname", "b"}, 4, [][]string{{"a"}, {"longname"}, {"b"}})
}

// TestExtraRulesLoadsTrees: -rules takes files and directory trees,
// repeatedly, and keeps every rule the scan runs (single-event and
// multi-event YARA-L, Sigma), leaving out a file with an error; the
// counts are those of the files written here.
func TestExtraRulesLoadsTrees(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("a/single.yaral", `rule t_single {
  events:
    $e.metadata.product_event_type = "StartSession"
  condition:
    $e
}
`)
	write("a/deep/multi.yaral", `rule t_multi {
  events:
    $e.metadata.product_event_type = "ConsoleLogin"
    $ip = $e.principal.ip
  match:
    $ip over 10m
  condition:
    #e >= 5
}
`)
	write("a/deep/broken.yaral", "rule t_broken {\n")
	write("a/notes.txt", "not a rule")
	sg := write("b/sigma.yml", `title: T Sigma
id: 00000000-0000-0000-0000-000000000009
logsource:
  product: aws
  service: cloudtrail
detection:
  sel:
    eventName: StartSession
  condition: sel
level: high
`)
	single, multi, left, err := extraRules([]string{filepath.Join(dir, "a"), sg})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range single {
		names = append(names, r.Name)
	}
	for _, m := range multi {
		names = append(names, "multi:"+m.Name)
	}
	if got, want := strings.Join(names, ","), "t_single,T Sigma,multi:t_multi"; got != want {
		t.Errorf("rules %s, want %s", got, want)
	}
	if left != 1 {
		t.Errorf("%d files left out, want 1 (broken.yaral)", left)
	}
	var o options
	fs := flagSet(&o)
	if err := fs.Parse([]string{"-rules", "x", "-rules", "y"}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(o.rules, ","); got != "x,y" {
		t.Errorf("-rules twice gives %q, want x,y", got)
	}
}

// TestReportNamesRules: the report's corpus line says which rules the
// scan ran: the built-in pack alone, or with the -rules given.
func TestReportNamesRules(t *testing.T) {
	one := func(path string) sample {
		return sample{Path: path, Workers: 1, Objects: 1, Records: 1, Compressed: 1, Decompressed: 1e6,
			Elapsed: time.Second, CPU: time.Second, round: 1}
	}
	samples := []sample{one(pathGunzip), one(pathScan)}
	o := options{rounds: 1, dir: "corpus", workers: []int{1}}
	corpus := func(o options) string {
		t.Helper()
		for _, line := range strings.Split(render(samples, o, "corpus", "cmd", "", "", nil, 0), "\n") {
			if strings.HasPrefix(line, "Corpus: ") {
				return line
			}
		}
		t.Fatal("no Corpus line in the report")
		return ""
	}
	if got := corpus(o); !strings.Contains(got, "; built-in pack;") {
		t.Errorf("without -rules: %q, want it to say the built-in pack alone", got)
	}
	o.rules = ruleSpecs{"rules/a.yaral", "sigma"}
	got := corpus(o)
	if strings.Contains(got, "; built-in pack;") || !strings.Contains(got, "built-in pack and -rules rules/a.yaral, sigma;") {
		t.Errorf("with -rules: %q, want it to name the built-in pack and both -rules", got)
	}
}
