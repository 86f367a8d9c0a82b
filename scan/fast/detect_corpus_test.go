package fast

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/retrohunt/retrohunt/bench/gen"
	"github.com/retrohunt/retrohunt/scan/decode"
)

// walkCorpus returns the records of a small generated corpus (bench/gen:
// CloudTrail, its digest and Insight siblings, Azure Activity in both
// layouts) and of the public samples in testdata/samples, each as the
// decoder hands it to the prefilter.
func walkCorpus(t testing.TB) [][]byte {
	t.Helper()
	root := t.TempDir()
	cfg := gen.Config{Days: 1, FilesPerDay: 4, RecordsPerFile: 100, AzureRecordsPerHour: 100, AzureLegacyEnvelope: true}
	if _, _, err := gen.Generate(cfg, gen.DirSink(root)); err != nil {
		t.Fatal(err)
	}
	var recs [][]byte
	d := decode.NewDecoder(decode.Limits{})
	split := func(p string) error {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = d.Decode(f, func(_ int, raw []byte) error {
			recs = append(recs, bytes.Clone(raw))
			return nil
		})
		return err
	}
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		return split(p)
	})
	if err != nil {
		t.Fatal(err)
	}
	samples, _ := filepath.Glob("../../testdata/samples/*.json")
	for _, s := range samples {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		var env struct {
			Records []json.RawMessage `json:"Records"`
			Lower   []json.RawMessage `json:"records"`
		}
		if json.Unmarshal(b, &env) == nil && len(env.Records)+len(env.Lower) > 0 {
			for _, r := range append(env.Records, env.Lower...) {
				recs = append(recs, []byte(r))
			}
			continue
		}
		for _, line := range bytes.Split(b, []byte("\n")) {
			if line = bytes.TrimSpace(line); len(line) > 0 && line[0] == '{' {
				recs = append(recs, line)
			}
		}
		recs = append(recs, b)
	}
	if len(recs) < 1000 {
		t.Fatalf("only %d records", len(recs))
	}
	return recs
}

// lastEventTimeOf is what Checker.Candidate passes to the key walk: where
// the last "eventTime" starts when the record holds no backslash, else
// -1.
func lastEventTimeOf(rec []byte) int {
	if bytes.IndexByte(rec, '\\') >= 0 {
		return -1
	}
	return bytes.LastIndex(rec, []byte(eventTimeKey))
}
