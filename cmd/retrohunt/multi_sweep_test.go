package main

import (
	"bytes"
	"context"
	"fmt"
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
	"github.com/retrohunt/retrohunt/sources/open"
	"github.com/retrohunt/retrohunt/sources/testservers"
)

// sweepBruteRule: five or more failed console logins from one IP within
// ten minutes.
const sweepBruteRule = `rule sweep_brute_force {
  events:
    $e.metadata.product_event_type = "ConsoleLogin"
    $e.security_result.description = "Reason: Failed authentication"
    $ip = $e.principal.ip
  match:
    $ip over 10m
  condition:
    #e >= 5
}
`

// burst is a planted run of failed logins from one IP.
type burst struct {
	ip    string
	times []string // RFC 3339
}

// monthBursts are planted over March 2024, most across midnight, so
// that a day-by-day sweep sees each window's events in two runs. By
// hand, with the hop semantics of docs/yaral_windows.md (one window per
// start event, reaching 10 minutes; a window whose events the previous
// one holds is dropped), each burst of five or more within ten minutes
// and more than ten minutes from any other failure of its IP is one
// detection, anchored at its first event:
//
//   - 192.0.2.1: 03-05 23:56, 23:57, 23:58, 23:59, 03-06 00:01, 00:03: one
//     detection [03-05 23:56, 03-06 00:06], 6 events.
//   - 192.0.2.2: 03-10 23:59, 03-11 00:00, 00:02, 00:04, 00:08: one
//     detection [03-10 23:59, 03-11 00:09], 5 events.
//   - 192.0.2.7: 03-12 23:45 ... 23:49, five: one detection [23:45,
//     23:55], 5 events, whose candidates the run of 03-13 reads again
//     (it loads two window lengths before its day): written once.
//   - 192.0.2.3: four failures across 03-15's midnight: 4 < 5, none.
//   - 192.0.2.4: 03-20 12:00 ... 12:04, five: one detection [12:00,
//     12:10], 5 events.
//   - 192.0.2.5: 03-25 23:55, 23:58, 03-26 00:01, 00:04, 00:07 span 12
//     minutes: the window at 23:55 holds 4, the one at 23:58 holds 4
//     (23:58-00:07), none.
//   - 192.0.2.6: 03-28 00:02 ... 00:06, five: one detection [00:02,
//     00:12], 5 events, whose hop reach (ten minutes before its start)
//     lies in 03-27.
//
// No window reaches the edges of [03-01, 04-01), so none is truncated.
var monthBursts = []burst{
	{"192.0.2.1", []string{"2024-03-05T23:56:00Z", "2024-03-05T23:57:00Z", "2024-03-05T23:58:00Z", "2024-03-05T23:59:00Z", "2024-03-06T00:01:00Z", "2024-03-06T00:03:00Z"}},
	{"192.0.2.2", []string{"2024-03-10T23:59:00Z", "2024-03-11T00:00:00Z", "2024-03-11T00:02:00Z", "2024-03-11T00:04:00Z", "2024-03-11T00:08:00Z"}},
	{"192.0.2.7", []string{"2024-03-12T23:45:00Z", "2024-03-12T23:46:00Z", "2024-03-12T23:47:00Z", "2024-03-12T23:48:00Z", "2024-03-12T23:49:00Z"}},
	{"192.0.2.3", []string{"2024-03-15T23:58:00Z", "2024-03-15T23:59:00Z", "2024-03-16T00:00:00Z", "2024-03-16T00:01:00Z"}},
	{"192.0.2.4", []string{"2024-03-20T12:00:00Z", "2024-03-20T12:01:00Z", "2024-03-20T12:02:00Z", "2024-03-20T12:03:00Z", "2024-03-20T12:04:00Z"}},
	{"192.0.2.5", []string{"2024-03-25T23:55:00Z", "2024-03-25T23:58:00Z", "2024-03-26T00:01:00Z", "2024-03-26T00:04:00Z", "2024-03-26T00:07:00Z"}},
	{"192.0.2.6", []string{"2024-03-28T00:02:00Z", "2024-03-28T00:03:00Z", "2024-03-28T00:04:00Z", "2024-03-28T00:05:00Z", "2024-03-28T00:06:00Z"}},
}

