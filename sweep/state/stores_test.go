package state_test

import (
	"context"
	"testing"

	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/azblob"
	"github.com/retrohunt/retrohunt/sources/local"
	"github.com/retrohunt/retrohunt/sources/s3"
	"github.com/retrohunt/retrohunt/sources/testservers"
)

func TestMain(m *testing.M) { testservers.Main(m) }

// forEachStore runs f against a fresh local directory, a fresh versitygw
// bucket and a fresh Azurite container.
func forEachStore(t *testing.T, f func(t *testing.T, st sources.Store)) {
	t.Run("local", func(t *testing.T) {
		st, err := local.NewDir(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		f(t, st)
	})
	t.Run("s3", func(t *testing.T) { f(t, newS3(t)) })
	t.Run("azblob", func(t *testing.T) { f(t, newAzure(t)) })
}

func newS3(t *testing.T) sources.Store {
	srv := testservers.SharedS3(t)
	src, err := s3.New(context.Background(), s3.Config{
		Bucket: srv.NewBucket(t), Endpoint: srv.Endpoint, PathStyle: true, Credentials: srv.Credentials(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func newAzure(t *testing.T) sources.Store {
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

func localStore(t *testing.T) (sources.Store, error) { return local.NewDir(t.TempDir()) }
