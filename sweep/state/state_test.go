package state_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/scan"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sweep/state"
	"github.com/retrohunt/retrohunt/sweep/sweeptest"
)

const stateKey = "retrohunt/cloudtrail.state"

var (
	rulesA = state.Fingerprint(map[string][]byte{"aws_ssm.yaral": []byte("rule a {}")})
	rulesB = state.Fingerprint(map[string][]byte{"aws_ssm.yaral": []byte("rule a { changed }")})
)

// archive is a listing: URI → (ETag, size).
type object struct {
	uri, etag string
	size      int64
}

func archive(n int) []object {
	var objs []object
	for i := 0; i < n; i++ {
		objs = append(objs, object{
			uri:  fmt.Sprintf("s3://trail/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01/f%03d.json.gz", i),
			etag: fmt.Sprintf("etag-%d", i),
			size: int64(100 + i),
		})
	}
	return objs
}

func load(t *testing.T, st sources.Store) *state.State {
	t.Helper()
	s, err := state.Load(context.Background(), st, stateKey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func save(t *testing.T, s *state.State) {
	t.Helper()
	if err := s.Save(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// record scans what s says is needed, recording status for each, and
// returns the URIs it scanned.
func record(s *state.State, objs []object, ruleset string, status func(object) scan.ObjectStatus) []string {
	var scanned []string
	for _, o := range objs {
		if !s.Need(o.uri, o.etag, o.size, ruleset) {
			continue
		}
		scanned = append(scanned, o.uri)
		st := scan.ObjectScanned
		if status != nil {
			st = status(o)
		}
		out := state.Outcome{URI: o.uri, ETag: o.etag, Size: o.size, Status: st, Hits: 1, Records: 10, Ruleset: ruleset}
		if st != scan.ObjectScanned {
			out.Reason, out.Hits = "download failed", 0
		}
		s.Record(out)
	}
	return scanned
}

func TestRoundTrip(t *testing.T) {
	forEachStore(t, func(t *testing.T, st sources.Store) {
		s := load(t, st)
		if s.Len() != 0 {
			t.Fatalf("missing state file loaded %d objects", s.Len())
		}
		at := time.Date(2024, 3, 2, 3, 4, 5, 0, time.UTC)
		state.SetClock(s, func() time.Time { return at })
		s.SetRun("run-1")
		objs := archive(3)
		record(s, objs, rulesA, func(o object) scan.ObjectStatus {
			if o.uri == objs[2].uri {
				return scan.ObjectFailed
			}
			return scan.ObjectScanned
		})
		save(t, s)
		// A second Save by the same run goes on from its own ETag.
		s.Record(state.Outcome{URI: "s3://trail/extra", ETag: "x", Size: 1, Status: scan.ObjectSkipped, Reason: "archive tier", Ruleset: rulesA})
		save(t, s)

		s2 := load(t, st)
		if s2.Len() != 4 {
			t.Fatalf("reloaded %d objects, want 4", s2.Len())
		}
		got, _ := s2.Get(objs[0].uri)
		want := state.Entry{ETag: objs[0].etag, Size: objs[0].size, Status: scan.ObjectScanned, Hits: 1, Records: 10, Ruleset: rulesA, Run: "run-1", At: at}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("entry:\n got %+v\nwant %+v", got, want)
		}
		if got, _ := s2.Get(objs[2].uri); got.Status != scan.ObjectFailed || got.Reason != "download failed" {
			t.Errorf("failed entry: %+v", got)
		}
		// The file is the documented JSON.
		body, _, err := st.Get(context.Background(), stateKey)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		if doc["version"] != 1.0 || doc["ruleset"] != rulesA || doc["objects"] == nil || doc["saved_by"].(map[string]any)["run"] != "run-1" {
			t.Errorf("state document: %s", body)
		}
	})
}

func TestIncremental(t *testing.T) {
	forEachStore(t, func(t *testing.T, st sources.Store) {
		objs := archive(20)
		s := load(t, st)
		if n := len(record(s, objs, rulesA, nil)); n != len(objs) {
			t.Fatalf("first run scanned %d, want %d", n, len(objs))
		}
		save(t, s)

		// The second run needs nothing.
		s = load(t, st)
		if got := record(s, objs, rulesA, nil); len(got) != 0 {
			t.Fatalf("second run scanned %v, want nothing", got)
		}
		save(t, s)

		// A changed ETag, an append blob that grew, and a new object are
		// needed again, nothing else.
		objs[3].etag = "etag-3-replaced"
		objs[7].size += 500
		objs[7].etag = "etag-7-grown"
		objs = append(objs, object{uri: "s3://trail/new.json.gz", etag: "n", size: 1})
		s = load(t, st)
		want := []string{objs[3].uri, objs[7].uri, objs[20].uri}
		if got := record(s, objs, rulesA, nil); !reflect.DeepEqual(got, want) {
			t.Fatalf("after changes the run scanned %v, want %v", got, want)
		}
		save(t, s)

		// A size change alone (same ETag) is a change too.
		objs[5].size++
		s = load(t, st)
		if got := record(s, objs, rulesA, nil); !reflect.DeepEqual(got, []string{objs[5].uri}) {
			t.Fatalf("size change: scanned %v", got)
		}
		save(t, s)
	})
}

func TestFailedAndSkippedAgain(t *testing.T) {
	forEachStore(t, func(t *testing.T, st sources.Store) {
		objs := archive(6)
		s := load(t, st)
		record(s, objs, rulesA, func(o object) scan.ObjectStatus {
			switch o.uri {
			case objs[1].uri:
				return scan.ObjectFailed
			case objs[4].uri:
				return scan.ObjectSkipped
			}
			return scan.ObjectScanned
		})
		save(t, s)
		s = load(t, st)
		want := []string{objs[1].uri, objs[4].uri}
		if got := record(s, objs, rulesA, nil); !reflect.DeepEqual(got, want) {
			t.Fatalf("retry run scanned %v, want the failed and skipped %v", got, want)
		}
		save(t, s)
		s = load(t, st)
		if got := record(s, objs, rulesA, nil); len(got) != 0 {
			t.Fatalf("after the retry succeeded, scanned %v", got)
		}
	})
}

func TestRulesetChange(t *testing.T) {
	forEachStore(t, func(t *testing.T, st sources.Store) {
		objs := archive(8)
		s := load(t, st)
		record(s, objs, rulesA, nil)
		save(t, s)
		s = load(t, st)
		if got := record(s, objs, rulesB, nil); len(got) != len(objs) {
			t.Fatalf("a new rule set rescanned %d of %d", len(got), len(objs))
		}
		save(t, s)
		s = load(t, st)
		if got := record(s, objs, rulesB, nil); len(got) != 0 {
			t.Fatalf("second run with the new rule set scanned %v", got)
		}
	})
}

// Two runs load the same state; the first Save wins, the second fails
// with a conflict that names both runs, and the file is the winner's.
func TestConcurrentWriters(t *testing.T) {
	forEachStore(t, func(t *testing.T, st sources.Store) {
		for _, existing := range []bool{false, true} {
			key := fmt.Sprintf("concurrent-%v.state", existing)
			if existing {
				s0, _ := state.Load(context.Background(), st, key)
				s0.Record(state.Outcome{URI: "s3://trail/seed", ETag: "e", Status: scan.ObjectScanned})
				save(t, s0)
			}
			a, err := state.Load(context.Background(), st, key)
			if err != nil {
				t.Fatal(err)
			}
			b, err := state.Load(context.Background(), st, key)
			if err != nil {
				t.Fatal(err)
			}
			a.SetRun("run-A")
			b.SetRun("run-B")
			a.Record(state.Outcome{URI: "s3://trail/a", ETag: "a", Status: scan.ObjectScanned})
			b.Record(state.Outcome{URI: "s3://trail/b", ETag: "b", Status: scan.ObjectScanned})
			save(t, a)
			err = b.Save(context.Background())
			if !state.IsConflict(err) {
				t.Fatalf("existing=%v: second Save = %v, want a conflict", existing, err)
			}
			for _, w := range []string{"run run-A", "this run run-B", st.URI(key), "not overwritten", "one sweep per state file"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("conflict message lacks %q: %v", w, err)
				}
			}
			t.Logf("existing=%v: %v", existing, err)
			c, err := state.Load(context.Background(), st, key)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := c.Get("s3://trail/a"); !ok {
				t.Error("the winner's state was lost")
			}
			if _, ok := c.Get("s3://trail/b"); ok {
				t.Error("the loser's state was written")
			}
		}
	})
}

func TestLoadRejects(t *testing.T) {
	st := sweeptest.Local(t)
	f := func(body, want string) {
		t.Helper()
		if _, err := st.Put(context.Background(), stateKey, strings.NewReader(body), int64(len(body)), sources.Condition{}); err != nil {
			t.Fatal(err)
		}
		_, err := state.Load(context.Background(), st, stateKey)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Load(%.30q) = %v, want an error with %q", body, err, want)
		}
	}
	f("PAR1 not json", "not a retrohunt state file")
	f(`{"objects":{}}`, "no version")
	f(`{"version":2,"objects":{}}`, "newer than this retrohunt reads")
}

// lostAnswer is a Store whose conditional Puts succeed but report a
// conflict, as when an SDK retries a request whose answer was lost.
type lostAnswer struct{ sources.Store }

func (l lostAnswer) Put(ctx context.Context, key string, body io.Reader, size int64, c sources.Condition) (string, error) {
	b, _ := io.ReadAll(body)
	if _, err := l.Store.Put(ctx, key, bytes.NewReader(b), size, c); err != nil {
		return "", err
	}
	return "", fmt.Errorf("retried: %w", sources.ErrConflict)
}

func TestSaveLostAnswer(t *testing.T) {
	st := sweeptest.Local(t)
	s, err := state.Load(context.Background(), lostAnswer{st}, stateKey)
	if err != nil {
		t.Fatal(err)
	}
	s.Record(state.Outcome{URI: "s3://trail/x", ETag: "x", Status: scan.ObjectScanned})
	if err := s.Save(context.Background()); err != nil {
		t.Fatalf("Save whose own write came back as a conflict: %v", err)
	}
	// And the next Save goes on from the ETag read back.
	s.Record(state.Outcome{URI: "s3://trail/y", ETag: "y", Status: scan.ObjectScanned})
	if err := s.Save(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s2 := load(t, st); s2.Len() != 2 {
		t.Errorf("reloaded %d objects, want 2", s2.Len())
	}
}

func TestForget(t *testing.T) {
	st := sweeptest.Local(t)
	s := load(t, st)
	objs := archive(4)
	record(s, objs, rulesA, nil)
	if n := s.Forget(func(uri string, e state.Entry) bool { return uri == objs[0].uri }); n != 1 {
		t.Fatalf("Forget dropped %d", n)
	}
	if !s.Need(objs[0].uri, objs[0].etag, objs[0].size, rulesA) || s.Need(objs[1].uri, objs[1].etag, objs[1].size, rulesA) {
		t.Error("Need after Forget")
	}
}

func TestETag(t *testing.T) {
	at := time.Unix(1700000000, 123)
	if got := state.ETag(sources.Object{ETag: "abc", ModTime: at}); got != "abc" {
		t.Errorf("ETag = %q", got)
	}
	if got := state.ETag(sources.Object{ModTime: at}); got != "mtime:1700000000000000123" {
		t.Errorf("ETag without one = %q", got)
	}
	if rulesA == rulesB || !strings.HasPrefix(rulesA, "sha256:") {
		t.Errorf("fingerprints %s %s", rulesA, rulesB)
	}
	// Moving bytes between a rule's name and text changes the print.
	if state.Fingerprint(map[string][]byte{"ab": []byte("c")}) == state.Fingerprint(map[string][]byte{"a": []byte("bc")}) {
		t.Error("fingerprint collides")
	}
}
