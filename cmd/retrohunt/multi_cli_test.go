package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/retrohunt/retrohunt/output"
)

// bruteRule: four or more failed console logins from one IP within ten
// minutes. singleFailRule: every failed console login, a single-event
// rule run beside it.
const (
	bruteRule = `rule console_brute_force {
  meta:
    severity = "High"
  events:
    $e.metadata.product_event_type = "ConsoleLogin"
    $e.security_result.description = "Reason: Failed authentication"
    $ip = $e.principal.ip
  match:
    $ip over 10m
  condition:
    #e >= 4
}
`
	singleFailRule = `rule console_login_failed {
  events:
    $e.metadata.product_event_type = "ConsoleLogin"
    $e.security_result.description = "Reason: Failed authentication"
  condition:
    $e
}
`
)

// loginRecord is a CloudTrail ConsoleLogin record, failed or not.
func loginRecord(at, ip string, failed bool) string {
	r := fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","accountId":"111122223333","userName":"alice"},"eventTime":%q,"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":%q,"eventID":"%s-%s"`, at, ip, ip, at)
	if failed {
		return r + `,"errorMessage":"Failed authentication","responseElements":{"ConsoleLogin":"Failure"}}`
	}
	return r + `,"responseElements":{"ConsoleLogin":"Success"}}`
}

// bruteArchive plants two CloudTrail objects of 2024-03-01; the one
// listed first (T1000Z) holds the later events. By hand, for
// 192.0.2.10 the failed logins are 10:01, 10:03, 10:05 (second object,
// records 0, 1, 3; record 2 is a success at 10:04, no candidate),
// 10:06, 10:08 (first object, records 0 and 2) and 10:30 (first object,
// record 3). The hop window of 10 minutes anchored at 10:01 holds
// 10:01-10:08: 5 events >= 4, one detection [10:01, 10:11]; the
// windows anchored at 10:03 ... 10:08 hold subsets of it (dropped) and
// the one at 10:30 holds 1 event. 198.51.100.20 fails at 10:02, 10:04
// and 10:07: 3 < 4, no detection. Failed logins: 6 + 3 = 9 hits of the
// single-event rule.
func bruteArchive(t *testing.T) (root string, first, second string) {
	root = t.TempDir()
	const a, b = "192.0.2.10", "198.51.100.20"
	dir := "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01/"
	first, second = dir+"111122223333_CloudTrail_us-east-1_20240301T1000Z_a.json.gz", dir+"111122223333_CloudTrail_us-east-1_20240301T1005Z_b.json.gz"
	recs := func(rs ...string) []byte { return gz(t, []byte(`{"Records":[`+strings.Join(rs, ",")+`]}`)) }
	put(t, root, first, recs(loginRecord("2024-03-01T10:06:00Z", a, true), loginRecord("2024-03-01T10:04:00Z", b, true),
		loginRecord("2024-03-01T10:08:00Z", a, true), loginRecord("2024-03-01T10:30:00Z", a, true), loginRecord("2024-03-01T10:07:00Z", b, true)))
	put(t, root, second, recs(loginRecord("2024-03-01T10:01:00Z", a, true), loginRecord("2024-03-01T10:03:00Z", a, true),
		loginRecord("2024-03-01T10:04:00Z", a, false), loginRecord("2024-03-01T10:05:00Z", a, true), loginRecord("2024-03-01T10:02:00Z", b, true)))
	return root, first, second
}

func fileURI(root, key string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(root, filepath.FromSlash(key)))}).String()
}

type eventRef struct {
	Var         string `json:"var"`
	SourceURI   string `json:"source_uri"`
	RecordIndex int64  `json:"record_index"`
	EventTime   string `json:"event_time"`
}

