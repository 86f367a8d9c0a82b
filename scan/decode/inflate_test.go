package decode

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// onlyReader hides a bytes.Reader's type: Decode streams it.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// decodeRender renders what Decode hands on and reports for body, read
// buffered (a *bytes.Reader: decompressed whole) or streamed (through
// klauspost's gzip reader, as before issue 17).
func decodeRender(body []byte, l Limits, buffered, unchecked bool) string {
	var b strings.Builder
	d := NewDecoder(l)
	fn := func(i int, raw []byte) error {
		fmt.Fprintf(&b, "record %d %q\n", i, raw)
		return nil
	}
	var r io.Reader = bytes.NewReader(body)
	if !buffered {
		r = onlyReader{r}
	}
	decodeFn := d.Decode
	if unchecked {
		decodeFn = d.DecodeUnchecked
	}
	res, err := decodeFn(r, fn)
	if err != nil {
		// What was read before the damage depends on buffering.
		res.Bytes = -1
	}
	classes := ""
	for _, c := range []error{ErrTruncatedGzip, ErrCorruptGzip, ErrTooLarge, ErrTruncatedJSON, ErrEnvelope, ErrNotJSON} {
		if errors.Is(err, c) {
			classes += "[" + c.Error() + "]"
		}
	}
	fmt.Fprintf(&b, "result %+v\nerror classes %s (%v)\n", res, classes, err != nil)
	return b.String()
}

// TestIssue17WholeMatchesStreamed: a buffered gzip object, now
// decompressed whole, gives the records, result and error classes the
// streamed one gives (klauspost's reader): sound objects single and
// multi-member, every cut of one, random damage, and the size limit at
// several places.
func TestIssue17WholeMatchesStreamed(t *testing.T) {
	var recs []string
	for i := range 40 {
		recs = append(recs, fmt.Sprintf(`{"eventName":"StartSession","n":%d,"pad":"%s"}`, i, strings.Repeat("x", i*7)))
	}
	envelope := []byte(`{"Records":[` + strings.Join(recs, ",") + `]}`)
	lines := []byte(strings.Join(recs, "\n") + "\n")
	objects := [][]byte{
		gzipped(envelope), gzipped(lines),
		append(gzipped(envelope), gzipped(lines)...),
		append(gzipped(lines[:100]), gzipped(lines[100:])...), // a record across members
		gzipped(nil),
	}
	check := func(name string, body []byte, l Limits) {
		t.Helper()
		for _, unchecked := range []bool{false, true} {
			whole, streamed := decodeRender(body, l, true, unchecked), decodeRender(body, l, false, unchecked)
			if whole != streamed {
				t.Fatalf("%s (unchecked %v): buffered\n%s\nstreamed\n%s", name, unchecked, whole, streamed)
			}
		}
	}
	rng := rand.New(rand.NewPCG(17, 1))
	for i, o := range objects {
		check(fmt.Sprintf("object %d", i), o, Limits{})
		for _, limit := range []int64{1, 100, int64(len(envelope)) - 1, int64(len(envelope)), int64(len(envelope)) + 1} {
			check(fmt.Sprintf("object %d, limit %d", i, limit), o, Limits{MaxObjectBytes: limit})
		}
		for n := range len(o) {
			check(fmt.Sprintf("object %d cut at %d", i, n), o[:n], Limits{})
		}
		for range 200 {
			m := append([]byte(nil), o...)
			bit := rng.IntN(len(m) * 8)
			m[bit/8] ^= 1 << (bit % 8)
			check(fmt.Sprintf("object %d, bit %d flipped", i, bit), m, Limits{})
		}
	}
}

// TestIssue17LargeObjectsStream: an object whose ISIZE says more than
// wholeMax streams; one whose ISIZE lies (says 100 bytes, holds more
// than wholeMax) is streamed from its start once the output passes
// wholeMax. Both hand on every record, as streamed.
func TestIssue17LargeObjectsStream(t *testing.T) {
	rec := `{"eventName":"StartSession","pad":"` + strings.Repeat("y", 200) + `"}` + "\n"
	n := wholeMax/len(rec) + 10
	body := gzipped([]byte(strings.Repeat(rec, n)))
	liar := append([]byte(nil), body...)
	binary.LittleEndian.PutUint32(liar[len(liar)-4:], 100)
	for name, o := range map[string][]byte{"large": body, "lying ISIZE": liar} {
		d := NewDecoder(Limits{})
		records := 0
		res, err := d.DecodeUnchecked(bytes.NewReader(o), func(int, []byte) error { records++; return nil })
		wantErr := name == "lying ISIZE" // the stream's trailer is wrong: corrupt, at its end
		if records != n || (err != nil) != wantErr || wantErr && !errors.Is(err, ErrCorruptGzip) {
			t.Errorf("%s: %d records of %d, err %v", name, records, n, err)
		}
		if res.Bytes != int64(n*len(rec)) {
			t.Errorf("%s: %d bytes read, want %d", name, res.Bytes, n*len(rec))
		}
		if cap(d.whole) > wholeMax {
			t.Errorf("%s: the whole buffer grew to %d, past %d", name, cap(d.whole), wholeMax)
		}
	}
}

// TestIssue17BufferedGzipAllocatesNothing: decoding a buffered gzip
// object allocates nothing once the decoder has seen one (klauspost's
// reader, reset per object, allocated on every one).
func TestIssue17BufferedGzipAllocatesNothing(t *testing.T) {
	var recs []string
	for i := range 200 {
		recs = append(recs, fmt.Sprintf(`{"eventName":"DescribeInstances","n":%d}`, i))
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, 6)
	zw.Write([]byte(`{"Records":[` + strings.Join(recs, ",") + `]}`))
	zw.Close()
	body := buf.Bytes()
	d := NewDecoder(Limits{})
	records := 0
	fn := func(int, []byte) error { records++; return nil }
	r := bytes.NewReader(body)
	allocs := testing.AllocsPerRun(50, func() {
		r.Reset(body)
		if _, err := d.DecodeUnchecked(r, fn); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per object, want 0", allocs)
	}
}
