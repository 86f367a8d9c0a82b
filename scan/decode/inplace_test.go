package decode

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"unsafe"
)

// within reports whether raw lies inside buf's backing array.
func within(raw, buf []byte) bool {
	if len(raw) == 0 || cap(buf) == 0 {
		return false
	}
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(buf[:1])))
	p := uintptr(unsafe.Pointer(unsafe.SliceData(raw)))
	return lo <= p && p+uintptr(len(raw)) <= lo+uintptr(cap(buf))
}

// TestSplitInPlace: the records of a buffered object are handed on
// from the buffer the object is in (the gzip object's decompressed
// output, the plain object's own bytes), not from a copy in a read
// buffer.
func TestSplitInPlace(t *testing.T) {
	var recs []string
	for i := range 50 {
		recs = append(recs, fmt.Sprintf(`{"eventName":"StartSession","n":%d}`, i))
	}
	envelope := []byte(`{"Records":[` + strings.Join(recs, ",") + `]}`)
	lines := []byte(strings.Join(recs, "\n") + "\n")
	for _, body := range [][]byte{envelope, lines} {
		for _, zip := range []bool{false, true} {
			b := body
			if zip {
				b = gzipped(body)
			}
			d := NewDecoder(Limits{})
			records, inPlace := 0, 0
			res, err := d.DecodeUnchecked(bytes.NewReader(b), func(_ int, raw []byte) error {
				records++
				if zip && within(raw, d.whole) || !zip && within(raw, b) {
					inPlace++
				}
				return nil
			})
			if err != nil || records != len(recs) || res.Bytes != int64(len(body)) {
				t.Fatalf("zip %v: %d records, %d bytes, err %v", zip, records, res.Bytes, err)
			}
			if inPlace != records {
				t.Errorf("zip %v: %d of %d records handed on from the object's buffer", zip, inPlace, records)
			}
		}
	}
}

// renderBuffered renders what DecodeUnchecked hands on and reports for
// a buffered body, split in place or through the bufio.Reader, with the
// given read window; Bytes is kept even after an error: in place, the
// splitter reads as far as through the bufio.Reader. A record whose
// hint (FirstNestedEnd) is wrong is marked "WRONG HINT".
func renderBuffered(body []byte, l Limits, window int, place bool) string {
	defer func(old bool, oldWindow int) { inPlace, fastWindow = old, oldWindow }(inPlace, fastWindow)
	inPlace, fastWindow = place, window
	var b strings.Builder
	d := NewDecoder(l)
	r := bytes.NewReader(body)
	res, err := d.DecodeUnchecked(r, func(i int, raw []byte) error {
		fmt.Fprintf(&b, "record %d %q%s\n", i, raw, hintNote(d, raw))
		if bytes.Contains(raw, []byte("stop")) {
			return io.ErrShortWrite // fn's error ends the object
		}
		return nil
	})
	classes := ""
	for _, c := range []error{ErrTruncatedGzip, ErrCorruptGzip, ErrTooLarge, ErrTruncatedJSON, ErrEnvelope, ErrNotJSON, io.ErrShortWrite} {
		if errors.Is(err, c) {
			classes += "[" + c.Error() + "]"
		}
	}
	fmt.Fprintf(&b, "result %+v\nerror %v %s\nreader at %d\n", res, err, classes, r.Len())
	return b.String()
}