// monthWant are the detections worked out above, as detectionID
// prints them (truncated false).
var monthWant = []string{
	`sweep_brute_force [2024-03-05T23:56:00Z, 2024-03-06T00:06:00Z] {"ip":"192.0.2.1"} n=6 truncated=false`,
	`sweep_brute_force [2024-03-10T23:59:00Z, 2024-03-11T00:09:00Z] {"ip":"192.0.2.2"} n=5 truncated=false`,
	`sweep_brute_force [2024-03-12T23:45:00Z, 2024-03-12T23:55:00Z] {"ip":"192.0.2.7"} n=5 truncated=false`,
	`sweep_brute_force [2024-03-20T12:00:00Z, 2024-03-20T12:10:00Z] {"ip":"192.0.2.4"} n=5 truncated=false`,
	`sweep_brute_force [2024-03-28T00:02:00Z, 2024-03-28T00:12:00Z] {"ip":"192.0.2.6"} n=5 truncated=false`,
}

// monthArchive writes the bursts as CloudTrail objects, one per day and
// IP (keyed by the day of its events), plus one successful login per
// day so that every day has an object; it returns the archive root.
func monthArchive(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	byDay := map[string][]string{}
	for _, b := range monthBursts {
		for _, at := range b.times {
			day := at[:10]
			byDay[day+"|"+b.ip] = append(byDay[day+"|"+b.ip], loginRecord(at, b.ip, true))
		}
	}
	for d := 1; d <= 31; d++ {
		day := fmt.Sprintf("2024-03-%02d", d)
		byDay[day+"|ok"] = []string{loginRecord(day+"T12:30:00Z", "198.51.100.1", false)}
	}
	for k, recs := range byDay {
		day, who, _ := strings.Cut(k, "|")
		dir := "AWSLogs/111122223333/CloudTrail/us-east-1/" + strings.ReplaceAll(day, "-", "/") + "/"
		name := fmt.Sprintf("111122223333_CloudTrail_us-east-1_%sT1200Z_%s.json.gz", strings.ReplaceAll(day, "-", ""), strings.ReplaceAll(who, ".", ""))
		put(t, root, dir+name, gz(t, []byte(`{"Records":[`+strings.Join(recs, ",")+`]}`)))
	}
	return root
}

// detectionID is a detection row without run ids or part names.
func detectionID(h output.Hit) string {
	return fmt.Sprintf("%s [%s, %s] %s n=%d truncated=%v", h.RuleName, h.WindowStart.UTC().Format(time.RFC3339), h.WindowEnd.UTC().Format(time.RFC3339),
		h.Match, *h.EventCount, *h.WindowTruncated)
}

