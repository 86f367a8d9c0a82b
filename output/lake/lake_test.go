package lake_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/output/lake"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/azblob"
	"github.com/retrohunt/retrohunt/sources/local"
	"github.com/retrohunt/retrohunt/sources/s3"
	"github.com/retrohunt/retrohunt/sources/testservers"
)

func TestMain(m *testing.M) { testservers.Main(m) }

// forEachStore runs f against a fresh local directory, a fresh versitygw
// bucket and a fresh Azurite container.
func forEachStore(t *testing.T, f func(t *testing.T, st sources.Store)) {
	t.Run("local", func(t *testing.T) {
		st, err := local.NewDir(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		f(t, st)
	})
	t.Run("s3", func(t *testing.T) {
		srv := testservers.SharedS3(t)
		st, err := s3.New(context.Background(), s3.Config{
			Bucket: srv.NewBucket(t), Endpoint: srv.Endpoint, PathStyle: true, Credentials: srv.Credentials(),
		})
		if err != nil {
			t.Fatal(err)
		}
		f(t, st)
	})
	t.Run("azblob", func(t *testing.T) {
		t.Setenv("AZURE_STORAGE_CONNECTION_STRING", "")
		srv := testservers.SharedAzurite(t)
		st, err := azblob.New(context.Background(), azblob.Config{
			ServiceURL: srv.ServiceURL, Container: srv.NewContainer(t), AccountKey: srv.Key,
		})
		if err != nil {
			t.Fatal(err)
		}
		f(t, st)
	})
}

var (
	rules    = []string{"aws_ssm_run_command", "aws_ssm_start_session", "azure_vm_run_command"}
	accounts = []string{"111122223333", "444455556666"}
	day0     = time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC)
)

// genHits returns n hits spread over 3 days, 3 rules and 2 accounts,
// each identified by its record_index.
func genHits(n int, uri string) []output.Hit {
	hs := make([]output.Hit, n)
	for i := range hs {
		hs[i] = output.Hit{
			RuleName:    rules[i%3],
			Severity:    "HIGH",
			EventTime:   day0.Add(time.Duration(i%5) * 12 * time.Hour).Add(time.Duration(i) * time.Second),
			LogType:     "AWS_CLOUDTRAIL",
			AccountID:   accounts[i%2],
			EventName:   "SendCommand",
			SourceURI:   uri,
			RecordIndex: int64(i),
			Raw:         fmt.Sprintf(`{"eventID":"%d","pad":%q}`, i, strings.Repeat("x", i%50)),
		}
	}
	return hs
}

func write(t *testing.T, w *lake.Writer, hs []output.Hit, batch int) {
	t.Helper()
	for len(hs) > 0 {
		n := min(batch, len(hs))
		if err := w.Write(append([]output.Hit(nil), hs[:n]...)); err != nil {
			t.Fatal(err)
		}
		hs = hs[n:]
	}
}

// readPart downloads a part file and reads its hits.
func readPart(t *testing.T, st sources.Store, key string) []output.Hit {
	t.Helper()
	b, _, err := st.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get %s: %v", key, err)
	}
	var hs []output.Hit
	if err := output.ReadHits(bytes.NewReader(b), int64(len(b)), output.ReadOptions{Raw: true}, func(b []output.Hit) error {
		hs = append(hs, b...)
		return nil
	}); err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return hs
}

