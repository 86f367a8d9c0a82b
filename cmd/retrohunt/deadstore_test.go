package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/bench/gen"
	"github.com/retrohunt/retrohunt/sources/testservers"
)

// cutter is a TCP forwarder that can be cut: the listener closes and
// every connection through it drops, so later requests are refused, as
// when the store's host goes away.
type cutter struct {
	ln     net.Listener
	mu     sync.Mutex
	conns  []net.Conn
	cut    bool
	target string
}

func startCutter(t *testing.T, target string) *cutter {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &cutter{ln: ln, target: target}
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			c.mu.Lock()
			if c.cut {
				in.Close()
				out.Close()
				c.mu.Unlock()
				continue
			}
			c.conns = append(c.conns, in, out)
			c.mu.Unlock()
			go func() { io.Copy(out, in); out.Close() }()
			go func() { io.Copy(in, out); in.Close() }()
		}
	}()
	t.Cleanup(c.Cut)
	return c
}

func (c *cutter) Cut() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cut = true
	c.ln.Close()
	for _, k := range c.conns {
		k.Close()
	}
}

// TestDeadStoreFailsFast is issue 15 item 14b against versitygw: the
// store goes away while the scan downloads; the scan stops with a
// runtime error (exit 1) that says so, instead of trying every object
// with all its retries.
func TestDeadStoreFailsFast(t *testing.T) {
	dir := t.TempDir()
	// 2 accounts × 2 regions × 60 files: 240 objects, many more than
	// the requests it may take to give up.
	if _, _, err := gen.Generate(gen.Config{Days: 1, FilesPerDay: 60, RecordsPerFile: 5}, gen.DirSink(dir)); err != nil {
		t.Fatal(err)
	}
	s3srv := testservers.SharedS3(t)
	bucket := s3srv.NewBucket(t)
	s3srv.UploadDir(t, bucket, dir)
	// The scan → a cutter → a proxy that holds object downloads → versitygw.
	fp := testservers.StartFaultProxy(t, s3srv.Endpoint, testservers.FaultPolicy{ObjectLatency: time.Minute})
	cut := startCutter(t, strings.TrimPrefix(fp.URL, "http://"))
	t.Setenv("AWS_ACCESS_KEY_ID", s3srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", s3srv.SecretKey)
	t.Setenv("AWS_REGION", s3srv.Region)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-fp.Holding(): // the scan is downloading: the store goes away
			cut.Cut()
		case <-done:
		}
	}()
	work := t.TempDir()
	out, sumPath := filepath.Join(work, "hits.jsonl"), filepath.Join(work, "summary.json")
	const conns = 8
	code, _, stderr := cli(t, "scan", "s3://"+bucket+"/AWSLogs/", "--endpoint", "http://"+cut.ln.Addr().String(), "--path-style",
		"--connections", fmt.Sprint(conns), "--format", "jsonl", "--out", out, "--summary-json", sumPath)
	if code != exitError {
		t.Fatalf("exit %d, want %d\n%s", code, exitError, stderr)
	}
	if !strings.Contains(stderr, "stopped answering") {
		t.Errorf("stderr does not say the store stopped answering:\n%s", stderr)
	}
	// The summary, when written, counts a bounded number of failed
	// objects: 16 in a row, plus what was in flight.
	if b, err := os.ReadFile(sumPath); err == nil {
		var sum struct {
			Failed int64 `json:"objects_failed"`
		}
		if err := json.Unmarshal(b, &sum); err != nil {
			t.Fatal(err)
		}
		if sum.Failed > 16+conns {
			t.Errorf("%d objects failed before the scan stopped, want at most %d", sum.Failed, 16+conns)
		}
	}
}
