package structure

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/retrohunt/retrohunt/bench/gen"
)

// BenchmarkScan measures the structure scan as the splitter runs it, one
// Scan per record, on the CloudTrail records of a generated corpus
// (bench/gen, shapes from the public samples), about 1 MB of them one
// after another in one buffer, as the splitter finds them in an
// envelope; the baseline is encoding/json's json.Valid on the same
// records as one array.
func BenchmarkScan(b *testing.B) {
	buf, starts := genRecords(b, 1<<20)
	b.Run("Scan", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(buf)))
		for b.Loop() {
			for _, i := range starts {
				s := Scanner{MaxDepth: 512}
				if s.Scan(buf, i) < 0 {
					b.Fatal("no end")
				}
			}
		}
	})
	buf[len(buf)-1] = ']' // the records as one JSON array
	b.Run("baseline-json.Valid", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(buf)))
		for b.Loop() {
			if !json.Valid(buf) {
				b.Fatal("not JSON")
			}
		}
	})
}

// genRecords returns CloudTrail records of a generated corpus one after
// another, comma-separated, about size bytes of them, and where each
// starts.
func genRecords(tb testing.TB, size int) ([]byte, []int) {
	objs, err := gen.CloudTrailObjects(gen.Config{Days: 1, FilesPerDay: 2, RecordsPerFile: 100, AzureRecordsPerHour: -1})
	if err != nil {
		tb.Fatal(err)
	}
	buf := []byte{'['}
	var starts []int
	for _, o := range objs {
		zr, err := gzip.NewReader(bytes.NewReader(o.Body))
		if err != nil {
			tb.Fatal(err)
		}
		body, err := io.ReadAll(zr)
		if err != nil {
			tb.Fatal(err)
		}
		var env struct{ Records []json.RawMessage }
		if json.Unmarshal(body, &env) != nil {
			continue
		}
		for _, r := range env.Records {
			starts = append(starts, len(buf))
			buf = append(buf, r...)
			buf = append(buf, ',')
			if len(buf) > size {
				return buf, starts
			}
		}
	}
	return buf, starts
}
