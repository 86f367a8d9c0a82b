package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/retrohunt/retrohunt/output"
)

func sample(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../../testdata/samples", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func at(rec map[string]any, field, when string) map[string]any {
	c := map[string]any{}
	for k, v := range rec {
		c[k] = v
	}
	c[field] = when
	return c
}

func put(t *testing.T, root, key string, body []byte) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, body, 0o644); err != nil {
		t.Fatal(err)
	}
}

func gz(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// archive builds a small tree in both layouts: the records that should hit
// are inside 2024-01-15; objects outside the window are corrupt on
// purpose, so a scan that opened them instead of pruning them would fail.
func archive(t *testing.T) string {
	root := t.TempDir()
	send := at(sample(t, "aws_ssm_SendCommand__stratus.json"), "eventTime", "2024-01-15T10:01:00Z")
	noise := at(sample(t, "aws_ssm_DescribeInstanceInformation__stratus.json"), "eventTime", "2024-01-15T10:02:00Z")
	early := at(sample(t, "aws_ssm_StartSession__stratus.json"), "eventTime", "2024-01-14T23:50:00Z") // in the key's margin, outside the window
	ct := mustJSON(map[string]any{"Records": []any{noise, send, early}})
	put(t, root, "AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/15/111122223333_CloudTrail_us-east-1_20240115T1005Z_a1b2c3d4e5f6a7b8.json.gz", gz(t, ct))
	put(t, root, "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01/111122223333_CloudTrail_us-east-1_20240301T1005Z_a1b2c3d4e5f6a7b8.json.gz", []byte("\x1f\x8bcorrupt"))
	put(t, root, "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/01/15/111122223333_CloudTrail-Digest_us-east-1_20240115T1005Z.json.gz", []byte("\x1f\x8bcorrupt"))
	// An organization trail, plain JSON (not gzip).
	eic := at(sample(t, "aws_ec2-instance-connect_SendSSHPublicKey__stratus.json"), "eventTime", "2024-01-15T12:00:00Z")
	put(t, root, "AWSLogs/o-abcdefghij/444455556666/CloudTrail/eu-west-1/2024/01/15/444455556666_CloudTrail_eu-west-1_20240115T1200Z_0000000000000000.json", mustJSON(map[string]any{"Records": []any{eic}}))
	// Azure: JSON Lines in one hour, the legacy envelope in another.
	run := at(sample(t, "azure_RUNCOMMAND_ACTION__SYNTH_export.json"), "time", "2024-01-15T10:20:00.1234567Z")
	web := at(sample(t, "azure_WEB_sites_start_action__elastic_export_mixedcase.json"), "time", "2024-01-15T10:21:00.0000000Z")
	lines := append(append(append(mustJSON(web), '\n'), mustJSON(run)...), '\n')
	sub := "resourceId=/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000001"
	put(t, root, "insights-activity-logs/"+sub+"/y=2024/m=01/d=15/h=10/m=00/PT1H.json", lines)
	serial := at(sample(t, "azure_SERIALCONSOLE_SERIALPORTS_CONNECT_ACTION__limacharlie_export.json"), "time", "2024-01-15T11:05:00.0000000Z")
	put(t, root, "insights-activity-logs/"+sub+"/y=2024/m=01/d=15/h=11/m=00/PT1H.json", gz(t, mustJSON(map[string]any{"records": []any{serial}})))
	put(t, root, "insights-activity-logs/"+sub+"/y=2024/m=02/d=01/h=00/m=00/PT1H.json", []byte("{broken"))
	return root
}

func TestArchiveScanPrunesAndReadsBothLayouts(t *testing.T) {
	root := archive(t)
	out := filepath.Join(t.TempDir(), "hits.parquet")
	sumPath := filepath.Join(t.TempDir(), "summary.json")
	code, _, errOut := cli(t, "scan", root, "--since", "2024-01-15", "--until", "2024-01-15", "--out", out, "--summary-json", sumPath)
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	var sum struct {
		ObjectsListed, ObjectsPruned, ObjectsSibling, ObjectsScanned, ObjectsFailed, RecordsOutOfWindow, Hits int64
	}
	b, _ := os.ReadFile(sumPath)
	var raw map[string]any
	json.Unmarshal(b, &raw)
	sum.ObjectsPruned = int64(raw["objects_pruned"].(float64))
	sum.ObjectsScanned = int64(raw["objects_scanned"].(float64))
	sum.ObjectsFailed = int64(raw["objects_failed"].(float64))
	sum.RecordsOutOfWindow = int64(raw["records_out_of_window"].(float64))
	sum.Hits = int64(raw["hits"].(float64))
	// The March CloudTrail day and the February Azure day are never
	// listed (day folders are enumerated from the window); the digest
	// folder is skipped by name.
	if sum.ObjectsScanned != 4 || sum.ObjectsFailed != 0 || sum.Hits != 4 || sum.RecordsOutOfWindow != 1 {
		t.Errorf("summary %+v\n%s", sum, b)
	}

	hits, err := parquet.ReadFile[output.Hit](out)
	if err != nil {
		t.Fatalf("read back %s: %v", out, err)
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].EventTime.Before(hits[j].EventTime) })
	var names []string
	for _, h := range hits {
		names = append(names, h.RuleName+"/"+h.EventName)
	}
	want := "aws_ssm_run_command/SendCommand,azure_run_command/MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION,azure_serial_console_connect/MICROSOFT.SERIALCONSOLE/SERIALPORTS/CONNECT/ACTION,aws_ec2_instance_connect/SendSSHPublicKey"
	if strings.Join(names, ",") != want {
		t.Fatalf("hits %v\nwant %s", names, want)
	}
	// Every column of one hit, read back from Parquet.
	h := hits[0]
	wantHit := output.Hit{
		RuleName: "aws_ssm_run_command", RuleVersion: "1.0", Severity: "HIGH", Technique: "T1021.008",
		EventTime: time.Date(2024, 1, 15, 10, 1, 0, 0, time.UTC), LogType: "AWS_CLOUDTRAIL",
		AccountID: "056392974792", Region: "sagov-westsouth-1r",
		PrincipalUser: "arn:aws:iam::056392974792:user/christophe", PrincipalIP: "253.252.51.07",
		UserAgent: "stratus-red-team_ea782787-a65d-4fc4-9fca-1c97869a9a25", EventSource: "ssm.amazonaws.com",
		EventName: "SendCommand", TargetResource: "i-00456A8D163f546Ff,i-cfE23b1a7ceba6f86,i-9D40CCFc0aE91CFa5",
		Result: "success", ResultDetail: "", EventID: "5288bfb8-e3fa-4c41-be02-6853521afe8b",
		SourceURI:   "file://" + filepath.ToSlash(root) + "/AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/15/111122223333_CloudTrail_us-east-1_20240115T1005Z_a1b2c3d4e5f6a7b8.json.gz",
		RecordIndex: 1, Tactic: "Lateral Movement",
	}
	rawRec := h.Raw
	h.Raw = ""
	h.EventTime = h.EventTime.UTC()
	if h != wantHit {
		t.Errorf("hit read back:\n got %+v\nwant %+v", h, wantHit)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(rawRec), &rec); err != nil || rec["eventName"] != "SendCommand" {
		t.Errorf("raw column is not the record: %v %q", err, rawRec)
	}
	// Azure: the JSON Lines index is the line number, the result is carried.
	az := hits[1]
	if az.RecordIndex != 1 || az.Result != "success" || az.ResultDetail != "Success" || az.AccountID != "00000000-0000-0000-0000-000000000001" || az.EventSource != "MICROSOFT.COMPUTE" {
		t.Errorf("azure hit %+v", az)
	}
	if info, err := os.Stat(out); err != nil || info.Mode().Perm() != 0o640 {
		t.Errorf("output mode %v, %v", info.Mode(), err)
	}
}

