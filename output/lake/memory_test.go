package lake_test

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/output/lake"
	"github.com/retrohunt/retrohunt/sources/local"
)

// heapInuse is the heap in use after a collection.
func heapInuse() uint64 {
	runtime.GC()
	runtime.GC() // and what sync.Pools kept from the first
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// datedHits are n hits on n consecutive days: one object's hits, as an
// attacker's object of records dated over eight years makes them.
func datedHits(n int) []output.Hit {
	raw := `{"eventName":"StartSession","eventSource":"ssm.amazonaws.com"}`
	hs := make([]output.Hit, n)
	for i := range hs {
		hs[i] = output.Hit{RuleName: "aws_ssm_session_manager", AccountID: "111122223333", EventName: "StartSession",
			EventTime:  time.Date(2015, 1, 1, 12, 0, 0, 0, time.UTC).AddDate(0, 0, i),
			SourceURI:  "s3://trail/AWSLogs/111122223333/CloudTrail/us-east-1/2023/06/10/o.json.gz",
			SourceETag: "e", RecordIndex: int64(i), Raw: raw}
	}
	return hs
}

// TestMemoryPerPartition is issue 15's item 7 for the lake: one object
// whose hits fall on 3,000 dates, written with Explicit (as a sweep with
// a state writes, committing only at checkpoints between objects), holds
// at most MaxOpen part files' buffers, not one per date. The budget of
// MaxOpen open parts is measured here, on MaxOpen dates; 3,000 dates may
// hold that plus a small record (under 1 KiB) per part closed to wait
// for the checkpoint, and 1 MiB of slack.
func TestMemoryPerPartition(t *testing.T) {
	ctx := context.Background()
	st, err := local.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	newLake := func() *lake.Writer {
		w, err := lake.New(ctx, st, "lake/", lake.Options{PartitionBy: []string{lake.ByDate}, Explicit: true, TempDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	// MaxOpen open parts: what they cost.
	base := heapInuse()
	few := newLake()
	if err := few.Write(datedHits(lake.DefaultMaxOpen)); err != nil {
		t.Fatal(err)
	}
	open := int64(heapInuse()) - int64(base)
	few.Abort()

	const dates = 3000
	hits := datedHits(dates)
	base = heapInuse()
	w := newLake()
	if err := w.Write(hits); err != nil {
		t.Fatal(err)
	}
	held := int64(heapInuse()) - int64(base)
	bound := open + dates*1024 + 1<<20
	t.Logf("%d open parts: %d KiB; %d dates: %d KiB held (bound %d KiB)", lake.DefaultMaxOpen, open>>10, dates, held>>10, bound>>10)
	if held > bound {
		t.Errorf("%d dates in one object hold %d KiB, more than %d open parts (%d KiB) and the closed ones' records (bound %d KiB)",
			dates, held>>10, lake.DefaultMaxOpen, open>>10, bound>>10)
	}
	if !w.Full() {
		t.Error("not Full with parts waiting for a checkpoint")
	}
	files, err := w.Checkpoint(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != dates {
		t.Errorf("checkpoint committed %d parts, want one per date (%d)", len(files), dates)
	}
	if err := w.CloseWithManifest(nil); err != nil {
		t.Fatal(err)
	}
	m, err := lake.ReadManifest(ctx, st, "lake/", w.RunID())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range m.Files {
		seen[f.Partition] = true
		if f.Rows != 1 || !strings.HasPrefix(f.Partition, "date=") {
			t.Errorf("file %+v", f)
		}
	}
	if len(seen) != dates {
		t.Errorf("%d partitions in the manifest, want %d", len(seen), dates)
	}
}
