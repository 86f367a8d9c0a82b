package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/scan/decode"
	"github.com/retrohunt/retrohunt/scan/fast"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/local"
)

// bigRecords returns records of about n bytes that hit the pack's SSM
// rule: one whose size is one long string, one whose size is many small
// objects (what a decoder turns into the most memory per byte).
func bigRecords(t testing.TB, n int) map[string][]byte {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "samples", "aws_ssm_SendCommand__stratus.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	rec["padding"] = strings.Repeat("x", n)
	out["one string"], _ = json.Marshal(rec)
	rec["padding"] = strings.Repeat(`"`, n/2)
	out["escapes"], _ = json.Marshal(rec)
	small := make([]map[string]int, n/8)
	for i := range small {
		small[i] = map[string]int{"a": 1}
	}
	rec["padding"] = small
	out["small objects"], _ = json.Marshal(rec)
	return out
}

// Issue 15, item 7: what a worker allocates for one record near
// --max-record-bytes (M), a record of n bytes, against the budget README
// ("Memory is bounded") documents: the record buffer, grown by doubling up
// to M (under 3M allocated, M kept for the next record), on the fast path
// an unescaped copy for a record with escapes (n), one copy of the record
// per hit (n), and a constant (read buffers, gzip state, the UDM fields
// the rules read, which are small here). Allocations bound the peak heap
// from above; a second record on the same worker reuses its buffer. The
// record's shape no longer matters: many small objects used to cost the
// reference mapper 65 times the record.
func TestIssue15WorkerMemoryPerRecord(t *testing.T) {
	const n, constant = 8 << 20, 1 << 20
	src, err := local.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rs := ruleSets(t)["pack"]
	for name, rec := range bigRecords(t, n) {
		for _, reference := range []bool{true, false} {
			var filter *fast.Filter
			if !reference {
				yl, sg := splitRules(rs)
				filter = fast.NewWatchingWithSigma(yl, sg, nil)
			}
			m := len(rec) + 1
			cfg := Config{Rules: rs, Reference: reference, Limits: decode.Limits{MaxRecordBytes: m}}.withDefaults()
			w := newWorker(cfg, filter)
			body := append(append([]byte(`{"Records":[`), rec...), "]}"...)
			for _, warm := range []bool{false, true} {
				j := job{src: src, obj: sources.Object{Key: "obj.json", Size: int64(len(body))}, data: bytes.NewBuffer(body)}
				var m0, m1 runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&m0)
				res, err := w.object(context.Background(), j, &Summary{})
				runtime.ReadMemStats(&m1)
				if err != nil || res.Status != ObjectScanned || len(res.Hits) != 1 {
					t.Fatalf("%s (reference %v): %v, %+v", name, reference, err, res.Status)
				}
				budget := 3*m + 2*len(rec) + constant // buffer grown, unescaped copy, hit
				if warm {
					budget = 2*len(rec) + constant
				}
				got := m1.TotalAlloc - m0.TotalAlloc
				t.Logf("%s, reference %v, warm %v: %.2f× the record allocated (budget %.2f×)", name, reference, warm, float64(got)/float64(len(rec)), float64(budget)/float64(len(rec)))
				if got > uint64(budget) {
					t.Errorf("%s, reference %v, warm %v: %d bytes allocated for a %d-byte record, over the budget of %d", name, reference, warm, got, len(rec), budget)
				}
			}
		}
	}
}
