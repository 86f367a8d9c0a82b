// Package sourcetest is the conformance suite every sources.Source
// passes: the local directory, S3 (against versitygw) and Azure Blob
// (against Azurite), and real clouds when credentials are set.
package sourcetest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sort"
	"strings"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/retrohunt/retrohunt/sources"
)

// Env is one fresh, empty store behind a Source.
type Env struct {
	Source sources.Source
	// Put stores body under key: an upload through the store's SDK for
	// S3 and Azure (so ETags are the server's own), a file write for a
	// local directory.
	Put func(key string, body []byte) error
	// ETags says the store reports an ETag for every object.
	ETags bool
	// Stats, when set, reads the backend's request counters; the sparse
	// walk then checks its request bound on them as well.
	Stats func() sources.RequestStats
}

// Run runs the suite. newEnv returns a new empty store each call; Run
// calls it once for the empty-store checks and once for the tree.
func Run(t *testing.T, newEnv func(t *testing.T) Env) {
	t.Run("Empty", func(t *testing.T) {
		testEmpty(t, newEnv(t))
	})
	env := newEnv(t)
	tree := Tree()
	upload(t, env, tree)
	t.Run("List", func(t *testing.T) { testList(t, env, tree) })
	t.Run("ListPrefix", func(t *testing.T) { testListPrefix(t, env, tree) })
	t.Run("ListStops", func(t *testing.T) { testListStops(t, env) })
	t.Run("ListDirs", func(t *testing.T) { testListDirs(t, env) })
	t.Run("Open", func(t *testing.T) { testOpen(t, env, tree) })
	t.Run("OpenMissing", func(t *testing.T) { testOpenMissing(t, env) })
	t.Run("Location", func(t *testing.T) { testLocation(t, env) })
	t.Run("Walk", func(t *testing.T) { testWalk(t, env, tree) })
	t.Run("WalkSparse", func(t *testing.T) { testWalkSparse(t, newEnv(t)) })
	t.Run("WalkTenant", func(t *testing.T) { testWalkTenant(t, newEnv(t)) })
	t.Run("WalkStrays", func(t *testing.T) { testWalkStrays(t, newEnv(t)) })
	t.Run("Wrapped", func(t *testing.T) { testWrapped(t, env, tree) })
	t.Run("ReadsListedVersion", func(t *testing.T) { testReadsListedVersion(t, newEnv(t)) })
}

func upload(t *testing.T, env Env, tree []Entry) {
	t.Helper()
	g := new(errgroup.Group)
	g.SetLimit(8)
	for _, e := range tree {
		g.Go(func() error { return env.Put(e.Key, e.Body) })
	}
	if err := g.Wait(); err != nil {
		t.Fatalf("cannot upload the conformance tree: %v", err)
	}
}

func listAll(t *testing.T, src sources.Source, prefix string) []sources.Object {
	t.Helper()
	var objs []sources.Object
	if err := src.List(context.Background(), prefix, func(o sources.Object) error {
		objs = append(objs, o)
		return nil
	}); err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	return objs
}

// listDirs returns what one delimiter listing of prefix reports: each
// folder's prefix (ending in "/") and each object's key.
func listDirs(t *testing.T, src sources.Source, prefix string) []string {
	t.Helper()
	var dirs []string
	if err := src.ListDirs(context.Background(), prefix, func(e sources.Entry) error {
		switch {
		case e.Dir != "" && e.Object != (sources.Object{}):
			t.Errorf("ListDirs(%q): entry has both a folder %q and an object %q", prefix, e.Dir, e.Object.Key)
		case e.Dir != "":
			dirs = append(dirs, e.Dir)
		default:
			if want := int64(len("body of " + e.Object.Key + "\n")); e.Object.Size != want && strings.HasSuffix(e.Object.Key, ".txt") && !strings.HasSuffix(e.Object.Key, "empty.txt") {
				t.Errorf("ListDirs(%q): object %q has size %d, want %d", prefix, e.Object.Key, e.Object.Size, want)
			}
			dirs = append(dirs, e.Object.Key)
		}
		return nil
	}); err != nil {
		t.Fatalf("ListDirs(%q): %v", prefix, err)
	}
	return dirs
}

func testEmpty(t *testing.T, env Env) {
	if objs := listAll(t, env.Source, ""); len(objs) != 0 {
		t.Errorf("List on an empty store returned %d objects", len(objs))
	}
	if dirs := listDirs(t, env.Source, ""); len(dirs) != 0 {
		t.Errorf("ListDirs on an empty store returned %v", dirs)
	}
}

