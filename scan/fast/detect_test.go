package fast

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/udm"
)

// TestRecognisedAgreesWithMap: recognised may say false where udm.Map
// maps a record with its time (the record then takes the reference
// path), never true where Map refuses the record or reads no time
// (issue 12: "no event time" must not depend on the path). An
// escape-free record Map maps with a time read from a plain string is
// recognised.
func TestRecognisedAgreesWithMap(t *testing.T) {
	recs := []string{
		`{"eventVersion":"1.08","eventTime":"2025-01-13 19:58:59.000000000"}`,
		`{"eventVersion":"1.08","eventTime":"redacted"}`,
		`{"eventVersion":"1.08","eventTime":""}`,
		`{"eventVersion":"1.08","eventTime":null}`,
		`{"eventVersion":"1.08","eventTime":["2024-01-01T00:00:00Z"]}`,
		`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventTime":"x"}`,
		`{"eventVersion":"1.08","eventTime":"x","eventTime":"2024-01-01T00:00:00Z"}`,
		`{"eventVersion":"1.08","requestParameters":{"eventTime":"2024-01-01T00:00:00Z"}}`,
		`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00\u005a"}`,
		`{"eventVersion":"1.08","time":"2024-01-01T00:00:00Z"}`,
		`{"resourceId":"/subscriptions/1","time":"2019-01-14T19:31:53.6431339Z","category":"Administrative"}`,
		`{"resourceId":"/subscriptions/1","time":"2019-01-14T19:31:53.6431339Z","category":"kube-audit"}`,
		`{"resourceId":"/subscriptions/1","time":"2019-01-14T19:31:53Z","category":{"value":"kube-audit"}}`,
		`{"resourceId":"/subscriptions/1","time":"2019-01-14T19:31:53Z","category":{"value":"Administrative"}}`,
		`{"resourceId":"/subscriptions/1","time":"2019-01-14T19:31:53Z","category":null}`,
		`{"resourceId":"/subscriptions/1","time":"2019-01-14T19:31:53Z","category":"administrative","category":"guard"}`,
		`{"resourceId":"/subscriptions/1","time":null,"eventTimestamp":"2019-01-14T19:31:53Z"}`,
		`{"resourceId":"/subscriptions/1","time":"bad","eventTimestamp":"2019-01-14T19:31:53Z"}`,
		`{"resourceId":"/subscriptions/1","eventTimestamp":"2019-01-14T19:31:53Z"}`,
		`{"evt":{"name":"x"},"time":"2019-01-14T19:31:53Z"}`,
		`{"resourceId":"/tenants/t/providers/Microsoft.aadiam","time":"2024-03-01T00:00:00Z","category":"SignInLogs"}`,
		`{"resourceId":"/tenants/t/providers/Microsoft.aadiam","time":"2024-03-01T00:00:00Z","category":"auditlogs"}`,
		`{"resourceId":"/tenants/t/providers/Microsoft.aadiam","time":"2024-03-01T00:00:00Z","category":"MicrosoftGraphActivityLogs"}`,
		`{"resourceId":"/tenants/t/providers/Microsoft.aadiam","eventTimestamp":"2024-03-01T00:00:00Z","category":"SignInLogs"}`,
		`{"resourceId":"/tenants/t/providers/Microsoft.aadiam","time":"2024-03-01T00:00:00Z","category":"ProvisioningLogs"}`,
		`{"resourceId":"/tenants/t/providers/Microsoft.aadiam","time":"2024-03-01T00:00:00Z","category":"SignInLog\u0073"}`,
		`{"resourceId":"/tenants/t/providers/Microsoft.aadiam","time":"2024-03-01T00:00:00Z","category":"SignInLogs","category":"Administrative"}`,
		`{"resourceId":"/tenants/t/providers/Microsoft.aadiam","time":"2024-03-01T00:00:00Z","category":"Administrative","category":"AuditLogs"}`,
		`{"eventVersion":"1.08"}`,
		`{"eventVersion":"1.08"}`,
		`{"a":{"eventVersion":1},"b":[{"resourceId":2}]}`,
		`{"time":"x","resourceId":"/subscriptions/1"}`,
		`{ "time" : "x" , "correlationId" : null }`,
		`{"operationName":{"value":"x"}}`,
		`{"evt":{"name":"x"}}`,
		`{"evt":{"name":"x"},"evt":"y"}`,
		`{"evt":"y","evt":{"outcome":1,"name":"x"}}`,
		`{"evt":{"nam\u0065":"x"}}`,
		`{"evt":{"name":"x"},"ev\u0074":1}`,
		`{"event\u0056ersion":"1.08"}`,
		`{"x":"\"eventVersion\":1","y":"\\"}`,
		`{"x":"a\\\"resourceId\":"}`,
		`{}`,
		`{"eventversion":1}`,
		`{"nested":{"deep":[[[{"eventSource":1}]]]},"z":true}`,
		`{"n":-1.5e3,"t":true,"f":false,"z":null,"correlationId":0}`,
		`{"eventTime":"2024-01-01T00:00:00Z","eventVersion":"1.08","requestParameters":{"a":[1,{"b":"c"}]}}`,
		`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","requestParameters":{"eventTime":"x"}}`,
		`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","requestParameters":{"x":"\"eventTime\":\"x\""}}`,
		`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","x":{},"eventTime":"x"}`,
		`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","x":{},"eventTime" : null}`,
		`{"eventTime":"x","eventSource":"s","eventTime":"2024-01-01T00:00:00Z","x":1}`,
		`{"eventSource":"s","eventTime":"2024-01-01T00:00:00Z","x":{},"event\u0054ime":"x"}`,
	}
	samples, _ := filepath.Glob("../../testdata/samples/*.json")
	for _, s := range samples {
		b, _ := os.ReadFile(s)
		var env struct {
			Records []json.RawMessage `json:"Records"`
			Lower   []json.RawMessage `json:"records"`
		}
		if json.Unmarshal(b, &env) == nil && len(env.Records)+len(env.Lower) > 0 {
			for _, r := range append(env.Records, env.Lower...) {
				recs = append(recs, string(r))
			}
			continue
		}
		recs = append(recs, string(b))
		for _, line := range bytes.Split(b, []byte("\n")) {
			if line = bytes.TrimSpace(line); len(line) > 0 && line[0] == '{' {
				recs = append(recs, string(line))
			}
		}
	}
	known := 0
	for _, r := range recs {
		var doc map[string]any
		if err := json.Unmarshal([]byte(r), &doc); err != nil {
			continue // a pretty-printed sample split by line
		}
		ev, err := udm.Map([]byte(r))
		want := err == nil && ev.First("metadata.event_timestamp") != ""
		got := recognised([]byte(r))
		if got && !want {
			t.Errorf("recognised but Map refuses it or reads no time: %s", r)
		}
		// The walk that stops at the last "eventTime" says the same
		// as the whole walk on an escape-free record.
		if bytes.IndexByte([]byte(r), '\\') < 0 {
			if at := recognisedAt([]byte(r), bytes.LastIndex([]byte(r), []byte(eventTimeKey)), 0); at != got {
				t.Errorf("recognisedAt %v, recognised %v: %s", at, got, r)
			}
		}
		if want && !got && bytes.IndexByte([]byte(r), '\\') < 0 && !nonString(doc) {
			t.Errorf("Map maps an escape-free record with a time that recognised does not: %.200s", r)
		}
		if got {
			known++
		}
	}
	if known < 20 {
		t.Errorf("only %d records recognised", known)
	}
}

