package rule

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/scan/window"
)

// candRule is a two-variable rule with a match key, a join and
// outcomes: each candidate carries its key and two inputs.
const candRule = `rule cand {
  events:
    $a.metadata.event_type = "USER_LOGIN"
    $a.principal.user.userid = $u
    $a.principal.ip = $ip
    $b.metadata.event_type = "USER_RESOURCE_ACCESS"
    $b.principal.user.userid = $u
    $b.target.resource.name = $res
  match:
    $u over 1h
  outcome:
    $ips = array_distinct($ip)
    $n = count_distinct($res)
  condition:
    $a and $b
}`

func candEvent() mapEvent {
	return mapEvent{
		"metadata.event_timestamp.seconds": {"1700000000"},
		"metadata.event_type":              {"USER_LOGIN"},
		"principal.user.userid":            {"alice"},
		"principal.ip":                     {"10.0.0.1", "10.0.0.2"},
		"target.resource.name":             {"bucket"},
	}
}

// TestCandidatesAllocs: a record that passes a variable's filter costs
// the candidate the Store keeps (its strings and its slice), not a
// context, rows and groups per variable. Fails with the per-variable
// contexts (about 20 allocations).
func TestCandidatesAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	m := compileMulti(t, candRule)
	ev := candEvent()
	n := 0
	add := func(c window.Candidate) error { n++; return nil }
	if err := m.Candidates(ev, "s3://b/k", 7, add); err != nil || n != 1 {
		t.Fatalf("Candidates: %v, %d candidates, want 1", err, n)
	}
	if a := testing.AllocsPerRun(100, func() { m.Candidates(ev, "s3://b/k", 7, add) }); a > 2 {
		t.Fatalf("Candidates allocates %v times per candidate, want at most 2", a)
	}
	first := func(v int) bool { return v == 0 }
	if a := testing.AllocsPerRun(100, func() { m.CandidatesMay(ev, first, "s3://b/k", 7, add) }); a > 2 {
		t.Fatalf("CandidatesMay allocates %v times per candidate, want at most 2", a)
	}
	none := func(int) bool { return false }
	if a := testing.AllocsPerRun(100, func() { m.CandidatesMay(ev, none, "s3://b/k", 7, add) }); a != 0 {
		t.Fatalf("CandidatesMay allocates %v times for a record no variable may match", a)
	}
}

// BenchmarkCandidates is the candidate path of a record that passes one
// of the rule's two variables.
func BenchmarkCandidates(b *testing.B) {
	m := compileMulti(b, candRule)
	ev := candEvent()
	add := func(c window.Candidate) error { return nil }
	b.ReportAllocs()
	b.SetBytes(eventSize(ev))
	for b.Loop() {
		if err := m.Candidates(ev, "s3://b/k", 7, add); err != nil {
			b.Fatal(err)
		}
	}
}

// checkCandidates compares Candidates and CandidatesMay with the
// reference (candidatesRef, a context per variable) on ev: the same
// candidates in the same order and the same error, with may nil, with
// may true only for the variables the reference made candidates for,
// and with may true for every variable.
func checkCandidates(t *testing.T, m *Multi, ev Event, source string, record int64) {
	t.Helper()
	collect := func(f func(add func(window.Candidate) error) error) ([]window.Candidate, error) {
		var out []window.Candidate
		err := f(func(c window.Candidate) error { out = append(out, c); return nil })
		return out, err
	}
	want, wantErr := collect(func(add func(window.Candidate) error) error { return m.candidatesRef(ev, source, record, add) })
	passed := map[int]bool{}
	for _, c := range want {
		passed[c.Var] = true
	}
	mays := map[string]func(int) bool{
		"nil":    nil,
		"passed": func(v int) bool { return passed[v] },
		"all":    func(int) bool { return true },
	}
	for name, may := range mays {
		if wantErr != nil && name == "passed" {
			continue // the reference made none: nothing says which passed
		}
		got, err := collect(func(add func(window.Candidate) error) error { return m.CandidatesMay(ev, may, source, record, add) })
		if !errors.Is(err, wantErr) && err != wantErr {
			t.Fatalf("record %d, may %s: error %v, reference %v", record, name, err, wantErr)
		}
		if !slices.EqualFunc(got, want, sameCandidate) {
			t.Fatalf("record %d, may %s:\n got %+v\nwant %+v", record, name, got, want)
		}
	}
}

func sameCandidate(a, b window.Candidate) bool {
	return a.Rule == b.Rule && a.Var == b.Var && slices.Equal(a.Key, b.Key) && a.Time == b.Time &&
		slices.Equal(a.Values, b.Values) && a.Source == b.Source && a.Record == b.Record
}

// BenchmarkCandidatesRef is BenchmarkCandidates on the reference (a
// context per variable), for comparison.
func BenchmarkCandidatesRef(b *testing.B) {
	m := compileMulti(b, candRule)
	ev := candEvent()
	add := func(c window.Candidate) error { return nil }
	b.ReportAllocs()
	b.SetBytes(eventSize(ev))
	for b.Loop() {
		if err := m.candidatesRef(ev, "s3://b/k", 7, add); err != nil {
			b.Fatal(err)
		}
	}
}

