package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/sources/open"
)

// TestMultiEventSweepFilteredRunDoesNotCover: a --state sweep run with
// --accounts (a 3 a.m. rerun of one account) evaluates only that
// account's objects, so it must not cover the rule's event times: a
// later run of the whole archive over the same days still has another
// account's burst to correlate. By hand: account 444455556666 holds five
// failed logins from 192.0.2.9 on 03-20 13:00 to 13:04, one detection
// [13:00, 13:10], 5 events, beside monthWant's.
func TestMultiEventSweepFilteredRunDoesNotCover(t *testing.T) {
	root := monthArchive(t)
	var recs []string
	for _, at := range []string{"2024-03-20T13:00:00Z", "2024-03-20T13:01:00Z", "2024-03-20T13:02:00Z", "2024-03-20T13:03:00Z", "2024-03-20T13:04:00Z"} {
		recs = append(recs, loginRecord(at, "192.0.2.9", true))
	}
	put(t, root, "AWSLogs/444455556666/CloudTrail/us-east-1/2024/03/20/444455556666_CloudTrail_us-east-1_20240320T1300Z_b.json.gz",
		gz(t, []byte(`{"Records":[`+strings.Join(recs, ",")+`]}`)))
	rule := filepath.Join(t.TempDir(), "brute.yaral")
	os.WriteFile(rule, []byte(sweepBruteRule), 0o644)
	work := t.TempDir()
	lakeDir := filepath.Join(work, "lake") + "/"
	run := func(extra ...string) {
		args := append([]string{"scan", root, "--rule", rule, "--since", "2024-03-01", "--until", "2024-03-31",
			"--state", filepath.Join(work, "st"), "--out", lakeDir, "--quiet"}, extra...)
		if code, _, errOut := cli(t, args...); code != exitOK {
			t.Fatalf("%v: exit %d\n%s", extra, code, errOut)
		}
	}
	run("--accounts", "111122223333")
	run()
	want := append([]string{}, monthWant[:3]...)
	want = append(want, monthWant[3], `sweep_brute_force [2024-03-20T13:00:00Z, 2024-03-20T13:10:00Z] {"ip":"192.0.2.9"} n=5 truncated=false`, monthWant[4])
	if got, _ := lakeDetections(t, lakeDir, open.Options{}); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("--accounts run, then the whole archive:\n%s\nwant, each once,\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestExplainDetectionSigmaCorrelation: `explain --detection N` of a
// Sigma correlation's detection, with the correlation given by --rule,
// must not tell the user to give the rule they gave: it says that
// --detection explains YARA-L multi-event rules and what to do instead.
func TestExplainDetectionSigmaCorrelation(t *testing.T) {
	root := t.TempDir()
	var recs []string
	for _, at := range []string{"00:00:00", "00:02:00", "00:04:00", "00:06:00", "00:08:00"} {
		recs = append(recs, corrRecord(at, "signin.amazonaws.com", "ConsoleLogin", "198.51.100.7", "alice", `,"responseElements":{"ConsoleLogin":"Failure"}`))
	}
	put(t, root, "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01/111122223333_CloudTrail_us-east-1_20240301T0000Z_a.json.gz",
		gz(t, []byte(`{"Records":[`+strings.Join(recs, ",")+`]}`)))
	dir := filepath.Join("..", "..", "testdata", "sigma", "correlation")
	pq := filepath.Join(t.TempDir(), "hits.parquet")
	if code, _, errOut := cli(t, "scan", root, "--since", "2024-03-01", "--until", "2024-03-01", "--rule", dir, "--out", pq); code != exitOK {
		t.Fatalf("scan: exit %d\n%s", code, errOut)
	}
	code, _, errOut := cli(t, "explain", "--rule", dir, "--detection", "1", pq)
	if code != exitUsage || strings.Contains(errOut, "not among the rules loaded") || !strings.Contains(errOut, "Sigma correlation") {
		t.Errorf("explain --detection of a Sigma correlation given with --rule: exit %d\n%s", code, errOut)
	}
}

// TestMultiEventSweepSaysWhatItHeldBack: a sweep whose object of 03-20
// 12:00 fails keeps 03-20 11:00 to 13:00 (its delivery minute ±
// --prune-margin) out of the rules' coverage, so the windows there wait
// for a later run; stderr must say which times
// were held back and why, not only how many windows are "still open".
func TestMultiEventSweepSaysWhatItHeldBack(t *testing.T) {
	root := monthArchive(t)
	bad := "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/20/111122223333_CloudTrail_us-east-1_20240320T1200Z_bad.json.gz"
	put(t, root, bad, gz(t, []byte(`{"Records":[`+loginRecord("2024-03-20T12:05:00Z", "192.0.2.9", true)+`]}`))[:30])
	rule := filepath.Join(t.TempDir(), "brute.yaral")
	os.WriteFile(rule, []byte(sweepBruteRule), 0o644)
	work := t.TempDir()
	code, _, errOut := cli(t, "scan", root, "--rule", rule, "--since", "2024-03-01", "--until", "2024-03-31",
		"--state", filepath.Join(work, "st"), "--out", filepath.Join(work, "lake")+"/", "--progress", "none")
	if code != exitPartial {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if !strings.Contains(errOut, "[2024-03-20T11:00:00Z, 2024-03-20T13:00:00Z)") || !strings.Contains(errOut, "objects there failed or were skipped") {
		t.Errorf("stderr does not say which event times were held back and why:\n%s", errOut)
	}
}
