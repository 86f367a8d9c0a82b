package window

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
)

// randomCandidates returns n candidates over a few rules and keys with
// times that repeat, so that ties are broken by the later fields.
func randomCandidates(seed uint64, n int) []Candidate {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]Candidate, n)
	for i := range out {
		out[i] = Candidate{
			Rule:   fmt.Sprintf("rule_%d", r.IntN(3)),
			Var:    r.IntN(2),
			Key:    []string{fmt.Sprintf("10.0.0.%d", r.IntN(5)), fmt.Sprintf("user%d", r.IntN(2))},
			Time:   int64(r.IntN(1000)) * 1e9,
			Values: []string{fmt.Sprint(r.IntN(7)), "ConsoleLogin"},
			Source: fmt.Sprintf("s3://b/o%d.json.gz", r.IntN(4)),
			Record: int64(r.IntN(100)),
		}
	}
	return out
}

// oracleSort orders candidates field by field with sort.SliceStable and
// string keys, independently of compare.
func oracleSort(cs []Candidate) []string {
	keys := make([]string, len(cs))
	for i, c := range cs {
		keys[i] = fmt.Sprintf("%s\x00%s\x00%020d\x00%d\x00%s\x00%020d\x00%s", c.Rule, strings.Join(c.Key, "\x01"), c.Time, c.Var, c.Source, c.Record, strings.Join(c.Values, "\x01"))
	}
	sort.Strings(keys)
	return keys
}

func drain(t *testing.T, s *Store) []string {
	t.Helper()
	var got []Candidate
	if err := s.Each(func(c *Candidate) error { got = append(got, *c); return nil }); err != nil {
		t.Fatalf("Each: %v", err)
	}
	keys := make([]string, len(got))
	for i, c := range got {
		keys[i] = fmt.Sprintf("%s\x00%s\x00%020d\x00%d\x00%s\x00%020d\x00%s", c.Rule, strings.Join(c.Key, "\x01"), c.Time, c.Var, c.Source, c.Record, strings.Join(c.Values, "\x01"))
	}
	return keys
}

