package scan

import (
	"encoding/json"
	"errors"
	"math/rand"
	"testing"

	"github.com/retrohunt/retrohunt/bench/gen"
	"github.com/retrohunt/retrohunt/scan/udm"
)

// TestMapMalformedIsJSONValid: the fast path validates a candidate only
// through udm.Map (recordSink.mapAndMatch), which must therefore say
// udm.ErrMalformed exactly when json.Valid says false, on records that
// start and end like an object (what the splitter hands on).
func TestMapMalformedIsJSONValid(t *testing.T) {
	root := t.TempDir()
	if _, _, err := gen.Generate(gen.Config{Days: 1, FilesPerDay: 2, RecordsPerFile: 20, AzureRecordsPerHour: 5}, gen.DirSink(root)); err != nil {
		t.Fatal(err)
	}
	recs := [][]byte{
		[]byte(`{}`), []byte(`{"a":}`), []byte(`{"a":1,}`), []byte(`{"a":tru}`), []byte(`{"a":"\x"}`),
		[]byte(`{"a":"\ud800"}`), []byte("{\"a\":\"\xff\"}"), []byte(`{"a":1}{"b":2}`), []byte(`{"a":[1,2}`),
		[]byte(`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","x":01}`),
	}
	rng := rand.New(rand.NewSource(5))
	for _, s := range seedRecords(t, root) {
		recs = append(recs, s)
		for range 20 {
			recs = append(recs, mutate(rng, s))
		}
	}
	for _, r := range recs {
		_, err := udm.Map(r)
		if got, want := errors.Is(err, udm.ErrMalformed), !json.Valid(r); got != want {
			t.Errorf("udm.Map malformed %v, json.Valid %v: %.200s", got, !want, r)
		}
	}
}
