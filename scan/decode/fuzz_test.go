package decode

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzDecode feeds arbitrary bytes (plain or gzip) to the decoder: it must
// not panic or hang, every record it hands on must be a valid JSON object,
// indexes must increase, and it must never hand on more bytes than it read.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"Records":[{"a":1},{"b":[1,2,{"c":"]"}]}]}`,
		"{\"a\":1}\n{\"b\":2}\n{\"c\":",
		"{\n \"a\": 1\n}\n",
		`[{"a":1}]`,
		`{"records":[{"time":"x"}]}`,
		`{"Records":[{"a":"\u0053tart\/x"}]}`,
		"",
		"\x1f\x8b",
		`{"Records":[{"a":1}]}{"Records":[{"b":2}]}`,
		`{"Records":[{"a":1}],"Records":[{"b":2}]}`,
		`{"count":1,"records":[{"a":1}],"z":[{"Records":1}]}`,
		"{   \n  \"Records\" : [ {\"a\":1} ] }\n[{\"b\":2}]\n{\"c\":3}",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, zip bool) {
		if zip {
			body = gzipped(body)
		}
		d := NewDecoder(Limits{MaxObjectBytes: 1 << 20, MaxRecordBytes: 1 << 16, MaxDepth: 64})
		last := -1
		total := 0
		res, _ := d.Decode(bytes.NewReader(body), func(i int, raw []byte) error {
			if i <= last {
				t.Fatalf("index %d after %d", i, last)
			}
			last = i
			total += len(raw)
			if !json.Valid(raw) || raw[0] != '{' {
				t.Fatalf("handed on a record that is not a JSON object: %q", raw)
			}
			return nil
		})
		if int64(total) > res.Bytes {
			t.Fatalf("records hold %d bytes, only %d were read", total, res.Bytes)
		}
	})
}
