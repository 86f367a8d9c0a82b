package open_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/open"
	"github.com/retrohunt/retrohunt/sources/testservers"
)

// roundTrip writes and reads back key through st.
func roundTrip(t *testing.T, st sources.Store, key string) {
	t.Helper()
	ctx := context.Background()
	etag, err := st.Put(ctx, key, strings.NewReader("state"), 5, sources.Condition{IfNoneMatch: true})
	if err != nil {
		t.Fatalf("Put %s: %v", st.URI(key), err)
	}
	b, got, err := st.Get(ctx, key)
	if err != nil || string(b) != "state" || got != etag {
		t.Fatalf("Get %s = %q %q %v, want %q %q", st.URI(key), b, got, err, "state", etag)
	}
}

func TestOpenStoreLocal(t *testing.T) {
	dir := t.TempDir()
	f := func(arg, wantRoot, wantKey string) {
		t.Helper()
		st, key, err := open.OpenStore(context.Background(), arg, open.Options{})
		if err != nil {
			t.Fatalf("OpenStore(%q): %v", arg, err)
		}
		if key != wantKey || st.Location() != "file://"+wantRoot {
			t.Errorf("OpenStore(%q) = %s, %q; want file://%s, %q", arg, st.Location(), key, wantRoot, wantKey)
		}
		if !strings.HasSuffix(key, "/") {
			roundTrip(t, st, key)
		}
	}
	// The parent folder is created.
	f(filepath.Join(dir, "state", "ct.state"), filepath.Join(dir, "state"), "ct.state")
	f("file://"+filepath.Join(dir, "x.state"), dir, "x.state")
	f(filepath.Join(dir, "lake", "findings")+"/", filepath.Join(dir, "lake"), "findings/")
	if _, err := os.Stat(filepath.Join(dir, "lake")); err != nil {
		t.Error(err)
	}
	if _, _, err := open.OpenStore(context.Background(), "gs://b/k", open.Options{}); err == nil {
		t.Error("gs:// opened")
	}
}

func TestOpenStoreS3(t *testing.T) {
	srv := testservers.SharedS3(t)
	bucket := srv.NewBucket(t)
	s3Env(t, srv, srv.SecretKey)
	opts := open.Options{Endpoint: srv.Endpoint, PathStyle: true, MaxAttempts: 1}
	ctx := context.Background()
	st, key, err := open.OpenStore(ctx, "s3://"+bucket+"/retrohunt/ct.state", opts)
	if err != nil {
		t.Fatal(err)
	}
	if key != "retrohunt/ct.state" || st.Location() != "s3://"+bucket {
		t.Errorf("OpenStore = %s %q", st.Location(), key)
	}
	roundTrip(t, st, key)
	if _, key, err := open.OpenStore(ctx, "s3://"+bucket+"/lake/findings/", opts); err != nil || key != "lake/findings/" {
		t.Errorf("lake prefix: %q %v", key, err)
	}
	if _, _, err := open.OpenStore(ctx, "s3://"+bucket, opts); err == nil {
		t.Error("a bucket without a key opened as a store")
	}
	var e *open.Error
	if _, _, err := open.OpenStore(ctx, "s3://no-such-bucket/x.state", opts); !errors.As(err, &e) || e.Kind != open.KindNotFound {
		t.Errorf("missing bucket: %v", err)
	}
}

func TestOpenStoreAzure(t *testing.T) {
	srv := testservers.SharedAzurite(t)
	c := srv.NewContainer(t)
	cleanEnv(t)
	t.Setenv("AZURE_STORAGE_KEY", srv.Key)
	opts := open.Options{Endpoint: srv.ServiceURL, MaxAttempts: 1}
	st, key, err := open.OpenStore(context.Background(), "azblob://devstoreaccount1/"+c+"/retrohunt/activity.state", opts)
	if err != nil {
		t.Fatal(err)
	}
	if key != "retrohunt/activity.state" || st.Location() != "azblob://devstoreaccount1/"+c {
		t.Errorf("OpenStore = %s %q", st.Location(), key)
	}
	roundTrip(t, st, key)
}
