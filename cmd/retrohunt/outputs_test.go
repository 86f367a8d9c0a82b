package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/retrohunt/retrohunt/sources/testservers"
)

// oneHit is an archive of one object with one record the built-in pack
// hits (aws_ssm_session_manager, testdata/samples).
func oneHit(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	rec := sample(t, "aws_ssm_StartSession__stratus.json")
	put(t, root, "a.json", mustJSON(map[string]any{"Records": []any{rec}}))
	return root
}

// fifo makes a FIFO in a temp dir and starts its reader.
func fifo(t *testing.T) (string, <-chan string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "out.fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(p)
		if err != nil {
			got <- "open: " + err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	return p, got
}

func isFIFO(t *testing.T, p string) {
	t.Helper()
	st, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("%s is now %v, want a FIFO", p, st.Mode())
	}
}

// Issue 15 item 2: --out and --summary-json write into a FIFO (as into
// /dev/stdout or /dev/null) instead of renaming a file over it.
func TestOutToFIFO(t *testing.T) {
	root := oneHit(t)
	p, got := fifo(t)
	code, _, errOut := cli(t, "scan", root, "--format", "jsonl", "--out", p, "--quiet")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	isFIFO(t, p)
	hits := jsonlHits(t, <-got)
	if len(hits) != 1 || hits[0]["rule_name"] != "aws_ssm_session_manager" {
		t.Fatalf("the FIFO's reader got %v, want one aws_ssm_session_manager hit", hits)
	}
}

func TestSummaryJSONToFIFO(t *testing.T) {
	root := oneHit(t)
	p, got := fifo(t)
	code, _, errOut := cli(t, "scan", root, "--format", "jsonl", "--summary-json", p, "--quiet")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	isFIFO(t, p)
	if s := <-got; !strings.Contains(s, `"objects_scanned": 1`) {
		t.Fatalf("the FIFO's reader got %q, want the summary", s)
	}
}

// usageOf runs a scan that must be refused before it starts: exit 2,
// the message names want, and no file appears in dir.
func usageOf(t *testing.T, dir, want string, args ...string) {
	t.Helper()
	before, _ := os.ReadDir(dir)
	code, _, errOut := cli(t, append([]string{"scan"}, args...)...)
	if code != exitUsage {
		t.Fatalf("%v: exit %d, want %d\n%s", args, code, exitUsage, errOut)
	}
	if !strings.Contains(errOut, want) {
		t.Fatalf("%v: stderr does not say %q:\n%s", args, want, errOut)
	}
	if strings.Contains(errOut, "summary (") {
		t.Fatalf("%v: the scan ran before the refusal:\n%s", args, errOut)
	}
	after, _ := os.ReadDir(dir)
	if len(after) != len(before) {
		t.Fatalf("%v: %s held %d entries, now %d", args, dir, len(before), len(after))
	}
}

