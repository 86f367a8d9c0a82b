package scan

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/bench/gen"
	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/scan/decode"
	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/local"
)

// TestDedupKeepsDistinctRecordsWithOneEventID is issue 15 item 11: a
// decoy record carrying another record's eventID, in another account's
// object, suppressed the real hit (whichever reached the writer first
// won). Only identical deliveries may collapse: the two records here
// differ, so both hit, in every run and on both paths; a byte-identical
// copy of one of them (a re-delivery) in a third object adds nothing.
func TestDedupKeepsDistinctRecordsWithOneEventID(t *testing.T) {
	root := t.TempDir()
	rec := func(account, ip string) string {
		return `{"eventVersion":"1.08","eventTime":"2024-03-01T10:00:00Z","eventSource":"ssm.amazonaws.com",` +
			`"eventName":"StartSession","eventID":"11111111-2222-3333-4444-555555555555",` +
			`"recipientAccountId":"` + account + `","sourceIPAddress":"` + ip + `",` +
			`"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::` + account + `:user/u","accountId":"` + account + `"}}`
	}
	put := func(account, name string, recs ...string) {
		dir := filepath.Join(root, "AWSLogs", account, "CloudTrail", "us-east-1", "2024", "03", "01")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		body := `{"Records":[` + strings.Join(recs, ",") + `]}`
		if err := os.WriteFile(filepath.Join(dir, account+"_CloudTrail_us-east-1_20240301T10"+name+"Z_x.json.gz"), gzipBytes([]byte(body)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	real, decoy := rec("111111111111", "203.0.113.7"), rec("222222222222", "198.51.100.9")
	put("111111111111", "00", real)
	put("222222222222", "00", decoy)
	// A re-delivery: the same record, byte for byte, in a later object.
	put("111111111111", "05", real)

	parsed, err := rule.ParseFile("t.yaral", []byte("rule t_ssm {\n events:\n $e.metadata.product_event_type = \"StartSession\"\n condition:\n $e\n}\n"))
	if err != nil {
		t.Fatal(err)
	}
	rs := []*Rule{NewRule(parsed[0], "test")}
	want := []string{decoy, real} // the raw records, sorted
	sort.Strings(want)
	for run := 0; run < 8; run++ {
		for _, reference := range []bool{false, true} {
			o := scanDir(t, root, rs, sources.Window{}, reference)
			var raws []string
			for _, h := range o.hits {
				for _, r := range want {
					if strings.Contains(h, jsonString(r)) {
						raws = append(raws, r)
					}
				}
			}
			sort.Strings(raws)
			if !slices.Equal(raws, want) || len(o.hits) != 2 {
				t.Fatalf("run %d, reference %v: %d hits, want the two distinct records once each:\n%s", run, reference, len(o.hits), strings.Join(o.hits, "\n"))
			}
		}
	}
}

// jsonString is s as a JSON string's contents (how raw appears in a
// marshalled hit).
func jsonString(s string) string {
	return strings.ReplaceAll(s, `"`, `\"`)
}

// TestDedupCollapsesOnlyIdenticalDeliveries: a copy that differs only in
// whitespace outside strings is the same delivery; one with a value
// changed, or its keys in another order, is another record.
func TestDedupCollapsesOnlyIdenticalDeliveries(t *testing.T) {
	hit := func(raw string) output.Hit {
		return output.Hit{RuleName: "r", LogType: "AWS_CLOUDTRAIL", EventID: "e1", Raw: raw}
	}
	in := []output.Hit{
		hit(`{"eventID":"e1","a":"x y"}`),
		hit("{ \"eventID\" : \"e1\",\n  \"a\": \"x y\" }"), // same, re-indented
		hit(`{"eventID":"e1","a":"x  y"}`),                 // a value differs
		hit(`{"a":"x y","eventID":"e1"}`),                  // keys in another order
	}
	var buf bytes.Buffer
	kept, dropped := dedup(in, &buf)
	if len(kept) != 3 || dropped != 1 || kept[1].Raw != `{"eventID":"e1","a":"x  y"}` {
		t.Fatalf("kept %d, dropped %d: %v", len(kept), dropped, kept)
	}
}

// TestIssue12DedupDeterministic (issue 12, item 4): a generated corpus
// with CloudTrail objects delivered again under other names (sorting
// before and after the original) and single records copied into other
// objects is scanned 5 times on each path; every run writes the same hit
// set, byte for byte (provenance columns included), and collapses the
// same number of copies. Before, the copy kept was the first to reach
// the writer, and the paths and the runs disagreed.
func TestIssue12DedupDeterministic(t *testing.T) {
	root := t.TempDir()
	cfg := gen.Config{Days: 1, FilesPerDay: 12, RecordsPerFile: 40, AzureRecordsPerHour: -1, PositiveRate: 0.1}
	if _, _, err := gen.Generate(cfg, gen.DirSink(root)); err != nil {
		t.Fatal(err)
	}
	var objs []string
	filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && strings.Contains(p, "/CloudTrail/") {
			objs = append(objs, p)
		}
		return nil
	})
	sort.Strings(objs)
	if len(objs) < 6 {
		t.Fatalf("only %d objects", len(objs))
	}
	var planted [][]byte
	for i, p := range objs {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		dir, name := filepath.Split(p)
		switch i % 3 {
		case 0: // a re-delivery under a name sorting before the original
			os.WriteFile(filepath.Join(dir, "0"+name), b, 0o644)
		case 1: // and after it
			os.WriteFile(filepath.Join(dir, "z"+name), b, 0o644)
		}
		recs := splitRecords(t, b)
		planted = append(planted, recs[len(recs)/2], recs[0])
	}
	// Single records copied into an object of their own, in another order.
	slices.Reverse(planted)
	body := `{"Records":[` + string(bytes.Join(planted, []byte(","))) + `]}`
	if err := os.WriteFile(filepath.Join(filepath.Dir(objs[0]), "mixed.json"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	rs := ruleSets(t)["builtin+test"]
	var first outcome
	var firstDup int64
	for run := 0; run < 5; run++ {
		for _, reference := range []bool{true, false} {
			o, dup := scanDirDup(t, root, rs, reference)
			if run == 0 && reference {
				first, firstDup = o, dup
				if len(o.hits) < 10 || dup < 10 {
					t.Fatalf("%d hits, %d duplicates: the test proves little", len(o.hits), dup)
				}
				continue
			}
			if !slices.Equal(o.hits, first.hits) || dup != firstDup {
				t.Fatalf("run %d, reference %v: %d hits, %d duplicates; the first run wrote %d and %d, and differs", run, reference, len(o.hits), dup, len(first.hits), firstDup)
			}
		}
	}
}

// scanDirDup is scanDir with the summary's duplicate count.
func scanDirDup(t *testing.T, dir string, rs []*Rule, reference bool) (outcome, int64) {
	t.Helper()
	src, err := local.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	var c collect
	cfg := Config{Rules: rs, Reference: reference, Workers: 4, Limits: decode.Limits{MaxRecordBytes: 1 << 20, MaxDepth: 64}}
	sum, err := Run(context.Background(), cfg, []Target{{Source: src}}, &c)
	if err != nil {
		t.Fatal(err)
	}
	return outcomeOf(sum, c.hits), sum.HitsDuplicate
}

// TestContentSumIsCompactedHash: a hit's duplicate key is the hash of
// its eventID and its record as json.Compact writes it, or as stored
// when json.Compact refuses it (the oracle below, written from
// contentSum's contract), for compact and indented records, whitespace
// inside strings, escaped quotes, and broken JSON; and a compact record's
// key is computed without allocating.
func TestContentSumIsCompactedHash(t *testing.T) {
	oracle := func(id, raw string) [16]byte {
		var b bytes.Buffer
		b.WriteString(id)
		b.WriteByte(0)
		if err := json.Compact(&b, []byte(raw)); err != nil {
			b.Truncate(len(id) + 1)
			b.WriteString(raw)
		}
		full := sha256.Sum256(b.Bytes())
		var s [16]byte
		copy(s[:], full[:])
		return s
	}
	recs := []string{
		`{"eventID":"e1","a":"x y"}`,
		"{ \"eventID\" : \"e1\",\n  \"a\": \"x y\" }",
		`{"eventID":"e1","a":"x \" , y","b":[1, 2]}`,
		`{"eventID":"e1","a":"x \\","b":[1,2]}`,
		`{"eventID":"e1","a":"x \\" ,"b":[1,2]}`,
		`{"eventID":"e1","a":"unterminated }`,
		`{"eventID":"e1","a": broken}`,
		`{"eventID":"e1","a":broken}`,
		"\t{\"eventID\":\"e1\"}\r\n",
		`{"eventID":"e1","a":"tab	inside"}`,
		``,
	}
	rng := rand.New(rand.NewSource(1))
	const pick = " \t\n\r\"\\{}[],:x"
	for range 2000 {
		b := []byte(`{"eventID":"e1","k":["a b",{"c":" \"d\\"},1.5,true,null]}`)
		for range 1 + rng.Intn(3) {
			i := rng.Intn(len(b) + 1)
			b = append(b[:i], append([]byte{pick[rng.Intn(len(pick))]}, b[i:]...)...)
		}
		recs = append(recs, string(b))
	}
	var buf bytes.Buffer
	for _, r := range recs {
		h := output.Hit{RuleName: "r", LogType: "AWS_CLOUDTRAIL", EventID: "e1", Raw: r}
		k, ok := keyOf(h, &buf)
		if !ok || k.sum != oracle("e1", r) {
			t.Fatalf("key of %q differs from the hash of its compacted bytes", r)
		}
	}
	h := output.Hit{RuleName: "r", LogType: "AWS_CLOUDTRAIL", EventID: "e1", Raw: `{"eventID":"e1","userAgent":"aws-cli/2.15.0 Python/3.11.6"}`}
	keyOf(h, &buf)
	if n := testing.AllocsPerRun(100, func() { keyOf(h, &buf) }); n != 0 {
		t.Errorf("keyOf of a compact record allocates %v times, want 0", n)
	}
}
