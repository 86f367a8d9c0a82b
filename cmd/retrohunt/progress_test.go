package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/scan"
)

// A test's stderr is a buffer, not a terminal: --progress=auto must draw
// nothing, and the summary is all there is.
func TestProgressSuppressedWhenStderrIsNotATerminal(t *testing.T) {
	for _, args := range [][]string{
		{"scan", "../../testdata/samples", "--format", "jsonl"},
		{"scan", "../../testdata/samples", "--format", "jsonl", "--progress", "auto"},
		{"scan", "../../testdata/samples", "--format", "jsonl", "--progress", "none"},
	} {
		code, _, errOut := cli(t, args...)
		if code != exitOK {
			t.Fatalf("%v: exit %d\n%s", args, code, errOut)
		}
		if strings.ContainsAny(errOut, "\r\x1b") || strings.Contains(errOut, "rec/s") || strings.Contains(errOut, "(listing)") {
			t.Errorf("%v: progress drawn on a non-terminal:\n%q", args, errOut)
		}
		if !strings.HasPrefix(errOut, "\nretrohunt summary (complete)\n") {
			t.Errorf("%v: stderr is not just the summary:\n%s", args, errOut)
		}
	}
	// --quiet: nothing at all for a complete scan without warnings.
	code, _, errOut := cli(t, "scan", "../../testdata/samples", "--format", "jsonl", "--quiet", "--progress", "plain")
	if code != exitOK || errOut != "" {
		t.Errorf("--quiet: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = cli(t, "scan", "../../testdata/samples", "--progress", "fancy")
	if code != exitUsage || !strings.Contains(errOut, `--progress "fancy": want auto, plain or none`) {
		t.Errorf("bad --progress: exit %d, %q", code, errOut)
	}
}

// handTicker replaces the display's clock with ticks the test sends;
// it reports each clock the display starts on started.
func handTicker(t *testing.T) (ticks chan time.Time, started chan struct{}) {
	t.Helper()
	ticks, started = make(chan time.Time), make(chan struct{}, 8)
	prev := newTicker
	newTicker = func(time.Duration) (<-chan time.Time, func()) {
		started <- struct{}{}
		return ticks, func() {}
	}
	t.Cleanup(func() { newTicker = prev })
	return ticks, started
}

func TestProgressPlainThroughCLI(t *testing.T) {
	ticks, started := handTicker(t)
	// Tick as fast as the display takes ticks until the scan is over: a
	// tick it took is a line printed before the CLI returns.
	quit, sent := make(chan struct{}), make(chan int)
	go func() {
		n := 0
		for {
			select {
			case ticks <- time.Now():
				n++
			case <-quit:
				sent <- n
				return
			}
		}
	}()
	code, _, errOut := cli(t, "scan", "../../testdata/samples", "--format", "jsonl", "--progress", "plain")
	close(quit)
	n := <-sent
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if len(started) != 1 {
		t.Errorf("--progress=plain started %d displays, want 1", len(started))
	}
	lines := regexp.MustCompile(`(?m)^retrohunt: .* · objects \d+/\d+\+? .*hits · \d+ failed · .*$`).FindAllString(errOut, -1)
	if len(lines) != n {
		t.Errorf("%d ticks taken, %d progress lines with --progress=plain:\n%s", n, len(lines), errOut)
	}
	if !strings.Contains(errOut, "retrohunt summary (complete)") || strings.Contains(errOut, "\x1b") {
		t.Errorf("want plain lines and the summary:\n%s", errOut)
	}
}

// liveSummary is a scan in the middle of its work.
func liveSummary() *scan.Summary {
	return &scan.Summary{
		Started:           time.Now().Add(-10 * time.Second),
		ObjectsScanned:    3,
		ObjectsFailed:     1,
		BytesCompressed:   2_500_000,
		BytesDecompressed: 12_000_000,
		Records:           40_000,
		Hits:              7,
	}
}

func TestProgressPlainLines(t *testing.T) {
	ticks, _ := handTicker(t)
	var buf bytes.Buffer
	p, err := newProgress(progressPlain, false, &buf)
	if err != nil {
		t.Fatal(err)
	}
	p.start(liveSummary())
	// A send returns once the display took the tick; it has printed
	// that tick's line before it takes the next one, or stops.
	const n = 3
	for i := 0; i < n; i++ {
		ticks <- time.Now()
	}
	p.stop()
	p.stop() // idempotent
	out := buf.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != n {
		t.Fatalf("want a line per tick (%d), got:\n%s", n, out)
	}
	want := regexp.MustCompile(`^retrohunt: 1\ds · objects 4/0\+ \(listing\) · 2\.5 MB gz → 12\.0 MB · 40,000 records, [\d,]+/s · 7 hits · 1 failed · ETA after listing$`)
	for _, l := range lines {
		if !want.MatchString(l) {
			t.Errorf("line %q does not match %s", l, want)
		}
	}
	// Stopped: nobody takes ticks any more.
	select {
	case ticks <- time.Now():
		t.Errorf("the display still ticks after stop")
	default:
	}
	// A log line goes straight through when no bars are drawn.
	p.Write([]byte("warning\n"))
	if !strings.HasSuffix(buf.String(), "warning\n") {
		t.Errorf("Write lost the line")
	}
}

// The bars are mpb's; force them onto a buffer to see that they carry
// the counters and end cleanly.
func TestProgressBarsRender(t *testing.T) {
	ticks, _ := handTicker(t)
	var buf bytes.Buffer
	p := &progress{mode: "bar", w: &buf, now: time.Now}
	p.start(liveSummary())
	ticks <- time.Now()
	p.stop()
	out := buf.String()
	for _, want := range []string{"objects 4/0+ (listing)", "2.5 MB gz → 12.0 MB", "7 hits", "1 failed", "ETA after listing"} {
		if !strings.Contains(out, want) {
			t.Errorf("bars lack %q:\n%q", want, out)
		}
	}
}

func TestRaterETA(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	r := &rater{started: t0}
	s := scan.Progress{Started: t0, ObjectsQueued: 10, ObjectsDone: 2, Records: 100}
	if st := r.update(s, t0.Add(4*time.Second)); st.etaLeft != -1 || st.eta() != "ETA after listing" {
		t.Errorf("listing not done: eta %v", st.etaLeft)
	}
	s.ListingDone, s.ObjectsDone, s.Records = true, 5, 300
	st := r.update(s, t0.Add(10*time.Second))
	if st.etaLeft != 10*time.Second || st.eta() != "ETA 10s" {
		t.Errorf("5 of 10 in 10s: eta %v (%s)", st.etaLeft, st.eta())
	}
	if st.recRate <= 0 {
		t.Errorf("records/s = %v", st.recRate)
	}
	s.ObjectsDone = 10
	if st := r.update(s, t0.Add(20*time.Second)); st.eta() != "done 20s" {
		t.Errorf("finished: %s", st.eta())
	}
}

func TestSummaryTableAndJSON(t *testing.T) {
	sumPath := filepath.Join(t.TempDir(), "summary.json")
	code, _, errOut := cli(t, "scan", "../../testdata/samples", "--format", "jsonl", "--summary-json", sumPath)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	for _, want := range []string{
		"              listed  pruned  filtered  non-event  empty  not logs  scanned  failed\n  objects         32       0         0          0      0         1       31       0\n",
		"  RULE                            HITS  SUCCESS  FAILURE  PENDING\n",
		"  aws_ssm_run_command                2        1        1        0\n",
		"  total                             16       13        1        2\n",
		"  throughput  ",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	if !regexp.MustCompile(`\n  TOP PRINCIPALS +HITS\n  arn:aws:iam::294599468799:user/christophe +3\n  you@domain.tld +3\n`).MatchString(errOut) {
		t.Errorf("summary lacks the top principals")
	}
	if t.Failed() {
		t.Logf("summary:\n%s", errOut)
	}
	b, err := os.ReadFile(sumPath)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Hits             int64                       `json:"hits"`
		HitsByResult     map[string]int64            `json:"hits_by_result"`
		HitsByRuleResult map[string]map[string]int64 `json:"hits_by_rule_result"`
		TopPrincipals    []principalCount            `json:"top_principals"`
		RecordsPerSecond float64                     `json:"records_per_second"`
		ObjectsScanned   int64                       `json:"objects_scanned"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Hits != 16 || doc.ObjectsScanned != 31 || doc.HitsByResult["success"] != 13 || doc.HitsByResult["pending"] != 2 ||
		doc.HitsByRuleResult["aws_ssm_run_command"]["failure"] != 1 || len(doc.TopPrincipals) != topPrincipals ||
		doc.TopPrincipals[0] != (principalCount{"arn:aws:iam::294599468799:user/christophe", 3}) || doc.RecordsPerSecond <= 0 {
		t.Errorf("summary JSON:\n%s", b)
	}
}