// candWindow is alice's window of 200 candidates of m, one a second:
// logins from 10.0.0.0 to .3 (even i) and accesses to bucket0 to 9 (odd
// i).
func candWindow(t *testing.T, m *Multi) *window.Window {
	t.Helper()
	w := &window.Window{Rule: "cand", Key: []string{"alice"}, Start: 1700000000e9, End: 1700003600e9, PivotIndex: -1}
	for i := range 200 {
		ev := candEvent()
		ev["metadata.event_timestamp.seconds"] = []string{strconv.Itoa(1700000000 + i)}
		if i%2 == 1 {
			ev["metadata.event_type"] = []string{"USER_RESOURCE_ACCESS"}
			ev["target.resource.name"] = []string{"bucket" + strconv.Itoa(i%10)}
		} else {
			ev["principal.ip"] = []string{"10.0.0." + strconv.Itoa(i%4)}
		}
		if err := m.Candidates(ev, "s", int64(i), func(c window.Candidate) error { w.Events = append(w.Events, c); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// TestEvaluateAllocs: a window's inputs are decoded into one growing
// buffer and found by index, not a map entry and a slice per event and
// input: evaluating a window of 200 candidates costs a few dozen
// allocations, not more than one per candidate. Fails with the map
// (271 here). The detection itself (2 users' logins, 100 accesses to 10
// resources) is checked against counts made by hand.
func TestEvaluateAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	m := compileMulti(t, candRule)
	w := candWindow(t, m)
	d, ok := m.Evaluate(w)
	if !ok || len(d.Events) != 200 {
		t.Fatalf("Evaluate: %v, %+v", ok, d)
	}
	// array_distinct($ip) over the logins: 10.0.0.0 and .2 (even i);
	// count_distinct($res) over the accesses: bucket1, 3, 5, 7, 9.
	got := map[string]string{}
	for _, o := range d.Outcomes {
		got[o.Name] = string(o.Value.AppendJSON(nil))
	}
	if got["n"] != "5" || got["ips"] != `["10.0.0.0","10.0.0.2"]` {
		t.Fatalf("outcomes %v", got)
	}
	if a := testing.AllocsPerRun(20, func() { m.Evaluate(w) }); a > 60 {
		t.Fatalf("Evaluate allocates %v times for 200 candidates, want at most 60", a)
	}
}

// TestEvaluateFailingCountSkipsOutcomes: a window whose condition fails
// on counts alone (#a >= 150 with 100 logins) is refused before its
// outcomes are computed, as its condition reads none: a handful of
// allocations, not the aggregations over its 200 candidates (over 20
// when they are computed). A window that passes still gets them
// (TestEvaluateAllocs).
func TestEvaluateFailingCountSkipsOutcomes(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	m := compileMulti(t, strings.Replace(candRule, "$a and $b", "#a >= 150 and $b", 1))
	w := &window.Window{Rule: "cand", Key: []string{"alice"}, Start: 1700000000e9, End: 1700003600e9, PivotIndex: -1}
	for i := range 200 {
		ev := candEvent()
		ev["metadata.event_timestamp.seconds"] = []string{strconv.Itoa(1700000000 + i)}
		if i%2 == 1 {
			ev["metadata.event_type"] = []string{"USER_RESOURCE_ACCESS"}
		}
		if err := m.Candidates(ev, "s", int64(i), func(c window.Candidate) error { w.Events = append(w.Events, c); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if d, ok := m.Evaluate(w); ok {
		t.Fatalf("Evaluate: detection %+v with 100 logins, want none", d)
	}
	if a := testing.AllocsPerRun(20, func() { m.Evaluate(w) }); a > 10 {
		t.Fatalf("Evaluate allocates %v times for a window its counts refuse, want at most 10", a)
	}
}

// TestEvaluateConditionOnOutcomes: a condition on an outcome variable
// that reads another (and through it an aggregation) is decided on
// those alone, and a window that passes gets every outcome. Counted by
// hand: the accesses of the window touch bucket1, 3, 5, 7 and 9 (5
// distinct), so $more = 6; the logins come from 10.0.0.0 and .2.
func TestEvaluateConditionOnOutcomes(t *testing.T) {
	src := strings.Replace(candRule, "$n = count_distinct($res)", "$n = count_distinct($res)\n    $more = $n + 1", 1)
	for _, c := range []struct {
		cond string
		want bool
	}{{"$a and $b and $more > 5", true}, {"$a and $b and $more > 6", false}, {"$a and $more = 6", true}} {
		m := compileMulti(t, strings.Replace(src, "$a and $b\n", c.cond+"\n", 1))
		w := candWindow(t, m)
		d, ok := m.Evaluate(w)
		if ok != c.want {
			t.Fatalf("%s: detection %v, want %v", c.cond, ok, c.want)
		}
		if !ok {
			continue
		}
		got := map[string]string{}
		for _, o := range d.Outcomes {
			got[o.Name] = string(o.Value.AppendJSON(nil))
		}
		if len(d.Outcomes) != 3 || got["n"] != "5" || got["more"] != "6" || got["ips"] != `["10.0.0.0","10.0.0.2"]` {
			t.Fatalf("%s: outcomes %v", c.cond, d.Outcomes)
		}
	}
}

// eventSize is the bytes of ev's paths and values, the benchmarks'
// SetBytes.
func eventSize(ev mapEvent) int64 {
	n := 0
	for k, vs := range ev {
		n += len(k)
		for _, v := range vs {
			n += len(v)
		}
	}
	return int64(n)
}
