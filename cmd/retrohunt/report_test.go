package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/sources/testservers"
)

// knownHits is a small incident: alice and bob on AWS over three days
// (the middle one quiet), carol on Azure with the subscription id in
// both casings, and hit 0 again in the second file.
func knownHits() (a, b []output.Hit) {
	at := func(day, hour, minute int) time.Time { return time.Date(2024, 3, day, hour, minute, 0, 0, time.UTC) }
	alice := "arn:aws:iam::111122223333:user/alice"
	ssm := func(t time.Time, who, ip, result, detail string, index int64) output.Hit {
		return output.Hit{RuleName: "aws_ssm_session_manager", Severity: "HIGH", Technique: "T1021.008", EventTime: t,
			LogType: "AWS_CLOUDTRAIL", AccountID: "111122223333", Region: "eu-west-1", PrincipalUser: who, PrincipalIP: ip,
			EventSource: "ssm.amazonaws.com", EventName: "StartSession", TargetResource: "i-0abc", Result: result, ResultDetail: detail,
			SourceURI: "s3://trail/AWSLogs/111122223333/x.json.gz", RecordIndex: index, Raw: `{"eventName":"StartSession"}`}
	}
	az := func(t time.Time, sub, result string, index int64) output.Hit {
		return output.Hit{RuleName: "azure_run_command", Severity: "HIGH", EventTime: t, LogType: "AZURE_ACTIVITY",
			AccountID: sub, PrincipalUser: "carol@contoso.com", PrincipalIP: "192.0.2.4",
			EventName: "MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION", Result: result,
			SourceURI: "azblob://acct/insights-activity-logs/PT1H.json", RecordIndex: index}
	}
	a = []output.Hit{
		ssm(at(1, 10, 0), alice, "198.51.100.7", "success", "", 0),
		ssm(at(1, 11, 30), alice, "198.51.100.7", "success", "", 1),
		ssm(at(3, 9, 15), "arn:aws:iam::111122223333:user/bob", "203.0.113.9", "failure", "AccessDenied", 2),
		az(at(3, 12, 0), "ABCDEF01-0000-0000-0000-000000000001", "pending", 0),
	}
	b = []output.Hit{
		az(at(3, 12, 30), "abcdef01-0000-0000-0000-000000000001", "success", 1),
		a[0],
	}
	return a, b
}

