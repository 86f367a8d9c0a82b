package fast

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/retrohunt/retrohunt/internal/jsonoracle"
)

// BenchmarkRecognised measures the key walk alone (recognisedAt, with
// the last "eventTime" the literal pass would report) on the CloudTrail
// and the Azure records of a generated corpus and the public samples
// (walkCorpus): a CloudTrail record is walked up to its time, an Azure
// record whole; "walk-hint" is the walk given where the first nested
// value ends, as the splitter hands it on. "reference" is the walk as it was before
// structure.StringEnd and udm.IsTimeBytes (detect_ref_test.go), and the
// baseline is encoding/json's json.Valid. Of each kind every 10th record
// is walked (a few hundred KB), so that the records are in the cache,
// as they are when the literal pass has just read them.
func BenchmarkRecognised(b *testing.B) {
	kinds := map[string][][]byte{}
	var kindNames []string
	for i, r := range walkCorpus(b) {
		k := "other"
		switch {
		case bytes.Contains(r, []byte(`"eventVersion"`)):
			k = "cloudtrail"
		case bytes.Contains(r, []byte(`"resourceId"`)):
			k = "azure"
		}
		if i%10 == 0 && k != "other" {
			if kinds[k] == nil {
				kindNames = append(kindNames, k)
			}
			kinds[k] = append(kinds[k], r)
		}
	}
	for _, kind := range kindNames {
		recs := kinds[kind]
		last, nested := make([]int, len(recs)), make([]int, len(recs))
		var size int64
		for i, r := range recs {
			last[i] = lastEventTimeOf(r)
			nested[i] = jsonoracle.NestedEnd(r)
			size += int64(len(r))
		}
		for _, c := range []struct {
			name string
			fn   func(r []byte, last, nested int) bool
		}{
			{"walk", func(r []byte, last, _ int) bool { return recognisedAt(r, last, 0) }},
			{"walk-hint", recognisedAt},
			{"reference", func(r []byte, last, _ int) bool { return refRecognisedAt(r, last) }},
			{"baseline-json.Valid", func(r []byte, _, _ int) bool { return json.Valid(r) }},
		} {
			b.Run(kind+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(size)
				for b.Loop() {
					for i, r := range recs {
						c.fn(r, last[i], nested[i])
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(len(recs))/float64(b.N), "ns/record")
			})
		}
	}
}
