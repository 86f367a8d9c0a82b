package scan

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/retrohunt/retrohunt/internal/corpora"
	"github.com/retrohunt/retrohunt/scan/rule"
)

// BenchmarkPrefilterSets measures the fast path with the real rule sets
// of issues 10 and 13 on one worker over the generated corpus's gzip
// CloudTrail objects in memory: the built-in pack; the pack with every
// community AWS YARA-L rule that parses ("aws"); the pack with the 92
// SigmaHQ CloudTrail and Azure Activity rules ("sigma") and without
// "AWS STS AssumeRole Misuse" ("sigma-91"). "object" is worker.object
// (inflate, split, prefilter, and the reference path on candidates),
// "candidate" the prefilter alone on the decompressed records. The
// baseline is klauspost gzip decompressing the same objects:
//
//	go test ./scan -run '^$' -bench PrefilterSets -benchtime 3x -count 3
func BenchmarkPrefilterSets(b *testing.B) {
	c := newBenchObjects(b)
	objs, size, recs, recSize := c.objs, c.size, c.recs, c.recSize
	pack := ruleSets(b)["pack"]
	sets := []struct {
		name string
		rs   []*Rule
	}{{"pack", pack}}
	if dir := communityAWSDir(b); dir != "" {
		sets = append(sets, struct {
			name string
			rs   []*Rule
		}{"aws", append(append([]*Rule(nil), pack...), communityAWSRules(b, dir)...)})
	}
	if hq := sigmaHQRulesIfPresent(b); len(hq) > 0 {
		all := append(append([]*Rule(nil), pack...), hq...)
		var rs91 []*Rule
		for _, r := range all {
			if r.Name != "AWS STS AssumeRole Misuse" {
				rs91 = append(rs91, r)
			}
		}
		sets = append(sets, struct {
			name string
			rs   []*Rule
		}{"sigma", all}, struct {
			name string
			rs   []*Rule
		}{"sigma-91", rs91})
	}
	for _, s := range sets {
		f := newFilter(s.rs)
		b.Run(s.name+"/object", func(b *testing.B) { benchWorker(b, testWorker(s.rs, f), objs, size, len(recs)) })
		b.Run(s.name+"/candidate", func(b *testing.B) {
			chk := f.NewChecker()
			cands := 0
			b.ReportAllocs()
			b.SetBytes(recSize)
			for b.Loop() {
				cands = 0
				for _, r := range recs {
					if chk.Candidate(r) {
						cands++
					}
				}
			}
			b.ReportMetric(float64(cands), "candidates")
			b.ReportMetric(float64(len(f.Requirements().Literals)), "literals")
		})
	}
	b.Run("baseline/gunzip", func(b *testing.B) {
		var zr gzip.Reader
		b.ReportAllocs()
		b.SetBytes(size)
		for b.Loop() {
			for _, j := range objs {
				zr.Reset(bytes.NewReader(j.data.Bytes()))
				io.Copy(io.Discard, &zr)
			}
		}
	})
}

func communityAWSDir(t testing.TB) string {
	root := os.Getenv(corpora.Env)
	if root == "" {
		root = filepath.Join("..", "..", "shared", "corpora")
	}
	dir := filepath.Join(root, "chronicle-detection-rules", "rules", "community", "aws")
	if _, err := os.Stat(dir); err != nil {
		return ""
	}
	return dir
}

// communityAWSRules are the rules of every .yaral file under dir that
// parse cleanly, as bench/cmd/throughput -rules loads them.
func communityAWSRules(t testing.TB, dir string) []*Rule {
	t.Helper()
	var out []*Rule
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaral") {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rs, _ := rule.ParseFile(p, src)
		for _, r := range rs {
			out = append(out, NewRule(r, p))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sigmaHQRulesIfPresent(t testing.TB) []*Rule {
	root := os.Getenv(corpora.Env)
	if root == "" {
		root = filepath.Join("..", "..", "shared", "corpora")
	}
	if _, err := os.Stat(filepath.Join(root, "sigmahq")); err != nil {
		return nil
	}
	return sigmaHQRules(t)
}
