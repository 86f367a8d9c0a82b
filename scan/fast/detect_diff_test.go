package fast

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"testing"

	"github.com/retrohunt/retrohunt/internal/jsonoracle"
	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/udm"
)

// walkEdgeCases are records whose keys, strings and values end in the
// places a faster walk could get wrong: escapes at every distance from a
// quote, strings holding brackets and quotes, duplicate keys, deep
// nesting, truncation, and times just outside what udm.ParseTime reads.
var walkEdgeCases = []string{
	`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z"}`,
	`{"eventVersion":"1.08","userIdentity":{"a":"}","b":["]",{"c":"{\"}"}]},"eventTime":"2024-02-29T23:59:59.123Z"}`,
	`{"eventVersion":"1.08","eventTime":"2023-02-29T00:00:00Z"}`,
	`{"eventVersion":"1.08","eventTime":"2024-04-31T00:00:00Z"}`,
	`{"eventVersion":"1.08","eventTime":"2024-12-31T23:59:60Z"}`,
	`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00.1234567890Z"}`,
	`{"eventVersion":"1.08","eventTime":"2024-01-01t00:00:00z"}`,
	`{"eventVersion":"1.08","eventTime":"2024-01-01 00:00:00+23:59"}`,
	`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00-24:00"}`,
	`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00."}`,
	`{"eventVersion":"1.08","eventTime":"0000-01-01T00:00:00Z"}`,
	`{"eventVersion":"1.08","eventTime":"1900-02-29T00:00:00Z"}`,
	`{"eventVersion":"1.08","eventTime":"2000-02-29T00:00:00Z"}`,
	`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z ","x":1}`,
	`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventTime":"2024-13-01T00:00:00Z"}`,
	`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","x":"\\","eventTime":"x"}`,
	`{"eventVersion":"1.08","eventTi\me":"2024-01-01T00:00:00Z"}`,
	`{"eventVersion":"1.08","eventTime\\":"2024-01-01T00:00:00Z"}`,
	`{"eventVersion":"1.08","abcdefg\"":1,"eventTime":"2024-01-01T00:00:00Z"}`,
	`{"eventVersion":"1.08","abcdefgh\\\"":1,"eventTime":"2024-01-01T00:00:00Z"}`,
	`{"eventVersion":"1.08","x":"abcdefghijklmno\\","eventTime":"2024-01-01T00:00:00Z"}`,
	`{"eventVersion":"1.08","x":"abcdefghijklmnop\"q","eventTime":"2024-01-01T00:00:00Z"}`,
	`{"eventVersion":"1.08","x":[[[[[[[[{"y":"]]]]"}]]]]]]]],"eventTime":"2024-01-01T00:00:00Z"}`,
	`{"eventVersion":"1.08","x":[}],"eventTime":"2024-01-01T00:00:00Z"}`,
	`{"eventVersion":"1.08","x":{"eventTime":"2024-01-01T00:00:00Z"}}`,
	`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z"`,
	`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z`,
	`{"eventVersion":"1.08","eventTime"`,
	`{"eventVersion":"1.08","eventTime":`,
	`{"eventVersion":"1.08","userIdentity":{"a":"b"`,
	`{"resourceId":"r","time":"2019-01-14T19:31:53.6431339Z","category":"Administrative","properties":{"a":"}\"{"}}`,
	`{"resourceId":"r","time":"2019-01-14T19:31:53.6431339Z","category":"administrative","category":"Policy"}`,
	`{"resourceId":"r","time":"2019-01-14T19:31:53.6431339Z","category":"Administrativ"}`,
	`{"resourceId":"r","time":"2019-01-14T19:31:53.6431339Z","category":"SignInLogs"}`,
	`{"resourceId":"r","eventTimestamp":"2019-01-14T19:31:53Z","category":"SignInLogs"}`,
	`{"resourceId":"r","time":"2019-01-14T19:31:53.64313391Z","properties":{"eventCategory":"x"}}`,
	`{"resourceId":"r","time":"2019-02-29T19:31:53Z"}`,
	`{"correlationId":"c","time":"2019-01-14T19:31:53+01:00"}`,
	`{"operationName":"o","time":"2019-01-14T19:31:53+1:00"}`,
	`{ "eventVersion" : "1.08" , "eventTime" : "2024-01-01T00:00:00Z" }`,
	"{\t\"eventVersion\"\n:\r\"1.08\",\"eventTime\":\"2024-01-01T00:00:00Z\"}",
	`{"evt":{"name":"x","a":{"name":1}},"time":"2019-01-14T19:31:53Z"}`,
	`{"evt":{"a":{"name":1}},"time":"2019-01-14T19:31:53Z"}`,
	`{"evt":{"na\"me":1,"name":2},"time":"2019-01-14T19:31:53Z"}`,
	`{"evt":{"nam\u0065":1},"time":"2019-01-14T19:31:53Z"}`,
	`{"n":-1.5e3,"t":true,"f":false,"z":null,"correlationId":0,"time":"2019-01-14T19:31:53Z"}`,
	`{"correlationId":0,"time":"2019-01-14T19:31:53Z","x":tru e}`,
	`{"correlationId":0,"time":"2019-01-14T19:31:53Z",}`,
	`{"correlationId":0,"time":"2019-01-14T19:31:53Z"}}`,
	`{}`, `{`, `{"`, `{""`, `{"":`, `{"":""}`,
}

