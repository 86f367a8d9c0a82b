package sourcetest

import (
	"context"
	"io"
	"testing"

	"github.com/retrohunt/retrohunt/sources"
)

// testReadsListedVersion: where the store has ETags, an object replaced
// between listing and download fails permanently instead of being read
// (and its hits attributed) under the old ETag.
func testReadsListedVersion(t *testing.T, env Env) {
	ctx := context.Background()
	const key = "replaced/object.json"
	if err := env.Put(key, []byte(`{"version":1}`)); err != nil {
		t.Fatal(err)
	}
	var listed sources.Object
	if err := env.Source.List(ctx, "replaced/", func(o sources.Object) error { listed = o; return nil }); err != nil {
		t.Fatal(err)
	}
	if !env.ETags {
		t.Skip("this store has no ETags")
	}
	if err := sources.WithObject(ctx, env.Source, listed, func(r io.Reader) error { _, err := io.Copy(io.Discard, r); return err }); err != nil {
		t.Fatalf("open as listed: %v", err)
	}
	if err := env.Put(key, []byte(`{"version":2,"longer":true}`)); err != nil {
		t.Fatal(err)
	}
	_, err := env.Source.Open(ctx, listed)
	if err == nil || !env.Source.IsPermanent(err) {
		t.Fatalf("open after replace: err %v, want a permanent precondition failure", err)
	}
}
