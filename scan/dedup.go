package scan

import "github.com/retrohunt/retrohunt/output"

// dupKey identifies a CloudTrail event for one rule. CloudTrail can
// deliver the same record twice (seen in real trails), in the same or
// another object, with the same eventID. Azure's event_id is the correlationId,
// which the Start/Accept/Success records of one operation share on
// purpose: those are distinct records and are all kept.
type dupKey struct{ rule, eventID string }

// dedup drops hits whose CloudTrail event already hit the same rule in
// this run, and returns the hits kept and how many it dropped.
func dedup(hits []output.Hit, seen map[dupKey]bool) (kept []output.Hit, dropped int64) {
	kept = hits[:0]
	for _, h := range hits {
		if h.LogType == "AWS_CLOUDTRAIL" && h.EventID != "" {
			k := dupKey{h.RuleName, h.EventID}
			if seen[k] {
				dropped++
				continue
			}
			seen[k] = true
		}
		kept = append(kept, h)
	}
	return kept, dropped
}