// TestMultiEventScanCLI: the brute force of bruteArchive through
// `retrohunt scan`, on the fast path and --reference: exactly one
// detection row with the window, match, event_count and events worked
// out by hand, beside the 9 single-event hits, in Parquet (read back
// with parquet-go and DuckDB), JSON Lines (match and events embedded as
// JSON) and the table; the summary counts the detection apart from the
// hits.
func TestMultiEventScanCLI(t *testing.T) {
	root, first, second := bruteArchive(t)
	rdir := t.TempDir()
	brute, single := filepath.Join(rdir, "brute.yaral"), filepath.Join(rdir, "single.yaral")
	os.WriteFile(brute, []byte(bruteRule), 0o644)
	os.WriteFile(single, []byte(singleFailRule), 0o644)
	start := time.Date(2024, 3, 1, 10, 1, 0, 0, time.UTC)
	end := start.Add(10 * time.Minute)
	wantEvents := []eventRef{
		{"$e", fileURI(root, second), 0, "2024-03-01T10:01:00Z"},
		{"$e", fileURI(root, second), 1, "2024-03-01T10:03:00Z"},
		{"$e", fileURI(root, second), 3, "2024-03-01T10:05:00Z"},
		{"$e", fileURI(root, first), 0, "2024-03-01T10:06:00Z"},
		{"$e", fileURI(root, first), 2, "2024-03-01T10:08:00Z"},
	}
	base := []string{"scan", root, "--since", "2024-03-01", "--until", "2024-03-01", "--rule", brute, "--rule", single, "--workers", "2"}
	for _, reference := range []bool{false, true} {
		args := append([]string(nil), base...)
		if reference {
			args = append(args, "--reference")
		}
		// Parquet, with a candidate budget small enough to spill.
		dir := t.TempDir()
		pq, sumPath := filepath.Join(dir, "hits.parquet"), filepath.Join(dir, "summary.json")
		code, _, errOut := cli(t, append(args, "--out", pq, "--summary-json", sumPath, "--candidate-budget", "300", "--candidate-dir", t.TempDir())...)
		if code != 0 {
			t.Fatalf("reference=%v: exit %d\n%s", reference, code, errOut)
		}
		rows, err := parquet.ReadFile[output.Hit](pq)
		if err != nil {
			t.Fatal(err)
		}
		var dets []output.Hit
		hits := 0
		for _, h := range rows {
			if h.RowKind == "detection" {
				dets = append(dets, h)
			} else if h.RuleName == "console_login_failed" {
				hits++
			}
		}
		if hits != 9 || len(dets) != 1 || len(rows) != 10 {
			t.Fatalf("reference=%v: %d rows, %d hits, %d detections; want 9 hits and 1 detection", reference, len(rows), hits, len(dets))
		}
		d := dets[0]
		var events []eventRef
		if err := json.Unmarshal([]byte(d.Events), &events); err != nil {
			t.Fatal(err)
		}
		switch {
		case d.RuleName != "console_brute_force" || d.Severity != "HIGH":
			t.Errorf("reference=%v: rule %q severity %q", reference, d.RuleName, d.Severity)
		case d.WindowStart == nil || !d.WindowStart.Equal(start) || d.WindowEnd == nil || !d.WindowEnd.Equal(end):
			t.Errorf("reference=%v: window %v - %v, want %v - %v", reference, d.WindowStart, d.WindowEnd, start, end)
		case d.Match != `{"ip":"192.0.2.10"}`:
			t.Errorf("reference=%v: match %s", reference, d.Match)
		case d.EventCount == nil || *d.EventCount != 5 || d.WindowTruncated == nil || *d.WindowTruncated:
			t.Errorf("reference=%v: event_count %v truncated %v; want 5, false", reference, d.EventCount, d.WindowTruncated)
		case !reflect.DeepEqual(events, wantEvents):
			t.Errorf("reference=%v: events\n%+v\nwant\n%+v", reference, events, wantEvents)
		case !d.EventTime.Equal(start) || d.SourceURI != wantEvents[0].SourceURI:
			t.Errorf("reference=%v: event_time %v source %s, want the first event's", reference, d.EventTime, d.SourceURI)
		}
		var doc map[string]any
		b, _ := os.ReadFile(sumPath)
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		byRule, _ := doc["detections_by_rule"].(map[string]any)
		if doc["hits"] != 9.0 || doc["detections"] != 1.0 || byRule["console_brute_force"] != 1.0 {
			t.Errorf("reference=%v: summary hits %v detections %v %v; want 9, 1", reference, doc["hits"], doc["detections"], byRule)
		}
		if !strings.Contains(errOut, "detections  1 ") || !strings.Contains(errOut, "MULTI-EVENT RULE") {
			t.Errorf("reference=%v: stderr summary does not count the detection:\n%s", reference, errOut)
		}
		if !reference {
			duckdbDetections(t, pq)
		}
	}

	// JSON Lines: match and events embedded as JSON.
	code, out, errOut := cli(t, append(base, "--format", "jsonl", "--detection-events", "2")...)
	if code != 0 {
		t.Fatalf("jsonl: exit %d\n%s", code, errOut)
	}
	var det map[string]any
	n := 0
	for _, h := range jsonlHits(t, out) {
		if h["row_kind"] == "detection" {
			det = h
		}
		n++
	}
	if n != 10 || det == nil {
		t.Fatalf("jsonl: %d lines, detection %v", n, det)
	}
	match, _ := det["match"].(map[string]any)
	events, _ := det["events"].([]any)
	if match["ip"] != "192.0.2.10" || len(events) != 2 || det["event_count"] != 5.0 || det["window_start"] != "2024-03-01T10:01:00Z" {
		t.Errorf("jsonl detection: match %#v, %d events (want 2, --detection-events 2), event_count %v, window_start %v", det["match"], len(events), det["event_count"], det["window_start"])
	}

	// The table: a detection row after the hits.
	code, out, errOut = cli(t, append(base, "--format", "table")...)
	if code != 0 {
		t.Fatalf("table: exit %d\n%s", code, errOut)
	}
	if !strings.Contains(out, "DETECTION WINDOW (UTC)") || !regexpMatch(`2024-03-01 10:01:00 - 10:11:00\s+console_brute_force\s+HIGH\s+\{"ip":"192.0.2.10"\}\s+5\s+no`, out) {
		t.Errorf("table lacks the detection row:\n%s", out)
	}
}

