package main

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/sources/testservers"
)

const samples = "../../testdata/samples/"

// wantLines checks that every line of want appears in out, in order.
func wantLines(t *testing.T, out string, want ...string) {
	t.Helper()
	rest := out
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Errorf("output lacks (in order) %q", w)
			continue
		}
		rest = rest[i+len(w):]
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}

func TestExplainMatchingSample(t *testing.T) {
	code, out, errOut := cli(t, "explain", "--rule", "aws_ssm_session_manager", samples+"aws_ssm_StartSession__stratus.json")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	wantLines(t, out,
		"record    file://",
		"aws_ssm_StartSession__stratus.json record 0\n",
		"log type  AWS_CLOUDTRAIL\n",
		"UDM view: field, values ← the raw path they came from\n",
		// In udm.Table order, with each value's origin.
		`  metadata.vendor_name                                             "AMAZON"  ← constant`,
		`  metadata.product_event_type                                      "StartSession"  ← eventName`,
		`  metadata.event_type                                              "USER_RESOURCE_ACCESS"  ← eventName`,
		`  principal.user.userid                                            "arn:aws:iam::294599468799:user/christophe"  ← userIdentity.arn`,
		`  principal.ip                                                     "254.222.242.236"  ← sourceIPAddress`,
		`  security_result.action                                           "ALLOW"  ← errorCode (absent)`,
		"  not in this record: principal.user.attribute.labels[\"mfaAuthenticated\"], principal.hostname, target.resource.product_object_id, principal.user.email_addresses, target.user.userid, target.resource.attribute.labels[\"sessionCredentialFromConsole\"], security_result.summary, security_result.description\n",
		"rule aws_ssm_session_manager (builtin:pack/aws_ssm_session_manager.yaral)\n",
		"  RESULT AT       CLAUSE  ← VALUES COMPARED\n",
		"  true   16:5     and\n",
		`  true   16:5       $e.metadata.vendor_name = "AMAZON"  ← "AMAZON"`,
		`  true   19:5       $e.metadata.product_event_type in nocase ("StartSession", "ResumeSession", "TerminateSession")  ← "StartSession"`,
		"verdict: MATCH: aws_ssm_session_manager fires on this record\n",
	)
	if strings.Contains(out, "dead") || strings.Contains(out, "lint (") {
		t.Errorf("a clean rule shows dead clauses or lint findings")
	}
}

func TestExplainNonMatchingSample(t *testing.T) {
	code, out, _ := cli(t, "explain", "--rule", "aws_ssm_session_manager", samples+"aws_ssm_DescribeInstanceInformation__stratus.json")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	wantLines(t, out,
		`"DescribeInstanceInformation"  ← eventName`,
		"  false  16:5     and\n",
		`  true   18:5       $e.target.application = "ssm.amazonaws.com" nocase  ← "ssm.amazonaws.com"`,
		`  false  19:5       $e.metadata.product_event_type in nocase ("StartSession", "ResumeSession", "TerminateSession")  ← "DescribeInstanceInformation"`,
		"verdict: NO MATCH: aws_ssm_session_manager does not fire on this record; false at 19:5\n",
	)
}

