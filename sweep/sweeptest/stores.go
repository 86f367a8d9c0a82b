package sweeptest

import (
	"context"
	"testing"

	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/azblob"
	"github.com/retrohunt/retrohunt/sources/local"
	"github.com/retrohunt/retrohunt/sources/s3"
	"github.com/retrohunt/retrohunt/sources/testservers"
)

// Local returns a store over a fresh temporary directory.
func Local(t *testing.T) sources.Store {
	t.Helper()
	st, err := local.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// S3 returns a store over a fresh bucket of the shared versitygw server
// (testservers.SharedS3: skipped when it is not installed).
func S3(t *testing.T) sources.Store {
	t.Helper()
	srv := testservers.SharedS3(t)
	src, err := s3.New(context.Background(), s3.Config{
		Bucket: srv.NewBucket(t), Endpoint: srv.Endpoint, PathStyle: true, Credentials: srv.Credentials(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// Azure returns a store over a fresh container of the shared Azurite
// server (testservers.SharedAzurite).
func Azure(t *testing.T) sources.Store {
	t.Helper()
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", "")
	srv := testservers.SharedAzurite(t)
	src, err := azblob.New(context.Background(), azblob.Config{
		ServiceURL: srv.ServiceURL, Container: srv.NewContainer(t), AccountKey: srv.Key,
	})
	if err != nil {
		t.Fatal(err)
	}
	return src
}