func writeHits(t *testing.T, path string, hits []output.Hit) {
	t.Helper()
	var buf bytes.Buffer
	w := output.NewParquet(&buf)
	if err := w.Write(append([]output.Hit(nil), hits...)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

const wantReport = `5 hits from 2 file(s), 2024-03-01 10:00 to 2024-03-03 12:30 UTC (1 duplicate hit counted once)

BY RULE
  RULE                     SEVERITY  HITS  SUCCESS  FAILURE  PENDING  PRINCIPALS  FIRST             LAST
  aws_ssm_session_manager  HIGH         3        2        1        0           2  2024-03-01 10:00  2024-03-03 09:15
  azure_run_command        HIGH         2        1        0        1           1  2024-03-03 12:00  2024-03-03 12:30

BY PRINCIPAL
  PRINCIPAL                             HITS  RULES  ACCOUNTS  SOURCE IPS    FIRST             LAST
  arn:aws:iam::111122223333:user/alice     2      1         1  198.51.100.7  2024-03-01 10:00  2024-03-01 11:30
  carol@contoso.com                        2      1         1  192.0.2.4     2024-03-03 12:00  2024-03-03 12:30
  arn:aws:iam::111122223333:user/bob       1      1         1  203.0.113.9   2024-03-03 09:15  2024-03-03 09:15

BY ACCOUNT / SUBSCRIPTION
  ACCOUNT                               LOG TYPE        HITS  RULES  PRINCIPALS  FIRST             LAST
  111122223333                          AWS_CLOUDTRAIL     3      1           2  2024-03-01 10:00  2024-03-03 09:15
  abcdef01-0000-0000-0000-000000000001  AZURE_ACTIVITY     2      1           1  2024-03-03 12:00  2024-03-03 12:30

BY DAY (UTC)
  DAY         HITS  PRINCIPALS  BY RULE
  2024-03-01     2           1  aws_ssm_session_manager 2
  2024-03-03     3           2  aws_ssm_session_manager 1, azure_run_command 2
  (1 day(s) without hits in between not shown)
`

func TestReportTablesFromKnownParquet(t *testing.T) {
	dir := t.TempDir()
	a, b := knownHits()
	writeHits(t, filepath.Join(dir, "a.parquet"), a)
	writeHits(t, filepath.Join(dir, "more", "b.parquet"), b)

	code, out, errOut := cli(t, "report", filepath.Join(dir, "a.parquet"), filepath.Join(dir, "more", "b.parquet"))
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if out != wantReport {
		t.Errorf("report:\n%s\nwant:\n%s", out, wantReport)
	}
	// A directory is every .parquet file under it; a file:// URI is a path.
	code, out2, _ := cli(t, "report", "file://"+filepath.ToSlash(dir))
	if code != exitOK || out2 != wantReport {
		t.Errorf("report of the directory: exit %d\n%s", code, out2)
	}
	// --top cuts the principal and account tables.
	code, out3, _ := cli(t, "report", dir, "--top", "1")
	if code != exitOK || !strings.Contains(out3, "  (2 more principals; --top 0 shows all)\n") || strings.Contains(out3, "user/bob ") {
		t.Errorf("--top 1:\n%s", out3)
	}
}

func TestReportEmptyAndBadInput(t *testing.T) {
	dir := t.TempDir()
	writeHits(t, filepath.Join(dir, "none.parquet"), nil)
	code, out, _ := cli(t, "report", filepath.Join(dir, "none.parquet"))
	if code != exitOK || out != "0 hits from 1 file(s)\n" {
		t.Errorf("empty file: exit %d %q", code, out)
	}
	html := filepath.Join(dir, "empty.html")
	if code, _, errOut := cli(t, "report", filepath.Join(dir, "none.parquet"), "--html", html); code != exitOK {
		t.Errorf("empty --html: exit %d %s", code, errOut)
	}
	if b, _ := os.ReadFile(html); !bytes.Contains(b, []byte("No hits.")) {
		t.Errorf("empty report page lacks its note")
	}
	bad := filepath.Join(dir, "bad.parquet")
	os.WriteFile(bad, []byte("PAR1 not really"), 0o644)
	f := func(wantCode int, wantErr string, args ...string) {
		t.Helper()
		code, out, errOut := cli(t, args...)
		if code != wantCode || !strings.Contains(errOut, wantErr) || out != "" {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", args, code, errOut, wantCode, wantErr)
		}
	}
	f(exitError, "bad.parquet: not a Parquet file", "report", bad)
	f(exitUsage, "no hit file given", "report")
	f(exitUsage, "no .parquet file in", "report", t.TempDir())
	f(exitUsage, "no such file", "report", filepath.Join(dir, "missing.parquet"))
}

// report reads hit files from object storage: every *.parquet under the
// prefix, from versitygw and from Azurite.
func TestReportFromObjectStorage(t *testing.T) {
	dir := t.TempDir()
	a, b := knownHits()
	writeHits(t, filepath.Join(dir, "findings", "2024-03", "a.parquet"), a)
	writeHits(t, filepath.Join(dir, "findings", "2024-03", "b.parquet"), b)
	os.WriteFile(filepath.Join(dir, "findings", "2024-03", "README.txt"), []byte("not hits"), 0o644)

	s3srv := testservers.SharedS3(t)
	bucket := s3srv.NewBucket(t)
	s3srv.UploadDir(t, bucket, dir)
	t.Setenv("AWS_ACCESS_KEY_ID", s3srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", s3srv.SecretKey)
	t.Setenv("AWS_REGION", s3srv.Region)
	code, out, errOut := cli(t, "report", "s3://"+bucket+"/findings/", "--endpoint", s3srv.Endpoint, "--path-style")
	if code != exitOK || out != wantReport {
		t.Errorf("s3: exit %d %s\n%s", code, errOut, out)
	}
	code, _, errOut = cli(t, "report", "s3://"+bucket+"/nothing-here/", "--endpoint", s3srv.Endpoint, "--path-style")
	if code != exitUsage || !strings.Contains(errOut, "no .parquet object under s3://"+bucket+"/nothing-here/") {
		t.Errorf("empty prefix: exit %d %q", code, errOut)
	}

	az := testservers.SharedAzurite(t)
	container := az.NewContainer(t)
	az.UploadDir(t, container, dir)
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", az.ConnectionString())
	code, out, errOut = cli(t, "report", "azblob://"+az.Account+"/"+container+"/findings/2024-03/", "--endpoint", az.ServiceURL)
	if code != exitOK || out != wantReport {
		t.Errorf("azure: exit %d %s\n%s", code, errOut, out)
	}
}
