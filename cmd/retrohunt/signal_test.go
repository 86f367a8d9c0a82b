package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/retrohunt/retrohunt/bench/gen"
	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/sources/testservers"
)

// TestInterruptLeavesValidOutput stops a scan whose downloads hang (a
// proxy holds every object GET for a minute) with SIGINT: the process
// exits 130, and the Parquet file and the summary are complete and valid.
// A second SIGINT ends a process at once.
func TestInterruptLeavesValidOutput(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := gen.Generate(gen.Config{Days: 1, FilesPerDay: 2, RecordsPerFile: 10, AzureRecordsPerHour: 5}, gen.DirSink(dir)); err != nil {
		t.Fatal(err)
	}
	s3srv := testservers.SharedS3(t)
	bucket := s3srv.NewBucket(t)
	s3srv.UploadDir(t, bucket, dir)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// start runs a scan through a proxy of its own that holds every
	// object GET for a minute, and returns once the scan is downloading:
	// the proxy holds its first GET. The scan opens its output before it
	// lists, so the output is open by then.
	start := func(out, sum string) (*exec.Cmd, *bytes.Buffer) {
		fp := testservers.StartFaultProxy(t, s3srv.Endpoint, testservers.FaultPolicy{ObjectLatency: time.Minute})
		cmd := exec.Command(self, "scan", "s3://"+bucket+"/AWSLogs/", "--endpoint", fp.URL, "--path-style", "--out", out, "--summary-json", sum)
		cmd.Env = append(os.Environ(), "RETROHUNT_TEST_AS_CLI=1",
			"AWS_ACCESS_KEY_ID="+s3srv.AccessKey, "AWS_SECRET_ACCESS_KEY="+s3srv.SecretKey, "AWS_REGION="+s3srv.Region)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Another process: wait for what it does, with a generous
		// deadline.
		select {
		case <-fp.Holding():
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("the scan never started a download; stderr:\n%s", &stderr)
		}
		if m, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".hits.parquet.tmp-*")); len(m) == 0 {
			t.Errorf("the scan is downloading, but its output is not open")
		}
		return cmd, &stderr
	}
	wait := func(cmd *exec.Cmd, stderr *bytes.Buffer) int {
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("the scan did not stop after SIGINT; stderr:\n%s", stderr)
		}
		return cmd.ProcessState.ExitCode()
	}
	work := t.TempDir()
	out, sum := filepath.Join(work, "hits.parquet"), filepath.Join(work, "summary.json")
	cmd, stderr := start(out, sum)
	cmd.Process.Signal(syscall.SIGINT)
	if code := wait(cmd, stderr); code != exitInterrupted {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitInterrupted, stderr)
	}
	if _, err := parquet.ReadFile[output.Hit](out); err != nil {
		t.Errorf("the interrupted scan's Parquet file is not valid: %v", err)
	}
	b, err := os.ReadFile(sum)
	if err != nil || !json.Valid(b) {
		t.Errorf("summary after interrupt: %v %s", err, b)
	}

	work = t.TempDir()
	out, sum = filepath.Join(work, "hits.parquet"), filepath.Join(work, "summary.json")
	cmd, stderr = start(out, sum)
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Process.Signal(syscall.SIGINT)
	if code := wait(cmd, stderr); code != exitInterrupted {
		t.Fatalf("second SIGINT: exit %d, want %d; stderr:\n%s", code, exitInterrupted, stderr)
	}
}
