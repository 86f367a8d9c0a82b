package decode

import (
	"bytes"
	"testing"
)

// TestUnwrap: each wrapping element gives its record, written here by
// hand; anything else is returned as it is.
func TestUnwrap(t *testing.T) {
	f := func(in, want, reason string) {
		t.Helper()
		rec, _, r := Unwrap([]byte(in), nil)
		if string(rec) != want || r != reason {
			t.Errorf("Unwrap(%s) = %q, %q; want %q, %q", in, rec, r, want, reason)
		}
		// UnwrapHolding, told which keys the bytes hold, does the same.
		var holds [4]bool
		for i, k := range append(append([]string(nil), UnwrapKeys...), UnwrapTimestamp) {
			holds[i] = bytes.Contains([]byte(in), []byte(k))
		}
		if rec, _, r := UnwrapHolding([]byte(in), nil, holds); string(rec) != want || r != reason {
			t.Errorf("UnwrapHolding(%s, %v) = %q, %q; want %q, %q", in, holds, rec, r, want, reason)
		}
	}
	plain := `{"eventVersion":"1.08","eventName":"X","message":"m","timestamp":1}`
	f(plain, plain, "")
	f(`{"EventId":"1","CloudTrailEvent":"{\"eventVersion\":\"1.08\",\"a\":\"\\u00e9\"}"}`, `{"eventVersion":"1.08","a":"\u00e9"}`, "") // the record's own escape stays
	f(`{"EventId":"1","CloudTrailEvent":{"eventVersion":"1.08"}}`, `{"EventId":"1","CloudTrailEvent":{"eventVersion":"1.08"}}`, "")
	f(`{"CloudTrailEvent":"{}"}`, `{"CloudTrailEvent":"{}"}`, "") // no EventId, no EventName: not lookup-events
	f(`{"id":"1","timestamp":2,"message":"{\"eventVersion\":\"1.08\"}"}`, `{"eventVersion":"1.08"}`, "")
	f(`{"id":"1","timestamp":2,"message":" CWL CONTROL MESSAGE: Checking health"}`, "", "")
	f(`{"id":"1","timestamp":2,"message":"GET / 200"}`, "", ReasonLogEventNotJSON)
	f(`{"id":"1","timestamp":2,"message":"{}","a":1,"b":2}`, `{"id":"1","timestamp":2,"message":"{}","a":1,"b":2}`, "")
	f(`{"version":"0","detail-type":"AWS API Call via CloudTrail","detail":{"eventVersion":"1.08"}}`, `{"eventVersion":"1.08"}`, "")
	f(`{"detail-type":"x","detail":"{}"}`, `{"detail-type":"x","detail":"{}"}`, "")
	f(`{"EventId":"1","CloudTrailEvent":"{}"`, `{"EventId":"1","CloudTrailEvent":"{}"`, "")             // malformed: as it is
	f(`{"EventId":"1","CloudTrail\u0045vent":"{}"}`, `{"EventId":"1","CloudTrail\u0045vent":"{}"}`, "") // an escaped key is another key
	f(`{"id":"1","timestamp":2,"m\u0065ssage":"{}"}`, `{"id":"1","timestamp":2,"m\u0065ssage":"{}"}`, "")
}

// TestEventsNotAnArrayIsAMember: "Events" or "logEvents" that is no
// array is a member of a record, not a broken envelope, unlike
// "Records".
func TestEventsNotAnArrayIsAMember(t *testing.T) {
	for _, in := range []string{`{"Events":{"a":1},"eventVersion":"1"}`, `{"logEvents":"x","eventVersion":"1"}`} {
		var got []string
		_, err := NewDecoder(Limits{}).Decode(bytes.NewReader([]byte(in)), func(_ int, raw []byte) error {
			got = append(got, string(raw))
			return nil
		})
		if err != nil || len(got) != 1 || got[0] != in {
			t.Errorf("%s: %v, records %q", in, err, got)
		}
	}
	if _, err := NewDecoder(Limits{}).Decode(bytes.NewReader([]byte(`{"Records":{}}`)), func(int, []byte) error { return nil }); err == nil {
		t.Errorf(`{"Records":{}}: no error`)
	}
}