// duckdbRows runs named queries with DuckDB (@duckdb/node-api,
// installed into .cache/duckdb by .ci/install-test-servers.sh) and
// returns their rows as one JSON object by name, in query order. ok is
// false when node or the package is missing (a failure instead with
// RETROHUNT_REQUIRE_SERVERS=1).
func duckdbRows(t *testing.T, queries [][2]string) (rows string, ok bool) {
	t.Helper()
	mods, _ := filepath.Abs("../../.cache/duckdb/node_modules")
	node, err := exec.LookPath("node")
	if _, serr := os.Stat(filepath.Join(mods, "@duckdb", "node-api")); err != nil || serr != nil {
		if os.Getenv("RETROHUNT_REQUIRE_SERVERS") == "1" {
			t.Fatalf("DuckDB: node (%v) or @duckdb/node-api in %s (%v) missing; run .ci/install-test-servers.sh", err, mods, serr)
		}
		t.Log("DuckDB check skipped: node or @duckdb/node-api missing (.ci/install-test-servers.sh)")
		return "", false
	}
	script := filepath.Join(t.TempDir(), "rows.js")
	os.WriteFile(script, []byte(`
const {DuckDBInstance} = require("@duckdb/node-api");
(async () => {
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  const out = {};
  for (const [name, q] of JSON.parse(process.argv[2])) {
    const r = await c.runAndReadAll(q);
    out[name] = r.getRowObjectsJson();
  }
  console.log(JSON.stringify(out));
})().catch(e => { console.error(e.message); process.exit(1); });
`), 0o644)
	qs, _ := json.Marshal(queries)
	cmd := exec.Command(node, script, string(qs))
	cmd.Env = append(os.Environ(), "NODE_PATH="+mods)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("DuckDB: %v\n%s", err, stderr.String())
	}
	return strings.TrimSpace(string(out)), true
}

