package main

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/bench/gen"
)

// TestBothPathsAgreeThroughCLI runs the ground-truth corpus of
// TestGeneratedCorpusMatchesTruth and every public sample of
// TestSamplesThroughCLI through the fast path (the default) and through
// --reference: both must find exactly the planted positives and the
// samples' expected rules, and write byte-identical hit lines.
func TestBothPathsAgreeThroughCLI(t *testing.T) {
	root := t.TempDir()
	cfg := gen.Config{Days: 2, FilesPerDay: 6, RecordsPerFile: 20, AzureRecordsPerHour: 50,
		OrgID: "o-a1b2c3d4e5", AzureLegacyEnvelope: true, AzureGzip: true}
	_, truth, err := gen.Generate(cfg, gen.DirSink(root))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, tr := range truth {
		want = append(want, fmt.Sprintf("%s#%d %s %s", tr.Key, tr.RecordIndex, tr.EventName, tr.Result))
	}
	sort.Strings(want)
	prefix := "file://" + filepath.ToSlash(root) + "/"

	scanLines := func(args ...string) []string {
		t.Helper()
		code, out, errOut := cli(t, append([]string{"scan", "--format", "jsonl", "--quiet"}, args...)...)
		if code != exitOK {
			t.Fatalf("%v: exit %d, stderr:\n%s", args, code, errOut)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		sort.Strings(lines)
		return lines
	}
	fastOut, refOut := scanLines(root), scanLines(root, "--reference")
	if strings.Join(fastOut, "\n") != strings.Join(refOut, "\n") {
		t.Fatalf("the paths write different hits:\nfast:\n%s\nreference:\n%s", strings.Join(fastOut, "\n"), strings.Join(refOut, "\n"))
	}
	for name, flags := range map[string][]string{"fast": nil, "reference": {"--reference"}} {
		code, out, errOut := cli(t, append([]string{"scan", root, "--format", "jsonl", "--quiet"}, flags...)...)
		if code != exitOK {
			t.Fatalf("%s: exit %d, stderr:\n%s", name, code, errOut)
		}
		var got []string
		for _, h := range jsonlHits(t, out) {
			got = append(got, fmt.Sprintf("%s#%v %s %s", strings.TrimPrefix(h["source_uri"].(string), prefix), h["record_index"], h["event_name"], h["result"]))
		}
		sort.Strings(got)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s path: hits differ from truth\n got %d:\n%s\nwant %d:\n%s", name, len(got), strings.Join(got, "\n"), len(want), strings.Join(want, "\n"))
		}
	}

	files, err := filepath.Glob("../../testdata/samples/*.json")
	if err != nil || len(files) != len(sampleHits) {
		t.Fatalf("want %d samples, found %d (%v)", len(sampleHits), len(files), err)
	}
	for _, f := range files {
		wantRules := sampleHits[filepath.Base(f)]
		for _, flags := range [][]string{nil, {"--reference"}} {
			code, out, errOut := cli(t, append([]string{"scan", f, "--format", "jsonl", "--quiet"}, flags...)...)
			if code != exitOK {
				t.Fatalf("%s %v: exit %d, stderr:\n%s", f, flags, code, errOut)
			}
			var got []string
			for _, h := range jsonlHits(t, out) {
				got = append(got, h["rule_name"].(string))
			}
			sort.Strings(got)
			if strings.Join(got, ",") != strings.Join(wantRules, ",") {
				t.Errorf("%s %v: rules fired %v, want %v", filepath.Base(f), flags, got, wantRules)
			}
		}
		if a, b := scanLines(f), scanLines(f, "--reference"); strings.Join(a, "\n") != strings.Join(b, "\n") {
			t.Errorf("%s: the paths write different hits", filepath.Base(f))
		}
	}
}
