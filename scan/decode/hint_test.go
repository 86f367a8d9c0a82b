package decode

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/retrohunt/retrohunt/internal/jsonoracle"
)

// hintNote is what renderBuffered adds to a record whose hint is wrong:
// a hint is 0 (not known) or the oracle's, for raw as handed on.
func hintNote(d *Decoder, raw []byte) string {
	if h := d.FirstNestedEnd(); h != 0 && h != jsonoracle.NestedEnd(raw) {
		return fmt.Sprintf(" WRONG HINT %d, want %d", h, jsonoracle.NestedEnd(raw))
	}
	return ""
}

// TestFirstNestedEnd: while fn runs, FirstNestedEnd says where the
// record's first nested value ends, from the splitter's own scan, for a
// record in an envelope or a stream of objects, in place or through the
// bufio.Reader, plain or gzip; it is 0 or exact for every record (a line
// of JSON Lines, a malformed one) and 0 after fn returns. Each body lies
// whole in the first read, so the small windows copy nothing here:
// records copied past the window are TestFirstNestedEndCopied's, scans
// resumed after a refill TestFirstNestedEndShortReads'.
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
		if jsonoracle.NestedEnd([]byte(r)) > 0 {
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

// chunkReader returns at most the next size of its sizes per Read
// (cycling), so that the splitter's read buffer fills a little at a
// time and a record's scan resumes after each refill.
type chunkReader struct {
	r     io.Reader
	sizes []int
	n     int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	size := c.sizes[c.n%len(c.sizes)]
	c.n++
	return c.r.Read(p[:min(len(p), size)])
}

// TestFirstNestedEndShortReads: a record whose bytes come in over
// several reads (a streamed object, its scan resumed after each refill
// of the read buffer, the buffer's bytes moved to its front once it is
// full) gets the hint of its bytes as handed on, exactly as when they
// came in one read: every record with a nested value that lies in the
// read buffer has the one-byte-at-a-time oracle's hint, in an envelope
// and in a stream of objects, plain and gzip.
func TestFirstNestedEndShortReads(t *testing.T) {
	var recs []string
	for i := range 2500 {
		pad := strings.Repeat("p", i%97)
		switch i % 4 {
		case 0:
			recs = append(recs, fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","n":%d,"s":{"a":[1,{"b":"%s"}]}},"eventTime":"2024-01-01T00:00:00Z"}`, i, pad))
		case 1:
			recs = append(recs, fmt.Sprintf(`{"x":"%s\\\"{[","y":[%d,{"a":"]}"}],"z":{}}`, pad, i))
		case 2:
			recs = append(recs, fmt.Sprintf(`{"n":%d,"pad":"%s","a":{"b":"%s"},"c":[]}`, i, pad, strings.Repeat("q", 200-i%97)))
		default:
			recs = append(recs, fmt.Sprintf(`{"n":%d,"s":"%s"}`, i, pad))
		}
	}
	withNested := 0
	for _, r := range recs {
		if jsonoracle.NestedEnd([]byte(r)) > 0 {
			withNested++
		}
	}
	if withNested != 3*len(recs)/4 {
		t.Fatalf("%d of %d records have a nested value, want 3 in 4", withNested, len(recs))
	}
	bodies := []string{
		`{"Records":[` + strings.Join(recs, ",") + `]}`,
		"{\n \"p\": 1\n}\n" + strings.Join(recs, "\n"),
	}
	readers := map[string]func(io.Reader) io.Reader{
		"one byte": iotest.OneByteReader,
		"half":     iotest.HalfReader,
		"chunks":   func(r io.Reader) io.Reader { return &chunkReader{r: r, sizes: []int{1, 63, 64, 65, 7, 130, 4096, 33}} },
	}
	for i, body := range bodies {
		for _, zip := range []bool{false, true} {
			for name, short := range readers {
				b := []byte(body)
				if zip {
					b = gzipped(b)
				}
				d := NewDecoder(Limits{})
				hinted, records := 0, 0
				_, err := d.DecodeUnchecked(short(bytes.NewReader(b)), func(_ int, raw []byte) error {
					records++
					if note := hintNote(d, raw); note != "" {
						t.Fatalf("body %d zip %v %s reads: record %q:%s", i, zip, name, raw, note)
					}
					if d.FirstNestedEnd() != 0 {
						hinted++
					}
					return nil
				})
				if err != nil {
					t.Fatalf("body %d zip %v %s reads: %v", i, zip, name, err)
				}
				if records < len(recs) || hinted != withNested {
					t.Errorf("body %d zip %v %s reads: %d records, %d with a hint, want %d and %d", i, zip, name, records, hinted, len(recs), withNested)
				}
			}
		}
	}
}

// TestFirstNestedEndCopied: a record larger than the read buffer, copied
// out of it piece by piece, whose first nested value ends in a later
// piece than the first, is handed on with no hint or the oracle's (the
// scanner's positions there are the piece's, not the record's), in an
// envelope and in a stream, plain and gzip, read whole and in short
// reads.
func TestFirstNestedEndCopied(t *testing.T) {
	long := strings.Repeat("x", 300<<10)
	recs := []string{
		`{"a":"` + long + `","b":{"c":[1]},"d":[]}`,
		`{"a":["` + long + `",{"b":1}],"c":{}}`,
		`{"a":{"b":"` + long + `"},"c":[1]}`,
	}
	bodies := []string{
		`{"Records":[` + strings.Join(recs, ",") + `]}`,
		"{\n \"p\": 1\n}\n" + strings.Join(recs, "\n"),
	}
	for i, body := range bodies {
		for _, zip := range []bool{false, true} {
			for _, half := range []bool{false, true} {
				b := []byte(body)
				if zip {
					b = gzipped(b)
				}
				var r io.Reader = bytes.NewReader(b)
				if half {
					r = iotest.HalfReader(r)
				}
				d := NewDecoder(Limits{MaxRecordBytes: 1 << 20})
				records := 0
				_, err := d.DecodeUnchecked(r, func(_ int, raw []byte) error {
					records++
					if note := hintNote(d, raw); note != "" {
						t.Fatalf("body %d zip %v half %v: record %.40q…:%s", i, zip, half, raw, note)
					}
					return nil
				})
				if err != nil || records < len(recs) {
					t.Fatalf("body %d zip %v half %v: %d records, error %v", i, zip, half, records, err)
				}
			}
		}
	}
}
