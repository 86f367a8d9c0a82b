package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/sources/testservers"
)

// hostileText holds what a terminal acts on: ESC sequences (erase line,
// set title), BEL, CR, LF, the C1 CSI, a bidi override and an isolate.
// "FAKE" follows the LF: printed raw, it would start a line of its own.
const hostileText = "\x1b[2K\x1b]0;pwn\x07\rX\nFAKE\u009b31m\u202eevil\u2066"

// noRawControls fails when out holds any of hostileText's controls raw,
// or a line the hostile LF started.
func noRawControls(t *testing.T, what, out string) {
	t.Helper()
	for _, c := range []string{"\x1b", "\x07", "\r", "\u009b", "\u202e", "\u2066"} {
		if strings.Contains(out, c) {
			t.Errorf("%s holds %q raw:\n%q", what, c, out)
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "FAKE") {
			t.Errorf("%s: the record's LF started a line: %q", what, l)
		}
	}
}

// Issue 15 item 9: record fields reach the hits table (stdout) and the
// summary's top principals (stderr) escaped.
func TestTerminalTableAndSummary(t *testing.T) {
	root := t.TempDir()
	rec := sample(t, "aws_ssm_StartSession__stratus.json")
	rec["userIdentity"].(map[string]any)["arn"] = "arn:aws:iam::111122223333:user/" + hostileText
	rec["sourceIPAddress"] = hostileText
	rec["awsRegion"] = hostileText
	rec["recipientAccountId"] = hostileText
	rec["requestParameters"] = map[string]any{"target": hostileText}
	put(t, root, "a.json", mustJSON(map[string]any{"Records": []any{rec}}))
	code, out, errOut := cli(t, "scan", root, "--format", "table")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if !strings.Contains(out, "aws_ssm_session_manager") || !strings.Contains(errOut, "TOP PRINCIPALS") {
		t.Fatalf("no hit:\n%s\n%s", out, errOut)
	}
	noRawControls(t, "table", out)
	noRawControls(t, "summary", errOut)
}

// Object keys are the attacker's too: the summary's failed and skipped
// lines and the nothing-scanned warning name them escaped. A local
// path's URI is percent-escaped, an S3 key's is not, so this runs on S3.
func TestTerminalObjectKeys(t *testing.T) {
	s3srv := testservers.SharedS3(t)
	bucket := s3srv.NewBucket(t)
	dir := t.TempDir()
	rec := mustJSON(sample(t, "aws_ssm_StartSession__stratus.json"))
	deep := []byte(`{"a":{"b":{"c":{"d":{"e":{}}}}}}`)
	put(t, dir, "k/failed"+hostileText+".json", []byte(`{"Records":[`+string(rec)))
	// A key with CR or LF cannot be downloaded from versitygw (it fails
	// with 404, which names the key too); the skipped object's key holds
	// the other controls, so that it is read and its record skipped.
	put(t, dir, "k/skipped\u202eevil\u2066.json", []byte(`{"Records":[`+string(deep)+`,`+string(rec)+`]}`))
	s3srv.UploadDir(t, bucket, dir)
	t.Setenv("AWS_ACCESS_KEY_ID", s3srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", s3srv.SecretKey)
	t.Setenv("AWS_REGION", s3srv.Region)
	code, _, errOut := cli(t, "scan", "s3://"+bucket+"/k/", "--endpoint", s3srv.Endpoint, "--path-style", "--format", "jsonl", "--max-depth", "3")
	if code != exitPartial {
		t.Fatalf("exit %d, want %d\n%s", code, exitPartial, errOut)
	}
	if !strings.Contains(errOut, "  failed: ") || !strings.Contains(errOut, "  skipped: ") {
		t.Fatalf("no failed and skipped lines:\n%s", errOut)
	}
	noRawControls(t, "summary", errOut)

	code, _, errOut = cli(t, "scan", "s3://"+bucket+"/"+hostileText+"/", "--endpoint", s3srv.Endpoint, "--path-style", "--format", "jsonl")
	if code != exitOK || !strings.Contains(errOut, "nothing was scanned") {
		t.Fatalf("exit %d, no warning:\n%s", code, errOut)
	}
	noRawControls(t, "warning", errOut)
}

// Warnings printed during a scan (listing failures and open append blobs
// name URIs) go through one function that escapes them.
func TestTerminalWarnings(t *testing.T) {
	var b strings.Builder
	warnTo(&b)("listing s3://b/" + hostileText + " failed")
	noRawControls(t, "warning", b.String())
	if !strings.HasSuffix(b.String(), " failed\n") || strings.Count(b.String(), "\n") != 1 {
		t.Fatalf("warning %q: want one line", b.String())
	}
}

// An error that names an attacker's key reaches stderr escaped.
func TestTerminalErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	code, _, errOut := cli(t, "scan", t.TempDir(), "--out", filepath.Join(file, hostileText))
	if code != exitError {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	noRawControls(t, "error", errOut)
}

// A lint finding quotes the rule's text (its fix line quoted a regex
// raw).
func TestTerminalRulesLint(t *testing.T) {
	path := filepath.Join(t.TempDir(), "evil.yaral")
	rule := "rule evil_rule {\n meta:\n  severity = \"HIGH\"\n events:\n  $e.metadata.log_type = \"AZURE_ACTIVITY\"\n" +
		"  re.regex($e.target.resource.name, `VIRTUALMACHINES/RUNCOMMAND/ACTION\x1bc\x07\u009b\u202e\rFAKE`)\n condition:\n  $e\n}\n"
	os.WriteFile(path, []byte(rule), 0o644)
	code, out, errOut := cli(t, "rules", "lint", path)
	if code != exitError || !strings.Contains(out, "fix:") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	noRawControls(t, "rules lint", out+errOut)
	code, _, errOut = cli(t, "scan", t.TempDir(), "--rule", path, "--format", "jsonl")
	if code != exitOK || !strings.Contains(errOut, "warning: rule evil_rule") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	noRawControls(t, "scan's lint warnings", errOut)
}

// explain prints a record's values and its URI.
func TestTerminalExplain(t *testing.T) {
	dir := t.TempDir()
	rec := sample(t, "aws_ssm_StartSession__stratus.json")
	rec["userIdentity"].(map[string]any)["arn"] = hostileText
	rec["userAgent"] = hostileText
	path := filepath.Join(dir, "rec.json")
	os.WriteFile(path, mustJSON(rec), 0o644)
	code, out, errOut := cli(t, "explain", "--rule", "aws_ssm_session_manager", path)
	if code != exitOK || !strings.Contains(out, "verdict:") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	noRawControls(t, "explain", out+errOut)
}

// report's text tables show hits' fields.
func TestTerminalReport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hits.parquet")
	h := output.Hit{RuleName: "aws_ssm_session_manager" + hostileText, EventTime: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC),
		LogType: "AWS_CLOUDTRAIL", AccountID: hostileText, PrincipalUser: hostileText, PrincipalIP: hostileText,
		EventName: hostileText, Result: hostileText, ResultDetail: hostileText, SourceURI: "s3://b/" + hostileText}
	writeHits(t, path, []output.Hit{h})
	code, out, errOut := cli(t, "report", path)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	noRawControls(t, "report", out+errOut)
}