// nonString reports whether a record's time or category is held in
// something other than a string, where recognised leaves the verdict to
// the reference path.
func nonString(doc map[string]any) bool {
	for _, k := range []string{"eventTime", "time", "eventTimestamp", "category"} {
		if v, ok := doc[k]; ok {
			if _, s := v.(string); !s {
				return true
			}
		}
	}
	return false
}

// TestCandidateStopsAtLastEventTime: a CloudTrail record's key walk
// stops at its last "eventTime" when the record holds no backslash, so
// what follows is not read. A record whose tail is broken JSON shows it:
// the whole walk refuses it (a candidate), the walk that stops passes it
// over, as the fast path passes over any malformed record it does not
// read (docs/fast-path.md). With a backslash, or a later "eventTime"
// anywhere, every key is read.
func TestCandidateStopsAtLastEventTime(t *testing.T) {
	f := New([]*rule.Rule{parseEvents(t, `$e.metadata.product_event_type = "DeleteTrail"`)})
	chk := f.NewChecker()
	for _, c := range []struct {
		rec  string
		cand bool
	}{
		{`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventName":"StopInstances","x":tru e}`, false},
		{`{"eventSource":"s","eventTime":"2024-01-01T00:00:00Z","requestParameters":{"a":[1,{"b":"c"}]}}`, false},
		{`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventName":"StopInstances","x":"\\","y":tru e}`, true},
		{`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","x":tru e,"z":{"eventTime":"x"}}`, true},
		{`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","x":1,"eventTime":"x"}`, true},
		{`{"eventVersion":"1.08","eventTime":"x","eventName":"StopInstances"}`, true},
		{`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventName":"DeleteTrail"}`, true},
	} {
		if got := chk.Candidate([]byte(c.rec)); got != c.cand {
			t.Errorf("Candidate(%s) = %v, want %v", c.rec, got, c.cand)
		}
	}
}