// The seed rule, verbatim, on the records it was written for: the tree
// shows why neither matches, and which branches can never be true.
func TestExplainSeedRuleShowsDeadBranches(t *testing.T) {
	code, out, _ := cli(t, "explain", "--rule", "direct_cloud_vm_connection_t1021_008", samples+"azure_RUNCOMMAND_ACTION__SYNTH_export.json")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, out)
	}
	wantLines(t, out,
		"log type  AZURE_ACTIVITY\n",
		`  metadata.product_event_type       "MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION"  ← operationName`,
		`  target.resource.name              "/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000001/RESOURCEGROUPS/RG-4X3TJ2HB/PROVIDERS/MICROSOFT.COMPUTE/VIRTUALMACHINES/VM-4X3TJ2HB"  ← resourceId`,
		"rule direct_cloud_vm_connection_t1021_008 (builtin:named/direct_cloud_vm_connection_t1021_008.yaral)\n",
		"  false  12:1     and   [dead: never true for any record]\n",
		`  true   12:1       $e.metadata.event_type = "USER_RESOURCE_ACCESS"  ← "USER_RESOURCE_ACCESS"`,
		`  true   13:1       $e.principal.user.userid != ""  ← "you@domain.tld"`,
		"  false  16:1       or   [dead: never true for any record]\n",
		"  false  16:1         and   [dead: never true for any record]\n",
		`  false  16:1           $e.metadata.vendor_name = "Amazon Web Services"  ← "Microsoft"   [dead: never true for any record, lint 16:27]`,
		"  false  34:1         and   [dead: never true for any record]\n",
		`  true   34:1           $e.metadata.vendor_name = "Microsoft"  ← "Microsoft"`,
		`  true   35:5           $e.metadata.product_name = "Azure Activity"  ← "Azure Activity"`,
		"  false  37:1           or   [dead: never true for any record]\n",
		"  false  37:1             re.regex($e.target.resource.name, `(?i)VIRTUALMACHINES/RUNCOMMAND/ACTION`)  ← \"/SUBSCRIPTIONS/",
		"[dead: never true for any record, lint 37:1]\n",
		"[dead: never true for any record, lint 38:4]\n",
		"[dead: never true for any record, lint 39:4]\n",
		"verdict: NO MATCH: direct_cloud_vm_connection_t1021_008 does not fire on this record; false at 16:1\n",
		"         the rule can never match any record: every branch holds a dead clause (lint below)\n",
		"lint (8):\n",
		`:16:27: never-true: never true: metadata.vendor_name is "AMAZON"`,
		`      fix: $e.metadata.vendor_name = "AMAZON"`,
		`:38:38: warning: SERIALCONSOLE/CONSOLESERVICES/ACCESS is not an Azure operation`,
		`:1:1: never-true: rule direct_cloud_vm_connection_t1021_008 can never match`,
	)
	// Live clauses carry no mark: only what lint proves dead is dead.
	if regexp.MustCompile(`(?m)^  true .*\[dead`).MatchString(out) {
		t.Errorf("a true clause is marked dead")
	}
}

// A hit names its record by source_uri and record_index; explain must
// find exactly that record again, in a multi-record gzip object, and
// through a file:// URI whose path needs escaping.
func TestExplainRecordOfAHit(t *testing.T) {
	root := filepath.Join(archive(t), "with space")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	base := filepath.Dir(root)
	code, out, errOut := cli(t, "scan", base, "--since", "2024-01-15", "--until", "2024-01-15", "--format", "jsonl", "--quiet", "--rule", "aws_ssm_run_command")
	if code != exitOK {
		t.Fatalf("scan: exit %d\n%s", code, errOut)
	}
	hits := jsonlHits(t, out)
	if len(hits) != 1 {
		t.Fatalf("want 1 SendCommand hit, got %d", len(hits))
	}
	uri, index := hits[0]["source_uri"].(string), int(hits[0]["record_index"].(float64))
	if index != 1 || !strings.HasSuffix(uri, ".json.gz") {
		t.Fatalf("hit at %s record %d; the archive has SendCommand second in a gzip envelope", uri, index)
	}
	code, out, errOut = cli(t, "explain", "--rule", "aws_ssm_run_command", uri, "--record", fmt.Sprint(index))
	if code != exitOK {
		t.Fatalf("explain: exit %d\n%s", code, errOut)
	}
	wantLines(t, out, "record    "+uri+" record 1\n", `"SendCommand"  ← eventName`, "verdict: MATCH: aws_ssm_run_command fires on this record\n")

	// The same object, copied under a name that needs escaping.
	src, _ := url.Parse(uri)
	body, err := os.ReadFile(src.Path)
	if err != nil {
		t.Fatal(err)
	}
	odd := filepath.Join(root, "trail #1.json.gz")
	if err := os.WriteFile(odd, body, 0o644); err != nil {
		t.Fatal(err)
	}
	oddURI := (&url.URL{Scheme: "file", Path: filepath.ToSlash(odd)}).String()
	if !strings.Contains(oddURI, "%20") {
		t.Fatalf("BUG: %s is not escaped", oddURI)
	}
	code, out, errOut = cli(t, "explain", "--rule", "aws_ssm_run_command", oddURI, "--record", "1")
	if code != exitOK || !strings.Contains(out, "verdict: MATCH") {
		t.Errorf("explain %s: exit %d\n%s%s", oddURI, code, errOut, out)
	}
	code, out, _ = cli(t, "explain", "--rule", "aws_ssm_run_command", odd, "--record", "0")
	if code != exitOK || !strings.Contains(out, `"DescribeInstanceInformation"`) || !strings.Contains(out, "verdict: NO MATCH") {
		t.Errorf("record 0 of the local path: exit %d\n%s", code, out)
	}
}