// lakeDetections reads, with parquet-go, every hits part file of the
// lake at uri (not the candidates table) and returns its detection
// rows, with their events, sorted.
func lakeDetections(t *testing.T, uri string, o open.Options) (ids, full []string) {
	t.Helper()
	ctx := context.Background()
	st, prefix, err := open.OpenStore(ctx, uri, o)
	if err != nil {
		t.Fatal(err)
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	err = st.List(ctx, prefix, func(ob sources.Object) error {
		rel := strings.TrimPrefix(ob.Key, prefix)
		if !strings.HasSuffix(rel, ".parquet") || strings.HasPrefix(rel, lake.CandidatesDir) || strings.HasPrefix(filepath.Base(rel), ".") {
			return nil
		}
		b, _, err := st.Get(ctx, ob.Key)
		if err != nil {
			return err
		}
		return output.ReadHits(bytes.NewReader(b), int64(len(b)), output.ReadOptions{}, func(hs []output.Hit) error {
			for _, h := range hs {
				if h.RowKind == "detection" {
					ids = append(ids, detectionID(h))
					full = append(full, detectionID(h)+" "+h.Events)
				}
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(ids)
	sort.Strings(full)
	return ids, full
}

// TestMultiEventSweepSplitRunInvariant: one --state run over March and
// thirty-one daily --state runs (forwards, and on S3 also backwards)
// write the same detections into their lakes, those worked out by hand
// in monthBursts, each once, on S3 (versitygw) and Azure (Azurite).
// Backwards, the one window whose hop reach lies in the day before is
// flagged window_truncated: that day was not covered yet when the
// window's own day completed it (docs/sweeps.md).
func TestMultiEventSweepSplitRunInvariant(t *testing.T) {
	root := monthArchive(t)
	rdir := t.TempDir()
	rule := filepath.Join(rdir, "brute.yaral")
	os.WriteFile(rule, []byte(sweepBruteRule), 0o644)

	s3srv := testservers.SharedS3(t)
	bucket := s3srv.NewBucket(t)
	s3srv.UploadDir(t, bucket, root)
	az := testservers.SharedAzurite(t)
	container := az.NewContainer(t)
	az.UploadDir(t, container, root)
	t.Setenv("AWS_ACCESS_KEY_ID", s3srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", s3srv.SecretKey)
	t.Setenv("AWS_REGION", s3srv.Region)
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", "")
	t.Setenv("AZURE_STORAGE_KEY", az.Key)

	type store struct {
		name, base string
		flags      []string
		o          open.Options
	}
	stores := []store{
		{"s3", "s3://" + bucket + "/", []string{"--endpoint", s3srv.Endpoint, "--path-style"}, open.Options{Endpoint: s3srv.Endpoint, PathStyle: true}},
		{"azure", "azblob://" + az.Account + "/" + container + "/", []string{"--endpoint", az.ServiceURL}, open.Options{Endpoint: az.ServiceURL}},
	}
	if raceEnabled {
		stores = stores[:1] // S3; Azure and the backwards days without -race
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			sweepRun := func(name, since, until string) {
				t.Helper()
				args := append([]string{"scan", st.base + "AWSLogs/", "--rule", rule, "--since", since, "--until", until,
					"--state", st.base + "state/" + name + ".state", "--out", st.base + "lake-" + name + "/", "--partition-by", "date,rule", "--quiet"}, st.flags...)
				if code, _, errOut := cli(t, args...); code != exitOK {
					t.Fatalf("%s %s..%s: exit %d\n%s", name, since, until, code, errOut)
				}
			}
			sweepRun("full", "2024-03-01", "2024-03-31")
			full, fullEvents := lakeDetections(t, st.base+"lake-full/", st.o)
			if strings.Join(full, "\n") != strings.Join(monthWant, "\n") {
				t.Fatalf("one run over March:\n%s\nwant (by hand)\n%s", strings.Join(full, "\n"), strings.Join(monthWant, "\n"))
			}
			for d := 1; d <= 31; d++ {
				day := fmt.Sprintf("2024-03-%02d", d)
				sweepRun("daily", day, day)
			}
			daily, dailyEvents := lakeDetections(t, st.base+"lake-daily/", st.o)
			if strings.Join(daily, "\n") != strings.Join(monthWant, "\n") || strings.Join(dailyEvents, "\n") != strings.Join(fullEvents, "\n") {
				t.Errorf("thirty-one daily runs:\n%s\nwant, as one run:\n%s", strings.Join(dailyEvents, "\n"), strings.Join(fullEvents, "\n"))
			}
			if st.name != "s3" || raceEnabled {
				return
			}
			for d := 31; d >= 1; d-- {
				day := fmt.Sprintf("2024-03-%02d", d)
				sweepRun("backwards", day, day)
			}
			back, _ := lakeDetections(t, st.base+"lake-backwards/", st.o)
			want := append([]string(nil), monthWant...)
			want[4] = strings.Replace(want[4], "truncated=false", "truncated=true", 1) // 192.0.2.6
			if strings.Join(back, "\n") != strings.Join(want, "\n") {
				t.Errorf("thirty-one daily runs backwards:\n%s\nwant\n%s", strings.Join(back, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestMultiEventSweepResumesAfterKill kills the CLI (SIGKILL) running a
// windowed sweep over March at every third write of its own (candidate
// and hit parts, state saves, manifests), before and after the write
// lands, runs the same command again, and requires exactly the
// detections worked out by hand, each once; on versitygw and Azurite,
// at a few writes.
func TestMultiEventSweepResumesAfterKill(t *testing.T) {
	root := monthArchive(t)
	rule := filepath.Join(t.TempDir(), "brute.yaral")
	os.WriteFile(rule, []byte(sweepBruteRule), 0o644)
	self, _ := os.Executable()
	// runSweep runs the sweep of archive into lake with state st.
	runSweep := func(archive, st, lakeURL string, flags []string, env ...string) (killed bool) {
		cmd := exec.Command(self, append([]string{"scan", archive, "--rule", rule, "--since", "2024-03-01", "--until", "2024-03-31", "--workers", "2",
			"--state", st, "--out", lakeURL, "--checkpoint-objects", "4", "--quiet"}, flags...)...)
		cmd.Env = append(append(os.Environ(), "RETROHUNT_TEST_AS_CLI=1"), env...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return true
		}
		if err != nil {
			t.Errorf("sweep failed by itself: %v\n%s", err, stderr.String())
		}
		return false
	}
	check := func(where string, n int, after, lakeURL string, o open.Options) {
		got, _ := lakeDetections(t, lakeURL, o)
		if strings.Join(got, "\n") != strings.Join(monthWant, "\n") {
			t.Errorf("%s: killed at write %d (after: %s), resumed: detections\n%s\nwant, each once,\n%s", where, n, after, strings.Join(got, "\n"), strings.Join(monthWant, "\n"))
		}
	}
	kills, step, least := 0, 3, 6
	if raceEnabled {
		step, least = 9, 2
	}
	for n := 1; ; n += step {
		past := false
		for _, after := range []string{"0", "1"} {
			work := t.TempDir()
			st, lakeURL := filepath.Join(work, "sweep.state"), filepath.Join(work, "lake")+"/"
			if !runSweep(filepath.Join(root, "AWSLogs"), st, lakeURL, nil, killAtEnv+"="+strconv.Itoa(n), killAfterEnv+"="+after) {
				past = true
				continue
			}
			kills++
			if runSweep(filepath.Join(root, "AWSLogs"), st, lakeURL, nil) {
				t.Fatalf("the resume after a kill at write %d was killed", n)
			}
			check("local", n, after, lakeURL, open.Options{})
		}
		if past || t.Failed() {
			break
		}
	}
	if kills < least {
		t.Fatalf("only %d kill points", kills)
	}
	t.Logf("%d kills, each resumed", kills)

	s3srv := testservers.SharedS3(t)
	bucket := s3srv.NewBucket(t)
	s3srv.UploadDir(t, bucket, root)
	az := testservers.SharedAzurite(t)
	container := az.NewContainer(t)
	az.UploadDir(t, container, root)
	t.Setenv("AWS_ACCESS_KEY_ID", s3srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", s3srv.SecretKey)
	t.Setenv("AWS_REGION", s3srv.Region)
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", "")
	t.Setenv("AZURE_STORAGE_KEY", az.Key)
	for _, st := range []struct {
		name, base string
		flags      []string
		o          open.Options
	}{
		{"s3", "s3://" + bucket + "/", []string{"--endpoint", s3srv.Endpoint, "--path-style"}, open.Options{Endpoint: s3srv.Endpoint, PathStyle: true}},
		{"azure", "azblob://" + az.Account + "/" + container + "/", []string{"--endpoint", az.ServiceURL}, open.Options{Endpoint: az.ServiceURL}},
	} {
		for i, k := range []struct {
			n     int
			after string
		}{{5, "1"}, {14, "0"}} {
			state, lakeURL := fmt.Sprintf("%sstate/kill-%d.state", st.base, i), fmt.Sprintf("%slake-kill-%d/", st.base, i)
			if !runSweep(st.base+"AWSLogs/", state, lakeURL, st.flags, killAtEnv+"="+strconv.Itoa(k.n), killAfterEnv+"="+k.after) {
				t.Fatalf("%s: the sweep made fewer than %d writes", st.name, k.n)
			}
			if runSweep(st.base+"AWSLogs/", state, lakeURL, st.flags) {
				t.Fatalf("%s: the resume was killed", st.name)
			}
			check(st.name, k.n, k.after, lakeURL, st.o)
		}
	}
}

// TestCandidatesTableDuckDB reads a sweep's candidates table and its
// detections with DuckDB, as docs/sweeps.md documents them: the
// candidates of 192.0.2.1 and 192.0.2.6 per date partition are those
// planted in monthBursts (counted by hand: 4 on 03-05, 2 on 03-06, 5 on
// 03-28), and the hits table, read through its date partitions, holds
// the five detections.
func TestCandidatesTableDuckDB(t *testing.T) {
	root := monthArchive(t)
	rule := filepath.Join(t.TempDir(), "brute.yaral")
	os.WriteFile(rule, []byte(sweepBruteRule), 0o644)
	work := t.TempDir()
	lakeDir := filepath.Join(work, "lake")
	if code, _, errOut := cli(t, "scan", root, "--rule", rule, "--since", "2024-03-01", "--until", "2024-03-31",
		"--state", filepath.Join(work, "st"), "--out", lakeDir+"/", "--partition-by", "date,rule", "--quiet"); code != exitOK {
		t.Fatalf("sweep: exit %d\n%s", code, errOut)
	}
	got, ok := duckdbRows(t, [][2]string{
		{"candidates", "SELECT CAST(date AS VARCHAR) AS date, rule, var_name, match_key[1] AS ip, count(*) AS n FROM read_parquet('" + lakeDir + "/candidates/**/*.parquet', hive_partitioning = true) WHERE match_key[1] IN ('192.0.2.1', '192.0.2.6') GROUP BY ALL ORDER BY ALL"},
		{"detections", "SELECT count(*) AS n FROM read_parquet('" + lakeDir + "/date=*/**/*.parquet', hive_partitioning = true) WHERE row_kind = 'detection'"},
	})
	if !ok {
		t.Skip("node or @duckdb/node-api missing (.ci/install-test-servers.sh)")
	}
	want := `{"candidates":[{"date":"2024-03-05","rule":"sweep_brute_force","var_name":"$e","ip":"192.0.2.1","n":"4"},` +
		`{"date":"2024-03-06","rule":"sweep_brute_force","var_name":"$e","ip":"192.0.2.1","n":"2"},` +
		`{"date":"2024-03-28","rule":"sweep_brute_force","var_name":"$e","ip":"192.0.2.6","n":"5"}],"detections":[{"n":"5"}]}`
	if got != want {
		t.Errorf("DuckDB:\n%s\nwant\n%s", got, want)
	}
}

// TestShardsAndCorrelate: three shards (--shard i/3 --state, candidates
// only) and `retrohunt correlate` write the detections one process
// writes, worked out by hand in monthBursts, with the same events, on
// S3 (versitygw) and Azure (Azurite). Before the last shard has run,
// correlate refuses (exit 2) and names it; run again, it writes nothing
// more.
func TestShardsAndCorrelate(t *testing.T) {
	root := monthArchive(t)
	rule := filepath.Join(t.TempDir(), "brute.yaral")
	os.WriteFile(rule, []byte(sweepBruteRule), 0o644)
	s3srv := testservers.SharedS3(t)
	bucket := s3srv.NewBucket(t)
	s3srv.UploadDir(t, bucket, root)
	az := testservers.SharedAzurite(t)
	container := az.NewContainer(t)
	az.UploadDir(t, container, root)
	t.Setenv("AWS_ACCESS_KEY_ID", s3srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", s3srv.SecretKey)
	t.Setenv("AWS_REGION", s3srv.Region)
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", "")
	t.Setenv("AZURE_STORAGE_KEY", az.Key)
	stores := []struct {
		name, base string
		flags      []string
		o          open.Options
	}{
		{"s3", "s3://" + bucket + "/", []string{"--endpoint", s3srv.Endpoint, "--path-style"}, open.Options{Endpoint: s3srv.Endpoint, PathStyle: true}},
		{"azure", "azblob://" + az.Account + "/" + container + "/", []string{"--endpoint", az.ServiceURL}, open.Options{Endpoint: az.ServiceURL}},
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			lakeURL := st.base + "lake/"
			one := st.base + "one/"
			args := func(extra ...string) []string {
				return append(append([]string{"scan", st.base + "AWSLogs/", "--rule", rule, "--since", "2024-03-01", "--until", "2024-03-31", "--quiet"}, st.flags...), extra...)
			}
			if code, _, errOut := cli(t, args("--state", st.base+"one.state", "--out", one)...); code != exitOK {
				t.Fatalf("one process: exit %d\n%s", code, errOut)
			}
			_, oneEvents := lakeDetections(t, one, st.o)
			correlate := func() (int, string) {
				code, _, errOut := cli(t, append([]string{"correlate", lakeURL, "--rules", rule, "--state", st.base + "correlate.state"}, st.flags...)...)
				return code, errOut
			}
			for i := 0; i < 2; i++ {
				if code, _, errOut := cli(t, args("--shard", fmt.Sprintf("%d/3", i), "--state", st.base+"shard.state", "--out", lakeURL)...); code != exitOK {
					t.Fatalf("shard %d: exit %d\n%s", i, code, errOut)
				}
			}
			if got, _ := lakeDetections(t, lakeURL, st.o); len(got) != 0 {
				t.Fatalf("shards wrote detections: %v", got)
			}
			if code, errOut := correlate(); code != exitUsage || !strings.Contains(errOut, "shard 2/3 has no complete run") {
				t.Fatalf("correlate before shard 2: exit %d, want 2 naming shard 2/3:\n%s", code, errOut)
			}
			if code, _, errOut := cli(t, args("--shard", "2/3", "--state", st.base+"shard.state", "--out", lakeURL)...); code != exitOK {
				t.Fatalf("shard 2: exit %d\n%s", code, errOut)
			}
			if code, errOut := correlate(); code != exitOK {
				t.Fatalf("correlate: exit %d\n%s", code, errOut)
			}
			got, gotEvents := lakeDetections(t, lakeURL, st.o)
			if strings.Join(got, "\n") != strings.Join(monthWant, "\n") || strings.Join(gotEvents, "\n") != strings.Join(oneEvents, "\n") {
				t.Errorf("three shards and correlate:\n%s\nwant, as one process:\n%s", strings.Join(gotEvents, "\n"), strings.Join(oneEvents, "\n"))
			}
			if code, errOut := correlate(); code != exitOK {
				t.Fatalf("correlate again: exit %d\n%s", code, errOut)
			}
			if again, _ := lakeDetections(t, lakeURL, st.o); strings.Join(again, "\n") != strings.Join(monthWant, "\n") {
				t.Errorf("correlate run twice: %d detections, want %d, each once", len(again), len(monthWant))
			}
		})
	}
}

// TestMultiEventSweepFailedObjectHoldsBackItsHours: an object that
// cannot be read (a truncated gzip keyed 03-20 12:00) keeps the event
// times its key speaks for, widened by --prune-margin (11:00-13:00),
// out of the rule's coverage, so the 03-20 12:00 window (monthBursts) is
// not written half seen, while the other three are, and a record
// without an event time elsewhere holds back nothing; once the object
// is readable, the same command writes the held-back detection, and
// only it.
func TestMultiEventSweepFailedObjectHoldsBackItsHours(t *testing.T) {
	root := monthArchive(t)
	bad := "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/20/111122223333_CloudTrail_us-east-1_20240320T1200Z_bad.json.gz"
	put(t, root, bad, gz(t, []byte(`{"Records":[`+loginRecord("2024-03-20T12:05:00Z", "192.0.2.9", true)+`]}`))[:30])
	put(t, root, "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/07/111122223333_CloudTrail_us-east-1_20240307T1200Z_notime.json.gz",
		gz(t, []byte(`{"Records":[{"eventName":"ConsoleLogin","eventSource":"signin.amazonaws.com"}]}`)))
	rule := filepath.Join(t.TempDir(), "brute.yaral")
	os.WriteFile(rule, []byte(sweepBruteRule), 0o644)
	work := t.TempDir()
	lakeDir := filepath.Join(work, "lake") + "/"
	sweepRun := func() int {
		code, _, errOut := cli(t, "scan", root, "--rule", rule, "--since", "2024-03-01", "--until", "2024-03-31",
			"--state", filepath.Join(work, "st"), "--out", lakeDir, "--quiet")
		if code != exitOK && code != exitPartial {
			t.Fatalf("sweep: exit %d\n%s", code, errOut)
		}
		return code
	}
	if code := sweepRun(); code != exitPartial {
		t.Errorf("sweep with a damaged object: exit %d, want %d", code, exitPartial)
	}
	want := []string{monthWant[0], monthWant[1], monthWant[2], monthWant[4]} // not 192.0.2.4's
	if got, _ := lakeDetections(t, lakeDir, open.Options{}); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("with 03-20 11:00-13:00 not covered:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	put(t, root, bad, gz(t, []byte(`{"Records":[]}`)))
	sweepRun()
	if got, _ := lakeDetections(t, lakeDir, open.Options{}); strings.Join(got, "\n") != strings.Join(monthWant, "\n") {
		t.Errorf("after the object was repaired:\n%s\nwant, each once,\n%s", strings.Join(got, "\n"), strings.Join(monthWant, "\n"))
	}
}

// lakeHitsOf reads every hits part file of a local lake (not its
// candidates table).
func lakeHitsOf(t *testing.T, root string) []output.Hit {
	t.Helper()
	var hits []output.Hit
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !strings.HasSuffix(p, ".parquet") || strings.Contains(filepath.ToSlash(p), "/"+lake.CandidatesDir) {
			return err
		}
		hs, err := output.ReadFile(p, output.ReadOptions{})
		hits = append(hits, hs...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return hits
}

// TestSuppressionWindowAcrossRuns: options: suppression_window = 1d
// keeps, per IP, the first detection of each UTC day (Google's
// epoch-aligned slots). Planted, by hand: 192.0.2.8 fails five times at
// 03-08 00:01-00:05 (kept: the first of 03-08), five times at 23:50-23:54
// (suppressed: the same day), five times at 03-09 00:30-00:34 (kept: a
// new day). A plain scan, one --state run and six daily --state runs
// write the same two detections.
func TestSuppressionWindowAcrossRuns(t *testing.T) {
	root := t.TempDir()
	var recs []string
	for _, start := range []string{"2024-03-08T00:01", "2024-03-08T23:50", "2024-03-09T00:30"} {
		at, _ := time.Parse("2006-01-02T15:04", start)
		for i := 0; i < 5; i++ {
			recs = append(recs, loginRecord(at.Add(time.Duration(i)*time.Minute).Format(time.RFC3339), "192.0.2.8", true))
		}
	}
	byDay := map[string][]string{}
	for _, r := range recs {
		i := strings.Index(r, `"eventTime":"`) + len(`"eventTime":"`)
		byDay[r[i:i+10]] = append(byDay[r[i:i+10]], r)
	}
	for day, rs := range byDay {
		put(t, root, "AWSLogs/111122223333/CloudTrail/us-east-1/"+strings.ReplaceAll(day, "-", "/")+"/111122223333_CloudTrail_us-east-1_"+strings.ReplaceAll(day, "-", "")+"T1200Z_s.json.gz",
			gz(t, []byte(`{"Records":[`+strings.Join(rs, ",")+`]}`)))
	}
	rule := filepath.Join(t.TempDir(), "sup.yaral")
	os.WriteFile(rule, []byte(strings.Replace(sweepBruteRule, "  condition:\n    #e >= 5\n", "  condition:\n    #e >= 5\n  options:\n    suppression_window = 1d\n", 1)), 0o644)
	want := []string{
		`sweep_brute_force [2024-03-08T00:01:00Z, 2024-03-08T00:11:00Z] {"ip":"192.0.2.8"} n=5 truncated=false`,
		`sweep_brute_force [2024-03-09T00:30:00Z, 2024-03-09T00:40:00Z] {"ip":"192.0.2.8"} n=5 truncated=false`,
	}
	code, out, errOut := cli(t, "scan", root, "--rule", rule, "--since", "2024-03-06", "--until", "2024-03-11", "--format", "jsonl", "--quiet")
	if code != exitOK || strings.Count(out, `"detection"`) != 2 {
		t.Fatalf("plain scan: exit %d, %d detections, want 2\n%s%s", code, strings.Count(out, `"detection"`), out, errOut)
	}
	work := t.TempDir()
	sweepRun := func(name, since, until string) {
		t.Helper()
		if code, _, errOut := cli(t, "scan", root, "--rule", rule, "--since", since, "--until", until, "--quiet",
			"--state", filepath.Join(work, name+".state"), "--out", filepath.Join(work, name)+"/"); code != exitOK {
			t.Fatalf("%s: exit %d\n%s", name, code, errOut)
		}
	}
	sweepRun("one", "2024-03-06", "2024-03-11")
	for d := 6; d <= 11; d++ {
		day := fmt.Sprintf("2024-03-%02d", d)
		sweepRun("daily", day, day)
	}
	for _, name := range []string{"one", "daily"} {
		if got, _ := lakeDetections(t, filepath.Join(work, name)+"/", open.Options{}); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s:\n%s\nwant\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// TestPartialKeySweepAcrossMidnight: a rule whose $call does not assign
// the match variable ($ip: the key is completed from the login it joins
// by user) runs in day-by-day sweeps as in one run. By hand, 10m hop
// windows: alice logs in from 192.0.2.30 at 03-01 23:58 and creates an
// access key at 03-02 00:03 (one detection ip=192.0.2.30, [23:58,
// 00:08]); bob logs in at 03-02 08:00 and creates a key at 08:30 (30
// minutes: none).
func TestPartialKeySweepAcrossMidnight(t *testing.T) {
	const keyRule = `rule login_then_access_key {
  events:
    $login.metadata.product_event_type = "ConsoleLogin"
    $login.principal.ip = $ip
    $login.principal.user.userid = $user
    $call.metadata.product_event_type = "CreateAccessKey"
    $call.principal.user.userid = $user
  match:
    $ip over 10m
  condition:
    $login and $call
}
`
	call := func(at, user string) string {
		return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","accountId":"111122223333","userName":%q},"eventTime":%q,"eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.99","eventID":"k-%s"}`, user, at, at)
	}
	login := func(at, ip, user string) string {
		return strings.Replace(loginRecord(at, ip, false), `"userName":"alice"`, fmt.Sprintf(`"userName":%q`, user), 1)
	}
	root := t.TempDir()
	dir := "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/"
	put(t, root, dir+"01/111122223333_CloudTrail_us-east-1_20240301T2355Z_a.json.gz", gz(t, []byte(`{"Records":[`+login("2024-03-01T23:58:00Z", "192.0.2.30", "alice")+`]}`)))
	put(t, root, dir+"02/111122223333_CloudTrail_us-east-1_20240302T0005Z_b.json.gz", gz(t, []byte(`{"Records":[`+call("2024-03-02T00:03:00Z", "alice")+`,`+
		login("2024-03-02T08:00:00Z", "192.0.2.31", "bob")+`,`+call("2024-03-02T08:30:00Z", "bob")+`]}`)))
	rule := filepath.Join(t.TempDir(), "key.yaral")
	os.WriteFile(rule, []byte(keyRule), 0o644)
	want := []string{`login_then_access_key [2024-03-01T23:58:00Z, 2024-03-02T00:08:00Z] {"ip":"192.0.2.30"} n=2 truncated=false`}
	if code, out, errOut := cli(t, "scan", root, "--rule", rule, "--since", "2024-02-29", "--until", "2024-03-03", "--format", "jsonl", "--quiet"); code != exitOK ||
		strings.Count(out, `"detection"`) != 1 || !strings.Contains(out, `192.0.2.30`) {
		t.Fatalf("plain scan: exit %d, want the one detection:\n%s%s", code, out, errOut)
	}
	work := t.TempDir()
	sweepRun := func(name, since, until string) {
		t.Helper()
		if code, _, errOut := cli(t, "scan", root, "--rule", rule, "--since", since, "--until", until, "--quiet",
			"--state", filepath.Join(work, name+".state"), "--out", filepath.Join(work, name)+"/"); code != exitOK {
			t.Fatalf("%s: exit %d\n%s", name, code, errOut)
		}
	}
	sweepRun("one", "2024-02-29", "2024-03-03")
	for _, day := range []string{"2024-02-29", "2024-03-01", "2024-03-02", "2024-03-03"} {
		sweepRun("daily", day, day)
	}
	for _, name := range []string{"one", "daily"} {
		if got, _ := lakeDetections(t, filepath.Join(work, name)+"/", open.Options{}); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s:\n%s\nwant\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}
