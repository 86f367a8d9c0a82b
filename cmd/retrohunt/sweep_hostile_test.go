package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/output/lake"
)

// TestLakeLongAccountID is issue 15's item 6: a record whose
// recipientAccountId is 300 characters (an attacker writes the record)
// partitions its hit by account. The lake's folder for it stays a short
// name, the run completes, every part with hits is in the manifest, and
// the next run with the same --state completes too.
func TestLakeLongAccountID(t *testing.T) {
	root := t.TempDir()
	long := strings.Repeat("9", 300)
	rec := at(sample(t, "aws_ssm_StartSession__stratus.json"), "eventTime", "2024-01-15T10:00:00Z")
	rec["recipientAccountId"] = long
	rec["eventID"] = "00000000-0000-0000-0000-000000000001"
	other := at(sample(t, "aws_ssm_StartSession__stratus.json"), "eventTime", "2024-01-15T10:01:00Z")
	put(t, root, "AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/15/111122223333_CloudTrail_us-east-1_20240115T1005Z_a1b2c3d4e5f6a7b8.json.gz",
		gz(t, mustJSON(map[string]any{"Records": []any{rec, other}})))
	want := cleanIDs(t, root)
	if len(want) != 2 {
		t.Fatalf("a plain run finds %d hits, want the 2 planted", len(want))
	}
	work := t.TempDir()
	out, st := filepath.Join(work, "lake")+"/", filepath.Join(work, "sweep.state")
	for run := 1; run <= 2; run++ {
		code, _, errOut := cli(t, "scan", root, "--state", st, "--out", out, "--partition-by", "account,date", "--quiet")
		if code != exitOK {
			t.Fatalf("run %d: exit %d\n%s", run, code, errOut)
		}
	}
	if got := lakeIDs(t, out); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the lake holds %v, a plain run %v", got, want)
	}
	err := filepath.Walk(out, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if n := len(info.Name()); n > lake.MaxSegment && strings.Contains(info.Name(), "=") {
			t.Errorf("path segment of %d bytes (max %d): %s", n, lake.MaxSegment, info.Name())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	runs, _ := filepath.Glob(filepath.Join(out, "_manifest", "*.json"))
	if len(runs) != 2 {
		t.Errorf("manifests %v, want one per run", runs)
	}
}
