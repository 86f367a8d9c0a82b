package fast

import (
	"bytes"
	"math/rand"
	"testing"
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

// checkWalk compares the walk with the reference (detect_ref_test.go) on
// rec, for the whole walk and for the walk that stops at the last
// "eventTime" (and, as a differential test may, at any other offset).
func checkWalk(t *testing.T, rec []byte) {
	t.Helper()
	lasts := []int{-1, lastEventTimeOf(rec), bytes.Index(rec, []byte(eventTimeKey))}
	for _, last := range lasts {
		if got, want := recognisedAt(rec, last), refRecognisedAt(rec, last); got != want {
			t.Fatalf("recognisedAt(%q, %d) = %v, reference %v", rec, last, got, want)
		}
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
	for k := 0; k < 20000; k++ {
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
