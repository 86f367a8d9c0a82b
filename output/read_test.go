package output

import (
	"bytes"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

func TestReadHitsRoundTrip(t *testing.T) {
	t0 := time.Date(2024, 1, 15, 10, 1, 2, 345678000, time.UTC)
	want := []Hit{
		{RuleName: "aws_ssm_session_manager", Severity: "HIGH", EventTime: t0, LogType: "AWS_CLOUDTRAIL",
			AccountID: "111122223333", PrincipalUser: "arn:aws:iam::111122223333:user/alice", Result: "success",
			SourceURI: "s3://trail/a.json.gz", RecordIndex: 3, Raw: `{"eventName":"StartSession"}`, Tactic: "Lateral Movement"},
		{RuleName: "azure_run_command", EventTime: t0.Add(time.Hour), LogType: "AZURE_ACTIVITY", Result: "failure", RecordIndex: 0},
	}
	var buf bytes.Buffer
	w := NewParquet(&buf)
	if err := w.Write(append([]Hit(nil), want...)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	read := func(o ReadOptions) []Hit {
		t.Helper()
		var got []Hit
		err := ReadHits(bytes.NewReader(buf.Bytes()), int64(buf.Len()), o, func(hs []Hit) error {
			got = append(got, hs...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	got := read(ReadOptions{Raw: true, BatchRows: 1})
	if len(got) != len(want) {
		t.Fatalf("read %d hits, want %d", len(got), len(want))
	}
	for i := range want {
		if !got[i].EventTime.Equal(want[i].EventTime) {
			t.Errorf("hit %d: event_time %v, want %v", i, got[i].EventTime, want[i].EventTime)
		}
		got[i].EventTime = want[i].EventTime
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("hit %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	noRaw := read(ReadOptions{})
	if len(noRaw) != 2 || noRaw[0].Raw != "" || noRaw[0].RuleName != want[0].RuleName {
		t.Errorf("without Raw: %+v", noRaw)
	}
}

// hitV2 is the issue-2 schema: no tactic column yet. Files written then
// must still read.
type hitV2 struct {
	RuleName  string    `parquet:"rule_name,zstd,dict"`
	EventTime time.Time `parquet:"event_time,timestamp(microsecond)"`
	AccountID string    `parquet:"account_id,zstd,dict"`
}

func TestReadHitsOlderSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.parquet")
	t0 := time.Date(2023, 5, 1, 0, 0, 0, 0, time.UTC)
	if err := parquet.WriteFile(path, []hitV2{{RuleName: "r", EventTime: t0, AccountID: "1"}}); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].RuleName != "r" || !got[0].EventTime.Equal(t0) || got[0].AccountID != "1" || got[0].Tactic != "" {
		t.Errorf("got %+v", got)
	}
}

func TestReadHitsRejectsOtherFiles(t *testing.T) {
	f := func(body []byte, want string) {
		t.Helper()
		err := ReadHits(bytes.NewReader(body), int64(len(body)), ReadOptions{}, func([]Hit) error { return nil })
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
	f([]byte(`{"rule_name":"x"}`), "not a Parquet file")
	var buf bytes.Buffer
	type other struct {
		Name string `parquet:"name"`
	}
	if err := parquet.Write(&buf, []other{{"x"}}); err != nil {
		t.Fatal(err)
	}
	f(buf.Bytes(), "not a retrohunt hits file")
}