func testList(t *testing.T, env Env, tree []Entry) {
	objs := listAll(t, env.Source, "")
	if len(objs) != len(tree) {
		t.Errorf("List returned %d objects, want %d", len(objs), len(tree))
	}
	for i, o := range objs {
		if i > 0 && objs[i-1].Key >= o.Key {
			t.Errorf("List is not in key order: %q before %q", objs[i-1].Key, o.Key)
		}
		if i >= len(tree) {
			continue
		}
		e := tree[i]
		if o.Key != e.Key {
			t.Errorf("List[%d].Key = %q, want %q", i, o.Key, e.Key)
			continue
		}
		if o.Size != int64(len(e.Body)) {
			t.Errorf("%s: Size = %d, want %d", o.Key, o.Size, len(e.Body))
		}
		if env.ETags && (o.ETag == "" || strings.Contains(o.ETag, `"`)) {
			t.Errorf("%s: ETag = %q, want a non-empty ETag without quotes", o.Key, o.ETag)
		}
		if o.ModTime.IsZero() {
			t.Errorf("%s: ModTime is zero", o.Key)
		}
	}
}

func testListPrefix(t *testing.T, env Env, tree []Entry) {
	f := func(prefix string) {
		t.Helper()
		var want []string
		for _, e := range tree {
			if strings.HasPrefix(e.Key, prefix) {
				want = append(want, e.Key)
			}
		}
		var got []string
		for _, o := range listAll(t, env.Source, prefix) {
			got = append(got, o.Key)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("List(%q):\n got %q\nwant %q", prefix, got, want)
		}
	}
	f("AWSLogs/" + AccountA + "/CloudTrail/us-east-1/2024/03/01/")
	f("AWSLogs/" + Org + "/")
	f("resourceId=/SUBSCRIPTIONS/" + Sub2 + "/y=2024/m=03/")
	f("odd/with")     // a prefix ending inside a name
	f("odd/100% ")    // a percent sign
	f("odd/ünïcødé/") // non-ASCII
	f("AWSLogs/" + AccountA + "/CloudTrail-Insight/")
	f("nothing-here/")
}

var errStop = errors.New("stop here")

func testListStops(t *testing.T, env Env) {
	calls := 0
	err := env.Source.List(context.Background(), "", func(sources.Object) error {
		calls++
		if calls == 3 {
			return errStop
		}
		return nil
	})
	if !errors.Is(err, errStop) || calls != 3 {
		t.Errorf("List after fn failed on the 3rd object: err %v after %d calls; want fn's error after 3", err, calls)
	}
	calls = 0
	err = env.Source.ListDirs(context.Background(), "", func(sources.Entry) error {
		calls++
		return errStop
	})
	if !errors.Is(err, errStop) || calls != 1 {
		t.Errorf("ListDirs after fn failed: err %v after %d calls; want fn's error after 1", err, calls)
	}
}

func testListDirs(t *testing.T, env Env) {
	f := func(prefix string, want ...string) {
		t.Helper()
		// The order of folders is not part of the contract: local
		// directories sort "CloudTrail" before "CloudTrail-Digest", S3
		// sorts the prefixes with their slash.
		got := listDirs(t, env.Source, prefix)
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("ListDirs(%q):\n got %q\nwant %q", prefix, got, want)
		}
	}
	// Objects directly in a folder come with its sub-folders, from the
	// same requests: the walk counts the files it finds where the
	// layout expects folders (README.txt beside AWSLogs/).
	f("", "AWSLogs/", "README.txt", "odd/", "resourceId=/")
	f("odd/", "odd/100% sure.txt", "odd/a+b=c&d.txt", "odd/empty.txt", "odd/with space.txt", "odd/ünïcødé/")
	f("AWSLogs/", "AWSLogs/"+AccountA+"/", "AWSLogs/"+AccountB+"/", "AWSLogs/"+Org+"/")
	f("AWSLogs/"+AccountA+"/", "AWSLogs/"+AccountA+"/CloudTrail/", "AWSLogs/"+AccountA+"/CloudTrail-Digest/", "AWSLogs/"+AccountA+"/CloudTrail-Insight/")
	f("AWSLogs/"+AccountB+"/CloudTrail/", "AWSLogs/"+AccountB+"/CloudTrail/eu-west-1/", "AWSLogs/"+AccountB+"/CloudTrail/us-east-1/")
	f("AWSLogs/"+AccountB+"/CloudTrail/eu-west-1/2024/",
		"AWSLogs/"+AccountB+"/CloudTrail/eu-west-1/2024/02/", "AWSLogs/"+AccountB+"/CloudTrail/eu-west-1/2024/03/")
	f("resourceId=/SUBSCRIPTIONS/", "resourceId=/SUBSCRIPTIONS/"+Sub1+"/", "resourceId=/SUBSCRIPTIONS/"+Sub2+"/")
	// A leaf: objects only.
	day := "AWSLogs/" + AccountB + "/CloudTrail/eu-west-1/2024/03/01/"
	var leaf []string
	for _, e := range Tree() {
		if rest, ok := strings.CutPrefix(e.Key, day); ok && !strings.Contains(rest, "/") {
			leaf = append(leaf, e.Key)
		}
	}
	if len(leaf) == 0 {
		t.Fatal("the tree has no object in " + day)
	}
	f(day, leaf...)
	f("nothing-here/")
}