// TestWatchedRawIsTheBytesAsStored: WatchedRaw says which watch strings
// a record's bytes hold as stored, so that an escaped key, which the
// search finds once the escapes are decoded (Watched), is not taken for
// the key by decode.UnwrapHolding, which compares keys as stored.
func TestWatchedRawIsTheBytesAsStored(t *testing.T) {
	f := NewWatching([]*rule.Rule{parseEvents(t, `$e.metadata.product_event_type = "DeleteTrail"`)}, []string{`"CloudTrailEvent"`, `"message"`, `"timestamp"`})
	chk := f.NewChecker()
	for _, c := range []struct {
		rec     string
		watched bool
		holds   uint64
	}{
		{`{"EventId":"1","CloudTrailEvent":"{}"}`, true, 1},
		{`{"EventId":"1","CloudTrail\u0045vent":"{}"}`, true, 0},
		{`{"id":"1","timestamp":2,"message":"x"}`, true, 6},
		{`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z"}`, false, 0},
	} {
		chk.Candidate([]byte(c.rec))
		holds, known := chk.WatchedRaw()
		if chk.Watched() != c.watched || holds != c.holds || !known {
			t.Errorf("%s: Watched %v, WatchedRaw %b %v; want %v, %b", c.rec, chk.Watched(), holds, known, c.watched, c.holds)
		}
	}
	free := NewWatching([]*rule.Rule{parseEvents(t, `$e.principal.user.userid != ""`)}, []string{`"message"`}).NewChecker()
	free.Candidate([]byte(`{"message":"x"}`))
	if _, known := free.WatchedRaw(); known {
		t.Error("a filter that searches nothing knows what a record holds")
	}
}

