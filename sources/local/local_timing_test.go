package local_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/local"
)

// benchTree writes 480 small objects in CloudTrail's layout (2 regions,
// 4 days, 60 files a day, 4 to 64 KB: the size of the bench corpus's
// objects) and returns the directory, its objects and their bytes.
func benchTree(b *testing.B) (string, []sources.Object, int64) {
	b.Helper()
	root := b.TempDir()
	var objs []sources.Object
	var total int64
	for _, region := range []string{"eu-west-1", "us-east-1"} {
		for day := 1; day <= 4; day++ {
			dir := fmt.Sprintf("AWSLogs/111122223333/CloudTrail/%s/2025/03/%02d", region, day)
			if err := os.MkdirAll(filepath.Join(root, filepath.FromSlash(dir)), 0o755); err != nil {
				b.Fatal(err)
			}
			for i := 0; i < 60; i++ {
				key := fmt.Sprintf("%s/111122223333_CloudTrail_%s_202503%02dT%02d%02dZ_abcdefgh%04d.json.gz", dir, region, day, i/4, i%4*15, i)
				size := 4096 + (i*997)%61440
				if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(key)), bytes.Repeat([]byte{'x'}, size), 0o644); err != nil {
					b.Fatal(err)
				}
				objs = append(objs, sources.Object{Key: key, Size: int64(size)})
				total += int64(size)
			}
		}
	}
	return root, objs, total
}

// BenchmarkList lists the tree whole; its bytes are the listed objects'.
func BenchmarkList(b *testing.B) {
	root, objs, total := benchTree(b)
	src, err := local.New(root)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(total)
	for b.Loop() {
		n := 0
		if err := src.List(context.Background(), "", func(sources.Object) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		if n != len(objs) {
			b.Fatalf("listed %d, want %d", n, len(objs))
		}
	}
	b.ReportMetric(float64(len(objs))*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkOpenRead opens every object and reads it whole into one
// reused buffer, as the scan's downloaders do, with its URI.
func BenchmarkOpenRead(b *testing.B) {
	root, objs, total := benchTree(b)
	src, err := local.New(root)
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	b.ReportAllocs()
	b.SetBytes(total)
	for b.Loop() {
		for _, o := range objs {
			_ = src.URI(o.Key)
			buf.Reset()
			buf.Grow(int(o.Size) + bytes.MinRead)
			err := sources.WithObject(context.Background(), src, o, func(r io.Reader) error {
				_, err := buf.ReadFrom(r)
				return err
			})
			if err != nil || int64(buf.Len()) != o.Size {
				b.Fatalf("%s: %v, %d bytes", o.Key, err, buf.Len())
			}
		}
	}
	b.ReportMetric(float64(len(objs))*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
}

// walkTree writes a local copy shaped like the bench corpus (/tmp/benchc):
// two accounts, two regions, two days of 144 CloudTrail files each, a
// digest a day beside them and a note and a hidden file, all a few bytes
// (listing never reads them). It returns the directory and the number of
// objects a walk without a window finds.
func walkTree(b *testing.B) (string, int) {
	b.Helper()
	root := b.TempDir()
	put := func(key string) {
		p := filepath.Join(root, filepath.FromSlash(key))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(key[len(key)-8:]), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	n := 0
	for _, acct := range []string{"111122223333", "444455556666"} {
		for _, region := range []string{"eu-west-1", "us-east-1"} {
			for day := 10; day <= 11; day++ {
				for i := 0; i < 144; i++ {
					put(fmt.Sprintf("AWSLogs/%s/CloudTrail/%s/2025/03/%02d/%s_CloudTrail_%s_202503%02dT%02d%02dZ_q9X%013d.json.gz", acct, region, day, acct, region, day, i/6, i%6*10, i*7919))
					n++
				}
				put(fmt.Sprintf("AWSLogs/%s/CloudTrail-Digest/%s/2025/03/%02d/%s_CloudTrail-Digest_%s_management-events_%s_202503%02dT010016Z.json.gz", acct, region, day, acct, region, region, day))
			}
		}
	}
	put("README.md")
	put("AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/10/.DS_Store")
	return root, n
}

// BenchmarkWalk lists a tree shaped like the bench corpus as a scan's
// lister does: a Walker over the Source under a Limiter, and each found
// object's URI. objects/s and ns/object are per object found.
func BenchmarkWalk(b *testing.B) {
	root, n := walkTree(b)
	src, err := local.New(root)
	if err != nil {
		b.Fatal(err)
	}
	lim := sources.NewLimiter(64)
	b.ReportAllocs()
	for b.Loop() {
		w := &sources.Walker{Source: lim.Wrap(src), Parallel: 64}
		found := 0
		err := w.Walk(context.Background(), "", func(f sources.Found) error {
			_ = src.URI(f.Key)
			found++
			return nil
		})
		if err != nil || found != n {
			b.Fatalf("found %d, want %d: %v", found, n, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
	b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(n)/float64(b.N), "ns/object")
}