// TestStoreSpillMergeMatchesMemory: a budget of a few candidates spills
// hundreds of runs (more than one merge pass) and yields exactly the
// sorted sequence an unbounded store and an independent sort give, for
// any arrival order; the runs are gone afterwards.
func TestStoreSpillMergeMatchesMemory(t *testing.T) {
	cs := randomCandidates(7, 6000)
	want := oracleSort(cs)

	mem := NewStore(t.TempDir(), 1<<40)
	for _, c := range cs {
		if err := mem.Add(c); err != nil {
			t.Fatal(err)
		}
	}
	if mem.Runs() != 0 {
		t.Fatalf("unbounded store spilled %d runs", mem.Runs())
	}
	if got := drain(t, mem); !slices.Equal(got, want) {
		t.Fatalf("in-memory order differs from the oracle")
	}

	dir := t.TempDir()
	spill := NewStore(dir, 4096)
	shuffled := slices.Clone(cs)
	rand.New(rand.NewPCG(99, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for _, c := range shuffled {
		if err := spill.Add(c); err != nil {
			t.Fatal(err)
		}
	}
	if spill.Runs() <= maxFanIn {
		t.Fatalf("spilled %d runs, want more than %d (a second merge pass)", spill.Runs(), maxFanIn)
	}
	if spill.Len() != int64(len(cs)) {
		t.Fatalf("Len = %d, want %d", spill.Len(), len(cs))
	}
	if got := drain(t, spill); !slices.Equal(got, want) {
		t.Fatalf("spilled and merged order differs from the oracle")
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(left) != 0 {
		t.Fatalf("run files left after Each: %v", left)
	}
	if err := spill.Add(cs[0]); !errors.Is(err, ErrClosed) {
		t.Fatalf("Add after Each = %v, want ErrClosed", err)
	}
}

// failingFile fails every write after limit bytes with ENOSPC, as a full
// disk does.
type failingFile struct {
	f     *os.File
	limit int
}

func (w *failingFile) Write(p []byte) (int, error) {
	if len(p) > w.limit {
		n, _ := w.f.Write(p[:w.limit])
		w.limit = 0
		return n, syscall.ENOSPC
	}
	w.limit -= len(p)
	return w.f.Write(p)
}
func (w *failingFile) Close() error { return w.f.Close() }
func (w *failingFile) Name() string { return w.f.Name() }

// TestStoreDiskFull: a spill that cannot be written fails with a
// *SpillError wrapping the cause, every later call returns it, and the
// partial run is removed.
func TestStoreDiskFull(t *testing.T) {
	dir := t.TempDir()
	s := NewStore(dir, 2048)
	s.create = func(dir string) (runFile, error) {
		f, err := os.CreateTemp(dir, "candidates-*.run")
		if err != nil {
			return nil, err
		}
		return &failingFile{f: f, limit: 100}, nil
	}
	var err error
	for _, c := range randomCandidates(3, 500) {
		if err = s.Add(c); err != nil {
			break
		}
	}
	var se *SpillError
	if !errors.As(err, &se) || se.Op != "write" || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Add past the budget on a full disk = %v, want a *SpillError (write) wrapping ENOSPC", err)
	}
	if err2 := s.Add(randomCandidates(4, 1)[0]); err2 != err {
		t.Fatalf("later Add = %v, want the same error", err2)
	}
	if err2 := s.Each(func(*Candidate) error { return nil }); err2 != err {
		t.Fatalf("Each = %v, want the spill error", err2)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(left) != 0 {
		t.Fatalf("partial run left behind: %v", left)
	}
}

// TestStoreUnwritableDir: a spill directory that cannot be created is a
// *SpillError (create).
func TestStoreUnwritableDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s := NewStore(filepath.Join(file, "spill"), 1)
	err := s.Add(randomCandidates(5, 1)[0])
	var se *SpillError
	if !errors.As(err, &se) || se.Op != "create" {
		t.Fatalf("Add with an unusable spill dir = %v, want *SpillError (create)", err)
	}
}

// TestCandidateRoundTrip: every field survives encoding.
func TestCandidateRoundTrip(t *testing.T) {
	for _, c := range append(randomCandidates(11, 50), Candidate{Rule: "r", Key: []string{}, Values: []string{}, Time: -5, Record: -1}) {
		b := appendBody(nil, &c)
		var d Candidate
		if err := decodeCandidate(b, &d); err != nil {
			t.Fatal(err)
		}
		if compare(&c, &d) != 0 {
			t.Fatalf("round trip: got %+v, want %+v", d, c)
		}
		if len(b) > 1 {
			if err := decodeCandidate(b[:len(b)-1], &d); err == nil {
				t.Fatalf("truncated record decoded without error")
			}
		}
	}
}

// TestDecodeCandidateAllocs: a spilled candidate is read back with one
// string for all its text and its two slices, not a string per field;
// the decoded text does not alias the buffer it came from. Fails with
// a string per field (8 allocations here).
func TestDecodeCandidateAllocs(t *testing.T) {
	c := Candidate{Rule: "r", Key: []string{"k1", "k2"}, Time: 5, Values: []string{"v1", "v2", "v3"}, Source: "s3://b/k", Record: 3}
	b := appendBody(nil, &c)
	var d Candidate
	if a := testing.AllocsPerRun(100, func() {
		if err := decodeCandidate(b, &d); err != nil {
			t.Fatal(err)
		}
	}); a > 3 {
		t.Errorf("decodeCandidate allocates %v times, want at most 3", a)
	}
	clear(b)
	if compare(&c, &d) != 0 {
		t.Fatalf("decoded %+v aliases its buffer: want %+v", d, c)
	}
}

// TestDecodeKeyAllocs: a partial key decodes with a copy of its
// encoding and its two slices, no string per column (the columns are
// substrings of the encoding). Fails with a string per column (5
// allocations here).
func TestDecodeKeyAllocs(t *testing.T) {
	e := EncodeKey([]string{"arn:aws:iam::123456789012:user/alice", "", "host-01.example.com"}, []bool{true, false, true})
	if a := testing.AllocsPerRun(100, func() {
		if _, _, ok := DecodeKey(e); !ok {
			t.Fatal("DecodeKey failed")
		}
	}); a > 3 {
		t.Errorf("DecodeKey allocates %v times, want at most 3", a)
	}
}

// TestCompareStringsMatchesSlicesCompare: compareStrings orders string
// slices as slices.Compare does (the reference), on random slices of
// short strings sharing prefixes and lengths.
func TestCompareStringsMatchesSlicesCompare(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	mk := func() []string {
		out := make([]string, r.IntN(4))
		for i := range out {
			out[i] = "ab"[:r.IntN(3)] + string(rune('a'+r.IntN(3)))
		}
		return out
	}
	for range 20000 {
		a, b := mk(), mk()
		if got, want := compareStrings(a, b), slices.Compare(a, b); got != want {
			t.Fatalf("compareStrings(%q, %q) = %d, slices.Compare %d", a, b, got, want)
		}
	}
}
