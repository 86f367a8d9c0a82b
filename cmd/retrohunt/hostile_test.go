package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHostileObjects puts every kind of damaged object from issue 6 in one
// archive beside good ones: the scan finishes, finds the good hits, and
// names each damaged object or record with its reason; exit 3.
func TestHostileObjects(t *testing.T) {
	root := t.TempDir()
	good := mustJSON(sample(t, "aws_ssm_StartSession__stratus.json"))
	env := func(recs ...[]byte) []byte {
		return append(append([]byte(`{"Records":[`), bytes.Join(recs, []byte(","))...), "]}"...)
	}
	z := gz(t, env(good))
	deep := strings.Repeat("[", 2000) + strings.Repeat("]", 2000)
	files := map[string][]byte{
		"good.json.gz":           z,
		"concatenated.json.gz":   append(gz(t, []byte(string(good)+"\n")), gz(t, []byte(string(good)+"\n"))...),
		"corrupt.json.gz":        append([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}, bytes.Repeat([]byte{0xde, 0xad}, 50)...),
		"truncated.json.gz":      z[:len(z)/2],
		"not-json.json.gz":       gz(t, []byte("this is not json\n")),
		"empty.json":             {},
		"empty-gzip.json.gz":     gz(t, nil),
		"records-not-array.json": []byte(`{"Records":{"eventName":"StartSession"}}`),
		"record-not-object.json": env([]byte(`"StartSession"`), good),
		"invalid-utf8.json":      env(bytes.Replace(good, []byte(`"userAgent":"`), []byte("\"userAgent\":\"\xff\xfe"), 1), good),
		"deep.json":              env([]byte(`{"a":`+deep+`}`), good),
		"huge-record.json":       env([]byte(`{"eventName":"StartSession","x":"`+strings.Repeat("A", 3<<20)+`"}`), good),
		"bomb.json.gz":           gz(t, env(bytes.TrimSuffix(bytes.Repeat([]byte(`{"a":1},`), 2<<20), []byte(",")), good)), // 16 MB from a few kB
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(root, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sumPath := filepath.Join(t.TempDir(), "summary.json")
	code, out, errOut := cli(t, "scan", root, "--format", "jsonl", "--summary-json", sumPath,
		"--max-record-bytes", "1048576", "--max-depth", "100", "--max-object-bytes", "8388608")
	if code != exitPartial {
		t.Fatalf("exit %d, want %d\n%s", code, exitPartial, errOut)
	}
	// Good records: good.json.gz, 2 in concatenated, the one after the
	// damaged record in each of the record-level cases (4), and the record
	// with invalid UTF-8 in its user agent: it is evaluated, not dropped.
	var sum struct {
		HitsDuplicate int64     `json:"hits_duplicate"`
		ObjectsEmpty  int64     `json:"objects_empty"`
		Failures      []Problem `json:"failures"`
		Skips         []Problem `json:"skips"`
	}
	b, _ := os.ReadFile(sumPath)
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	// Every good record is the same CloudTrail event (one eventID), so
	// the run keeps one hit and counts the others as duplicates.
	if n := int64(len(jsonlHits(t, out))) + sum.HitsDuplicate; n != 1+2+4+1 || sum.HitsDuplicate == 0 {
		t.Errorf("%d hits + duplicates, want 8\n%s", n, errOut)
	}
	if want := fmt.Sprintf("(%d duplicate CloudTrail deliveries collapsed)", sum.HitsDuplicate); !strings.Contains(errOut, want) {
		t.Errorf("the stderr summary lacks %q\n%s", want, errOut)
	}
	reasons := map[string]string{}
	for _, p := range append(sum.Failures, sum.Skips...) {
		reasons[filepath.Base(p.URI)] += p.Reason + "; "
	}
	for name, want := range map[string]string{
		"corrupt.json.gz":        "corrupt gzip",
		"truncated.json.gz":      "truncated gzip",
		"not-json.json.gz":       "not JSON records",
		"records-not-array.json": `"Records" is not an array`,
		"record-not-object.json": "record is not a JSON object",
		"deep.json":              "nests deeper than 100",
		"huge-record.json":       "record exceeds 1048576 bytes",
		"bomb.json.gz":           "exceeds the size limit",
	} {
		if !strings.Contains(reasons[name], want) {
			t.Errorf("%s: reasons %q, want %q", name, reasons[name], want)
		}
	}
	if sum.ObjectsEmpty != 1 {
		t.Errorf("empty objects %d, want 1", sum.ObjectsEmpty)
	}
}

// Problem mirrors scan.Problem for reading the summary back.
type Problem struct {
	URI    string `json:"uri"`
	Record int    `json:"record"`
	Reason string `json:"reason"`
}