func TestExplainUsageErrors(t *testing.T) {
	gzObj := filepath.Join(t.TempDir(), "two.json")
	os.WriteFile(gzObj, mustJSON(map[string]any{"Records": []any{sample(t, "aws_ssm_SendCommand__stratus.json"), sample(t, "aws_ssm_StartSession__stratus.json")}}), 0o644)
	f := func(wantCode int, wantErr string, args ...string) {
		t.Helper()
		code, out, errOut := cli(t, args...)
		if code != wantCode || !strings.Contains(errOut, wantErr) || out != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want exit %d and %q", args, code, errOut, out, wantCode, wantErr)
		}
	}
	f(exitUsage, "want exactly one RECORD", "explain", "--rule", "aws_ssm_run_command")
	f(exitUsage, "holds more than one record: choose one with --record N", "explain", gzObj)
	f(exitUsage, "has no record 5: it holds 2 (indexes 0 to 1)", "explain", gzObj, "--record", "5")
	f(exitUsage, `rule "no_such_rule"`, "explain", "--rule", "no_such_rule", gzObj)
	f(exitUsage, "cannot open archive", "explain", filepath.Join(t.TempDir(), "missing.json"))
	f(exitUsage, "is a folder, not one object", "explain", "--record", "0", t.TempDir())
	notRecord := filepath.Join(t.TempDir(), "x.json")
	os.WriteFile(notRecord, []byte(`{"hello":"world"}`), 0o644)
	f(exitError, "cannot map to UDM: record is neither CloudTrail nor Azure Activity", "explain", notRecord)
	code, out, _ := cli(t, "explain", "--rule", "aws_ssm_run_command", gzObj, "--record", "0")
	if code != exitOK || !strings.Contains(out, "verdict: MATCH") {
		t.Errorf("--record 0 of two: exit %d\n%s", code, out)
	}
}

// explain reads a hit's s3:// source_uri from a real S3 server.
func TestExplainFromS3(t *testing.T) {
	srv := testservers.SharedS3(t)
	bucket := srv.NewBucket(t)
	root := archive(t)
	srv.UploadDir(t, bucket, root)
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	t.Setenv("AWS_REGION", srv.Region)
	key := "AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/15/111122223333_CloudTrail_us-east-1_20240115T1005Z_a1b2c3d4e5f6a7b8.json.gz"
	code, out, errOut := cli(t, "explain", "--rule", "aws_ssm_run_command", "s3://"+bucket+"/"+key, "--record", "1",
		"--endpoint", srv.Endpoint, "--path-style")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	wantLines(t, out, "record    s3://"+bucket+"/"+key+" record 1\n", "verdict: MATCH: aws_ssm_run_command fires on this record\n")
	code, _, errOut = cli(t, "explain", "s3://"+bucket+"/"+key+".missing", "--record", "1", "--endpoint", srv.Endpoint, "--path-style")
	if code != exitUsage || !strings.Contains(errOut, "no object s3://"+bucket+"/"+key+".missing") {
		t.Errorf("missing object: exit %d, %q", code, errOut)
	}
}
