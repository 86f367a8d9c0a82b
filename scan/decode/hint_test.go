package decode

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// nestedEndOneByteAtATime is the splitter's hint written the plain way,
// sharing no code with the structure scanner: the index past the first
// close bracket outside strings that takes raw's depth from 2 to 1,
// else 0.
func nestedEndOneByteAtATime(raw []byte) int {
	depth, inString, escaped := 0, false, false
	for i, c := range raw {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			if depth--; depth == 1 {
				return i + 1
			}
			if depth == 0 {
				return 0
			}
		}
	}
	return 0
}

// hintNote is what renderBuffered adds to a record whose hint is wrong:
// a hint is 0 (not known) or the oracle's, for raw as handed on.
func hintNote(d *Decoder, raw []byte) string {
	if h := d.FirstNestedEnd(); h != 0 && h != nestedEndOneByteAtATime(raw) {
		return fmt.Sprintf(" WRONG HINT %d, want %d", h, nestedEndOneByteAtATime(raw))
	}
	return ""
}

// TestFirstNestedEnd: while fn runs, FirstNestedEnd says where the
// record's first nested value ends, from the splitter's own scan, for a
// record in an envelope or a stream of objects, in place or through the
// bufio.Reader, plain or gzip; it is 0 or exact for every record (one
// copied past the read window, a line of JSON Lines, one the cursor
// copied while it looked for an envelope key) and 0 after fn returns.
func TestFirstNestedEnd(t *testing.T) {
	recs := []string{
		`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","a":{"b":[1,2]}},"eventTime":"2024-01-01T00:00:00Z"}`,
		`{"x":"[{]}","y":[1,{"a":[]}],"z":{}}`,
		`{"x":"\"{[\\","userIdentity":{"a\\\"":"}\\"},"b":[]}`,
		`{"a":[[]],"b":{"c":1}}`,
		`{"a":{}}`,
		`{"a":1,"b":"{}"}`,
		`{}`,
		`{"pad":"` + strings.Repeat("p", 70) + `\\","x":{"a":"` + strings.Repeat("q", 70) + `"},"y":[{}]}`,
	}
	withNested := 0
	for _, r := range recs {
		if nestedEndOneByteAtATime([]byte(r)) > 0 {
			withNested++
		}
	}
	big := `{"big":{"a":"` + strings.Repeat("x", 300) + `"},"b":[1]}`
	bodies := []struct {
		body   string
		hinted int // records with a hint, at the full window
	}{
		{`{"Records":[` + strings.Join(recs, ",") + `]}`, withNested},
		{`{"records":[` + strings.Join(recs, ", \n") + `]}`, withNested},
		{"[" + strings.Join(recs, ",") + "]", withNested},
		{strings.Join(recs, "") + "\n", withNested},
		{"{\n \"p\": {\"q\": 1}\n}\n" + strings.Join(recs, "\n \n") + "\n", withNested + 1},
		{strings.Join(recs, "\n") + "\n", 0}, // JSON Lines: no scan
		{`{"Records":[` + big + `,` + recs[0] + `]}`, 2},
		{big + "\n" + big, 0},
		{big + big, 2},
		{`{"a":{"b":1},"Records":[` + recs[0] + `]}`, 1},
		{`{"a":{"b":1}, "x":1 "y"}` + recs[0], 2},
	}
	for i, c := range bodies {
		for _, zip := range []bool{false, true} {
			for _, place := range []bool{true, false} {
				for _, window := range []int{16, 64, 256 << 10} {
					func() {
						defer func(old bool, oldWindow int) { inPlace, fastWindow = old, oldWindow }(inPlace, fastWindow)
						inPlace, fastWindow = place, window
						b := []byte(c.body)
						if zip {
							b = gzipped(b)
						}
						d := NewDecoder(Limits{})
						hinted := 0
						_, err := d.DecodeUnchecked(bytes.NewReader(b), func(_ int, raw []byte) error {
							if note := hintNote(d, raw); note != "" {
								t.Fatalf("body %d zip %v in place %v window %d: record %q:%s", i, zip, place, window, raw, note)
							}
							if d.FirstNestedEnd() != 0 {
								hinted++
							}
							return nil
						})
						if err != nil {
							t.Fatalf("body %d: %v", i, err)
						}
						if d.FirstNestedEnd() != 0 {
							t.Fatalf("body %d: a hint after the last record", i)
						}
						if window == 256<<10 && hinted != c.hinted {
							t.Errorf("body %d zip %v in place %v: %d records with a hint, want %d", i, zip, place, hinted, c.hinted)
						}
					}()
				}
			}
		}
	}
}
