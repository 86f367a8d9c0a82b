package sourcetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/retrohunt/retrohunt/sources"
)

// StoreEnv is one fresh, empty writable store.
type StoreEnv struct {
	Store sources.Store
	// Large is a body size that takes the store's large-body path
	// (multipart upload, staged blocks); 0 skips that case. Tests lower
	// the store's threshold so this stays small.
	Large int64
}

// RunStore runs the write cases of the suite (Get, Put with and without
// conditions, Delete, races) on a Store. newEnv returns a new empty store
// each call.
func RunStore(t *testing.T, newEnv func(t *testing.T) StoreEnv) {
	env := newEnv(t)
	t.Run("GetMissing", func(t *testing.T) { testGetMissing(t, env) })
	t.Run("PutGet", func(t *testing.T) { testPutGet(t, env) })
	t.Run("PutListed", func(t *testing.T) { testPutListed(t, newEnv(t)) })
	t.Run("IfNoneMatch", func(t *testing.T) { testIfNoneMatch(t, env) })
	t.Run("IfMatch", func(t *testing.T) { testIfMatch(t, env) })
	t.Run("IfMatchMissing", func(t *testing.T) { testIfMatchMissing(t, env) })
	t.Run("Race", func(t *testing.T) { testRace(t, env) })
	t.Run("WrongSize", func(t *testing.T) { testWrongSize(t, env) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, env) })
	t.Run("Large", func(t *testing.T) {
		if env.Large == 0 {
			t.Skip("the store has no separate large-body path")
		}
		testLarge(t, env)
	})
}

func put(t *testing.T, st sources.Store, key string, body []byte, c sources.Condition) (string, error) {
	t.Helper()
	return st.Put(context.Background(), key, bytes.NewReader(body), int64(len(body)), c)
}

func mustPut(t *testing.T, st sources.Store, key string, body []byte, c sources.Condition) string {
	t.Helper()
	etag, err := put(t, st, key, body, c)
	if err != nil {
		t.Fatalf("Put %s: %v", key, err)
	}
	if etag == "" || strings.Contains(etag, `"`) {
		t.Fatalf("Put %s returned ETag %q, want a non-empty ETag without quotes", key, etag)
	}
	return etag
}

// wantBody checks key's body and returns its ETag.
func wantBody(t *testing.T, st sources.Store, key string, want []byte) string {
	t.Helper()
	got, etag, err := st.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get %s: %v", key, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Get %s: %d bytes %.40q, want %d bytes %.40q", key, len(got), got, len(want), want)
	}
	return etag
}

func wantConflict(t *testing.T, st sources.Store, err error, what string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s succeeded, want a conflict", what)
	}
	if !st.IsConflict(err) {
		t.Fatalf("%s: IsConflict(%v) = false, want true", what, err)
	}
}

func testGetMissing(t *testing.T, env StoreEnv) {
	_, _, err := env.Store.Get(context.Background(), "state/missing.json")
	if err == nil {
		t.Fatal("Get of a missing key succeeded")
	}
	if !env.Store.IsNotExist(err) {
		t.Errorf("IsNotExist(%v) = false, want true", err)
	}
	if env.Store.IsConflict(err) {
		t.Errorf("IsConflict(%v) = true for a missing key", err)
	}
	if env.Store.IsConflict(errors.New("some other failure")) {
		t.Error("IsConflict is true for an unrelated error")
	}
}

func testPutGet(t *testing.T, env StoreEnv) {
	st := env.Store
	for _, key := range []string{
		"state/sweep.state",
		"lake/date=2024-03-01/rule=aws_ssm_run_command/part-r1-0.parquet",
		"odd/with space & ünïcødé + 100%.json",
	} {
		body := []byte(`{"version":1,"key":` + fmt.Sprintf("%q", key) + `}`)
		etag := mustPut(t, st, key, body, sources.Condition{})
		if got := wantBody(t, st, key, body); got != etag {
			t.Errorf("%s: Get ETag %q, Put returned %q", key, got, etag)
		}
		// An unconditional Put replaces.
		body2 := append(body, '\n')
		etag2 := mustPut(t, st, key, body2, sources.Condition{})
		if etag2 == etag {
			t.Errorf("%s: ETag %q did not change with the content", key, etag)
		}
		wantBody(t, st, key, body2)
	}
	// An empty body is an object too.
	mustPut(t, st, "state/empty", nil, sources.Condition{IfNoneMatch: true})
	wantBody(t, st, "state/empty", []byte{})
}

