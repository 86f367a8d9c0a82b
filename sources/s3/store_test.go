package s3_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/s3"
	"github.com/retrohunt/retrohunt/sources/sourcetest"
)

// TestStoreConformance runs the write cases against versitygw, which
// evaluates If-Match and If-None-Match: * on PutObject and
// CompleteMultipartUpload under a per-key publish lock, as S3 does.
func TestStoreConformance(t *testing.T) {
	// 5 MiB is S3's smallest part; a 12 MiB body takes three parts.
	defer s3.SetMultipart(6<<20, 5<<20)()
	sourcetest.RunStore(t, func(t *testing.T) sourcetest.StoreEnv {
		src, _, _ := newSource(t, nil)
		return sourcetest.StoreEnv{Store: src, Large: 12 << 20}
	})
}

// TestStoreConformanceAWS runs the write cases, the conflict paths and
// multipart uploads included, against a real bucket when
// RETROHUNT_TEST_S3_URL names a folder (s3://bucket/prefix/) that the
// default credential chain may write to; it works in a fresh sub-folder
// and deletes it afterwards.
func TestStoreConformanceAWS(t *testing.T) {
	target := os.Getenv("RETROHUNT_TEST_S3_URL")
	if target == "" {
		t.Skip("set RETROHUNT_TEST_S3_URL=s3://bucket/prefix/ (and AWS credentials) to run against AWS")
	}
	bucket, base, _ := strings.Cut(strings.TrimPrefix(target, "s3://"), "/")
	if base != "" && !strings.HasSuffix(base, "/") {
		base += "/"
	}
	ctx := context.Background()
	src, err := s3.New(ctx, s3.Config{Bucket: bucket})
	if err != nil {
		t.Fatal(err)
	}
	// 5 MiB is S3's smallest part; a 12 MiB body takes three parts.
	defer s3.SetMultipart(6<<20, 5<<20)()
	run := 0
	sourcetest.RunStore(t, func(t *testing.T) sourcetest.StoreEnv {
		run++
		prefix := fmt.Sprintf("%sretrohunt-store-%d-%d/", base, time.Now().UnixNano(), run)
		t.Cleanup(func() {
			_ = src.List(ctx, prefix, func(o sources.Object) error { return src.Delete(ctx, o.Key) })
		})
		return sourcetest.StoreEnv{Store: sourcetest.PrefixedStore(src, prefix), Large: 12 << 20}
	})
}
