package report

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/open"
	"github.com/retrohunt/retrohunt/sources/testservers"
)

func TestMain(m *testing.M) { testservers.Main(m) }

// TestLakeOverS3: the lake of writeLake, copied to versitygw and opened
// as a prefix is opened and wrapped (open.Open, then sources.Limit), reads by its
// manifests too.
func TestLakeOverS3(t *testing.T) {
	dir, _ := writeLake(t)
	srv := testservers.SharedS3(t)
	bucket := srv.NewBucket(t)
	srv.UploadDir(t, bucket, dir)
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	ctx := context.Background()
	src, prefix, err := open.Open(ctx, "s3://"+bucket+"/lake/", open.Options{Endpoint: srv.Endpoint, PathStyle: true, Region: srv.Region})
	if err != nil {
		t.Fatal(err)
	}
	s := NewSet()
	if err := s.ReadPrefix(ctx, sources.Limit(src, 2), prefix); err != nil {
		t.Fatal(err)
	}
	check(t, s, 3, 2, map[string]int64{"r1": 2, "r2": 1})
}
