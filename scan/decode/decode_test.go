package decode

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

type got struct {
	res     Result
	records []string
	indexes []int
	err     error
}

func decode(t *testing.T, l Limits, body []byte) got {
	t.Helper()
	var g got
	g.res, g.err = NewDecoder(l).Decode(bytes.NewReader(body), func(i int, raw []byte) error {
		g.records = append(g.records, string(raw))
		g.indexes = append(g.indexes, i)
		return nil
	})
	return g
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func TestEnvelopes(t *testing.T) {
	f := func(name, body string, format Format, want []string, wantIdx []int) {
		t.Helper()
		for _, zip := range []bool{false, true} {
			b := []byte(body)
			if zip {
				b = gzipped(b)
			}
			g := decode(t, Limits{}, b)
			if g.err != nil {
				t.Errorf("%s (gzip %v): %v", name, zip, g.err)
				continue
			}
			if g.res.Format != format || g.res.Gzip != zip {
				t.Errorf("%s: format %v gzip %v, want %v %v", name, g.res.Format, g.res.Gzip, format, zip)
			}
			if fmt.Sprint(g.records) != fmt.Sprint(want) || fmt.Sprint(g.indexes) != fmt.Sprint(wantIdx) {
				t.Errorf("%s (gzip %v): records %q at %v, want %q at %v", name, zip, g.records, g.indexes, want, wantIdx)
			}
		}
	}
	f("cloudtrail", `{"Records":[{"a":1},{"b":"x]}"} ,{"c":[1,{"d":2}]}]}`, FormatEnvelope,
		[]string{`{"a":1}`, `{"b":"x]}"}`, `{"c":[1,{"d":2}]}`}, []int{0, 1, 2})
	f("cloudtrail spaced", " \n{ \"Records\" : [ {\"a\":\"\\\"}\"} ] }\n", FormatEnvelope, []string{`{"a":"\"}"}`}, []int{0})
	f("azure legacy", `{"records":[{"time":"t"}]}`, FormatEnvelope, []string{`{"time":"t"}`}, []int{0})
	f("empty records", `{"Records":[]}`, FormatEnvelope, nil, nil)
	f("json lines", "{\"a\":1}\n\n{\"b\":2}\r\n{\"c\":3}\n", FormatLines, []string{`{"a":1}`, `{"b":2}`, `{"c":3}`}, []int{0, 2, 3})
	f("json lines no final newline", "{\"a\":1}\n{\"b\":2}", FormatLines, []string{`{"a":1}`, `{"b":2}`}, []int{0, 1})
	f("pretty", "{\n \"a\": 1\n}\n{\n \"b\": 2\n}\n", FormatStream, []string{"{\n \"a\": 1\n}", "{\n \"b\": 2\n}"}, []int{0, 1})
	f("bare array", `[{"a":1},{"b":2}]`, FormatEnvelope, []string{`{"a":1}`, `{"b":2}`}, []int{0, 1})
	f("empty", "", FormatEmpty, nil, nil)
	f("bom", "\xef\xbb\xbf{\"a\":1}\n", FormatLines, []string{`{"a":1}`}, []int{0})
}

func TestPartialLastLine(t *testing.T) {
	g := decode(t, Limits{}, []byte("{\"a\":1}\n{\"b\":"))
	if g.err != nil || !g.res.PartialEnd || len(g.records) != 1 || len(g.res.Skipped) != 0 {
		t.Fatalf("%+v", g)
	}
}

func TestDamage(t *testing.T) {
	ct := []byte(`{"Records":[{"a":1},{"b":2},{"c":3}]}`)
	z := gzipped(ct)
	f := func(name string, body []byte, wantRecords int, wantErr string) {
		t.Helper()
		g := decode(t, Limits{}, body)
		if len(g.records) != wantRecords {
			t.Errorf("%s: %d records before the damage, want %d", name, len(g.records), wantRecords)
		}
		if g.err == nil || !strings.Contains(g.err.Error(), wantErr) {
			t.Errorf("%s: error %v, want one containing %q", name, g.err, wantErr)
		}
	}
	f("truncated gzip trailer", z[:len(z)-12], 3, "truncated gzip")
	f("corrupt gzip header", []byte("\x1f\x8b\x00garbage"), 0, "gzip")
	f("zero-byte gzip member", []byte("\x1f\x8b"), 0, "gzip")
	f("records not an array", []byte(`{"Records":{"a":1}}`), 0, `"Records" is not an array`)
	f("envelope breaks off", []byte(`{"Records":[{"a":1},{"b":`), 1, "breaks off")
	f("not json", []byte("# notes\n"), 0, "not JSON records")
	f("missing comma", []byte(`{"Records":[{"a":1} {"b":2}]}`), 1, "expected , or ]")
}

func TestTruncatedGzipIsNamed(t *testing.T) {
	big := []byte(`{"Records":[` + strings.Repeat(`{"eventName":"DescribeInstances","x":"yyyyyyyyyyyyyyyy"},`, 5000) + `{"a":1}]}`)
	z := gzipped(big)
	g := decode(t, Limits{}, z[:len(z)/2])
	if g.err == nil || !strings.Contains(g.err.Error(), "truncated gzip") {
		t.Fatalf("err %v", g.err)
	}
	if len(g.records) == 0 {
		t.Errorf("records before the truncation were not handed on")
	}
}

func TestRecordLevelSkips(t *testing.T) {
	body := []byte(`{"Records":[{"a":1},"str",{"big":"` + strings.Repeat("x", 200) + `"},{"deep":[[[[[[1]]]]]]},{"bad":tru},{"ok":2}]}`)
	g := decode(t, Limits{MaxRecordBytes: 100, MaxDepth: 4}, body)
	if g.err != nil {
		t.Fatal(g.err)
	}
	if fmt.Sprint(g.records) != `[{"a":1} {"ok":2}]` || fmt.Sprint(g.indexes) != "[0 5]" {
		t.Errorf("records %q at %v", g.records, g.indexes)
	}
	want := "[{1 record is not a JSON object} {2 record exceeds 100 bytes} {3 record nests deeper than 4} {4 malformed JSON}]"
	if fmt.Sprint(g.res.Skipped) != want {
		t.Errorf("skipped %v\nwant    %v", g.res.Skipped, want)
	}
	lines := decode(t, Limits{MaxRecordBytes: 20}, []byte("{\"a\":1}\n{\"b\":\""+strings.Repeat("y", 300)+"\"}\nnot json\n{\"c\":3}\n"))
	if fmt.Sprint(lines.records) != `[{"a":1} {"c":3}]` || len(lines.res.Skipped) != 2 {
		t.Errorf("lines: %q %v", lines.records, lines.res.Skipped)
	}
}

func TestObjectSizeLimit(t *testing.T) {
	// A gzip bomb in miniature: 10 MB of records from a few kB.
	big := []byte(`{"Records":[` + strings.Repeat(`{"a":1},`, 1<<20) + `{"a":1}]}`)
	z := gzipped(big)
	g := decode(t, Limits{MaxObjectBytes: 1 << 20}, z)
	if !errors.Is(g.err, ErrTooLarge) {
		t.Fatalf("err %v, want ErrTooLarge", g.err)
	}
	if g.res.Bytes > 1<<20 {
		t.Errorf("read %d bytes past the limit", g.res.Bytes)
	}
}

func TestConcatenatedGzipMembers(t *testing.T) {
	body := append(gzipped([]byte("{\"a\":1}\n")), gzipped([]byte("{\"b\":2}\n"))...)
	g := decode(t, Limits{}, body)
	if g.err != nil || fmt.Sprint(g.records) != `[{"a":1} {"b":2}]` {
		t.Fatalf("%v %q", g.err, g.records)
	}
}

// The decoder is reused across objects by each worker; state must not leak.
func TestReuse(t *testing.T) {
	d := NewDecoder(Limits{})
	for i, body := range [][]byte{gzipped([]byte(`{"Records":[{"a":1}]}`)), []byte("{\"b\":2}\n{\"c\":"), gzipped([]byte(`{"Records":[{"d":4}]}`))} {
		var recs []string
		res, err := d.Decode(bytes.NewReader(body), func(_ int, raw []byte) error { recs = append(recs, string(raw)); return nil })
		if err != nil || len(recs) != 1 {
			t.Errorf("object %d: %v %q %+v", i, err, recs, res)
		}
	}
}

// Issue 15, item 4: an object holding several documents (files
// concatenated, gzip members one after another, a duplicate "Records"
// key) is read to its last record, and the indexes count on through the
// object, so that each names one record.
func TestIssue15ConcatenatedDocuments(t *testing.T) {
	a := `{"Records":[{"a":1},{"a":2}]}`
	b := `{"Records":[{"b":1}]}`
	f := func(name string, body []byte, want []string, wantIdx []int) {
		t.Helper()
		// A buffered object reaches the decoder as a bytes.Reader, which
		// gzip reads directly; a streamed one through the decoder's
		// bufio.Reader.
		for _, streamed := range []bool{false, true} {
			var r io.Reader = bytes.NewReader(body)
			if streamed {
				r = struct{ io.Reader }{r}
			}
			var g got
			g.res, g.err = NewDecoder(Limits{}).Decode(r, func(i int, raw []byte) error {
				g.records = append(g.records, string(raw))
				g.indexes = append(g.indexes, i)
				return nil
			})
			if g.err != nil || len(g.res.Skipped) != 0 {
				t.Errorf("%s (streamed %v): %v, skipped %v", name, streamed, g.err, g.res.Skipped)
			}
			if fmt.Sprint(g.records) != fmt.Sprint(want) || fmt.Sprint(g.indexes) != fmt.Sprint(wantIdx) {
				t.Errorf("%s (streamed %v): records %q at %v, want %q at %v", name, streamed, g.records, g.indexes, want, wantIdx)
			}
		}
	}
	ab := []string{`{"a":1}`, `{"a":2}`, `{"b":1}`}
	f("two envelopes", []byte(a+b), ab, []int{0, 1, 2})
	f("two envelopes, lines", []byte(a+"\n"+b+"\n"), ab, []int{0, 1, 2})
	f("two gzip members", append(gzipped([]byte(a)), gzipped([]byte(b))...), ab, []int{0, 1, 2})
	f("two gzip members, newline", append(gzipped([]byte(a+"\n")), gzipped([]byte(b+"\n"))...), ab, []int{0, 1, 2})
	f("gzip of two envelopes", gzipped([]byte(a+" \r\n\t"+b)), ab, []int{0, 1, 2})
	f("duplicate Records key", []byte(`{"Records":[{"a":1},{"a":2}],"Records":[{"b":1}]}`), ab, []int{0, 1, 2})
	f("Records and records", []byte(`{"records":[{"a":1}],"x":{"Records":[{"no":1}]},"Records":[{"a":2},{"b":1}]}`), ab, []int{0, 1, 2})
	f("empty array between", []byte(`{"Records":[{"a":1},{"a":2}]}{"Records":[]}[{"b":1}]`), ab, []int{0, 1, 2})
	f("envelope, then records", []byte(a+"\n"+`{"b":1}`+"\n"), ab, []int{0, 1, 2})
	f("three members, gzip", append(append(gzipped([]byte(a)), gzipped([]byte(`{"Records":[]}`))...), gzipped([]byte(b))...), ab, []int{0, 1, 2})

	// Damage in the second document fails the object after the first
	// document's records were handed on.
	g := decode(t, Limits{}, []byte(a+`{"Records":[{"b":1},`))
	if !errors.Is(g.err, ErrTruncatedJSON) || len(g.records) != 3 {
		t.Errorf("second envelope breaks off: %v, %q", g.err, g.records)
	}
	// Junk after the last document is a record that is not an object.
	g = decode(t, Limits{}, []byte(a+"x"))
	if g.err != nil || len(g.records) != 2 || fmt.Sprint(g.res.Skipped) != "[{2 record is not a JSON object}]" {
		t.Errorf("junk after the envelope: %v, %q, %v", g.err, g.records, g.res.Skipped)
	}
}

// Issue 15, item 5: an envelope is recognised by its key wherever it
// stands (jq -S sorts keys; exporters add members before it) and however
// much white space comes first, also past the read buffer.
func TestIssue15EnvelopeKeyAnywhere(t *testing.T) {
	recs := []string{`{"a":1}`, `{"b":[1,{"c":"]"}]}`}
	f := func(name, body string) {
		t.Helper()
		for _, zip := range []bool{false, true} {
			b := []byte(body)
			if zip {
				b = gzipped(b)
			}
			g := decode(t, Limits{}, b)
			if g.err != nil || len(g.res.Skipped) != 0 || g.res.Format != FormatEnvelope {
				t.Errorf("%s (gzip %v): %v, format %v, skipped %v", name, zip, g.err, g.res.Format, g.res.Skipped)
			}
			if fmt.Sprint(g.records) != fmt.Sprint(recs) || fmt.Sprint(g.indexes) != "[0 1]" {
				t.Errorf("%s (gzip %v): records %q at %v, want %q", name, zip, g.records, g.indexes, recs)
			}
		}
	}
	arr := `[{"a":1},{"b":[1,{"c":"]"}]}]`
	f("jq -S -c", `{"count":2,"meta":{"Records":[{"no":1}]},"records":`+arr+`,"z":"Records"}`)
	f("jq -S", "{\n  \"Count\": 2,\n  \"Records\": [\n    {\"a\":1},\n    {\"b\":[1,{\"c\":\"]\"}]}\n  ],\n  \"z\": [1,2]\n}\n")
	f("white space inside the brace", "{"+strings.Repeat(" ", 100)+`"Records"`+strings.Repeat("\n", 100)+":"+arr+"}")
	f("white space past the read buffer", strings.Repeat(" ", 300<<10)+"{"+strings.Repeat(" ", 300<<10)+`"Records":`+strings.Repeat("\t", 300<<10)+arr+"}")
	f("a member larger than the read buffer first", `{"big":"`+strings.Repeat(`x\"`, 200<<10)+`","deep":[`+strings.Repeat(`{"k":[1,"]"]},`, 30<<10)+`1],"Records":`+arr+`}`)
	f("numbers and literals first", `{"n":-1.5e3,"t":true,"f":false,"z":null,"Records":`+arr+`}`)

	// A key that is not "Records" as stored, or an object without it,
	// is a record.
	g := decode(t, Limits{}, []byte(`{"R\u0065cords":[{"a":1}]}`+"\n"))
	if g.err != nil || g.res.Format != FormatLines || len(g.records) != 1 {
		t.Errorf("escaped key: %v %v %q", g.err, g.res.Format, g.records)
	}
	// "Records" that is not an array breaks the envelope, wherever it is.
	g = decode(t, Limits{}, []byte(`{"a":[1],"Records":{"b":1}}`))
	if !errors.Is(g.err, ErrEnvelope) {
		t.Errorf("Records not an array: %v", g.err)
	}
}
