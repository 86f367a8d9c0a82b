package main

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/bench/gen"
)

// TestGeneratedCorpusMatchesTruth scans the demo-sized generated archive
// (both layouts, an org trail, legacy Azure envelopes, gzip Azure blobs,
// siblings and decoys) and requires exactly the planted positives: every
// one found, nothing else.
func TestGeneratedCorpusMatchesTruth(t *testing.T) {
	root := t.TempDir()
	cfg := gen.Config{Days: 2, FilesPerDay: 6, RecordsPerFile: 20, AzureRecordsPerHour: 50,
		OrgID: "o-a1b2c3d4e5", AzureLegacyEnvelope: true, AzureGzip: true}
	_, truth, err := gen.Generate(cfg, gen.DirSink(root))
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cli(t, "scan", root, "--format", "jsonl", "--quiet")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	prefix := "file://" + filepath.ToSlash(root) + "/"
	var got, want []string
	for _, h := range jsonlHits(t, out) {
		got = append(got, fmt.Sprintf("%s#%v %s %s", strings.TrimPrefix(h["source_uri"].(string), prefix), h["record_index"], h["event_name"], h["result"]))
	}
	for _, tr := range truth {
		want = append(want, fmt.Sprintf("%s#%d %s %s", tr.Key, tr.RecordIndex, tr.EventName, tr.Result))
	}
	sort.Strings(got)
	sort.Strings(want)
	if len(want) < 20 {
		t.Fatalf("only %d planted positives", len(want))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("hits differ from truth\n got %d:\n%s\nwant %d:\n%s", len(got), strings.Join(got, "\n"), len(want), strings.Join(want, "\n"))
	}
}
