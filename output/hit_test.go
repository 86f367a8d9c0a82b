package output

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"
)

// Issue 15 item 3, at the writers: bytes that are not UTF-8 become
// U+FFFD in every string, and raw's exact bytes go to raw_bytes.
func TestInvalidUTF8RoundTrips(t *testing.T) {
	rawIn := "{\"userAgent\":\"a\xffb\xc3(\"}"
	hit := func() Hit {
		return Hit{RuleName: "r", UserAgent: "a\xffb", SourceURI: "s3://b/k\xfe\xff", Raw: rawIn}
	}
	// Hand-written: each run of invalid bytes (0xff; the 0xc3 that starts
	// no valid sequence; 0xfe 0xff) is one U+FFFD (strings.ToValidUTF8).
	const wantRaw = "{\"userAgent\":\"a\ufffdb\ufffd(\"}"

	var buf bytes.Buffer
	w := NewParquet(&buf)
	if err := w.Write([]Hit{hit(), {RuleName: "ok", Raw: `{"a":1}`}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	col, ok := f.Schema().Lookup("raw_bytes")
	if !ok || !col.Node.Optional() || col.Node.Type().Kind() != parquet.ByteArray || col.Node.Type().LogicalType() != nil {
		t.Fatalf("raw_bytes column: %v %v, want an optional BYTE_ARRAY without a logical type", ok, col.Node)
	}
	var got []Hit
	if err := ReadHits(bytes.NewReader(buf.Bytes()), int64(buf.Len()), ReadOptions{Raw: true}, func(hs []Hit) error {
		got = append(got, hs...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got[0].Raw != wantRaw || got[0].RawBytes != rawIn || got[0].UserAgent != "a\ufffdb" || got[0].SourceURI != "s3://b/k\ufffd" {
		t.Errorf("read back %+v", got[0])
	}
	if string(got[0].RawRecord()) != rawIn || string(got[1].RawRecord()) != `{"a":1}` || got[1].RawBytes != "" {
		t.Errorf("RawRecord: %q, %q (raw_bytes %q)", got[0].RawRecord(), got[1].RawRecord(), got[1].RawBytes)
	}

	buf.Reset()
	jw := NewJSONL(&buf)
	if err := jw.Write([]Hit{hit(), {RuleName: "ok", Raw: `{"a":1}`}}); err != nil {
		t.Fatal(err)
	}
	jw.Close()
	if !utf8.Valid(buf.Bytes()) {
		t.Fatalf("JSON Lines not UTF-8: %q", buf.Bytes())
	}
	lines := bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
	var j []struct {
		Raw      json.RawMessage `json:"raw"`
		RawBytes []byte          `json:"raw_bytes"`
	}
	for _, l := range lines {
		var v struct {
			Raw      json.RawMessage `json:"raw"`
			RawBytes []byte          `json:"raw_bytes"`
		}
		if err := json.Unmarshal(l, &v); err != nil {
			t.Fatal(err)
		}
		j = append(j, v)
	}
	if string(j[0].Raw) != wantRaw || string(j[0].RawBytes) != rawIn || j[1].RawBytes != nil || !bytes.Contains(lines[1], []byte(`"raw_bytes":null`)) {
		t.Errorf("JSON Lines: %s", buf.Bytes())
	}
}
