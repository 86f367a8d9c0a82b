package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/retrohunt/retrohunt/bench/gen"
	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/sweep"
	"github.com/retrohunt/retrohunt/sweep/sweeptest"
)

// lakeIDs reads every Parquet file under a local lake, as a Hive reader
// would (tombstones are empty files), and returns each hit's identity.
func lakeIDs(t *testing.T, root string) []string {
	t.Helper()
	var ids []string
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !strings.HasSuffix(p, ".parquet") {
			return err
		}
		hits, err := output.ReadFile(p, output.ReadOptions{})
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		for _, h := range hits {
			ids = append(ids, hitID(h))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(ids)
	return ids
}

func hitID(h output.Hit) string {
	return fmt.Sprintf("%s %s#%d", h.RuleName, h.SourceURI, h.RecordIndex)
}

// cleanIDs is what one plain run finds, for comparison.
func cleanIDs(t *testing.T, args ...string) []string {
	t.Helper()
	code, out, errOut := cli(t, append(append([]string{"scan"}, args...), "--format", "jsonl", "--quiet")...)
	if code != exitOK {
		t.Fatalf("clean run: exit %d\n%s", code, errOut)
	}
	var ids []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var h output.Hit
		var raw map[string]any
		json.Unmarshal([]byte(line), &raw)
		h.RuleName, h.SourceURI = raw["rule_name"].(string), raw["source_uri"].(string)
		h.RecordIndex = int64(raw["record_index"].(float64))
		ids = append(ids, hitID(h))
	}
	sort.Strings(ids)
	return ids
}

func summaryOf(t *testing.T, path string) map[string]any {
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

// TestSweepIncremental: a second sweep scans nothing new, a changed
// object is scanned again, and the lake holds every hit exactly once.
func TestSweepIncremental(t *testing.T) {
	archive := t.TempDir()
	if _, _, err := gen.Generate(gen.Config{Days: 1, FilesPerDay: 3, RecordsPerFile: 20, AzureRecordsPerHour: 20}, gen.DirSink(archive)); err != nil {
		t.Fatal(err)
	}
	want := cleanIDs(t, archive)
	work := t.TempDir()
	lake, st, sum := filepath.Join(work, "lake")+"/", filepath.Join(work, "sweep.state"), filepath.Join(work, "summary.json")
	sweep := func() map[string]any {
		t.Helper()
		code, _, errOut := cli(t, "scan", archive, "--state", st, "--out", lake, "--partition-by", "date,rule", "--summary-json", sum, "--quiet")
		if code != exitOK {
			t.Fatalf("sweep: exit %d\n%s", code, errOut)
		}
		return summaryOf(t, sum)
	}
	first := sweep()
	if got := lakeIDs(t, lake); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("first sweep: lake has %d hits, a plain run %d", len(got), len(want))
	}
	if m, _ := filepath.Glob(filepath.Join(lake, "date=*", "rule=*", "part-*.parquet")); len(m) == 0 {
		t.Errorf("no Hive-partitioned part files under %s", lake)
	}
	second := sweep()
	if second["objects_scanned"].(float64) != 0 || second["not_selected"] == nil {
		t.Errorf("second sweep scanned %v objects (first: %v); not selected: %v", second["objects_scanned"], first["objects_scanned"], second["not_selected"])
	}
	// Append a record to one Azure hour blob: only it is scanned again,
	// and only the new record can add a hit.
	blobs, _ := filepath.Glob(filepath.Join(archive, "insights-activity-logs", "resourceId=", "SUBSCRIPTIONS", "*", "y=*", "m=*", "d=*", "h=05", "m=00", "PT1H.json"))
	if len(blobs) != 1 {
		t.Fatalf("hour blobs: %v", blobs)
	}
	rec := mustJSON(at(sample(t, "azure_SERIALCONSOLE_SERIALPORTS_CONNECT_ACTION__limacharlie_export.json"), "time", "2025-03-10T05:59:00.0000000Z"))
	f, _ := os.OpenFile(blobs[0], os.O_APPEND|os.O_WRONLY, 0)
	f.Write(append(rec, '\n'))
	f.Close()
	third := sweep()
	if third["objects_scanned"].(float64) != 1 {
		t.Errorf("third sweep scanned %v objects, want the 1 that grew", third["objects_scanned"])
	}
	got := lakeIDs(t, lake)
	if len(got) != len(want)+1 {
		t.Errorf("after the blob grew: %d hits in the lake, want %d (each once)", len(got), len(want)+1)
	}
	for i := 1; i < len(got); i++ {
		if got[i] == got[i-1] {
			t.Errorf("duplicate hit in the lake: %s", got[i])
		}
	}
}

