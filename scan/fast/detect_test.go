package fast

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/retrohunt/retrohunt/scan/udm"
)

// TestRecognisedAgreesWithDetect: recognised may say false where Detect
// recognises (the record then takes the reference path), never true
// where Detect does not.
func TestRecognisedAgreesWithDetect(t *testing.T) {
	recs := []string{
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
		want := udm.Detect(doc) != udm.Unknown
		got := recognised([]byte(r))
		if got && !want {
			t.Errorf("recognised but Detect says unknown: %s", r)
		}
		if want && !got && bytes.IndexByte([]byte(r), '\\') < 0 {
			t.Errorf("Detect recognises an escape-free record that recognised does not: %.200s", r)
		}
		if got {
			known++
		}
	}
	if known < 20 {
		t.Errorf("only %d records recognised", known)
	}
}