// duckdbDetections reads the detection row with DuckDB as
// docs/yaral_windows.md documents it.
func duckdbDetections(t *testing.T, file string) {
	t.Helper()
	f := "read_parquet('" + file + "')"
	got, ok := duckdbRows(t, [][2]string{
		{"det", "SELECT rule_name, strftime(window_start, '%H:%M') AS ws, strftime(window_end, '%H:%M') AS we, json_extract_string(match, '$.ip') AS ip, event_count, window_truncated FROM " + f + " WHERE row_kind = 'detection'"},
		{"events", "SELECT e.record_index, e.event_time FROM " + f + ", unnest(from_json(events, '[{\"var\":\"VARCHAR\",\"source_uri\":\"VARCHAR\",\"record_index\":\"BIGINT\",\"event_time\":\"VARCHAR\"}]')) AS t(e) WHERE row_kind = 'detection'"},
		{"hits", "SELECT count(*) AS n FROM " + f + " WHERE coalesce(row_kind, 'hit') = 'hit'"},
	})
	if !ok {
		return
	}
	want := `{"det":[{"rule_name":"console_brute_force","ws":"10:01","we":"10:11","ip":"192.0.2.10","event_count":"5","window_truncated":false}],` +
		`"events":[{"record_index":"0","event_time":"2024-03-01T10:01:00Z"},{"record_index":"1","event_time":"2024-03-01T10:03:00Z"},{"record_index":"3","event_time":"2024-03-01T10:05:00Z"},{"record_index":"0","event_time":"2024-03-01T10:06:00Z"},{"record_index":"2","event_time":"2024-03-01T10:08:00Z"}],` +
		`"hits":[{"n":"9"}]}`
	if got != want {
		t.Errorf("DuckDB:\n%s\nwant\n%s", got, want)
	}
}

// TestMultiEventRefusedWithStateOrShard: with --state or --shard but no
// lake --out a multi-event rule is refused (exit 2, naming it): open
// windows are carried across runs and shards only in a lake's
// candidates table; --skip-unsupported skips it by name and the
// single-event rules run. With a lake it runs
// (TestMultiEventSweepSplitRunInvariant).
func TestMultiEventRefusedWithStateOrShard(t *testing.T) {
	root, _, _ := bruteArchive(t)
	rdir := t.TempDir()
	brute, single := filepath.Join(rdir, "brute.yaral"), filepath.Join(rdir, "single.yaral")
	os.WriteFile(brute, []byte(bruteRule), 0o644)
	os.WriteFile(single, []byte(singleFailRule), 0o644)
	base := []string{"scan", root, "--since", "2024-03-01", "--until", "2024-03-01", "--rule", brute, "--rule", single, "--format", "jsonl"}
	for _, extra := range [][]string{{"--state", filepath.Join(t.TempDir(), "state.json")}, {"--shard", "0/2"}} {
		code, out, errOut := cli(t, append(append([]string(nil), base...), extra...)...)
		if code != exitUsage || !strings.Contains(errOut, "console_brute_force") || !strings.Contains(errOut, "candidates table") || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr:\n%s\nwant exit 2 naming console_brute_force", extra, code, out, errOut)
		}
		code, out, errOut = cli(t, append(append(append([]string(nil), base...), extra...), "--skip-unsupported")...)
		if code != 0 || !strings.Contains(errOut, "console_brute_force") || strings.Contains(out, `"detection"`) {
			t.Errorf("%v --skip-unsupported: exit %d, stderr:\n%s", extra, code, errOut)
		}
		if extra[0] == "--state" && len(jsonlHits(t, out)) != 9 {
			t.Errorf("%v --skip-unsupported: %d hits, want the 9 of the single-event rule", extra, len(jsonlHits(t, out)))
		}
	}
}

