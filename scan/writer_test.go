package scan

import (
	"fmt"
	"testing"

	"github.com/retrohunt/retrohunt/output"
)

// TestHitWriterCountsAfterDedup: the summary counts the hits the Writer
// got, once, and the CloudTrail duplicates it did not get. The expected
// counts are read off the hand-made results below.
func TestHitWriterCountsAfterDedup(t *testing.T) {
	ct := func(rule, id string) output.Hit {
		return output.Hit{RuleName: rule, LogType: "AWS_CLOUDTRAIL", EventID: id}
	}
	az := func(rule, id string) output.Hit {
		return output.Hit{RuleName: rule, LogType: "AZURE_ACTIVITY", EventID: id}
	}
	results := []ObjectResult{
		{URI: "a", Hits: []output.Hit{ct("r1", "e1"), ct("r2", "e1"), ct("r1", "e2")}},
		// e1 again (another delivery of the same record): dropped for r1
		// and r2; e3 is new.
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
	// Kept: a's 3, b's e3, c's 2.
	if len(c.hits) != 6 || sum.Hits != 6 || sum.HitsDuplicate != 2 {
		t.Errorf("wrote %d hits, counted %d and %d duplicates; want 6, 6 and 2", len(c.hits), sum.Hits, sum.HitsDuplicate)
	}
	if got, want := fmt.Sprint(sum.HitsByRule), "map[r1:3 r2:3]"; got != want {
		t.Errorf("HitsByRule %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(done), "[a 3 b 1 c 2 d 0]"; got != want {
		t.Errorf("Done saw %s, want %s", got, want)
	}
}