func TestArchiveWithoutWindowReportsDamage(t *testing.T) {
	root := archive(t)
	code, _, errOut := cli(t, "scan", root, "--format", "jsonl")
	if code != exitPartial {
		t.Fatalf("exit %d, want %d (partial); stderr:\n%s", code, exitPartial, errOut)
	}
	for _, want := range []string{"PARTIAL", "2024/03/01", "corrupt gzip", "y=2024/m=02/d=01", "truncated JSON"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

func TestPartialLastLine(t *testing.T) {
	root := t.TempDir()
	run := mustJSON(sample(t, "azure_RUNCOMMAND_ACTION__SYNTH_export.json"))
	body := append(append(run, '\n'), run[:40]...)
	now := time.Now().UTC()
	open := "insights-activity-logs/resourceId=/SUBSCRIPTIONS/S1/" + now.Format("y=2006/m=01/d=02/h=15") + "/m=00/PT1H.json"
	put(t, root, open, body)
	code, out, errOut := cli(t, "scan", root, "--format", "jsonl")
	if code != exitOK || len(jsonlHits(t, out)) != 1 || !strings.Contains(errOut, "open append blob") {
		t.Fatalf("open hour: exit %d, stderr:\n%s", code, errOut)
	}
	closed := "insights-activity-logs/resourceId=/SUBSCRIPTIONS/S1/y=2024/m=01/d=15/h=10/m=00/PT1H.json"
	put(t, root, closed, body)
	code, _, errOut = cli(t, "scan", root, "--format", "jsonl")
	if code != exitPartial || !strings.Contains(errOut, "incomplete in a closed hour") {
		t.Fatalf("closed hour: exit %d, stderr:\n%s", code, errOut)
	}
}