// hintEdgeCases are records whose first nested value (the one the
// splitter's hint ends, nestedEndOf) stands where a walk using the hint
// could go wrong: first of all, after and holding escapes, after strings
// holding brackets, an array, empty, nested in itself, an "evt" object,
// none at all, and bytes that are not JSON.
var hintEdgeCases = []string{
	`{"userIdentity":{"a":"b"},"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z"}`,
	`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","sessionContext":{"attributes":{"x":"y"}}},"eventTime":"2024-01-01T00:00:00Z"}`,
	`{"eventVersion":"1.08","x":"\"{[","userIdentity":{"a":"\"}]"},"eventTime":"2024-01-01T00:00:00Z"}`,
	`{"eventVersion":"1.08","x":"\\","userIdentity":{"a\\":"}\\"},"eventTime":"2024-01-01T00:00:00Z"}`,
	`{"eventVersion":"1.08","x":"[{]}","y":[1,{"a":[]}],"eventTime":"2024-01-01T00:00:00Z"}`,
	`{"eventVersion":"1.08","a":[],"b":{},"eventTime":"2024-01-01T00:00:00Z"}`,
	`{"eventVersion":"1.08","a":[[]],"eventTime":"2024-01-01T00:00:00Z"}`,
	`{"eventVersion":"1.08","a":{"eventTime":"x"},"eventTime":"2024-01-01T00:00:00Z"}`,
	`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","x":1}`,
	`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","requestParameters":{"a":1}}`,
	`{"resourceId":"r","identity":{"a":{"b":[]}},"time":"2019-01-14T19:31:53Z","category":"Administrative","properties":{"c":"d"}}`,
	`{"evt":{"name":"x"},"time":"2019-01-14T19:31:53Z"}`,
	`{"evt":{"a":{"name":1}},"time":"2019-01-14T19:31:53Z"}`,
	`{"correlationId":"c","category":["Administrative"],"time":"2019-01-14T19:31:53Z"}`,
	`{"eventVersion":"1.08","userIdentity":{"a":"b"]],"eventTime":"2024-01-01T00:00:00Z"}`,
	`{"eventVersion":"1.08","userIdentity":{"a":"b","eventTime":"2024-01-01T00:00:00Z"}`,
	`{"eventVersion":"1.08","userIdentity":[}],"eventTime":"2024-01-01T00:00:00Z"}`,
	`{"eventVersion":"1.08","userIdentity":{"a":"b"}`,
	`{"eventVersion":"1.08","userIdentity":{`,
	`{"eventVersion":"1.08"}],"userIdentity":{"a":1},"eventTime":"2024-01-01T00:00:00Z"}`,
}

