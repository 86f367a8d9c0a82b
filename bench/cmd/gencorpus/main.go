// Command gencorpus writes a deterministic CloudTrail and Azure Activity
// Log corpus for demos, end-to-end tests and benchmarks:
//
//	go run ./bench/cmd/gencorpus -out DIR [-days N] [-seed S] [-size small|medium|bench|1g] [-org o-xxxx] [-legacy]
//
// DIR/archive holds the object tree (scan it with `retrohunt scan
// DIR/archive`); DIR/truth.jsonl lists the planted positives and
// DIR/decoys.jsonl the tricky negatives, outside the archive tree.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/retrohunt/retrohunt/bench/gen"
)

// Exit codes: 0 done, 1 runtime error, 2 usage error.
func main() {
	os.Exit(run())
}

func run() int {
	fs := flag.NewFlagSet("gencorpus", flag.ContinueOnError)
	out := fs.String("out", "", "output directory (required)")
	days := fs.Int("days", 0, "days to generate (default: the size's)")
	seed := fs.Int64("seed", 1, "random seed; the same seed and flags give byte-identical output")
	size := fs.String("size", "small", "corpus size: "+gen.PresetNames()+" decompressed")
	org := fs.String("org", "", "organization id (o-…): use the organization-trail key layout")
	legacy := fs.Bool("legacy", false, `write some Azure blobs in the legacy {"records":[...]} envelope`)
	if err := fs.Parse(os.Args[1:]); err != nil {
		return 2
	}
	if *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "gencorpus: -out DIR is required and no arguments are taken")
		fs.Usage()
		return 2
	}
	cfg, ok := gen.Preset(*size)
	if !ok {
		fmt.Fprintf(os.Stderr, "gencorpus: unknown -size %q: want %s\n", *size, gen.PresetNames())
		return 2
	}
	cfg.Seed = *seed
	cfg.OrgID = *org
	cfg.AzureLegacyEnvelope = *legacy
	if *days < 0 {
		fmt.Fprintln(os.Stderr, "gencorpus: -days must be positive")
		return 2
	}
	if *days > 0 {
		cfg.Days = *days
	}

	archive := filepath.Join(*out, "archive")
	if err := os.MkdirAll(archive, 0o755); err != nil {
		fmt.Fprintf(os.Stderr, "gencorpus: cannot create %s: %v\n", archive, err)
		return 1
	}
	begin := time.Now()
	st, truth, err := gen.Generate(cfg, gen.DirSink(archive))
	if err != nil {
		fmt.Fprintf(os.Stderr, "gencorpus: %v\n", err)
		return 1
	}
	if err := writeFile(filepath.Join(*out, "truth.jsonl"), func(f *os.File) error { return gen.WriteTruth(f, truth) }); err != nil {
		fmt.Fprintf(os.Stderr, "gencorpus: %v\n", err)
		return 1
	}
	if err := writeFile(filepath.Join(*out, "decoys.jsonl"), func(f *os.File) error { return gen.WriteDecoys(f, st.Decoys) }); err != nil {
		fmt.Fprintf(os.Stderr, "gencorpus: %v\n", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "gencorpus: %d objects (%d cloudtrail, %d azure, %d siblings), %d records, %.1f MB compressed, %.1f MB decompressed, %d positives, %d decoys, %.2fs\n",
		st.Objects, st.CloudTrailObjects, st.AzureObjects, st.SiblingObjects, st.Records,
		float64(st.CompressedBytes)/1e6, float64(st.DecompressedBytes)/1e6, st.Positives, len(st.Decoys), time.Since(begin).Seconds())
	return 0
}

func writeFile(path string, fn func(*os.File) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("cannot create %s: %w", path, err)
	}
	if err := fn(f); err != nil {
		f.Close()
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}
