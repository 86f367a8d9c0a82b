package output

import (
	"bytes"
	"reflect"
	"testing"
	"time"
)

// TestCandidatesRoundTrip: candidate rows read back as written,
// including empty and absent lists; a file without rows reads as none.
func TestCandidatesRoundTrip(t *testing.T) {
	at := time.Date(2024, 3, 5, 23, 56, 0, 123456789, time.UTC)
	in := []Candidate{
		{RuleName: "r", RuleVersion: "v1", Var: 1, VarName: "f", MatchKey: []string{"192.0.2.1", ""}, EventTime: at.Truncate(time.Microsecond), EventTimeNS: at.UnixNano(),
			Values: []string{"a", ""}, SourceURI: "s3://b/k", SourceETag: "e", RecordIndex: 7},
		{RuleName: "r", RuleVersion: "v1", EventTime: at.Add(time.Second).Truncate(time.Microsecond), EventTimeNS: at.Add(time.Second).UnixNano(), SourceURI: "s3://b/k", RecordIndex: 8},
	}
	var b bytes.Buffer
	w := NewCandidateParquet(&b)
	if err := w.Write(append([]Candidate(nil), in...)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var got []Candidate
	err := ReadCandidates(bytes.NewReader(b.Bytes()), int64(b.Len()), func(rs []Candidate) error {
		for _, r := range rs {
			r.MatchKey = append([]string(nil), r.MatchKey...)
			r.Values = append([]string(nil), r.Values...)
			got = append(got, r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !reflect.DeepEqual(got[0], in[0]) || got[1].RecordIndex != 8 || len(got[1].MatchKey) != 0 || !got[1].EventTime.Equal(in[1].EventTime) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, in)
	}
}
