package scan

import (
	"fmt"
	"slices"
	"testing"

	"github.com/retrohunt/retrohunt/output"
)

// TestHitWriterCountsAfterDedup: the summary counts the hits the Writer
// got, once, and the CloudTrail duplicates it did not get. The expected
// counts are read off the hand-made results below. With Config.Done (a
// sweep), an object's hits are written before Done sees it, so copies
// collapse within an object only.
func TestHitWriterCountsAfterDedup(t *testing.T) {
	ct := func(rule, id string) output.Hit {
		return output.Hit{RuleName: rule, LogType: "AWS_CLOUDTRAIL", EventID: id}
	}
	az := func(rule, id string) output.Hit {
		return output.Hit{RuleName: rule, LogType: "AZURE_ACTIVITY", EventID: id}
	}
	results := []ObjectResult{
		// e2 twice in a: one dropped.
		{URI: "a", Hits: []output.Hit{ct("r1", "e1"), ct("r2", "e1"), ct("r1", "e2"), ct("r1", "e2")}},
		// e1 again (another delivery of the same record) in another
		// object: kept, as a's was written already; e3 is new.
		{URI: "b", Hits: []output.Hit{ct("r1", "e1"), ct("r2", "e1"), ct("r1", "e3")}},
		// Azure correlation ids repeat on purpose: all kept.
		{URI: "c", Status: ObjectFailed, Hits: []output.Hit{az("r2", "c1"), az("r2", "c1")}},
		{URI: "d"},
	}
	var c collect
	var done []string
	sum := &Summary{}
	h := newHitWriter(&c, func(r ObjectResult) error {
		done = append(done, fmt.Sprintf("%s %d", r.URI, len(r.Hits)))
		return nil
	}, sum)
	in := make(chan ObjectResult, len(results))
	for _, r := range results {
		in <- r
	}
	close(in)
	if err := h.run(in); err != nil {
		t.Fatal(err)
	}
	// Kept: a's 3, b's 3, c's 2.
	if len(c.hits) != 8 || sum.Hits != 8 || sum.HitsDuplicate != 1 {
		t.Errorf("wrote %d hits, counted %d and %d duplicates; want 8, 8 and 1", len(c.hits), sum.Hits, sum.HitsDuplicate)
	}
	if got, want := fmt.Sprint(sum.HitsByRule), "map[r1:4 r2:4]"; got != want {
		t.Errorf("HitsByRule %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(done), "[a 3 b 3 c 2 d 0]"; got != want {
		t.Errorf("Done saw %s, want %s", got, want)
	}
}

// TestHitWriterKeepsLowestCopy (issue 12, item 4): without Config.Done
// (a scan to a file), copies collapse across objects to the one with
// the lowest (source_uri, record_index), whatever order the objects
// reach the writer in; the counts are the same in every order. Expected
// values are read off the hand-made hits below.
func TestHitWriterKeepsLowestCopy(t *testing.T) {
	ct := func(uri string, index int64, rule, id string) output.Hit {
		return output.Hit{RuleName: rule, LogType: "AWS_CLOUDTRAIL", EventID: id, SourceURI: uri, RecordIndex: index, Raw: `{"eventID":"` + id + `"}`}
	}
	objects := []ObjectResult{
		{URI: "s3://b/2", Hits: []output.Hit{ct("s3://b/2", 0, "r1", "e1"), ct("s3://b/2", 4, "r1", "e2")}},
		{URI: "s3://b/1", Hits: []output.Hit{ct("s3://b/1", 7, "r1", "e1"), ct("s3://b/1", 3, "r1", "e1")}},
		{URI: "s3://b/3", Hits: []output.Hit{ct("s3://b/3", 0, "r1", "e2"), {RuleName: "r2", LogType: "AZURE_ACTIVITY", EventID: "c", SourceURI: "s3://b/3"}}},
	}
	want := "[r1 s3://b/1 3 e1 r1 s3://b/2 4 e2 r2 s3://b/3 0 c]"
	for _, order := range [][]int{{0, 1, 2}, {2, 1, 0}, {1, 0, 2}, {2, 0, 1}} {
		var c collect
		sum := &Summary{}
		in := make(chan ObjectResult, len(objects))
		for _, i := range order {
			r := objects[i]
			r.Hits = slices.Clone(r.Hits)
			in <- r
		}
		close(in)
		if err := newHitWriter(&c, nil, sum).run(in); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range c.hits {
			got = append(got, fmt.Sprintf("%s %s %d %s", h.RuleName, h.SourceURI, h.RecordIndex, h.EventID))
		}
		slices.Sort(got)
		if fmt.Sprint(got) != want || sum.Hits != 3 || sum.HitsDuplicate != 3 {
			t.Errorf("order %v: wrote %v (%d hits, %d duplicates), want %s, 3 hits and 3 duplicates", order, got, sum.Hits, sum.HitsDuplicate, want)
		}
	}
}