// Issue 15 item 13 (b): outputs that cannot be written fail before the
// scan, not after it with the hits lost. Root ignores mode bits, so an
// unwritable place is a path under a regular file.
func TestUnwritableOutputsFailBeforeScan(t *testing.T) {
	root := oneHit(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Run("out is a directory", func(t *testing.T) {
		usageOf(t, dir, "is a directory", root, "--out", sub)
	})
	t.Run("out under a file", func(t *testing.T) {
		code, _, errOut := cli(t, "scan", root, "--out", filepath.Join(file, "hits.parquet"))
		if code == exitOK || strings.Contains(errOut, "summary (") {
			t.Fatalf("exit %d, ran the scan:\n%s", code, errOut)
		}
	})
	t.Run("summary-json under a file", func(t *testing.T) {
		code, _, errOut := cli(t, "scan", root, "--format", "jsonl", "--summary-json", filepath.Join(file, "s.json"))
		if code == exitOK || strings.Contains(errOut, "summary (") {
			t.Fatalf("exit %d, ran the scan:\n%s", code, errOut)
		}
	})
	t.Run("summary-json is a directory", func(t *testing.T) {
		usageOf(t, dir, "is a directory", root, "--format", "jsonl", "--summary-json", sub)
	})
	t.Run("lake under a file", func(t *testing.T) {
		code, _, errOut := cli(t, "scan", root, "--out", filepath.Join(file, "lake")+"/")
		if code == exitOK || strings.Contains(errOut, "summary (") {
			t.Fatalf("exit %d, ran the scan:\n%s", code, errOut)
		}
	})
}

// Issue 15 item 13 (c), (d): combinations that silently lost hits.
func TestRefusedOutputCombinations(t *testing.T) {
	root := oneHit(t)
	dir := t.TempDir()
	hits := filepath.Join(dir, "hits.parquet")
	t.Run("partition-by with a file", func(t *testing.T) {
		usageOf(t, dir, "--partition-by", root, "--out", hits, "--partition-by", "date")
	})
	t.Run("state with a file", func(t *testing.T) {
		usageOf(t, dir, "--state", root, "--out", hits, "--state", filepath.Join(dir, "st"))
	})
	t.Run("summary-json is the out file", func(t *testing.T) {
		usageOf(t, dir, "--summary-json", root, "--out", hits, "--summary-json", hits)
	})
	t.Run("summary-json is the out file by another name", func(t *testing.T) {
		if err := os.WriteFile(hits, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		usageOf(t, dir, "--summary-json", root, "--out", hits, "--summary-json", filepath.Join(dir, ".", "x", "..", "hits.parquet"))
		os.Remove(hits)
	})
}

// Issue 15 item 13 (a): a scan that finds nothing to scan says so loudly
// (exit 0: a quiet night is normal for a sweep; README "Exit codes").
func TestEmptyScanWarns(t *testing.T) {
	root := oneHit(t)
	empty := t.TempDir()
	ct := t.TempDir()
	rec := at(sample(t, "aws_ssm_StartSession__stratus.json"), "eventTime", "2024-01-15T10:01:00Z")
	put(t, ct, "AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/15/111122223333_CloudTrail_us-east-1_20240115T1005Z_a1b2c3d4e5f6a7b8.json.gz", gz(t, mustJSON(map[string]any{"Records": []any{rec}})))
	cases := map[string][]string{
		"empty directory":   {empty},
		"accounts matching": {ct, "--accounts", "999999999999"},
		"window misses all": {ct, "--since", "2001-01-01", "--until", "2001-01-02"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			code, _, errOut := cli(t, append(append([]string{"scan"}, args...), "--format", "jsonl", "--quiet")...)
			if code != exitOK {
				t.Fatalf("exit %d\n%s", code, errOut)
			}
			if !strings.Contains(errOut, "warning: nothing was scanned") {
				t.Fatalf("no warning:\n%s", errOut)
			}
		})
	}
	t.Run("mistyped S3 prefix", func(t *testing.T) {
		s3srv := testservers.SharedS3(t)
		bucket := s3srv.NewBucket(t)
		s3srv.UploadDir(t, bucket, ct)
		t.Setenv("AWS_ACCESS_KEY_ID", s3srv.AccessKey)
		t.Setenv("AWS_SECRET_ACCESS_KEY", s3srv.SecretKey)
		t.Setenv("AWS_REGION", s3srv.Region)
		code, _, errOut := cli(t, "scan", "s3://"+bucket+"/AWSLog/", "--endpoint", s3srv.Endpoint, "--path-style", "--format", "jsonl", "--quiet")
		if code != exitOK || !strings.Contains(errOut, "warning: nothing was scanned: no object found under") {
			t.Fatalf("exit %d, no warning:\n%s", code, errOut)
		}
	})
	t.Run("since 0d", func(t *testing.T) {
		usageOf(t, root, "empty", root, "--since", "0d")
	})
	t.Run("a scan that scanned says nothing", func(t *testing.T) {
		code, _, errOut := cli(t, "scan", root, "--format", "jsonl", "--quiet")
		if code != exitOK || strings.Contains(errOut, "nothing was scanned") {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
	})
}
