package decode

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// bothWays decodes body with Decode and with DecodeUnchecked (its fn
// doing the json.Valid check that Decode does itself) and returns what
// each handed on and reported, rendered for comparison.
func bothWays(body []byte, l Limits, buffer int) (ref, fast string) {
	render := func(unchecked bool) string {
		var b strings.Builder
		d := NewDecoder(l)
		fn := func(i int, raw []byte) error {
			if unchecked && !json.Valid(raw) {
				return ErrMalformed
			}
			fmt.Fprintf(&b, "record %d %q\n", i, raw)
			return nil
		}
		var (
			res Result
			err error
		)
		if unchecked {
			defer func(old int) { fastWindow = old }(fastWindow)
			fastWindow = buffer
			res, err = d.DecodeUnchecked(bytes.NewReader(body), fn)
		} else {
			res, err = d.Decode(bytes.NewReader(body), fn)
		}
		if err != nil {
			// What was read before the damage depends on buffering.
			res.Bytes = -1
		}
		fmt.Fprintf(&b, "result %+v\nerror %v\n", res, err)
		return b.String()
	}
	return render(false), render(true)
}

func TestDecodeUncheckedMatchesDecode(t *testing.T) {
	big := `{"a":"` + strings.Repeat(`x\"\\`, 40) + `","b":[` + strings.Repeat(`{"c":"]"},`, 30) + `1]}`
	bodies := []string{
		`{"Records":[{"a":1},{"b":[1,2,{"c":"]"}]}]}`,
		"{\"a\":1}\n{\"b\":2}\n{\"c\":",
		"{\n \"a\": 1\n}\n",
		`[{"a":1}]`,
		`{"records":[{"time":"x"}]}`,
		`{"Records":[{"a":"\u0053tart\/x"}]}`,
		`{"Records":[{"a":"\\"},{"b":"\\\""},{"c":"x\\\\"}]}`,
		`{"Records":[{"a":1},,{"b":2}]}`,
		`{"Records":[{"a":1} {"b":2}]}`,
		`{"Records":[{"a":{"b":{"c":{"d":1}}}},[1],"x",3,{"bad":tru}]}`,
		`{"Records":[{"a":"unterminated}]}`,
		`{"Records":[` + big + `,` + big + `]}`,
		big + "\n" + big + "\n{\"x\":1",
		big + "\n" + `{"a":[[[[[[[[1]]]]]]]]}` + "\n" + `{"a":"[[[[[[[[[["}` + "\n",
		big + big + `{"a":1}`,
		"{\"a\":1}\r\n\r\n  {\"b\":\"\\u00e9\"}\n[1]\n\"s\"\n",
		"\xef\xbb\xbf" + `{"Records":[{"a":1}]}`,
		"",
		"  \n ",
		"\x1f\x8b",
		// Issue 15: documents one after another, the key anywhere.
		`{"Records":[{"a":1}]}{"Records":[{"b":2},{"c":3}]}`,
		`{"Records":[{"a":1}]}` + "\n" + `{"records":[]}` + "\n" + `[{"b":2}]` + "\n" + `{"c":3}` + "\n",
		`{"Records":[{"a":1}],"x":[1,2],"Records":[{"b":2}]}`,
		`{"count":1,"meta":{"Records":[{"no":1}]},"records":[{"a":1},"x",{"bad":tru}],"z":null}`,
		"{\n  \"Count\": 2,\n  \"Records\": [\n    {\"a\":1}\n  ]\n}\n",
		"{" + strings.Repeat(" ", 100) + `"Records"` + strings.Repeat("\n", 70) + `:[{"a":1}]}`,
		`{"a":1 "Records":[{"b":2}]}{"c":3}`,
		`{"a":[1],"Records":{"b":1}}`,
		`{"Records":[{"a":1}],"x":`,
		`{"Records":[{"a":1}]}junk{"b":2}`,
		`{"R\u0065cords":[{"a":1}]}`,
		`{"x":"` + strings.Repeat(`y\"`, 50) + `","Records":[` + big + `]}` + big,
	}
	// Records longer than the read buffer take the copying paths.
	huge := `{"a":"` + strings.Repeat(`y\"`, 100<<10) + `"}`
	bodies = append(bodies,
		huge+"\n"+`{"b":1}`+"\n"+huge,
		`{"Records":[`+huge+`,{"b":1},`+huge+`]}`,
	)
	for _, limits := range []Limits{{}, {MaxRecordBytes: 100, MaxDepth: 4}, {MaxRecordBytes: 300 << 10}} {
		for _, buffer := range []int{16, 64, 256 << 10} {
			for i, body := range bodies {
				for _, zip := range []bool{false, true} {
					b := []byte(body)
					if zip {
						b = gzipped(b)
					}
					ref, fast := bothWays(b, limits, buffer)
					if ref != fast {
						t.Errorf("body %d (zip %v, limits %+v, buffer %d):\nDecode:\n%s\nDecodeUnchecked:\n%s", i, zip, limits, buffer, ref, fast)
					}
				}
			}
		}
	}
}

// splitSeeds are the seed bodies of the splitter's fuzz targets
// (FuzzDecodeUnchecked, FuzzSplitInPlace): envelopes, lines, a bare
// array, breaks, escapes, duplicate and misplaced keys.
var splitSeeds = []string{
	`{"Records":[{"a":1},{"b":[1,2,{"c":"]"}]}]}`,
	"{\"a\":1}\n{\"b\":2}\n{\"c\":",
	"{\n \"a\": 1\n}\n",
	`[{"a":1},{"b":"\\\"}"}]`,
	`{"records":[{"time":"x"},,{"y":[[[[[[1]]]]]]}]}`,
	`{"Records":[{"a":"\u0053tart\/x"}]}`,
	"",
	`{"Records":[{"a":1}]}{"Records":[{"b":2}]}`,
	`{"Records":[{"a":1}],"Records":[{"b":2}]}`,
	`{"count":1,"records":[{"a":1}],"z":[{"Records":1}]}`,
	"{   \n  \"Records\" : [ {\"a\":1} ] }\n[{\"b\":2}]\n{\"c\":3}",
	`{"a":1 "Records":[{"b":2}]}{"c":3}`,
	`{"Records":[{"a":1},{"stop":1},{"b":2}]}`,
}

// FuzzDecodeUnchecked requires DecodeUnchecked, with the caller's
// well-formedness check, to split and report exactly as Decode does.
func FuzzDecodeUnchecked(f *testing.F) {
	for _, s := range splitSeeds {
		f.Add([]byte(s), false, uint8(0))
		f.Add([]byte(s), true, uint8(3))
	}
	f.Fuzz(func(t *testing.T, body []byte, zip bool, small uint8) {
		if zip {
			body = gzipped(body)
		}
		l := Limits{MaxObjectBytes: 1 << 20, MaxRecordBytes: 1 << 16, MaxDepth: 64}
		if small&1 != 0 {
			l = Limits{MaxObjectBytes: 1 << 20, MaxRecordBytes: 40, MaxDepth: 3}
		}
		buffer := 256 << 10
		if small&2 != 0 {
			buffer = 16
		}
		if ref, fast := bothWays(body, l, buffer); ref != fast {
			t.Fatalf("Decode:\n%s\nDecodeUnchecked:\n%s", ref, fast)
		}
	})
}