func testOpen(t *testing.T, env Env, tree []Entry) {
	ctx := context.Background()
	byKey := map[string][]byte{}
	for _, e := range tree {
		byKey[e.Key] = e.Body
	}
	for _, o := range listAll(t, env.Source, "") {
		err := sources.WithObject(ctx, env.Source, o, func(r io.Reader) error {
			b, err := io.ReadAll(r)
			if err != nil {
				return err
			}
			if !bytes.Equal(b, byKey[o.Key]) {
				t.Errorf("%s: body differs: got %d bytes, want %d", o.Key, len(b), len(byKey[o.Key]))
			}
			return nil
		})
		if err != nil {
			t.Errorf("Open %s: %v", o.Key, err)
		}
	}
}

func testOpenMissing(t *testing.T, env Env) {
	key := "AWSLogs/" + AccountA + "/CloudTrail/us-east-1/2024/03/01/missing.json.gz"
	rc, err := env.Source.Open(context.Background(), sources.Object{Key: key})
	if err == nil {
		// Some stores report a missing object only on the first read.
		_, err = io.ReadAll(rc)
		rc.Close()
	}
	if err == nil {
		t.Fatalf("Open(%q) of a missing key succeeded", key)
	}
	if !env.Source.IsNotExist(err) {
		t.Errorf("IsNotExist(%v) = false, want true", err)
	}
	if !env.Source.IsPermanent(err) {
		t.Errorf("IsPermanent(%v) = false, want true", err)
	}
	if !strings.Contains(err.Error(), "missing.json.gz") {
		t.Errorf("error %q does not name the key", err)
	}
	if env.Source.IsNotExist(errors.New("some other failure")) {
		t.Error("IsNotExist is true for an unrelated error")
	}
}

func testLocation(t *testing.T, env Env) {
	loc := env.Source.Location()
	if loc == "" || strings.HasSuffix(loc, "/") {
		t.Errorf("Location() = %q, want a URI without a trailing slash", loc)
	}
	if u := env.Source.URI("AWSLogs/x.json.gz"); u != loc+"/AWSLogs/x.json.gz" {
		t.Errorf("URI = %q, want Location()+\"/AWSLogs/x.json.gz\"", u)
	}
}

// testWrapped walks and downloads the tree through a Limiter, as the
// scanner drives a Source.
func testWrapped(t *testing.T, env Env, tree []Entry) {
	src := sources.Limit(env.Source, 2)
	w := &sources.Walker{Source: src, Parallel: 4}
	byKey := map[string][]byte{}
	for _, e := range tree {
		byKey[e.Key] = e.Body
	}
	ctx := context.Background()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	n := 0
	err := w.Walk(ctx, "", func(f sources.Found) error {
		n++
		g.Go(func() error {
			return sources.WithObject(gctx, src, f.Object, func(r io.Reader) error {
				b, err := io.ReadAll(r)
				if err == nil && !bytes.Equal(b, byKey[f.Key]) {
					t.Errorf("%s: body differs", f.Key)
				}
				return err
			})
		})
		return nil
	})
	if werr := g.Wait(); err == nil {
		err = werr
	}
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("walk through the wrappers found nothing")
	}
}

// Uploader is a test server that stores objects through its own client
// (testservers' versitygw and Azurite).
type Uploader interface {
	Put(ctx context.Context, container, key string, body []byte) error
}

// ServerEnv is the Env of src, which reads container on srv: objects go
// up through the server's own client, so their ETags are the server's.
func ServerEnv(src sources.Source, srv Uploader, container string) Env {
	env := Env{
		Source: src,
		Put: func(key string, body []byte) error {
			return srv.Put(context.Background(), container, key, body)
		},
		ETags: true,
	}
	if st, ok := src.(interface{ Stats() sources.RequestStats }); ok {
		env.Stats = st.Stats
	}
	return env
}
