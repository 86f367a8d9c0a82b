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
