package s3_test

import (
	"testing"

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
// RETROHUNT_TEST_S3_URL is set (see awsTarget); it works in a fresh
// sub-folder and deletes it afterwards.
func TestStoreConformanceAWS(t *testing.T) {
	src, _, base := awsTarget(t)
	// 5 MiB is S3's smallest part; a 12 MiB body takes three parts.
	defer s3.SetMultipart(6<<20, 5<<20)()
	sourcetest.RunStore(t, func(t *testing.T) sourcetest.StoreEnv {
		prefix := sourcetest.ScratchFolder(t, src, base, "store")
		return sourcetest.StoreEnv{Store: sourcetest.PrefixedStore(src, prefix), Large: 12 << 20}
	})
}
