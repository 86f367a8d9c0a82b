package decode

import (
	"bytes"
	"encoding/json"
)

// The skip reason of an envelope element whose record is not JSON.
const ReasonLogEventNotJSON = "log event message is not a JSON record"

// UnwrapKeys are the keys, quoted, one of which an element Unwrap
// unwraps holds as stored: a record holding none of them is returned as
// it is. The fast path's prefilter looks for them in the search it makes
// anyway (fast.NewWatching), so that Unwrap's own search runs only on
// the records that hold one.
var UnwrapKeys = []string{`"CloudTrailEvent"`, `"detail-type"`, `"message"`}

// UnwrapTimestamp is the key, quoted, that a CloudWatch Logs event holds
// besides "message" (UnwrapKeys[2]) for Unwrap to read it.
const UnwrapTimestamp = `"timestamp"`

// Unwrap returns the record an envelope element holds, for the envelopes
// whose elements wrap the record instead of being it:
//
//   - `aws cloudtrail lookup-events` output, {"Events":[{"EventId":…,
//     "CloudTrailEvent":"<the record as a JSON string>"}]}: the decoder
//     splits the Events array, Unwrap decodes CloudTrailEvent;
//   - CloudWatch Logs subscription data (what a subscription filter
//     sends to Firehose, which writes it to S3 gzipped, several
//     envelopes one after another), {"messageType":"DATA_MESSAGE",
//     "logEvents":[{"id":…,"timestamp":…,"message":"<the record>"}]}:
//     the decoder splits logEvents, Unwrap decodes message;
//   - EventBridge events for CloudTrail records ("detail-type": "AWS API
//     Call via CloudTrail" and the other "… via CloudTrail" types), one
//     per document: the record is the "detail" object, returned in
//     place.
//
// Any other record is returned as it is (rec is raw), as is an element
// Unwrap cannot read (malformed JSON, which the caller reports as for
// any record). A log event whose message is a CloudWatch Logs control
// message ("CWL CONTROL MESSAGE: …", sent to check the destination) is
// no record: rec is nil and reason "". A message that is not a JSON
// object (a text log) is a record that cannot be read: reason says so.
//
// The element keeps its index: the decoder counts an envelope's
// elements as records, through the object, so an unwrapped record's
// record_index is its element's position among the object's records.
//
// A decoded record is written into scratch, which is returned for
// reuse; rec is valid until the next call with it. Both scan paths call
// Unwrap on every record before anything else looks at it, so the
// prefilter, the mapper and the hit's raw column all see the unwrapped
// record.
func Unwrap(raw, scratch []byte) (rec, scratchOut []byte, reason string) {
	// Fast path: a plain record names none of the wrapping keys.
	ct := bytes.Contains(raw, []byte(UnwrapKeys[0]))
	eb := !ct && bytes.Contains(raw, []byte(UnwrapKeys[1]))
	cw := !ct && !eb && bytes.Contains(raw, []byte(UnwrapKeys[2])) && bytes.Contains(raw, []byte(UnwrapTimestamp))
	return unwrap(raw, scratch, ct, eb, cw)
}

// UnwrapHolding is Unwrap for a caller that has searched raw's bytes as
// stored for UnwrapKeys and UnwrapTimestamp already (the fast path's
// prefilter): holds[i] says whether raw holds UnwrapKeys[i], holds[3]
// whether it holds UnwrapTimestamp. A record's bytes are then not
// searched again.
func UnwrapHolding(raw, scratch []byte, holds [4]bool) (rec, scratchOut []byte, reason string) {
	ct := holds[0]
	eb := !ct && holds[1]
	cw := !ct && !eb && holds[2] && holds[3]
	return unwrap(raw, scratch, ct, eb, cw)
}

// unwrap is Unwrap once it is known which keys raw holds: ct
// CloudTrailEvent, else eb detail-type, else cw message and timestamp.
func unwrap(raw, scratch []byte, ct, eb, cw bool) (rec, scratchOut []byte, reason string) {
	if !ct && !eb && !cw {
		return raw, scratch, ""
	}
	var m map[string]span
	if json.Unmarshal(raw, &m) != nil {
		return raw, scratch, ""
	}
	switch {
	case ct:
		s, ok := jsonString(m["CloudTrailEvent"])
		if !ok || m["EventId"] == nil && m["EventName"] == nil {
			return raw, scratch, ""
		}
		scratch = append(scratch[:0], s...)
		return scratch, scratch, ""
	case eb:
		d := m["detail"]
		if _, ok := jsonString(m["detail-type"]); !ok || len(d) == 0 || d[0] != '{' {
			return raw, scratch, ""
		}
		return d, scratch, ""
	}
	s, ok := jsonString(m["message"])
	if !ok || m["id"] == nil || len(m) > 4 { // id, timestamp, message, extractedFields
		return raw, scratch, ""
	}
	body := bytes.TrimLeft([]byte(s), " \t\r\n")
	switch {
	case bytes.HasPrefix(body, []byte("CWL CONTROL MESSAGE")):
		return nil, scratch, ""
	case len(body) == 0 || body[0] != '{':
		return nil, scratch, ReasonLogEventNotJSON
	}
	scratch = append(scratch[:0], s...)
	return scratch, scratch, ""
}

// span is a JSON value's bytes in place (json.Unmarshal hands an
// Unmarshaler a piece of its input).
type span []byte

func (s *span) UnmarshalJSON(b []byte) error {
	*s = b
	return nil
}

// jsonString decodes v if it is a JSON string.
func jsonString(v span) (string, bool) {
	if len(v) == 0 || v[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return "", false
	}
	return s, true
}
