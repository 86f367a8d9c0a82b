package sourcetest

import (
	"context"
	"io"
	"testing"

	"github.com/retrohunt/retrohunt/sources"
)

// RunStats checks a backend's request counts on a small tree that fits in
// one listing page: one List, one ListDirs and one read per object must
// count exactly one request each. stats reads the backend's counters.
func RunStats(t *testing.T, env Env, stats func() sources.RequestStats) {
	t.Helper()
	ctx := context.Background()
	keys := []string{"a/1", "a/2", "b/x/3"}
	for _, k := range keys {
		if err := env.Put(k, []byte(k)); err != nil {
			t.Fatal(err)
		}
	}
	before := stats()
	objs := listAll(t, env.Source, "")
	if len(objs) != len(keys) {
		t.Fatalf("listed %d objects, want %d", len(objs), len(keys))
	}
	listDirs(t, env.Source, "")
	for _, o := range objs {
		if err := sources.WithObject(ctx, env.Source, o, func(r io.Reader) error { _, err := io.Copy(io.Discard, r); return err }); err != nil {
			t.Fatal(err)
		}
	}
	got := stats()
	got.ListRequests -= before.ListRequests
	got.ListDirsRequests -= before.ListDirsRequests
	got.GetRequests -= before.GetRequests
	want := sources.RequestStats{ListRequests: 1, ListDirsRequests: 1, GetRequests: int64(len(keys))}
	if got != want {
		t.Errorf("requests counted = %+v, want %+v", got, want)
	}
}