// killEnv makes a child CLI process kill itself (SIGKILL) at the sweep's
// write n, before it reaches the store or, with after, once it landed.
const (
	killAtEnv    = "RETROHUNT_TEST_KILL_AT_WRITE"
	killAfterEnv = "RETROHUNT_TEST_KILL_AFTER"
)

func init() {
	n, err := strconv.Atoi(os.Getenv(killAtEnv))
	if err != nil || n < 1 {
		return
	}
	k := &sweeptest.Killer{At: n, After: os.Getenv(killAfterEnv) == "1", Kill: func() {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // nothing more happens in this process
	}}
	wrapSweepStores = func(s sweep.Stores) sweep.Stores {
		if s.State != nil {
			s.State = k.Wrap(s.State)
		}
		if s.Lake != nil {
			s.Lake = k.Wrap(s.Lake)
		}
		return s
	}
}

// TestSweepResumesAfterKill kills the CLI (SIGKILL) at each write of its
// sweep in turn, before and after the write lands, runs the same command
// again, and requires the lake to hold exactly the hits of a clean run,
// each once. The kill points are enumerated until one lies past the
// sweep's last write, so every write is a kill point whatever the order
// the workers finish objects in.
func TestSweepResumesAfterKill(t *testing.T) {
	archive := t.TempDir()
	if _, _, err := gen.Generate(gen.Config{Days: 1, AWSAccounts: []string{"111122223333"}, Regions: []string{"us-east-1"}, FilesPerDay: 6, RecordsPerFile: 20, AzureRecordsPerHour: 5}, gen.DirSink(archive)); err != nil {
		t.Fatal(err)
	}
	want := cleanIDs(t, archive)
	self, _ := os.Executable()
	// runSweep runs the sweep in work; it reports whether it was killed,
	// and fails the test if it failed by itself.
	runSweep := func(work string, env ...string) (killed bool) {
		cmd := exec.Command(self, "scan", archive, "--workers", "2",
			"--state", filepath.Join(work, "sweep.state"), "--out", filepath.Join(work, "lake")+"/", "--partition-by", "rule", "--checkpoint-objects", "10", "--quiet")
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
	// killAt kills a sweep at write n, resumes it and checks the lake; it
	// reports false when the sweep made fewer than n writes.
	killAt := func(n int, after string) bool {
		work := t.TempDir()
		if !runSweep(work, killAtEnv+"="+strconv.Itoa(n), killAfterEnv+"="+after) {
			return false
		}
		if runSweep(work) {
			t.Errorf("the resume after a kill at write %d was killed", n)
		}
		if got := lakeIDs(t, filepath.Join(work, "lake")); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("killed at write %d (after: %s), resumed: the lake holds %d hits, a clean run %d:\n got %v\nwant %v", n, after, len(got), len(want), got, want)
		}
		return true
	}
	// Kill points in batches of children at once (their time is process
	// start and fsync), until a batch holds one past the last write.
	const batch = 4
	var (
		mu    sync.Mutex
		kills int
		past  bool
	)
	for first := 1; !past && !t.Failed(); first += batch {
		var wg sync.WaitGroup
		for n := first; n < first+batch; n++ {
			for _, after := range []string{"0", "1"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					killed := killAt(n, after)
					mu.Lock()
					defer mu.Unlock()
					if killed {
						kills++
					} else {
						past = true
					}
				}()
			}
		}
		wg.Wait()
	}
	if kills < 4 {
		t.Fatalf("only %d kill points", kills)
	}
	t.Logf("%d kills, each resumed", kills)
}

// TestShardsCoverTheArchiveOnce runs three shards as separate processes
// into one lake; their union is a single run's hits, each once.
func TestShardsCoverTheArchiveOnce(t *testing.T) {
	archive := t.TempDir()
	if _, _, err := gen.Generate(gen.Config{Days: 1, FilesPerDay: 4, RecordsPerFile: 20, AzureRecordsPerHour: 20}, gen.DirSink(archive)); err != nil {
		t.Fatal(err)
	}
	want := cleanIDs(t, archive)
	self, _ := os.Executable()
	work := t.TempDir()
	lake := filepath.Join(work, "lake") + "/"
	var cmds []*exec.Cmd
	for i := 0; i < 3; i++ {
		cmd := exec.Command(self, "scan", archive, "--shard", fmt.Sprintf("%d/3", i), "--state", filepath.Join(work, "sweep.state"), "--out", lake, "--quiet")
		cmd.Env = append(os.Environ(), "RETROHUNT_TEST_AS_CLI=1")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("shard %d: %v", i, err)
		}
	}
	if got := lakeIDs(t, lake); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("shards' union: %d hits, a single run %d", len(got), len(want))
	}
	if m, _ := filepath.Glob(filepath.Join(work, "sweep.state-*-of-3")); len(m) != 3 {
		t.Errorf("state files %v, want one per shard", m)
	}
}