// TestMayMatch: of the rules a filter was compiled from (YARA-L, then
// Sigma), MayMatch says which may match the record just searched: those
// whose requirement the search found, those without one, and all when
// the record holds U+017F or U+212A.
func TestMayMatch(t *testing.T) {
	rs := []*rule.Rule{
		parseEvents(t, `$e.metadata.product_event_type = "DeleteTrail"`),
		parseEvents(t, `$e.metadata.product_event_type = "StopLogging" nocase`),
		parseEvents(t, `$e.metadata.vendor_name = "Amazon Web Services"`), // never: a constant
	}
	f := New(rs)
	chk := f.NewChecker()
	for _, c := range []struct {
		rec  string
		want [3]bool
	}{
		{`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventName":"DeleteTrail"}`, [3]bool{true, false, true}},
		{`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventName":"STOPLOGGING"}`, [3]bool{false, true, true}},
		{`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventName":"Sto\u0070Logging"}`, [3]bool{false, true, true}},
		{`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventName":"StopLoggin` + "\u017f" + `"}`, [3]bool{true, true, true}},
		{`{"eventVersion":"1.08","eventName":"x"}`, [3]bool{false, false, true}},
	} {
		chk.Candidate([]byte(c.rec))
		for j, w := range c.want {
			if got := chk.MayMatch(f.RuleIndex(rs[j], nil)); got != w {
				t.Errorf("%s: rule %d may match %v, want %v", c.rec, j, got, w)
			}
		}
		if f.RuleIndex(parseEvents(t, `$e.metadata.product_event_type = "x"`), nil) != -1 || !chk.MayMatch(-1) {
			t.Error("a rule the filter was not compiled from is not left to the matcher")
		}
	}
	var many []string
	for i := range MaxLiterals + 1 {
		many = append(many, fmt.Sprintf(`$e.metadata.product_event_type = "Event%04dName"`, i))
	}
	tooMany := New([]*rule.Rule{parseEvents(t, strings.Join(many, " or ")), parseEvents(t, `$e.metadata.product_event_type = "DeleteTrail"`)})
	chk = tooMany.NewChecker()
	chk.Candidate([]byte(`{"eventVersion":"1.08","eventName":"x"}`))
	if !tooMany.Requirements().TooMany || !chk.MayMatch(0) || !chk.MayMatch(1) {
		t.Error("a filter that searches nothing rules a rule out")
	}
}

// TestMayMatchBesideARuleWithoutRequirement: a rule without a usable
// requirement makes every record a candidate, but the record is still
// searched, and the rules that have one are matched only on the records
// that hold it (raw or escaped); the rule without one always may.
func TestMayMatchBesideARuleWithoutRequirement(t *testing.T) {
	rs := []*rule.Rule{
		parseEvents(t, `$e.principal.user.userid != ""`),
		parseEvents(t, `$e.metadata.product_event_type = "DeleteTrail"`),
	}
	f := New(rs)
	if !f.Requirements().Free {
		t.Fatal("the rule set has a requirement-free rule: every record is a candidate")
	}
	chk := f.NewChecker()
	for _, c := range []struct {
		rec  string
		want [2]bool
	}{
		{`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventName":"x"}`, [2]bool{true, false}},
		{`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventName":"DeleteTrail"}`, [2]bool{true, true}},
		{`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventName":"Delete\u0054rail"}`, [2]bool{true, true}},
		{`{"eventName":"x"}`, [2]bool{true, false}},
	} {
		if !chk.Candidate([]byte(c.rec)) {
			t.Errorf("%s: not a candidate", c.rec)
		}
		for j, w := range c.want {
			if got := chk.MayMatch(f.RuleIndex(rs[j], nil)); got != w {
				t.Errorf("%s: rule %d may match %v, want %v", c.rec, j, got, w)
			}
		}
	}
}

// TestCandidateKeyWithoutValue: the fast path's decoder does not check
// that a record is JSON, so a key without a value ({"evt":}) reaches the
// key walk, which must not index the empty value: the record is a
// candidate, and the reference path skips it as malformed JSON.
func TestCandidateKeyWithoutValue(t *testing.T) {
	chk := New([]*rule.Rule{parseEvents(t, `$e.metadata.product_event_type = "DeleteTrail"`)}).NewChecker()
	for _, rec := range []string{`{"evt":}`, `{"evt":,"time":"2019-01-14T19:31:53Z"}`, `{"category":}`, `{"eventVersion":"1.08","eventTime":}`} {
		if !chk.Candidate([]byte(rec)) {
			t.Errorf("Candidate(%s) = false, want true", rec)
		}
	}
}
