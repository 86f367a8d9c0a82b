package scan

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/scan/rules"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/local"
)

// TestSelectionCovered: records before FromRecord are dropped only when
// their event time lies in Covered, or when they have none; the others
// are evaluated, as is every record from FromRecord on (one without a
// time is skipped then). Every record is
// a StartSession, a hit of the built-in pack, so the hits expected are
// read off the table below by hand.
func TestSelectionCovered(t *testing.T) {
	b, err := os.ReadFile("../testdata/samples/aws_ssm_StartSession__stratus.json")
	if err != nil {
		t.Fatal(err)
	}
	day10 := Span{Since: time.Date(2023, 6, 10, 0, 0, 0, 0, time.UTC), Until: time.Date(2023, 6, 11, 0, 0, 0, 0, time.UTC)}
	times := []string{ // index: event time; FromRecord 4, Covered day 10
		"2023-06-10T23:50:00Z", // 0 covered: dropped
		"2023-06-11T00:03:00Z", // 1 not covered: hit
		"",                     // 2 no time, before FromRecord: dropped
		"2023-06-10T00:00:00Z", // 3 covered (Since is inclusive): dropped
		"2023-06-10T12:00:00Z", // 4 from FromRecord on: hit
		"2023-06-11T00:00:00Z", // 5 Until is exclusive: hit
		"",                     // 6 no time, from FromRecord on: skipped, "no event time" (issue 12)
	}
	want := "[1 4 5]"
	var recs []any
	for i, ts := range times {
		var r map[string]any
		json.Unmarshal(b, &r)
		r["eventID"] = fmt.Sprintf("id-%d", i)
		if ts == "" {
			delete(r, "eventTime")
		} else {
			r["eventTime"] = ts
		}
		recs = append(recs, r)
	}
	body, _ := json.Marshal(map[string]any{"Records": recs})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "o.json"), body, 0o600); err != nil {
		t.Fatal(err)
	}
	src, err := local.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var rs []*Rule
	for _, l := range loaded {
		if l.Default {
			rs = append(rs, NewRule(l.Rule, l.Origin))
		}
	}
	for _, ref := range []bool{false, true} {
		c := &collect{}
		cfg := Config{Rules: rs, Workers: 1, Reference: ref, Select: func(sources.Source, sources.Object) Selection {
			return Selection{Scan: true, FromRecord: 4, Covered: []Span{day10}}
		}}
		sum, err := Run(context.Background(), cfg, []Target{{Source: src}}, c)
		if err != nil {
			t.Fatal(err)
		}
		if len(sum.Skips) != 1 || sum.Skips[0].Record != 6 || sum.Skips[0].Reason != ReasonNoEventTime {
			t.Errorf("reference %v: skips %v, want record 6 without event time", ref, sum.Skips)
		}
		var got []int
		for _, h := range c.hits {
			got = append(got, int(h.RecordIndex))
		}
		sort.Ints(got)
		if fmt.Sprint(got) != want {
			t.Errorf("reference %v: hits of records %v, want %s", ref, got, want)
		}
	}
}