// checkWalk compares the walk with the reference (detect_ref_test.go) on
// rec, for the whole walk and for the walk that stops at the last
// "eventTime" (and, as a differential test may, at any other offset),
// and the walk that skips the first nested value where the splitter's
// hint says it ends with the walk that finds its end itself: the same
// answers for a record that is JSON (on other bytes any answer is
// allowed, docs/fast-path.md: the walk must just not crash).
func checkWalk(t *testing.T, rec []byte) {
	t.Helper()
	lasts := []int{-1, lastEventTimeOf(rec), bytes.Index(rec, []byte(eventTimeKey))}
	hint, valid := jsonoracle.NestedEnd(rec), json.Valid(rec)
	for _, last := range lasts {
		got, want := recognisedAt(rec, last, 0), refRecognisedAt(rec, last)
		if got != want {
			t.Fatalf("recognisedAt(%q, %d) = %v, reference %v", rec, last, got, want)
		}
		if hinted := recognisedAt(rec, last, hint); hinted != got && valid {
			t.Fatalf("recognisedAt(%q, %d, hint %d) = %v, without the hint %v", rec, last, hint, hinted, got)
		}
		if !valid {
			continue
		}
		// The type the walk tells is the one udm.Map gives.
		for _, h := range []int{0, hint} {
			typ := recognisedType(rec, last, h)
			if typ == udm.Unknown {
				continue
			}
			ev, err := udm.Map(rec)
			if err != nil || ev.Type != typ {
				t.Fatalf("recognisedType(%q, %d, hint %d) = %v; udm.Map: %v, %v", rec, last, h, typ, ev, err)
			}
		}
	}
}

// TestRecognisedWithHint: the walk given the splitter's hint answers as
// the walk without it, on the corpus, the edge cases of both, their
// prefixes and mutations (checkWalk), and the generated records with
// their first nested value moved first, escapes put in and before it.
func TestRecognisedWithHint(t *testing.T) {
	recs := walkCorpus(t)
	for _, r := range append(walkEdgeCases, hintEdgeCases...) {
		recs = append(recs, []byte(r))
	}
	hinted, variants := 0, 0
	for _, r := range recs {
		if jsonoracle.NestedEnd(r) > 0 {
			hinted++
		}
		checkWalk(t, r)
		for _, v := range hintVariants(r) {
			if !json.Valid(v) {
				t.Fatalf("variant %q of %q is not JSON", v, r)
			}
			checkWalk(t, v)
			variants++
		}
	}
	if hinted < len(recs)/2 || variants < len(recs) {
		t.Fatalf("only %d of %d records have a nested value, %d variants", hinted, len(recs), variants)
	}
	rng := rand.New(rand.NewSource(29))
	special := []byte("\"\\{}[]:, ")
	for k := 0; k < walkMutations(); k++ {
		r := bytes.Clone(recs[rng.Intn(len(recs))])
		if h := jsonoracle.NestedEnd(r); h > 2 && rng.Intn(2) == 0 {
			// Around the first nested value's end.
			r[h-2+rng.Intn(min(4, len(r)-h+2))] = special[rng.Intn(len(special))]
		} else if len(r) > 1 {
			r[1+rng.Intn(len(r)-1)] = special[rng.Intn(len(special))]
		}
		checkWalk(t, r)
	}
}

// hintVariants returns rec, a JSON object, rewritten where the hint
// matters: its first member whose value is an object or array moved to
// the front, and an escape put into a string value before it and into
// its first string; nil when rec is not an object.
func hintVariants(rec []byte) [][]byte {
	var m []struct {
		k string
		v json.RawMessage
	}
	dec := json.NewDecoder(bytes.NewReader(rec))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		var v json.RawMessage
		if dec.Decode(&v) != nil {
			return nil
		}
		m = append(m, struct {
			k string
			v json.RawMessage
		}{tok.(string), v})
	}
	first := -1
	for i, kv := range m {
		if kv.v[0] == '{' || kv.v[0] == '[' {
			first = i
			break
		}
	}
	if first < 0 {
		return nil
	}
	join := func(order []int, escBefore, escIn bool) []byte {
		b := []byte{'{'}
		for n, i := range order {
			if n > 0 {
				b = append(b, ',')
			}
			k, _ := json.Marshal(m[i].k)
			b = append(append(b, k...), ':')
			v := m[i].v
			if q := bytes.IndexByte(v, '"'); q >= 0 && (escIn && i == first || escBefore && i != first && n == 0 && v[0] == '"') {
				v = append(append(append([]byte{}, v[:q+1]...), `\"]}`...), v[q+1:]...)
			}
			b = append(b, v...)
		}
		return append(b, '}')
	}
	order := []int{first}
	for i := range m {
		if i != first {
			order = append(order, i)
		}
	}
	same := make([]int, len(m))
	for i := range same {
		same[i] = i
	}
	return [][]byte{join(order, false, false), join(order, false, true), join(same, true, false), join(same, true, true)}
}

