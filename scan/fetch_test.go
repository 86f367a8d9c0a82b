package scan

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/retrohunt/retrohunt/internal/reqgate"
	"github.com/retrohunt/retrohunt/sources"
)

// flakyStore fails its Opens and bodies as scripted, and counts Opens.
type flakyStore struct {
	gatedStore
	openErr  func(n int64) error // the error of the nth Open (from 1), or nil
	breakOff func(n int64) bool  // whether the nth body breaks off half-way
	opens    atomic.Int64
}

var (
	errFlaky     = errors.New("503 slow down")
	errForbidden = errors.New("403 access denied")
	errReset     = errors.New("connection reset")
)

func (s *flakyStore) IsPermanent(err error) bool { return errors.Is(err, errForbidden) }

func (s *flakyStore) Open(ctx context.Context, o sources.Object) (io.ReadCloser, error) {
	n := s.opens.Add(1)
	if s.openErr != nil {
		if err := s.openErr(n); err != nil {
			return nil, err
		}
	}
	body := s.bodies[o.Key]
	if s.breakOff != nil && s.breakOff(n) {
		return io.NopCloser(io.MultiReader(bytes.NewReader(body[:len(body)/2]), errReader{errReset})), nil
	}
	return io.NopCloser(bytes.NewReader(body)), nil
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// TestDownloadRetriesBrokenBodiesOnly: the engine downloads a buffered
// object again only when its body broke off (or its GET timed out); an
// error the store answered with is the SDK retryer's to retry, so it
// costs one Open here, and the Opens of an object never exceed attempts.
func TestDownloadRetriesBrokenBodiesOnly(t *testing.T) {
	body := []byte(strings.Repeat("x", 100))
	always := func(err error) func(int64) error { return func(int64) error { return err } }
	f := func(name string, openErr func(int64) error, breakOff func(int64) bool, wantOpens int64, wantErr error) {
		t.Helper()
		s := &flakyStore{gatedStore: *newGatedStore(reqgate.New(1), 1), openErr: openErr, breakOff: breakOff}
		s.add("k", body)
		var buf bytes.Buffer
		err := download(context.Background(), job{src: s, obj: s.objects[0]}, &buf, 3)
		if !errors.Is(err, wantErr) || (wantErr == nil) != (err == nil) {
			t.Errorf("%s: error %v, want %v", name, err, wantErr)
		}
		if got := s.opens.Load(); got != wantOpens {
			t.Errorf("%s: %d Opens, want %d", name, got, wantOpens)
		}
		if err == nil && !bytes.Equal(buf.Bytes(), body) {
			t.Errorf("%s: downloaded %d bytes, want the %d of the object", name, buf.Len(), len(body))
		}
	}
	f("clean", nil, nil, 1, nil)
	f("store error", always(errFlaky), nil, 1, errFlaky)
	f("permanent", always(errForbidden), nil, 1, errForbidden)
	f("broken once", nil, func(n int64) bool { return n == 1 }, 2, nil)
	f("always broken", nil, func(int64) bool { return true }, 3, errReset)
	f("timed out once", func(n int64) error {
		if n == 1 {
			return context.DeadlineExceeded
		}
		return nil
	}, nil, 2, nil)
	f("broken, then a store error", func(n int64) error {
		if n > 1 {
			return errFlaky
		}
		return nil
	}, func(int64) bool { return true }, 2, errFlaky)
}