// TestSplitInPlaceMatchesBufio: splitting a buffered object in place
// hands on the records, skips, formats, errors and read byte counts
// that splitting it through the 256 KiB bufio.Reader gives, plain and
// gzip, at the size limit, with small windows and records longer than
// the read buffer (the copying paths).
func TestSplitInPlaceMatchesBufio(t *testing.T) {
	big := `{"a":"` + strings.Repeat("x", 300) + `"}`
	huge := `{"a":"` + strings.Repeat(`y\"`, 100<<10) + `"}`
	var many []string
	for i := range 3000 {
		many = append(many, fmt.Sprintf(`{"eventName":"E%d","pad":"%s"}`, i, strings.Repeat("p", i%200)))
	}
	bodies := []string{
		`{"Records":[{"a":1},{"b":[1,2,{"c":"]"}]}]}`,
		"{\"a\":1}\n{\"b\":2}\n{\"c\":",
		"{\n \"a\": 1\n}\n",
		`[{"a":1},{"b":"\\\"}"}]`,
		`{"records":[{"time":"x"},,{"y":[[[[[[1]]]]]]}]}`,
		"",
		"  \n ",
		"\xef\xbb\xbf" + `{"Records":[{"a":1}]}`,
		`{"Records":[{"a":1}]}{"Records":[{"b":2},{"c":3}]}`,
		`{"Records":[{"a":1}],"x":[1,2],"Records":[{"b":2}]}`,
		`{"a":1 "Records":[{"b":2}]}{"c":3}`,
		`{"Records":[{"a":1}],"x":`,
		`{"Records":[{"a":1}]}junk{"b":2}`,
		`{"Records":[{"a":1},{"stop":1},{"b":2}]}`,
		`{"Records":[` + big + `,` + big + `]}`,
		big + "\n" + big + "\n{\"x\":1",
		big + big + `{"a":1}`,
		huge + "\n" + `{"b":1}` + "\n" + huge,
		huge + "\n" + `{"b":1}` + "\n" + huge[:1000],
		`{"Records":[` + huge + `,{"b":1},` + huge + `]}`,
		`{"x":` + huge + `,"Records":[{"a":1}]}`,
		huge,
		huge[:len(huge)-1],
		`{"Records":[` + strings.Join(many, ",") + `]}`,
		strings.Join(many, "\n") + "\n",
		strings.Join(many, "\n"),
		strings.Join(many, "\n")[:200000],
	}
	for i, body := range bodies {
		for _, zip := range []bool{false, true} {
			b := []byte(body)
			if zip {
				b = gzipped(b)
			}
			limits := []Limits{{}, {MaxRecordBytes: 100, MaxDepth: 4}, {MaxRecordBytes: 300 << 10}}
			for _, max := range []int{1, 50, len(body) - 1, len(body), len(body) + 1, 256 << 10, 256<<10 + 1} {
				if max > 0 {
					limits = append(limits, Limits{MaxObjectBytes: int64(max)})
				}
			}
			for _, l := range limits {
				for _, window := range []int{16, 64, 256 << 10} {
					if a, b := renderBuffered(b, l, window, true), renderBuffered(b, l, window, false); a != b || strings.Contains(a, "WRONG HINT") {
						t.Fatalf("body %d (zip %v, limits %+v, window %d):\nin place:\n%.3000s\nthrough bufio:\n%.3000s", i, zip, l, window, a, b)
					}
				}
			}
		}
	}
}

// FuzzSplitInPlace: any buffered body, plain or gzip, splits in place as
// it does through the bufio.Reader.
func FuzzSplitInPlace(f *testing.F) {
	for _, s := range splitSeeds {
		f.Add([]byte(s), false, uint8(0), uint16(0))
		f.Add([]byte(s), true, uint8(3), uint16(20))
	}
	f.Fuzz(func(t *testing.T, body []byte, zip bool, small uint8, max uint16) {
		if zip {
			body = gzipped(body)
		}
		l := Limits{MaxObjectBytes: 1 << 20, MaxRecordBytes: 1 << 16, MaxDepth: 64}
		if small&1 != 0 {
			l = Limits{MaxObjectBytes: 1 << 20, MaxRecordBytes: 40, MaxDepth: 3}
		}
		if max != 0 {
			l.MaxObjectBytes = int64(max)
		}
		window := 256 << 10
		if small&2 != 0 {
			window = 16
		}
		if a, b := renderBuffered(body, l, window, true), renderBuffered(body, l, window, false); a != b || strings.Contains(a, "WRONG HINT") {
			t.Fatalf("in place:\n%s\nthrough bufio:\n%s", a, b)
		}
	})
}
