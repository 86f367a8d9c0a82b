package scan

import (
	"bytes"
	"context"
	"testing"

	"github.com/retrohunt/retrohunt/bench/gen"
	"github.com/retrohunt/retrohunt/scan/sigma"
	"github.com/retrohunt/retrohunt/scan/udm"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/local"
)

// noiseRecords returns generated records that no rule of rs hits and that
// the prefilter passes over, and how many it let through as candidates.
func noiseRecords(t testing.TB, rs []*Rule) (noise [][]byte, candidates int) {
	t.Helper()
	root := t.TempDir()
	if _, _, err := gen.Generate(gen.Config{Days: 1, FilesPerDay: 4, RecordsPerFile: 100, AzureRecordsPerHour: 100}, gen.DirSink(root)); err != nil {
		t.Fatal(err)
	}
	chk := newFilter(rs).NewChecker()
	for _, rec := range seedRecords(t, root) {
		ev, err := udm.Map(rec)
		if err != nil {
			continue
		}
		var rec2 sigma.Record
		rec2.Reset(rec, ev.Type)
		hit := false
		for _, r := range rs {
			hit = hit || r.matches(ev, &rec2)
		}
		switch {
		case hit:
		case chk.Candidate(rec):
			candidates++
		default:
			noise = append(noise, rec)
		}
	}
	if len(noise) < 100 {
		t.Fatalf("only %d noise records", len(noise))
	}
	return noise, candidates
}

// TestFastPathAllocatesNothingPerRecord: a record no rule can match costs
// no allocation, in the prefilter or through the whole worker.
func TestFastPathAllocatesNothingPerRecord(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	// The built-in pack and Sigma rules (issue 13): one prefilter.
	rs := append(ruleSets(t)["pack"], parseSigma(t, "test.yml", testSigmaRules)...)
	noise, candidates := noiseRecords(t, rs)
	t.Logf("%d noise records, %d false candidates", len(noise), candidates)
	filter := newFilter(rs)
	chk := filter.NewChecker()
	if n := testing.AllocsPerRun(20, func() {
		for _, rec := range noise {
			chk.Candidate(rec)
		}
	}); n != 0 {
		t.Errorf("Checker.Candidate: %v allocations per run of %d records", n, len(noise))
	}

	// Through the worker: an object of 10 records and one of all of them,
	// JSON Lines and envelope, plain and gzip, cost the same allocations.
	src, err := local.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w := testWorker(rs, filter)
	perObject := func(body []byte) float64 {
		j := job{src: src, obj: sources.Object{Key: "obj.json", Size: int64(len(body))}}
		return testing.AllocsPerRun(10, func() {
			j.data = bytes.NewBuffer(body)
			res, err := w.object(context.Background(), j, &Summary{})
			if err != nil || len(res.Hits) > 0 {
				t.Fatalf("%v, %d hits", err, len(res.Hits))
			}
		})
	}
	shapes := map[string]func([][]byte) []byte{
		"lines": func(r [][]byte) []byte { return append(bytes.Join(r, []byte("\n")), '\n') },
		"envelope": func(r [][]byte) []byte {
			return append(append([]byte(`{"Records":[`), bytes.Join(r, []byte(","))...), "]}"...)
		},
	}
	for name, shape := range shapes {
		for _, zip := range []bool{false, true} {
			small, large := shape(noise[:10]), shape(noise)
			if zip {
				small, large = gzipBytes(small), gzipBytes(large)
			}
			a, b := perObject(small), perObject(large)
			if b > a {
				t.Errorf("%s (gzip %v): %v allocations for 10 records, %v for %d: %.3f per record",
					name, zip, a, b, len(noise), (b-a)/float64(len(noise)-10))
			}
		}
	}
}

// TestObjectAllocations: a buffered object whose records no rule can
// match costs the worker no allocation of its own (issue 17): the
// decoder's reader, the record sink and its callbacks are the worker's,
// reused from object to object, and the object's URI comes with the job
// from the lister, which has made it already. Only the ObjectResult's
// slices (none here) and the Summary the test makes are allocated.
func TestObjectAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	rs := ruleSets(t)["pack"]
	noise, _ := noiseRecords(t, rs)
	src, err := local.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, fast := range []bool{true, false} {
		filter := newFilter(rs)
		if !fast {
			filter = nil
		}
		w := testWorker(rs, filter)
		for _, zip := range []bool{false, true} {
			// CloudTrail's envelope.
			body := append(append([]byte(`{"Records":[`), bytes.Join(noise[:10], []byte(","))...), "]}"...)
			if zip {
				body = gzipBytes(body)
			}
			key := "obj.json"
			j := job{src: src, obj: sources.Object{Key: key, Size: int64(len(body))}, uri: src.URI(key)}
			buf := bytes.NewBuffer(body)
			sum := &Summary{}
			n := testing.AllocsPerRun(10, func() {
				j.data = buf
				res, err := w.object(context.Background(), j, sum)
				if err != nil || res.Status != ObjectScanned || len(res.Hits) > 0 {
					t.Fatalf("%v, %v, %d hits", err, res.Status, len(res.Hits))
				}
			})
			// The reference path maps every record: its allocations
			// are the records', not the object's.
			if fast && n != 0 {
				t.Errorf("gzip %v: %v allocations per object, want 0", zip, n)
			}
		}
	}
}
