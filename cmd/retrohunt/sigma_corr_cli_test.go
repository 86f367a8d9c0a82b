package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// corrRecord is a CloudTrail record of user calling name on source.
func corrRecord(at, source, name, ip, user, extra string) string {
	return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","accountId":"111122223333","arn":"arn:aws:iam::111122223333:user/%s","userName":%q},"eventTime":"2024-03-01T%sZ","eventSource":%q,"eventName":%q,"awsRegion":"us-east-1","sourceIPAddress":%q,"eventID":"%s-%s-%s"%s}`,
		user, user, at, source, name, ip, user, name, at, extra)
}

// TestSigmaCorrelationsCLI: the correlation rules of
// testdata/sigma/correlation (one directory: base rules and
// correlations in one file, and base rules referred to by id from
// another file) through `retrohunt scan`. By hand: 198.51.100.7 fails
// five console logins in [00:00, 00:10] (detection), 203.0.113.9 four
// (none); carol calls three distinct IAM List/Get APIs within the hour
// (detection), dave two (none); eve creates a user then attaches a
// policy 10 minutes later (detection), mallory in the wrong order and
// trent 20 minutes apart (none). The base rules have no generate: true,
// so they report no hits of their own: three rows, all detections.
// With --state or --shard and no lake the correlations are refused like
// YARA-L multi-event rules (match is a JSON object in JSON Lines
// output); with --state and a lake, two runs split at 00:05, inside the
// brute force's window, write the same three detections.
func TestSigmaCorrelationsCLI(t *testing.T) {
	root := t.TempDir()
	fail := func(at, ip string) string {
		return corrRecord(at, "signin.amazonaws.com", "ConsoleLogin", ip, "alice", `,"responseElements":{"ConsoleLogin":"Failure"}`)
	}
	iam := func(at, name, user string) string {
		return corrRecord(at, "iam.amazonaws.com", name, "198.51.100.20", user, "")
	}
	const a, b = "198.51.100.7", "203.0.113.9"
	recs := []string{
		fail("00:00:00", a), fail("00:02:00", a), fail("00:04:00", a), fail("00:06:00", a), fail("00:08:00", a),
		fail("00:00:00", b), fail("00:01:00", b), fail("00:02:00", b), fail("00:03:00", b),
		iam("02:00:00", "ListUsers", "carol"), iam("02:10:00", "ListRoles", "carol"), iam("02:30:00", "GetUser", "carol"),
		iam("02:00:00", "ListUsers", "dave"), iam("02:10:00", "ListRoles", "dave"), iam("02:20:00", "ListRoles", "dave"),
		iam("03:00:00", "CreateUser", "eve"), iam("03:10:00", "AttachUserPolicy", "eve"),
		iam("03:00:00", "AttachUserPolicy", "mallory"), iam("03:05:00", "CreateUser", "mallory"),
		iam("04:00:00", "CreateUser", "trent"), iam("04:20:00", "AttachUserPolicy", "trent"),
	}
	put(t, root, "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01/111122223333_CloudTrail_us-east-1_20240301T0000Z_a.json.gz",
		gz(t, []byte(`{"Records":[`+strings.Join(recs, ",")+`]}`)))
	dir := filepath.Join("..", "..", "testdata", "sigma", "correlation")
	base := []string{"scan", root, "--since", "2024-03-01", "--until", "2024-03-01", "--rule", dir, "--format", "jsonl"}
	code, out, errOut := cli(t, base...)
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, errOut)
	}
	var got []string
	for _, h := range jsonlHits(t, out) {
		got = append(got, fmt.Sprintf("%v %v %v %v", h["row_kind"], h["rule_name"], h["match"], h["event_count"]))
	}
	slices.Sort(got)
	want := []string{
		`detection Console brute force from one address map[sourceIPAddress:198.51.100.7] 5`,
		`detection IAM enumeration by one user map[userIdentity.userName:carol] 3`,
		`detection User created then given a policy by one principal map[userIdentity.arn:arn:aws:iam::111122223333:user/eve] 2`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows:\n%s\nwant:\n%s\nstderr:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), errOut)
	}
	for _, extra := range [][]string{{"--state", filepath.Join(t.TempDir(), "state.json")}, {"--shard", "0/2"}} {
		code, out, errOut := cli(t, append(append([]string(nil), base...), extra...)...)
		if code != exitUsage || !strings.Contains(errOut, "Console brute force from one address") || !strings.Contains(errOut, "candidates table") || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr:\n%s\nwant exit 2 naming the correlations", extra, code, out, errOut)
		}
	}
	work := t.TempDir()
	for _, span := range [][2]string{{"2024-03-01T00:00:00Z", "2024-03-01T00:05:00Z"}, {"2024-03-01T00:05:00Z", "2024-03-02"}} {
		code, _, errOut := cli(t, "scan", root, "--since", span[0], "--until", span[1], "--rule", dir, "--quiet",
			"--state", filepath.Join(work, "st"), "--out", filepath.Join(work, "lake")+"/")
		if code != exitOK {
			t.Fatalf("sweep %v: exit %d\n%s", span, code, errOut)
		}
	}
	got = nil
	for _, h := range lakeHitsOf(t, filepath.Join(work, "lake")) {
		got = append(got, fmt.Sprintf("%v %v %v %v", h.RowKind, h.RuleName, strings.NewReplacer(`{"`, "map[", `":"`, ":", `"}`, "]").Replace(h.Match), *h.EventCount))
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("two --state runs split at 00:05:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// explain: record 0 (a failed login from a) is a candidate of the
	// brute-force correlation's base rule with a's address as its group.
	code, out, errOut = cli(t, "explain", "--rule", dir, filepath.Join(root, "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01/111122223333_CloudTrail_us-east-1_20240301T0000Z_a.json.gz"), "--record", "0")
	for _, w := range []string{"sigma correlation rule Console brute force from one address", "failed_console_login: candidate, sourceIPAddress=198.51.100.7",
		"9c8b7a60-0000-4000-8000-0000000000c1: NOT a candidate"} {
		if code != exitOK || !strings.Contains(out, w) {
			t.Errorf("explain: exit %d, want %q:\n%s%s", code, w, out, errOut)
		}
	}
	// rules lint loads one file at a time: the correlation whose base
	// rules are in another file of the run still resolves.
	if code, out, errOut := cli(t, "rules", "lint", dir); code != exitOK || strings.Contains(out, "refers to") {
		t.Errorf("rules lint: exit %d:\n%s%s", code, out, errOut)
	}
	// Skipped, the base rules report their own hits: 9 failed logins,
	// 6 IAM reads, 3 CreateUser, 3 AttachUserPolicy.
	code, out, errOut = cli(t, append(base, "--shard", "0/1", "--skip-unsupported")...)
	if n := len(jsonlHits(t, out)); code != exitOK || n != 21 || strings.Contains(out, `"detection"`) {
		t.Errorf("--shard --skip-unsupported: exit %d, %d hits, want 21 and no detection:\n%s", code, n, errOut)
	}
}
