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
// collapse, and the copy kept is the one with the lowest (source_uri,
// record_index) (writer.go), never the first to reach the writer. Azure's event_id is the
// correlationId, which the Start/Accept/Success records of one operation
// share on purpose: Azure hits are never collapsed.
//
// Memory: one entry (a rule name shared with the rule, 16 bytes of hash)
// per distinct CloudTrail hit written in the run; hits are rare.
type dupKey struct {
	rule string
	sum  [16]byte
}

// keyOf returns a hit's duplicate key, if it is a CloudTrail hit with
// an eventID. buf is scratch space.
func keyOf(h output.Hit, buf *bytes.Buffer) (dupKey, bool) {
	if h.LogType != "AWS_CLOUDTRAIL" || h.EventID == "" {
		return dupKey{}, false
	}
	return dupKey{rule: h.RuleName, sum: contentSum(h.EventID, h.Raw, buf)}, true
}

// dedup drops the hits of one object whose CloudTrail record already hit
// the same rule earlier in the object (a lower record_index: the sink
// appends in record order), and returns the hits kept and how many it
// dropped. buf is scratch space.
func dedup(hits []output.Hit, buf *bytes.Buffer) (kept []output.Hit, dropped int64) {
	var seen map[dupKey]bool
	kept = hits[:0]
	for _, h := range hits {
		if k, ok := keyOf(h, buf); ok {
			if seen[k] {
				dropped++
				continue
			}
			if seen == nil {
				seen = map[dupKey]bool{}
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
//
// A record without white space outside its strings (CloudTrail's files
// are written so) is its own compacted form, and is hashed as it is
// without json.Compact's scan, a tenth of a scan whose every record
// hits: json.Compact would return the same bytes or, for invalid JSON,
// an error, after which the bytes are hashed as stored all the same.
func contentSum(eventID string, raw string, buf *bytes.Buffer) [16]byte {
	buf.Reset()
	buf.WriteString(eventID)
	buf.WriteByte(0)
	if !spaceOutsideStrings(raw) {
		buf.WriteString(raw)
	} else if err := json.Compact(buf, []byte(raw)); err != nil {
		buf.Truncate(len(eventID) + 1)
		buf.WriteString(raw)
	}
	full := sha256.Sum256(buf.Bytes())
	if buf.Cap() > 1<<20 {
		*buf = bytes.Buffer{} // keep no huge record's buffer
	}
	var s [16]byte
	copy(s[:], full[:])
	return s
}

// spaceOutsideStrings reports whether raw holds a JSON white space byte
// outside its strings, reading a quote as opening or closing a string
// and, inside one, a backslash as escaping the next byte: for valid
// JSON exactly the white space json.Compact removes. Invalid JSON
// without any is hashed as stored on both branches of contentSum.
func spaceOutsideStrings(raw string) bool {
	in := false
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case in:
			if c == '\\' {
				i++
			} else if c == '"' {
				in = false
			}
		case c == '"':
			in = true
		case c == ' ', c == '\t', c == '\n', c == '\r':
			return true
		}
	}
	return false
}
