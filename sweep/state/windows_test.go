package state

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/scan"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/local"
)

func day(d int) time.Time { return time.Date(2023, 6, d, 0, 0, 0, 0, time.UTC) }

func span(a, b int) scan.Span { return scan.Span{Since: day(a), Until: day(b)} }

func TestCoverageThen(t *testing.T) {
	none := Coverage{Windows: []scan.Span{}}
	f := func(name string, c Coverage, records int64, w []scan.Span, want Coverage) {
		t.Helper()
		got := c.Then(records, w)
		if fmt.Sprint(got) != fmt.Sprint(want) || (got.Windows == nil) != (want.Windows == nil) {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
	f("first run", none, 10, []scan.Span{span(10, 11)}, Coverage{10, []scan.Span{span(10, 11)}})
	f("first run, all time", none, 10, nil, Coverage{10, nil})
	f("next day joins", Coverage{10, []scan.Span{span(10, 11)}}, 10, []scan.Span{span(11, 12)}, Coverage{10, []scan.Span{span(10, 12)}})
	f("gap kept", Coverage{10, []scan.Span{span(10, 11)}}, 10, []scan.Span{span(12, 13)}, Coverage{10, []scan.Span{span(10, 11), span(12, 13)}})
	f("all time absorbs", Coverage{10, []scan.Span{span(10, 11)}}, 10, nil, Coverage{10, nil})
	f("blob grew, same window", Coverage{10, nil}, 14, nil, Coverage{14, nil})
	f("retry read less", Coverage{10, nil}, 4, nil, Coverage{10, nil})
	// Records 10..13 were evaluated for day 12 only: claim the records
	// both read, for both windows.
	f("grew, other window", Coverage{10, []scan.Span{span(10, 11)}}, 14, []scan.Span{span(12, 13)}, Coverage{10, []scan.Span{span(10, 11), span(12, 13)}})
}

func TestCovers(t *testing.T) {
	f := func(have []scan.Span, want scan.Span, ok bool) {
		t.Helper()
		if covers(have, want) != ok {
			t.Errorf("covers(%v, %v) = %v", have, want, !ok)
		}
	}
	f(nil, scan.Span{}, true)
	f([]scan.Span{span(10, 12)}, span(10, 11), true)
	f([]scan.Span{span(10, 12)}, span(11, 13), false)
	f([]scan.Span{span(10, 11), span(11, 12)}, span(10, 12), true) // adjacent windows join
	f([]scan.Span{span(10, 12)}, scan.Span{Since: day(10)}, false)
	f([]scan.Span{{Since: day(10)}}, span(11, 20), true)
}

func TestMergeBounded(t *testing.T) {
	ws := []scan.Span{}
	for d := 0; d < 3*MaxWindows; d++ {
		ws = merge(ws, []scan.Span{{Since: day(1).AddDate(0, 0, 2*d), Until: day(1).AddDate(0, 0, 2*d).Add(time.Duration(d+1) * time.Minute)}})
		if len(ws) > MaxWindows {
			t.Fatalf("%d windows kept", len(ws))
		}
	}
	// The longest are kept: the last MaxWindows added.
	if !ws[0].Since.Equal(day(1).AddDate(0, 0, 2*2*MaxWindows)) {
		t.Errorf("first window kept %v", ws[0])
	}
}

// An entry of a state file written before windows were kept covers all
// time: a run with any window skips it, as before.
func TestEntryWithoutWindowsCoversAllTime(t *testing.T) {
	st, err := local.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	body := `{"version":1,"objects":{"s3://t/a":{"etag":"e","size":1,"status":"scanned","records":3,"ruleset":"r","at":"2024-01-01T00:00:00Z"}}}`
	if _, err := st.Put(context.Background(), "s", strings.NewReader(body), int64(len(body)), sources.Condition{}); err != nil {
		t.Fatal(err)
	}
	s, err := Load(context.Background(), st, "s")
	if err != nil {
		t.Fatal(err)
	}
	if s.NeedIn("s3://t/a", "e", 1, "r", span(10, 11)) {
		t.Error("an entry without windows is needed again for a window")
	}
}