func listKeys(t *testing.T, st sources.Store, prefix string) []string {
	t.Helper()
	var keys []string
	if err := st.List(context.Background(), prefix, func(o sources.Object) error {
		if b := path.Base(o.Key); !strings.HasPrefix(b, ".") { // local lock files
			keys = append(keys, o.Key)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return keys
}

func emptyDir(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 0 {
		t.Errorf("temporary files left in %s: %v", dir, ents)
	}
}

// checkLake reads every file of run's manifest back and checks it
// against the manifest and the partitioning; it returns the hits.
func checkLake(t *testing.T, st sources.Store, prefix, run string, by []string, maxRows int) (*lake.Manifest, []output.Hit) {
	t.Helper()
	m, err := lake.ReadManifest(context.Background(), st, prefix, run)
	if err != nil {
		t.Fatalf("manifest: %v", err)
	}
	if m.Run != run || m.Version != 1 || m.Prefix != st.URI(prefix) || strings.Join(m.PartitionBy, ",") != strings.Join(by, ",") {
		t.Errorf("manifest header: %+v", m)
	}
	name := regexp.MustCompile(`^part-` + regexp.QuoteMeta(run) + `-\d+\.parquet$`)
	var all []output.Hit
	var rows int64
	for _, f := range m.Files {
		if f.Run != run || !strings.HasPrefix(f.Key, prefix) || f.URI != st.URI(f.Key) {
			t.Errorf("file %+v", f)
		}
		dir, base := path.Split(strings.TrimPrefix(f.Key, prefix))
		if !name.MatchString(base) || strings.TrimSuffix(dir, "/") != f.Partition {
			t.Errorf("file %s: name or partition %q wrong", f.Key, f.Partition)
		}
		hs := readPart(t, st, f.Key)
		if int64(len(hs)) != f.Rows || f.Rows == 0 || maxRows > 0 && f.Rows > int64(maxRows) {
			t.Errorf("%s: %d rows, manifest says %d (max %d)", f.Key, len(hs), f.Rows, maxRows)
		}
		for i := range hs {
			if p := lake.Partition(by, &hs[i]); p != f.Partition {
				t.Errorf("%s holds a hit of partition %s", f.Key, p)
				break
			}
		}
		rows += f.Rows
		all = append(all, hs...)
	}
	if rows != m.Rows {
		t.Errorf("manifest rows %d, files sum to %d", m.Rows, rows)
	}
	return m, all
}

func indexes(hs []output.Hit) []int64 {
	var ix []int64
	for _, h := range hs {
		ix = append(ix, h.RecordIndex)
	}
	sort.Slice(ix, func(i, j int) bool { return ix[i] < ix[j] })
	return ix
}

func sameHits(t *testing.T, got, want []output.Hit) {
	t.Helper()
	g, w := indexes(got), indexes(want)
	if fmt.Sprint(g) != fmt.Sprint(w) {
		t.Errorf("read back %d hits, want %d (each exactly once)", len(g), len(w))
	}
}

func TestWriteReadBack(t *testing.T) {
	forEachStore(t, func(t *testing.T, st sources.Store) {
		tmp := t.TempDir()
		by := []string{lake.ByDate, lake.ByRule, lake.ByAccount}
		prefix := "findings/cloudtrail/"
		w, err := lake.New(context.Background(), st, prefix, lake.Options{PartitionBy: by, MaxRows: 7, TempDir: tmp})
		if err != nil {
			t.Fatal(err)
		}
		hs := genHits(150, "s3://trail/a.json.gz")
		write(t, w, hs, 23)
		summary := map[string]any{"objects_scanned": 12, "hits": len(hs)}
		if err := w.CloseWithManifest(summary); err != nil {
			t.Fatal(err)
		}
		m, got := checkLake(t, st, prefix, w.RunID(), by, 7)
		sameHits(t, got, hs)
		var sum map[string]any
		if err := json.Unmarshal(m.Summary, &sum); err != nil || sum["hits"] != 150.0 {
			t.Errorf("manifest summary %s: %v", m.Summary, err)
		}
		// 3 days × 3 rules × 2 accounts, with 150 hits rolled at 7 rows.
		parts := map[string]bool{}
		for _, f := range m.Files {
			parts[f.Partition] = true
		}
		if len(parts) != 18 || len(m.Files) < 150/7 {
			t.Errorf("%d files in %d partitions", len(m.Files), len(parts))
		}
		if !parts["date=2024-02-29/rule=aws_ssm_run_command/account=111122223333"] {
			t.Errorf("partitions %v", parts)
		}
		// Nothing under the prefix but the parts and the manifest.
		want := map[string]bool{lake.ManifestKey(prefix, w.RunID()): true}
		for _, f := range m.Files {
			want[f.Key] = true
		}
		keys := listKeys(t, st, prefix)
		for _, k := range keys {
			if !want[k] {
				t.Errorf("unexpected object %s", k)
			}
		}
		if len(keys) != len(want) {
			t.Errorf("%d objects under the prefix, want %d", len(keys), len(want))
		}
		emptyDir(t, tmp)
	})
}

// Two runs into one prefix never share a file name; each has its own
// manifest.
func TestRunsUnique(t *testing.T) {
	forEachStore(t, func(t *testing.T, st sources.Store) {
		by := []string{lake.ByDate}
		var runs []string
		names := map[string]string{}
		for r := 0; r < 2; r++ {
			w, err := lake.New(context.Background(), st, "lake", lake.Options{PartitionBy: by, MaxRows: 50, TempDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			hs := genHits(120, fmt.Sprintf("s3://trail/run%d", r))
			write(t, w, hs, 40)
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			m, got := checkLake(t, st, "lake/", w.RunID(), by, 50)
			sameHits(t, got, hs)
			for _, f := range m.Files {
				if other, ok := names[f.Key]; ok {
					t.Errorf("%s written by run %s and %s", f.Key, other, w.RunID())
				}
				names[f.Key] = w.RunID()
			}
			runs = append(runs, w.RunID())
		}
		got, err := lake.Manifests(context.Background(), st, "lake/")
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(got)
		sort.Strings(runs)
		if fmt.Sprint(got) != fmt.Sprint(runs) {
			t.Errorf("Manifests = %v, want %v", got, runs)
		}
	})
}

// Explicit mode: Write commits nothing; Checkpoint hands over finished
// files before any is visible, then commits them all.
func TestCheckpoint(t *testing.T) {
	forEachStore(t, func(t *testing.T, st sources.Store) {
		tmp := t.TempDir()
		by := []string{lake.ByRule}
		w, err := lake.New(context.Background(), st, "x/", lake.Options{PartitionBy: by, MaxRows: 10, Explicit: true, TempDir: tmp, RunID: "r1"})
		if err != nil {
			t.Fatal(err)
		}
		hs := genHits(45, "s3://trail/a")
		write(t, w, hs[:30], 30)
		if !w.Full() {
			t.Error("Full = false with 10 rows per rule and MaxRows 10")
		}
		if keys := listKeys(t, st, "x/"); len(keys) != 0 {
			t.Fatalf("explicit Write committed %v", keys)
		}
		var seen []lake.File
		files, err := w.Checkpoint(func(fs []lake.File) error {
			seen = fs
			// Finished, but not visible yet.
			if keys := listKeys(t, st, "x/"); len(keys) != 0 {
				t.Errorf("files visible before the callback returned: %v", keys)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(seen) != 3 || len(files) != 3 {
			t.Fatalf("checkpoint of 3 partitions: callback saw %d, committed %d", len(seen), len(files))
		}
		for i, f := range files {
			if f.Key != seen[i].Key || f.Rows != 10 || f.Bytes == 0 || f.Bytes != seen[i].Bytes {
				t.Errorf("file %d: committed %+v, announced %+v", i, f, seen[i])
			}
		}
		write(t, w, hs[30:], 7)
		if err := w.Close(); err == nil {
			t.Error("Close with hits after the last checkpoint succeeded in explicit mode")
		}
		emptyDir(t, tmp)
		// An empty checkpoint still calls back (the state saves no-hit
		// objects), then Close writes the manifest.
		w2, _ := lake.New(context.Background(), st, "x/", lake.Options{Explicit: true, TempDir: tmp, RunID: "r2"})
		called := false
		if _, err := w2.Checkpoint(func(fs []lake.File) error { called = len(fs) == 0; return nil }); err != nil || !called {
			t.Errorf("empty checkpoint: %v, called %v", err, called)
		}
		if err := w2.Close(); err != nil {
			t.Fatal(err)
		}
		if m, _ := checkLake(t, st, "x/", "r2", nil, 0); len(m.Files) != 0 {
			t.Errorf("manifest of an empty run lists %v", m.Files)
		}
	})
}

// When the checkpoint callback fails (the state could not be saved),
// nothing is committed, and the Writer writes nothing more.
func TestCheckpointRefused(t *testing.T) {
	st, err := local.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	w, err := lake.New(context.Background(), st, "", lake.Options{Explicit: true, TempDir: tmp})
	if err != nil {
		t.Fatal(err)
	}
	write(t, w, genHits(20, "u"), 20)
	refused := errors.New("state conflict")
	if _, err := w.Checkpoint(func([]lake.File) error { return refused }); !errors.Is(err, refused) {
		t.Fatalf("Checkpoint = %v, want the callback's error", err)
	}
	if err := w.Write(genHits(1, "u")); !errors.Is(err, refused) {
		t.Errorf("Write after a refused checkpoint = %v", err)
	}
	if err := w.Close(); !errors.Is(err, refused) {
		t.Errorf("Close after a refused checkpoint = %v", err)
	}
	if keys := listKeys(t, st, ""); len(keys) != 0 {
		t.Errorf("a refused checkpoint left %v", keys)
	}
	emptyDir(t, tmp)
}

// Files roll by bytes too, and past MaxOpen partitions the least
// recently written file is committed; every hit still lands once.
func TestRolling(t *testing.T) {
	st, err := local.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	hs := genHits(100, "s3://trail/a")
	by := []string{lake.ByDate, lake.ByRule}
	f := func(name string, o lake.Options, atLeast int) {
		t.Run(name, func(t *testing.T) {
			t.Parallel() // the time goes to fsync
			rolling(t, st, name, o, hs, by, atLeast)
		})
	}
	f("bytes", lake.Options{MaxBytes: 2000}, 100*150/2000)
	f("open", lake.Options{MaxOpen: 3}, 12)
	f("one", lake.Options{}, 9) // 3 days × 3 rules
}

func rolling(t *testing.T, st sources.Store, name string, o lake.Options, hs []output.Hit, by []string, atLeast int) {
	o.PartitionBy, o.TempDir = by, t.TempDir()
	w, err := lake.New(context.Background(), st, name, o)
	if err != nil {
		t.Fatal(err)
	}
	write(t, w, hs, 17)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	m, got := checkLake(t, st, name+"/", w.RunID(), by, o.MaxRows)
	sameHits(t, got, hs)
	if len(m.Files) < atLeast {
		t.Errorf("%d files, want at least %d", len(m.Files), atLeast)
	}
	emptyDir(t, o.TempDir)
}

func TestPartition(t *testing.T) {
	f := func(by []string, h output.Hit, want string) {
		t.Helper()
		if got := lake.Partition(by, &h); got != want {
			t.Errorf("Partition(%v) = %q, want %q", by, got, want)
		}
	}
	at := time.Date(2024, 3, 1, 23, 30, 0, 0, time.FixedZone("x", -2*3600)) // 2024-03-02 UTC
	h := output.Hit{RuleName: "aws_ssm_run_command", AccountID: "111122223333", EventTime: at}
	f([]string{"date", "rule", "account"}, h, "date=2024-03-02/rule=aws_ssm_run_command/account=111122223333")
	f([]string{"account", "date"}, h, "account=111122223333/date=2024-03-02")
	f(nil, h, "")
	f([]string{"date", "account"}, output.Hit{}, "date=__HIVE_DEFAULT_PARTITION__/account=__HIVE_DEFAULT_PARTITION__")
	f([]string{"rule"}, output.Hit{RuleName: "a/b=c:d%e f"}, "rule=a%2Fb%3Dc%3Ad%25e f")
	f([]string{"rule"}, output.Hit{RuleName: "..\x01"}, "rule=..%01")

	for _, bad := range []string{"date,date", "day", "rule,,account"} {
		if _, err := lake.ParsePartitionBy(bad); err == nil {
			t.Errorf("ParsePartitionBy(%q) succeeded", bad)
		}
	}
	if by, err := lake.ParsePartitionBy(" date, rule "); err != nil || fmt.Sprint(by) != "[date rule]" {
		t.Errorf("ParsePartitionBy = %v, %v", by, err)
	}
	if _, err := lake.New(context.Background(), nil, "", lake.Options{RunID: "../x"}); err == nil {
		t.Error("a run ID with a slash was accepted")
	}
}

func TestTombstone(t *testing.T) {
	b := lake.Tombstone()
	n := 0
	if err := output.ReadHits(bytes.NewReader(b), int64(len(b)), output.ReadOptions{}, func(hs []output.Hit) error { n += len(hs); return nil }); err != nil || n != 0 {
		t.Errorf("tombstone: %d rows, %v; want a valid hits file without rows", n, err)
	}
}

// TestPartitionLongValue: a value longer than lake.MaxValue escaped (an
// attacker's 300-character account id, issue 15 item 6) keeps a readable
// prefix, never half an escape, and ends in 16 hex digits of its SHA-256:
// the same value always maps to the same folder, another value with the
// same prefix to another.
func TestPartitionLongValue(t *testing.T) {
	hash := func(v string) string {
		s := sha256.Sum256([]byte(v))
		return hex.EncodeToString(s[:8])
	}
	nines := strings.Repeat("9", 300)
	f := func(v, want string) {
		t.Helper()
		got := lake.Partition([]string{"account"}, &output.Hit{AccountID: v})
		if got != want {
			t.Errorf("Partition(%.20q…) = %q, want %q", v, got, want)
		}
		if len(got) > lake.MaxSegment {
			t.Errorf("segment of %d bytes, max %d", len(got), lake.MaxSegment)
		}
	}
	f(nines, "account="+strings.Repeat("9", 79)+"~"+hash(nines))
	f(nines+"8", "account="+strings.Repeat("9", 79)+"~"+hash(nines+"8"))
	// 96 bytes escaped is kept whole; 97 is not.
	f(strings.Repeat("a", 96), "account="+strings.Repeat("a", 96))
	f(strings.Repeat("a", 97), "account="+strings.Repeat("a", 79)+"~"+hash(strings.Repeat("a", 97)))
	// "/" escapes to %2F: 26 whole escapes fit in 79 bytes, the 27th
	// would be cut, so it is left out.
	slashes := strings.Repeat("/", 100)
	f(slashes, "account="+strings.Repeat("%2F", 26)+"~"+hash(slashes))
}