func testPutListed(t *testing.T, env StoreEnv) {
	st := env.Store
	bodies := map[string][]byte{
		"lake/_manifest/r1.json":                     []byte(`{}`),
		"lake/date=2024-03-01/part-r1-0.parquet":     bytes.Repeat([]byte("x"), 1000),
		"lake/date=2024-03-02/part-r1-1.parquet":     []byte("y"),
		"lake/date=2024-03-02/sub/part-r1-2.parquet": []byte("zz"),
	}
	for k, b := range bodies {
		mustPut(t, st, k, b, sources.Condition{IfNoneMatch: true})
	}
	seen := map[string]int64{}
	if err := st.List(context.Background(), "lake/", func(o sources.Object) error {
		seen[o.Key] = o.Size
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for k, b := range bodies {
		if size, ok := seen[k]; !ok || size != int64(len(b)) {
			t.Errorf("List: %s size %d (listed %v), want %d", k, size, ok, len(b))
		}
	}
	// Nothing else: no temporary or lock files where readers look.
	for k := range seen {
		if _, ok := bodies[k]; !ok && !hidden(k) {
			t.Errorf("List shows %s, which was never put", k)
		}
	}
}

// hidden reports whether a key is one lake readers and the walker skip
// (a name starting with "." in its last element: temporary and lock
// files).
func hidden(key string) bool {
	base := key[strings.LastIndex(key, "/")+1:]
	return strings.HasPrefix(base, ".")
}

func testIfNoneMatch(t *testing.T, env StoreEnv) {
	st := env.Store
	key := "state/ifnonematch.state"
	etag := mustPut(t, st, key, []byte("first"), sources.Condition{IfNoneMatch: true})
	_, err := put(t, st, key, []byte("second"), sources.Condition{IfNoneMatch: true})
	wantConflict(t, st, err, "Put If-None-Match on an existing key")
	if got := wantBody(t, st, key, []byte("first")); got != etag {
		t.Errorf("ETag changed by a failed Put: %q, want %q", got, etag)
	}
}

func testIfMatch(t *testing.T, env StoreEnv) {
	st := env.Store
	key := "state/ifmatch.state"
	e1 := mustPut(t, st, key, []byte("v1"), sources.Condition{})
	e2 := mustPut(t, st, key, []byte("v2"), sources.Condition{IfMatch: e1})
	if e2 == e1 {
		t.Fatalf("ETag did not change: %q", e2)
	}
	_, err := put(t, st, key, []byte("v3 from a stale writer"), sources.Condition{IfMatch: e1})
	wantConflict(t, st, err, "Put If-Match with a stale ETag")
	wantBody(t, st, key, []byte("v2"))
	e3 := mustPut(t, st, key, []byte("v3"), sources.Condition{IfMatch: e2})
	if got := wantBody(t, st, key, []byte("v3")); got != e3 {
		t.Errorf("Get ETag %q, Put returned %q", got, e3)
	}
	if _, err := put(t, st, key, []byte("x"), sources.Condition{IfMatch: "a", IfNoneMatch: true}); err == nil {
		t.Error("Put with both conditions succeeded")
	}
}

func testIfMatchMissing(t *testing.T, env StoreEnv) {
	st := env.Store
	// The ETag of an object that was deleted since it was read.
	key := "state/gone.state"
	etag := mustPut(t, st, key, []byte("v1"), sources.Condition{})
	if err := deleter(t, st).Delete(context.Background(), key); err != nil {
		t.Fatal(err)
	}
	_, err := put(t, st, key, []byte("v2"), sources.Condition{IfMatch: etag})
	wantConflict(t, st, err, "Put If-Match on a deleted key")
	if _, _, err := st.Get(context.Background(), key); !st.IsNotExist(err) {
		t.Errorf("after a failed If-Match Put, Get = %v, want not found", err)
	}
}

// testRace has writers that read the same ETag race to replace the
// object: exactly one wins, the others get conflicts, and the object is
// the winner's.
func testRace(t *testing.T, env StoreEnv) {
	st := env.Store
	const writers = 6
	for round, cond := range []string{"IfNoneMatch", "IfMatch"} {
		key := fmt.Sprintf("state/race-%d.state", round)
		var base sources.Condition
		if cond == "IfMatch" {
			base.IfMatch = mustPut(t, st, key, []byte("base"), sources.Condition{})
		} else {
			base.IfNoneMatch = true
		}
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			winners []int
			etags   = map[int]string{}
		)
		start := make(chan struct{})
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				body := []byte(fmt.Sprintf("writer %d", w))
				etag, err := st.Put(context.Background(), key, bytes.NewReader(body), int64(len(body)), base)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					winners = append(winners, w)
					etags[w] = etag
				case !st.IsConflict(err):
					t.Errorf("%s writer %d: %v, want success or a conflict", cond, w, err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if len(winners) != 1 {
			t.Fatalf("%s race: %d writers won (%v), want exactly 1", cond, len(winners), winners)
		}
		w := winners[0]
		if got := wantBody(t, st, key, []byte(fmt.Sprintf("writer %d", w))); got != etags[w] {
			t.Errorf("%s race: ETag %q, the winner got %q", cond, got, etags[w])
		}
	}
}

func testWrongSize(t *testing.T, env StoreEnv) {
	st := env.Store
	ctx := context.Background()
	key := "state/size.state"
	mustPut(t, st, key, []byte("good"), sources.Condition{})
	if _, err := st.Put(ctx, key, strings.NewReader("short"), 10, sources.Condition{}); err == nil {
		t.Error("Put of a body shorter than its size succeeded")
	}
	if _, err := st.Put(ctx, key, strings.NewReader("longer than said"), 4, sources.Condition{}); err == nil {
		t.Error("Put of a body longer than its size succeeded")
	}
	wantBody(t, st, key, []byte("good"))
}

func testDelete(t *testing.T, env StoreEnv) {
	st := env.Store
	ctx := context.Background()
	key := "lake/delete/part-r9-0.parquet"
	mustPut(t, st, key, []byte("doomed"), sources.Condition{IfNoneMatch: true})
	if err := deleter(t, st).Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Get(ctx, key); !st.IsNotExist(err) {
		t.Errorf("Get after Delete: %v, want not found", err)
	}
	if err := deleter(t, st).Delete(ctx, key); err != nil {
		t.Errorf("Delete of a missing key: %v, want nil", err)
	}
	// The key can be created again, If-None-Match.
	mustPut(t, st, key, []byte("again"), sources.Condition{IfNoneMatch: true})
}

func deleter(t *testing.T, st sources.Store) sources.Deleter {
	t.Helper()
	d, ok := st.(sources.Deleter)
	if !ok {
		t.Fatalf("%T cannot delete", st)
	}
	return d
}

func testLarge(t *testing.T, env StoreEnv) {
	st := env.Store
	ctx := context.Background()
	body := make([]byte, env.Large)
	rand.Read(body)
	key := "lake/large/part-big-0.parquet"
	// io.MultiReader hides any Seek or WriterTo the store could use to
	// skip its streaming path.
	stream := func(b []byte) io.Reader { return io.MultiReader(bytes.NewReader(b)) }
	e1, err := st.Put(ctx, key, stream(body), int64(len(body)), sources.Condition{IfNoneMatch: true})
	if err != nil {
		t.Fatalf("large Put: %v", err)
	}
	if got := wantBody(t, st, key, body); got != e1 {
		t.Errorf("Get ETag %q, Put returned %q", got, e1)
	}
	_, err = st.Put(ctx, key, stream(body), int64(len(body)), sources.Condition{IfNoneMatch: true})
	wantConflict(t, st, err, "large Put If-None-Match on an existing key")
	body2 := append([]byte("v2"), body[2:]...)
	_, err = st.Put(ctx, key, stream(body2), int64(len(body2)), sources.Condition{IfMatch: "0123456789abcdef"})
	wantConflict(t, st, err, "large Put If-Match with a wrong ETag")
	e2, err := st.Put(ctx, key, stream(body2), int64(len(body2)), sources.Condition{IfMatch: e1})
	if err != nil {
		t.Fatalf("large Put If-Match: %v", err)
	}
	if got := wantBody(t, st, key, body2); got != e2 {
		t.Errorf("Get ETag %q, Put returned %q", got, e2)
	}
	// A body that ends early never becomes the object.
	if _, err := st.Put(ctx, key, stream(body[:len(body)-1]), int64(len(body)), sources.Condition{}); err == nil {
		t.Error("large Put of a short body succeeded")
	}
	wantBody(t, st, key, body2)
}
