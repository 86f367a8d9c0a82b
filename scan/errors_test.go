package scan

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/retrohunt/retrohunt/scan/decode"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/local"
)

// failingOpens is a store whose every download fails permanently.
type failingOpens struct{ *local.Source }

var errRefused = errors.New("the store refuses")

func (failingOpens) Open(context.Context, sources.Object) (io.ReadCloser, error) {
	return nil, errRefused
}
func (failingOpens) IsPermanent(err error) bool { return errors.Is(err, errRefused) }

// failures are real damaged objects, each with the class the summary
// must count it under (the names of docs/failure-modes.md).
func failures(t *testing.T) map[string]struct {
	body  []byte
	class string
} {
	records := []byte(`{"Records":[{"eventVersion":"1.08","eventSource":"s3.amazonaws.com"},{"eventVersion":"1.08","eventSource":"iam.amazonaws.com"}]}`)
	gz := gzipBytes(records)
	// The deflate data begins at byte 10 (RFC 1952, no optional header
	// fields) with a block header; 0xff there is the reserved block
	// type 11 (RFC 1951 §3.2.3), which no decoder accepts.
	corrupt := append([]byte(nil), gz...)
	corrupt[10] = 0xff
	// Compressed noise decompresses past the object limit below.
	var big bytes.Buffer
	zw := gzip.NewWriter(&big)
	zw.Write([]byte(`{"Records":[`))
	zw.Write(bytes.Repeat([]byte(" "), 2<<20))
	zw.Close()
	return map[string]struct {
		body  []byte
		class string
	}{
		"truncated.json.gz": {gz[:len(gz)-6], "truncated gzip"},
		"corrupt.json.gz":   {corrupt, "corrupt gzip"},
		"header.json.gz":    {[]byte("\x1f\x8bcorrupt"), "corrupt gzip"}, // a header cut short
		"cut.json":          {records[:40], "truncated JSON"},
		"envelope.json":     {[]byte(`{"Records":{"eventVersion":"1.08"}}`), "broken envelope"},
		"comma.json":        {[]byte(`{"Records":[{"a":1} {"b":2}]}`), "broken envelope"},
		"text.json":         {[]byte("hello, this is not JSON\n"), "not JSON"},
		"bomb.json.gz":      {big.Bytes(), "decompressed size limit"},
	}
}

// TestReasonClasses builds each kind of damage for real, scans it and
// checks the class the summary counts it under.
func TestReasonClasses(t *testing.T) {
	dir := t.TempDir()
	want := map[string]int64{}
	all := failures(t)
	for name, f := range all {
		if err := os.WriteFile(filepath.Join(dir, name), f.body, 0o600); err != nil {
			t.Fatal(err)
		}
		want["object failed: "+f.class]++
	}
	src, err := local.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Workers: 1, Limits: decode.Limits{MaxObjectBytes: 1 << 20}}
	check := func(src sources.Source, want map[string]int64) {
		t.Helper()
		sum, err := Run(context.Background(), cfg, []Target{{Source: src}}, &collect{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for r, n := range sum.SkipReasons {
			got[r] = n
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("reasons %v, want %v (failures %v)", got, want, sum.Failures)
		}
	}
	check(src, want)
	check(failingOpens{src}, map[string]int64{"object failed: download failed": int64(len(all))})
}

// TestReasonClassesSurviveRewording wraps each real failure once more, as
// a caller rewording the message would, and checks the class stays.
func TestReasonClassesSurviveRewording(t *testing.T) {
	d := decode.NewDecoder(decode.Limits{MaxObjectBytes: 1 << 20})
	for name, f := range failures(t) {
		for _, decodeFn := range []func(io.Reader, func(int, []byte) error) (decode.Result, error){d.Decode, d.DecodeUnchecked} {
			_, err := decodeFn(bytes.NewReader(f.body), func(int, []byte) error { return nil })
			if err == nil {
				t.Fatalf("%s: no error", name)
			}
			for _, e := range []error{err, fmt.Errorf("x: %w", err), fmt.Errorf("object %s: %w", name, fmt.Errorf("x: %w", err))} {
				if got := reasonClass(e); got != f.class {
					t.Errorf("%s: %q is %q, want %q", name, e, got, f.class)
				}
			}
		}
	}
	dl := error(&DownloadError{Attempts: 3, Err: errRefused})
	for _, e := range []error{dl, fmt.Errorf("x: %w", dl)} {
		if got := reasonClass(e); got != "download failed" {
			t.Errorf("%q is %q, want download failed", e, got)
		}
	}
	// Text alone no longer classifies.
	if got := reasonClass(errors.New("download: corrupt gzip: envelope breaks off")); got != "read error" {
		t.Errorf("an unclassed error is %q, want read error", got)
	}
}
