package window

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestEncodeKey(t *testing.T) {
	for _, tc := range []struct {
		key   []string
		known []bool
	}{{[]string{"a", "", "c"}, []bool{true, false, true}}, {[]string{"", ""}, []bool{true, true}}, {nil, nil}} {
		key, known, ok := DecodeKey(EncodeKey(tc.key, tc.known))
		if !ok || !slices.Equal(key, tc.key) && len(tc.key) != 0 || !slices.Equal(known, tc.known) && len(tc.known) != 0 {
			t.Errorf("round trip of %q %v: %q %v %v", tc.key, tc.known, key, known, ok)
		}
	}
	if _, _, ok := DecodeKey("\x02\x01"); ok {
		t.Error("a truncated key decodes")
	}
}

// TestDetectSubKey: a rule whose variable 0 assigns the first match
// column and variable 1 the second (Spec.SubKey), one group (a join
// value all share), 10s hop windows. By hand: x(A,?) at 0 and y(?,B) at 5 make key (A,B), one
// window [0,10] of both; y(?,C) at 20 meets no x within 10s (x at 0 is
// 20s back): no key (A,C); y(?,B) at 30 and x(D,?) at 35 make (D,B),
// [30,40] of both; x(A,?) at 100 alone completes no key.
//
// Without a group key, candidates combine only when they assign a
// common column: these never do, and no key is completed.
func TestDetectSubKey(t *testing.T) {
	for _, group := range [][]string{{"J"}, {}} {
		got := detectSubKey(t, group)
		want := []string{"[A B] [0,10] [0 5]", "[D B] [30,40] [30 35]"}
		if len(group) == 0 {
			want = nil
		}
		if !slices.Equal(got, want) {
			t.Errorf("group %q: windows:\ngot  %q\nwant %q", group, got, want)
		}
	}
}

func detectSubKey(t *testing.T, group []string) []string {
	s := NewStore(t.TempDir(), 0)
	add := func(v int, a, b string, secs int64) {
		key, known := []string{a, b}, []bool{a != "", b != ""}
		c := Candidate{Rule: "r", Var: v, Key: group, Time: secs * 1e9, Values: []string{EncodeKey(key, known)}, Source: "s", Record: secs}
		if err := s.Add(c); err != nil {
			t.Fatal(err)
		}
	}
	add(0, "A", "", 0)
	add(1, "", "B", 5)
	add(1, "", "C", 20)
	add(1, "", "B", 30)
	add(0, "D", "", 35)
	add(0, "A", "", 100)
	spec := Spec{Kind: Hop, Size: 10 * time.Second, SubKey: true}
	var got []string
	err := Detect(s, func(string) (Spec, bool) { return spec, true }, func(w *Window) error {
		var recs []int64
		for _, e := range w.Events {
			recs = append(recs, e.Record)
		}
		got = append(got, fmt.Sprintf("%v [%d,%d] %v", w.Key, w.Start/1e9, w.End/1e9, recs))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The windows of each key as the hop grouper makes them (a window
	// whose events the previous one holds is dropped); windows of a key
	// no candidate completes are not made at all.
	slices.Sort(got)
	return got
}
