//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/bench/gen"
	"github.com/retrohunt/retrohunt/sources/testservers"
)

// init lowers the child's descriptor limit when a test re-executes the
// test binary as the CLI with RETROHUNT_TEST_NOFILE set: the limit
// changes in that child only, never in the test process.
func init() {
	n, err := strconv.ParseUint(os.Getenv("RETROHUNT_TEST_NOFILE"), 10, 64)
	if err != nil || os.Getenv("RETROHUNT_TEST_AS_CLI") != "1" {
		return
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
		panic("cannot lower RLIMIT_NOFILE: " + err.Error())
	}
}

// TestLowDescriptorLimit is issue 15 item 14c: under `ulimit -n 64` the
// default 64 connections ran out of descriptors (EMFILE) against S3.
// The scan now sizes its connections to the limit, says so, and scans
// everything.
func TestLowDescriptorLimit(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := gen.Generate(gen.Config{Days: 1, FilesPerDay: 50, RecordsPerFile: 5}, gen.DirSink(dir)); err != nil {
		t.Fatal(err)
	}
	s3srv := testservers.SharedS3(t)
	bucket := s3srv.NewBucket(t)
	s3srv.UploadDir(t, bucket, dir)
	// Some latency per download, so that the scan holds many
	// connections open at once, as against a remote store.
	fp := testservers.StartFaultProxy(t, s3srv.Endpoint, testservers.FaultPolicy{ObjectLatency: 20 * time.Millisecond})
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	out, sumPath := filepath.Join(work, "hits.jsonl"), filepath.Join(work, "summary.json")
	cmd := exec.Command(self, "scan", "s3://"+bucket+"/AWSLogs/", "--endpoint", fp.URL, "--path-style",
		"--format", "jsonl", "--out", out, "--summary-json", sumPath)
	cmd.Env = append(os.Environ(), "RETROHUNT_TEST_AS_CLI=1", "RETROHUNT_TEST_NOFILE=64",
		"AWS_ACCESS_KEY_ID="+s3srv.AccessKey, "AWS_SECRET_ACCESS_KEY="+s3srv.SecretKey, "AWS_REGION="+s3srv.Region)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	if err != nil {
		t.Fatalf("scan under ulimit -n 64: %v\n%s", err, &stderr)
	}
	if !strings.Contains(stderr.String(), "--connections") {
		t.Errorf("no warning that --connections was lowered:\n%s", &stderr)
	}
	b, err := os.ReadFile(sumPath)
	if err != nil {
		t.Fatal(err)
	}
	var sum struct {
		Scanned int64 `json:"objects_scanned"`
		Failed  int64 `json:"objects_failed"`
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	// 2 accounts × 2 regions × 50 files (bench/gen's defaults).
	if sum.Scanned != 200 || sum.Failed != 0 {
		t.Errorf("scanned %d objects, %d failed; want 200 and 0", sum.Scanned, sum.Failed)
	}
}