// TestRecognisedTrustsHint: the walk skips the first nested value to
// where the hint says it ends, without looking: a hint that ends it
// early (at the end of an object nested in it) makes the walk read that
// object's later keys as the record's. So a hint must belong to exactly
// the record's bytes (the splitter's scan of them).
func TestRecognisedTrustsHint(t *testing.T) {
	rec := []byte(`{"eventVersion":"1.08","x":{"a":{"b":1},"eventTime":"2024-01-01T00:00:00Z"}}`)
	if recognisedAt(rec, -1, 0) || recognisedAt(rec, -1, jsonoracle.NestedEnd(rec)) {
		t.Fatal("a record whose eventTime is nested is recognised")
	}
	early := bytes.Index(rec, []byte(`1}`)) + 2
	if !recognisedAt(rec, -1, early) {
		t.Fatalf("with the hint %d (the inner object's end) the walk did not read the nested eventTime as the record's: it does not use the hint", early)
	}
}

// TestRecognisedMatchesReference: the key walk answers as the walk it
// replaced did, on every record of a generated corpus and the public
// samples, on the edge cases, on every prefix of some records, and on
// records with bytes replaced by the ones the walk looks for.
func TestRecognisedMatchesReference(t *testing.T) {
	recs := walkCorpus(t)
	for _, r := range walkEdgeCases {
		recs = append(recs, []byte(r))
	}
	for _, r := range recs {
		checkWalk(t, r)
	}
	rng := rand.New(rand.NewSource(17))
	for k := 0; k < 30; k++ {
		r := recs[rng.Intn(len(recs))]
		for n := 1; n < len(r); n++ {
			checkWalk(t, r[:n])
		}
	}
	special := []byte("\"\\{}[]:, 0Zt\t")
	for k := 0; k < walkMutations(); k++ {
		r := bytes.Clone(recs[rng.Intn(len(recs))])
		for n := 1 + rng.Intn(3); n > 0 && len(r) > 1; n-- {
			r[1+rng.Intn(len(r)-1)] = special[rng.Intn(len(special))]
		}
		checkWalk(t, r)
	}
}

func FuzzRecognised(f *testing.F) {
	for _, r := range walkEdgeCases {
		f.Add([]byte(r[1:]))
	}
	f.Fuzz(func(t *testing.T, rec []byte) {
		checkWalk(t, append([]byte{'{'}, rec...))
	})
}

// TestCandidateHint: CandidateHint, the splitter's hint passed on,
// answers as Candidate on the corpus and the edge cases (what the
// search finds is the same; the key walk skips the first nested value
// by the hint), and hands the hint to the walk: the early hint of
// TestRecognisedTrustsHint changes its answer.
func TestCandidateHint(t *testing.T) {
	f := New([]*rule.Rule{parseEvents(t, `$e.metadata.product_event_type = "DeleteTrail"`)})
	chk := f.NewChecker()
	recs := walkCorpus(t)
	for _, r := range append(walkEdgeCases, hintEdgeCases...) {
		recs = append(recs, []byte(r))
	}
	for _, r := range recs {
		if !json.Valid(r) {
			continue
		}
		if got, want := chk.CandidateHint(r, jsonoracle.NestedEnd(r)), chk.Candidate(r); got != want {
			t.Fatalf("CandidateHint(%q, %d) = %v, Candidate %v", r, jsonoracle.NestedEnd(r), got, want)
		}
	}
	rec := []byte(`{"eventVersion":"1.08","x":{"a":{"b":1},"eventTime":"2024-01-01T00:00:00Z"}}`)
	early := bytes.Index(rec, []byte(`1}`)) + 2
	if !chk.Candidate(rec) || chk.CandidateHint(rec, early) {
		t.Fatalf("Candidate = %v, CandidateHint with the inner object's end %v: want true, false", chk.Candidate(rec), chk.CandidateHint(rec, early))
	}
}

// walkMutations is how many mutated records the key walk's randomised
// differential tests draw: a tenth under -short and -race.
func walkMutations() int {
	if testing.Short() || raceEnabled {
		return 2000
	}
	return 20000
}