func regexpMatch(pattern, s string) bool { return regexp.MustCompile(pattern).MatchString(s) }

// TestExplainMultiEventRule: explain with a multi-event rule says
// whether the record is a candidate of each event variable instead of
// evaluating the rule as a single-event one: record 0 of the second
// object (a failed login) is, record 2 (a success) is not.
func TestExplainMultiEventRule(t *testing.T) {
	root, _, second := bruteArchive(t)
	brute := filepath.Join(t.TempDir(), "brute.yaral")
	os.WriteFile(brute, []byte(bruteRule), 0o644)
	for rec, want := range map[string]string{"0": "$e: candidate", "2": "$e: NOT a candidate"} {
		code, out, errOut := cli(t, "explain", "--rule", brute, filepath.Join(root, filepath.FromSlash(second)), "--record", rec)
		if code != exitOK || !strings.Contains(out, "multi-event rule (match:)") || !strings.Contains(out, want) {
			t.Errorf("record %s: exit %d, want %q:\n%s%s", rec, code, want, out, errOut)
		}
	}
}

// TestLintMultiEventRule: `rules lint` lints a multi-event rule: a
// clean one has no findings; in one whose $e compares metadata.event_type
// with a value the mapping never derives, the comparison is flagged at
// its position and $e is named as never having an event, while $f is
// not flagged.
func TestLintMultiEventRule(t *testing.T) {
	dir := t.TempDir()
	bad, good := filepath.Join(dir, "bad.yaral"), filepath.Join(dir, "brute.yaral")
	os.WriteFile(bad, []byte(`rule lintme {
  events:
    $e.metadata.event_type = "USER_LOGN"
    $e.principal.ip = $ip
    $f.metadata.product_event_type = "ConsoleLogin"
    $f.principal.ip = $ip
  match:
    $ip over 10m
  condition:
    $e or $f
}
`), 0o644)
	os.WriteFile(good, []byte(bruteRule), 0o644)
	code, out, errOut := cli(t, "rules", "lint", good)
	if code != exitOK || !strings.Contains(out, "rule console_brute_force: no findings") {
		t.Errorf("lint brute: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = cli(t, "rules", "lint", bad)
	if code != exitError || !strings.Contains(out, "bad.yaral:3:30: never-true:") || !strings.Contains(out, "bad.yaral:1:1: never-true: event variable $e of rule lintme can never have an event") ||
		strings.Contains(out, "$f of") || strings.Contains(out, "rule lintme can never match") {
		t.Errorf("lint bad: exit %d\n%s%s", code, out, errOut)
	}
}

// TestReportShowsDetections: `retrohunt report` over a file holding
// the 9 hits and the detection of bruteArchive counts 9 hits (the
// detection is no hit) and lists the detection apart, in the text and
// on the HTML page, twice read counted once, numbered as explain
// --detection takes it.
func TestReportShowsDetections(t *testing.T) {
	root, _, _ := bruteArchive(t)
	rdir := t.TempDir()
	brute, single := filepath.Join(rdir, "brute.yaral"), filepath.Join(rdir, "single.yaral")
	os.WriteFile(brute, []byte(bruteRule), 0o644)
	os.WriteFile(single, []byte(singleFailRule), 0o644)
	dir := t.TempDir()
	pq, page := filepath.Join(dir, "hits.parquet"), filepath.Join(dir, "report.html")
	if code, _, errOut := cli(t, "scan", root, "--since", "2024-03-01", "--until", "2024-03-01", "--rule", brute, "--rule", single, "--out", pq, "--quiet"); code != 0 {
		t.Fatalf("scan: exit %d\n%s", code, errOut)
	}
	code, out, errOut := cli(t, "report", pq, pq, "--html", page)
	if code != 0 {
		t.Fatalf("report: exit %d\n%s", code, errOut)
	}
	if !strings.HasPrefix(out, "9 hits from ") || !strings.Contains(out, "\nDETECTIONS (1)\n") ||
		!regexpMatch(`\n\s+1\s+console_brute_force\s+HIGH\s+2024-03-01 10:01 - 10:11\s+\{"ip":"192.0.2.10"\}\s+5\s+no`, out) {
		t.Errorf("report text:\n%s", out)
	}
	html, _ := os.ReadFile(page)
	if !strings.Contains(string(html), "<h2>Detections</h2>") || !strings.Contains(string(html), `<tr><td class="n">1</td><td>console_brute_force</td>`) || !strings.Contains(string(html), `<td>{&#34;ip&#34;:&#34;192.0.2.10&#34;}</td><td class="n">5</td>`) {
		t.Errorf("HTML page lacks the detection:\n%s", html)
	}
}

// TestCandidateDirDefault: without --candidate-dir the candidates
// spill into a new directory in the temp directory ($TMPDIR, here a
// test directory) that is gone after the scan; a given --candidate-dir
// is kept, emptied of run files.
func TestCandidateDirDefault(t *testing.T) {
	root, _, _ := bruteArchive(t)
	brute := filepath.Join(t.TempDir(), "brute.yaral")
	os.WriteFile(brute, []byte(bruteRule), 0o644)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	mine := t.TempDir()
	for _, extra := range [][]string{nil, {"--candidate-dir", mine}} {
		args := append([]string{"scan", root, "--since", "2024-03-01", "--until", "2024-03-01", "--rule", brute, "--format", "jsonl", "--quiet", "--candidate-budget", "100"}, extra...)
		code, out, errOut := cli(t, args...)
		if code != 0 || strings.Count(out, `"row_kind":"detection"`) != 1 {
			t.Fatalf("%v: exit %d, out %s\n%s", extra, code, out, errOut)
		}
		for _, d := range []string{tmp, mine} {
			if ents, _ := os.ReadDir(d); len(ents) != 0 {
				t.Errorf("%v: %s holds %v after the scan", extra, d, ents)
			}
		}
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("--candidate-dir removed: %v", err)
	}
	if code, _, errOut := cli(t, "scan", root, "--rule", brute, "--candidate-budget", "0"); code != exitUsage || !strings.Contains(errOut, "--candidate-budget") {
		t.Errorf("--candidate-budget 0: exit %d\n%s", code, errOut)
	}
}

// TestMultiEventWindowLongerThanRangeWarns: issue 11 item 7. The brute
// force rule's window is 10 minutes; a scan of 10:00 to 10:05 covers
// less, so every window it could find reaches outside the scanned range:
// the scan says so at start, naming the rule and both durations. A scan
// of the whole day does not.
func TestMultiEventWindowLongerThanRangeWarns(t *testing.T) {
	root, _, _ := bruteArchive(t)
	brute := filepath.Join(t.TempDir(), "brute.yaral")
	if err := os.WriteFile(brute, []byte(bruteRule), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := cli(t, "scan", root, "--since", "2024-03-01T10:00:00Z", "--until", "2024-03-01T10:05:00Z", "--rule", brute, "--format", "jsonl")
	if code != exitOK || !strings.Contains(errOut, "console_brute_force") || !strings.Contains(errOut, "window (10m0s) is longer than the scanned range (5m0s)") {
		t.Errorf("exit %d, stderr:\n%s\nwant a warning naming the rule, 10m0s and 5m0s", code, errOut)
	}
	code, _, errOut = cli(t, "scan", root, "--since", "2024-03-01", "--until", "2024-03-01", "--rule", brute, "--format", "jsonl")
	if code != exitOK || strings.Contains(errOut, "longer than the scanned range") {
		t.Errorf("whole day: exit %d, stderr:\n%s\nwant no warning", code, errOut)
	}
}
