package scan

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/sources"
)

// TestPipelineLosesNothing scans mixes of buffered, streamed and failing
// objects with fewer and more workers than connections (run it with
// -race): every object is scanned or counted failed, each with one
// result. A scan cancelled a third of the way returns the cancellation;
// before, its workers returned at once and closed the results channel
// while a downloader could still send a failed object's result on it (a
// panic, "send on closed channel", which the race detector reports as a
// race on the channel's close).
func TestPipelineLosesNothing(t *testing.T) {
	const n = 60
	since := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	win := sources.Window{Since: since, Until: since.Add(24 * time.Hour)}
	cases := []struct {
		name                 string
		workers, connections int
		bufferBytes          int64 // 0: the default, every object buffered
		records              []int // object i holds records[i%len(records)] records
		failEvery            int
	}{
		{name: "buffered", workers: 2, connections: 8, records: []int{2}},
		{name: "more workers than connections", workers: 6, connections: 2, records: []int{2, 3}},
		{name: "failing downloads", workers: 2, connections: 8, records: []int{2}, failEvery: 3},
		{name: "streamed and buffered", workers: 2, connections: 8, bufferBytes: 2000, records: []int{2, 40}, failEvery: 7},
		{name: "streamed, more workers", workers: 5, connections: 3, bufferBytes: 2000, records: []int{40, 2, 40}, failEvery: 5},
	}
	for _, c := range cases {
		for _, cancelAt := range []int{0, n / 3} {
			t.Run(fmt.Sprintf("%s/cancel at %d", c.name, cancelAt), func(t *testing.T) {
				// Every failEvery-th Open fails with an error the store
				// answered with, which is not asked again: each object
				// is opened once, so as many objects fail.
				s := &flakyStore{gatedStore: *newGatedStore(nil, 1000)}
				failed := 0
				if c.failEvery > 0 {
					failed = (n + c.failEvery - 1) / c.failEvery
					s.openErr = func(k int64) error {
						if (k-1)%int64(c.failEvery) == 0 {
							return errFlaky
						}
						return nil
					}
				}
				for i := range n {
					at := since.Add(time.Duration(i+1) * time.Minute)
					key := fmt.Sprintf("AWSLogs/111122223333/CloudTrail/eu-west-1/2024/03/01/111122223333_CloudTrail_eu-west-1_%s_%04d.json.gz",
						at.Format("20060102T1504Z"), i)
					s.add(key, cloudTrailObject(at, c.records[i%len(c.records)], fmt.Sprint(i)))
				}
				s.sorted()
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				results := 0
				cfg := Config{Window: win, Workers: c.workers, Connections: c.connections, BufferBytes: c.bufferBytes,
					Now: func() time.Time { return win.Until.Add(time.Hour) },
					Done: func(ObjectResult) error {
						if results++; results == cancelAt {
							cancel()
						}
						return nil
					}}
				sum, err := Run(ctx, cfg, []Target{{Source: s}}, &collect{})
				if cancelAt > 0 {
					if !errors.Is(err, context.Canceled) {
						t.Fatalf("cancelled scan: %v", err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if sum.ObjectsScanned != int64(n-failed) || sum.ObjectsFailed != int64(failed) || results != n {
					t.Fatalf("%d scanned, %d failed, %d results; want %d, %d, %d", sum.ObjectsScanned, sum.ObjectsFailed, results, n-failed, failed, n)
				}
			})
		}
	}
}
