package scan

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"

	"github.com/retrohunt/retrohunt/output"
)

// dupKey identifies one CloudTrail record for one rule: the rule and a
// hash of the record's content. CloudTrail can deliver the same record
// twice (seen in real trails), in the same or another object: a
// re-delivery is a copy of the record, with the same eventID. Keying by
// content, not by eventID alone, is what keeps a different record that
// carries the same eventID (a decoy planted in another account's object,
// a collision) from suppressing a real hit: only identical deliveries
// collapse, so which object reaches the writer first changes at most the
// provenance columns (source_uri, source_etag, record_index) of the one
// hit kept, never which records hit. Azure's event_id is the
// correlationId, which the Start/Accept/Success records of one operation
// share on purpose: Azure hits are never collapsed.
//
// Memory: one entry (a rule name shared with the rule, 16 bytes of hash)
// per distinct CloudTrail hit written in the run; hits are rare.
type dupKey struct {
	rule string
	sum  [16]byte
}

// dedup drops hits whose CloudTrail record already hit the same rule in
// this run, and returns the hits kept and how many it dropped. buf is
// scratch space, returned for reuse.
func dedup(hits []output.Hit, seen map[dupKey]bool, buf *bytes.Buffer) (kept []output.Hit, dropped int64) {
	kept = hits[:0]
	for _, h := range hits {
		if h.LogType == "AWS_CLOUDTRAIL" && h.EventID != "" {
			k := dupKey{rule: h.RuleName, sum: contentSum(h.EventID, []byte(h.Raw), buf)}
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

// contentSum hashes the eventID and the record's bytes with
// insignificant whitespace removed (json.Compact), so that a copy
// re-serialised with other indentation is still the same delivery; any
// other difference (a value, the order of keys) makes another record.
func contentSum(eventID string, raw []byte, buf *bytes.Buffer) [16]byte {
	buf.Reset()
	buf.WriteString(eventID)
	buf.WriteByte(0)
	if err := json.Compact(buf, raw); err != nil {
		buf.Truncate(len(eventID) + 1)
		buf.Write(raw)
	}
	full := sha256.Sum256(buf.Bytes())
	if buf.Cap() > 1<<20 {
		*buf = bytes.Buffer{} // keep no huge record's buffer
	}
	var s [16]byte
	copy(s[:], full[:])
	return s
}
