package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIssue12StrayFilesNamed (issue 12, item 6; docs/failure-modes.md
// said a stray file beside the layout folders was neither listed nor
// counted): notes.txt next to AWSLogs/ is counted and named, and the
// run stays complete (a file that is not a log is not partial
// coverage); a stray x.json.gz inside AWSLogs/<acct>/CloudTrail/ is a
// log not scanned: counted, named with how to scan it, exit 3. Names
// are escaped on stderr.
func TestIssue12StrayFilesNamed(t *testing.T) {
	root := t.TempDir()
	send := at(sample(t, "aws_ssm_SendCommand__stratus.json"), "eventTime", "2024-01-15T10:01:00Z")
	put(t, root, "AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/15/111122223333_CloudTrail_us-east-1_20240115T1005Z_a1b2c3d4e5f6a7b8.json.gz",
		gz(t, mustJSON(map[string]any{"Records": []any{send}})))
	put(t, root, "notes.txt", []byte("the trail lives in AWSLogs/\n"))
	put(t, root, "evil\x1b[31m.txt", []byte("x\n"))
	sumPath := filepath.Join(t.TempDir(), "summary.json")
	args := []string{"scan", root, "--since", "2024-01-15", "--until", "2024-01-15", "--format", "jsonl", "--summary-json", sumPath}

	code, _, errOut := cli(t, args...)
	if code != exitOK {
		t.Fatalf("notes only: exit %d, want %d; stderr:\n%s", code, exitOK, errOut)
	}
	if !strings.Contains(errOut, "2 files outside the layout") || !strings.Contains(errOut, "notes.txt: not scanned: outside the layout, not a log") {
		t.Errorf("stderr does not count and name notes.txt:\n%s", errOut)
	}
	if strings.Contains(errOut, "\x1b") {
		t.Errorf("stderr holds a raw escape from a file name:\n%q", errOut)
	}
	sum := readSummary(t, sumPath)
	if sum["files_outside_layout"] != 2.0 || sum["logs_outside_layout"] != 0.0 {
		t.Errorf("summary json: files_outside_layout %v, logs_outside_layout %v; want 2, 0", sum["files_outside_layout"], sum["logs_outside_layout"])
	}

	put(t, root, "AWSLogs/111122223333/CloudTrail/x.json.gz", gz(t, mustJSON(map[string]any{"Records": []any{send}})))
	code, _, errOut = cli(t, args...)
	if code != exitPartial {
		t.Fatalf("stray log: exit %d, want %d (partial); stderr:\n%s", code, exitPartial, errOut)
	}
	if !strings.Contains(errOut, "3 files outside the layout") || !strings.Contains(errOut, "AWSLogs/111122223333/CloudTrail/x.json.gz: not scanned: named like a log but outside the layout; name it as an archive argument") {
		t.Errorf("stderr does not name x.json.gz with how to scan it:\n%s", errOut)
	}
	sum = readSummary(t, sumPath)
	if sum["files_outside_layout"] != 3.0 || sum["logs_outside_layout"] != 1.0 {
		t.Errorf("summary json: files_outside_layout %v, logs_outside_layout %v; want 3, 1", sum["files_outside_layout"], sum["logs_outside_layout"])
	}
	if list, _ := sum["outside_layout"].([]any); len(list) != 3 {
		t.Errorf("summary json: outside_layout %v, want 3 entries", sum["outside_layout"])
	}
}

func readSummary(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
