package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/output/lake"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/s3"
	"github.com/retrohunt/retrohunt/sources/testservers"
)

// backfillDays are the four days of the backfill (issue 15, item 1).
var backfillDays = []string{"2023-06-10", "2023-06-11", "2023-06-12", "2023-06-13"}

// midnightArchive builds a CloudTrail archive whose objects straddle
// midnight, from the day before the backfill to the day after it: an
// object keyed 23:55 holds records of 23:50 to 00:09 the next day, one
// keyed 00:05 records of 23:56 the day before and 00:02; a midday
// object stays inside its day. Every record is a StartSession, a hit of
// the built-in aws_ssm_session_manager. It returns the root and the hits
// a 4-day window must find, by (rule, object key, record index), counted
// by hand from the event times written here.
func midnightArchive(t *testing.T) (string, map[string]bool) {
	t.Helper()
	root := t.TempDir()
	rec := sample(t, "aws_ssm_StartSession__stratus.json")
	since := time.Date(2023, 6, 10, 0, 0, 0, 0, time.UTC)
	until := time.Date(2023, 6, 14, 0, 0, 0, 0, time.UTC)
	want := map[string]bool{}
	n := 0
	object := func(key time.Time, times ...time.Time) {
		var recs []any
		name := fmt.Sprintf("AWSLogs/111122223333/CloudTrail/us-east-1/%s/111122223333_CloudTrail_us-east-1_%s_%016d.json.gz",
			key.Format("2006/01/02"), key.Format("20060102T1504Z"), n)
		n++
		for i, ts := range times {
			r := at(rec, "eventTime", ts.Format(time.RFC3339))
			r["eventID"] = fmt.Sprintf("%s-%d", name, i)
			recs = append(recs, r)
			if !ts.Before(since) && ts.Before(until) {
				want[fmt.Sprintf("aws_ssm_session_manager %s#%d", name, i)] = true
			}
		}
		put(t, root, name, gz(t, mustJSON(map[string]any{"Records": recs})))
	}
	for d := since.AddDate(0, 0, -1); !d.After(until); d = d.AddDate(0, 0, 1) {
		next := d.AddDate(0, 0, 1)
		m := func(day time.Time, h, min int) time.Time {
			return day.Add(time.Duration(h)*time.Hour + time.Duration(min)*time.Minute)
		}
		object(m(d, 12, 5), m(d, 11, 58), m(d, 12, 1))
		object(m(d, 23, 55), m(d, 23, 50), m(d, 23, 58), m(next, 0, 3), m(next, 0, 9))
		object(m(next, 0, 5), m(d, 23, 56), m(next, 0, 2))
	}
	return root, want
}

// jsonlIDs reads the hits of a --format jsonl run, by identity; a hit
// written twice is counted twice.
func jsonlIDs(t *testing.T, out, root string) []string {
	t.Helper()
	var ids []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var raw struct {
			Rule   string `json:"rule_name"`
			URI    string `json:"source_uri"`
			Record int64  `json:"record_index"`
		}
		if err := json.Unmarshal([]byte(line), &raw); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		ids = append(ids, hitID(output.Hit{RuleName: raw.Rule, SourceURI: strings.TrimPrefix(raw.URI, "file://"+root+"/"), RecordIndex: raw.Record}))
	}
	sort.Strings(ids)
	return ids
}

