package scan

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestIssue12NoEventTime (issue 12, item 3): a record whose time cannot
// be read is skipped with the reason "no event time", never written with
// a zero time, and the same records are skipped whatever the rules and
// the path. The times of the readable forms are written by hand.
func TestIssue12NoEventTime(t *testing.T) {
	ct := func(tm string) string {
		return `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/a"},` + tm + `"eventSource":"ssm.amazonaws.com","eventName":"StartSession","eventID":"` + fmt.Sprint(len(tm)) + `"}`
	}
	recs := []string{
		ct(`"eventTime":"2025-01-13 19:58:59.000000000",`), // 0: CloudTrail Lake / Athena
		ct(`"eventTime":"redacted",`),                      // 1: placeholder
		ct(``),                                             // 2: missing
		ct(`"eventTime":"2024-08-01T12:19:17Z",`),          // 3
		`{"category":"Administrative","time":"2019-01-14T19:31:53.6431339Z","resourceId":"/SUBSCRIPTIONS/S1/X","operationName":"MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION","caller":"u@example.com"}`,   // 4: Azure, 7 digits
		`{"category":"Administrative","time":"","resourceId":"/SUBSCRIPTIONS/S1/X","operationName":"x","caller":"u@example.com"}`,                                                                                 // 5: empty
		`{"category":"kube-audit","time":"2024-03-01T10:00:00Z","resourceId":"/SUBSCRIPTIONS/S1/AKS","operationName":"Microsoft.ContainerService/managedClusters/diagnosticLogs/Read","properties":{"log":"{}"}}`, // 6: AKS audit
		ct(`"eventTime":"2025-01-13 19:58:59.1234567",`), // 7: seven digits, space, no zone
	}
	body := "{\"Records\":[" + strings.Join(recs, ",") + "]}"
	wantSkips := []string{"1 no event time", "2 no event time", "5 no event time", "6 unsupported log type (Azure resource log, not Activity)"}
	wantTimes := map[int64]string{0: "2025-01-13T19:58:59Z", 3: "2024-08-01T12:19:17Z", 4: "2019-01-14T19:31:53.6431339Z", 7: "2025-01-13T19:58:59.1234567Z"}
	sets := ruleSets(t)
	sets["none"] = nil
	for name, rs := range sets {
		for _, reference := range []bool{true, false} {
			hits, sum := scanObjectHits(t, []byte(body), rs, reference)
			var skips []string
			for _, s := range sum.Skips {
				skips = append(skips, fmt.Sprintf("%d %s", s.Record, s.Reason))
			}
			slices.Sort(skips)
			if !slices.Equal(skips, wantSkips) || sum.RecordsSkipped != int64(len(wantSkips)) || sum.Records != int64(len(recs)) {
				t.Errorf("%s, reference %v: %d records, skips %v, want %v", name, reference, sum.Records, skips, wantSkips)
			}
			for _, h := range hits {
				want, ok := wantTimes[h.RecordIndex]
				if !ok || h.EventTime.Format(time.RFC3339Nano) != want {
					t.Errorf("%s, reference %v: hit %s on record %d at %v, want %q", name, reference, h.RuleName, h.RecordIndex, h.EventTime, want)
				}
			}
			if name == "free" && len(hits) < 4 {
				t.Errorf("free, reference %v: %d hits, want one per timed record", reference, len(hits))
			}
		}
	}
}
