package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/scan/decode"
	"github.com/retrohunt/retrohunt/sources/local"
)

// scanObject scans one object, written alone into a fresh directory, and
// returns its hits as "rule@index" and its summary.
func scanObject(t *testing.T, body []byte, rs []*Rule, reference bool) ([]string, *Summary) {
	t.Helper()
	hs, sum := scanObjectHits(t, body, rs, reference)
	var hits []string
	for _, h := range hs {
		hits = append(hits, fmt.Sprintf("%s@%d", h.RuleName, h.RecordIndex))
	}
	sort.Strings(hits)
	return hits, sum
}

// scanObjectHits scans one object, written alone into a fresh directory,
// and returns its hits and its summary.
func scanObjectHits(t *testing.T, body []byte, rs []*Rule, reference bool) ([]output.Hit, *Summary) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "obj.json"), body, 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := local.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	var c collect
	cfg := Config{Rules: rs, Reference: reference, Workers: 1, Limits: decode.Limits{MaxRecordBytes: 1 << 20}}
	sum, err := Run(context.Background(), cfg, []Target{{Source: src}}, &c)
	if err != nil {
		t.Fatal(err)
	}
	return c.hits, sum
}

// Issue 15, items 4 and 5, through scan.Run on both paths: an object
// holding several documents, or an envelope whose key is not first,
// yields every record's hits, at indexes that count on through the
// object. The expected hits are each record's hits scanned alone in the
// plainest envelope, placed at the record's position.
func TestIssue15DocumentsThroughRun(t *testing.T) {
	recs := compactSamples(t, "aws_ssm_SendCommand__stratus.json", "aws_ssm_StartSession__stratus.json", "azure_RUNCOMMAND_ACTION__SYNTH_export.json", "aws_ec2-instance-connect_SendSSHPublicKey__stratus.json")
	env := func(rs ...[]byte) []byte {
		return slices.Concat([]byte(`{"Records":[`), bytes.Join(rs, []byte(",")), []byte("]}"))
	}
	rs := ruleSets(t)["builtin+test"]
	for _, reference := range []bool{true, false} {
		var want []string
		for i, r := range recs {
			alone, sum := scanObject(t, env(r), rs, reference)
			if sum.Partial() || len(alone) == 0 {
				t.Fatalf("record %d alone: partial %v, hits %v", i, sum.Partial(), alone)
			}
			for _, h := range alone {
				want = append(want, strings.TrimSuffix(h, "@0")+fmt.Sprintf("@%d", i))
			}
		}
		sort.Strings(want)
		var sorted bytes.Buffer
		sorted.WriteString("{\n  \"Count\": 4,\n  \"Meta\": {\"Records\": []},\n  \"Records\": [\n")
		for i, r := range recs {
			var ind bytes.Buffer
			json.Indent(&ind, r, "    ", "  ")
			if i > 0 {
				sorted.WriteString(",\n")
			}
			sorted.WriteString("    ")
			sorted.Write(ind.Bytes())
		}
		sorted.WriteString("\n  ],\n  \"z\": 1\n}\n")
		bodies := map[string][]byte{
			"cat a.json.gz b.json.gz": slices.Concat(gzipBytes(env(recs[0], recs[1])), gzipBytes(env(recs[2], recs[3]))),
			"cat a.json b.json":       slices.Concat(env(recs[0]), []byte("\n"), env(recs[1], recs[2]), env(recs[3])),
			"duplicate Records key":   slices.Concat([]byte(`{"Records":[`), recs[0], []byte(`,`), recs[1], []byte(`],"Records":[`), recs[2], []byte(`],"records":[`), recs[3], []byte(`]}`)),
			"jq -S":                   sorted.Bytes(),
			"jq -S, gzip":             gzipBytes(sorted.Bytes()),
			"white space past the read buffer, gzip": gzipBytes(slices.Concat([]byte("{"), bytes.Repeat([]byte(" "), 300<<10), []byte(`"records":`),
				bytes.Repeat([]byte("\n"), 300<<10), []byte("["), bytes.Join(recs, []byte(",")), []byte("]}"))),
		}
		for name, body := range bodies {
			got, sum := scanObject(t, body, rs, reference)
			if sum.Partial() || sum.Records != int64(len(recs)) || sum.ObjectsScanned != 1 {
				t.Errorf("%s (reference %v): partial %v, %d records, %d objects scanned; skips %v failures %v", name, reference, sum.Partial(), sum.Records, sum.ObjectsScanned, sum.Skips, sum.Failures)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s (reference %v): hits\n%v\nwant\n%v", name, reference, got, want)
			}
		}
	}
}