func keys(m map[string]bool) []string {
	var s []string
	for k := range m {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// TestBackfillDayByDayWithState is issue 15's item 1: a backfill run a
// day at a time with --state finds exactly the hits of one run over the
// four days, each once, although objects near midnight are listed by two
// days' runs (the key-date margin) and hold records of both.
func TestBackfillDayByDayWithState(t *testing.T) {
	root, want := midnightArchive(t)
	code, out, errOut := cli(t, "scan", root, "--since", backfillDays[0], "--until", backfillDays[3], "--format", "jsonl", "--quiet")
	if code != exitOK {
		t.Fatalf("one run: exit %d\n%s", code, errOut)
	}
	one := jsonlIDs(t, out, root)
	if strings.Join(one, "\n") != strings.Join(keys(want), "\n") {
		t.Fatalf("one 4-day run found %d hits, the archive holds %d in the window:\n got %v\nwant %v", len(one), len(want), one, keys(want))
	}
	st := t.TempDir() + "/backfill.state"
	var days []string
	for _, d := range backfillDays {
		code, out, errOut := cli(t, "scan", root, "--since", d, "--until", d, "--state", st, "--format", "jsonl", "--quiet")
		if code != exitOK {
			t.Fatalf("day %s: exit %d\n%s", d, code, errOut)
		}
		days = append(days, jsonlIDs(t, out, root)...)
	}
	sort.Strings(days)
	if strings.Join(days, "\n") != strings.Join(one, "\n") {
		t.Errorf("day by day with --state: %d hits, one run %d:\n got %v\nwant %v", len(days), len(one), days, one)
	}
}

// s3LakeIDs mirrors every Parquet file under prefix in the bucket into a
// temporary folder and reads it as lakeIDs does, with the hits' URIs
// relative to root; it also fails the test for a part file with rows
// that no manifest lists.
func s3LakeIDs(t *testing.T, st sources.Store, prefix, root string) []string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	listed := map[string]bool{}
	var parts []string
	err := st.List(ctx, prefix, func(o sources.Object) error {
		body, _, err := st.Get(ctx, o.Key)
		if err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(o.Key, prefix+lake.ManifestDir):
			var m lake.Manifest
			if err := json.Unmarshal(body, &m); err != nil {
				return fmt.Errorf("%s: %w", o.Key, err)
			}
			for _, f := range append(m.Files, m.Adopted...) {
				listed[f.URI] = true
			}
		case strings.HasSuffix(o.Key, ".parquet"):
			p := filepath.Join(dir, filepath.FromSlash(o.Key))
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, body, 0o644); err != nil {
				return err
			}
			parts = append(parts, o.Key)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, key := range parts {
		hits, err := output.ReadFile(filepath.Join(dir, filepath.FromSlash(key)), output.ReadOptions{})
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if len(hits) > 0 && !listed[st.URI(key)] {
			t.Errorf("part %s holds %d hits and no manifest lists it", st.URI(key), len(hits))
		}
		for _, h := range hits {
			h.SourceURI = strings.TrimPrefix(h.SourceURI, "file://"+root+"/")
			ids = append(ids, hitID(h))
		}
	}
	sort.Strings(ids)
	return ids
}

// TestBackfillS3LakeKilled is the day-by-day backfill of
// TestBackfillDayByDayWithState into a lake on a real S3 server
// (versitygw), with its state there too, killed (SIGKILL) at kill points
// drawn from the enumerated set (day, write n, before or after it lands)
// by a seeded generator, each killed run resumed: the lake must hold one
// 4-day run's hits, each once, every part with hits in a manifest. Set
// RETROHUNT_TEST_SEED to replay a seed the log printed.
func TestBackfillS3LakeKilled(t *testing.T) {
	srv := testservers.SharedS3(t)
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	t.Setenv("AWS_REGION", srv.Region)
	root, want := midnightArchive(t)
	wantIDs := keys(want)
	seed := time.Now().UnixNano()
	if s, err := strconv.ParseInt(os.Getenv("RETROHUNT_TEST_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("seed %d (RETROHUNT_TEST_SEED=%d replays it)", seed, seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	self, _ := os.Executable()
	const trials, maxWrite = 4, 10
	for trial := 0; trial < trials && !t.Failed(); trial++ {
		bucket := srv.NewBucket(t)
		store, err := s3.New(context.Background(), s3.Config{Bucket: bucket, Endpoint: srv.Endpoint, PathStyle: true, Credentials: srv.Credentials()})
		if err != nil {
			t.Fatal(err)
		}
		kills := 0
		for _, d := range backfillDays {
			run := func(env ...string) (killed bool) {
				cmd := exec.Command(self, "scan", root, "--since", d, "--until", d, "--workers", "2",
					"--endpoint", srv.Endpoint, "--path-style",
					"--state", "s3://"+bucket+"/backfill.state", "--out", "s3://"+bucket+"/lake/", "--partition-by", "date",
					"--checkpoint-objects", "1", "--quiet")
				cmd.Env = append(append(os.Environ(), "RETROHUNT_TEST_AS_CLI=1"), env...)
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				err := cmd.Run()
				if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
					return true
				}
				if err != nil {
					t.Fatalf("day %s failed by itself: %v\n%s", d, err, stderr.String())
				}
				return false
			}
			// Each day's run is killed at a drawn point, or not at all
			// (a point past its last write, or a third of the time),
			// and run again until it ends by itself.
			for {
				if rng.IntN(3) == 0 {
					run()
					break
				}
				n, after := 1+rng.IntN(maxWrite), rng.IntN(2)
				if !run(killAtEnv+"="+strconv.Itoa(n), killAfterEnv+"="+strconv.Itoa(after)) {
					break
				}
				kills++
				t.Logf("trial %d: day %s killed at write %d (after: %d)", trial, d, n, after)
			}
		}
		got := s3LakeIDs(t, store, "lake/", root)
		if strings.Join(got, "\n") != strings.Join(wantIDs, "\n") {
			t.Errorf("trial %d (%d kills, seed %d): the lake holds %d hits, one 4-day run %d:\n got %v\nwant %v", trial, kills, seed, len(got), len(wantIDs), got, wantIDs)
		}
	}
}
