package sources

import (
	"context"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeSource serves the wrapper tests; the real stores are tested by the
// conformance suite in sourcetest. A request is in flight while a listing
// fetches its page (not while fn runs) and while an opened body is open.
type fakeSource struct {
	keys  []string
	conns int
	gate  *gate // nil: requests never wait
}

func (f *fakeSource) Location() string      { return "fake://" }
func (f *fakeSource) URI(key string) string { return "fake://" + key }

// page stands for fetching one page of a listing.
func (f *fakeSource) page() {
	f.gate.enter()
	f.gate.leave()
}

func (f *fakeSource) List(ctx context.Context, prefix string, fn func(Object) error) error {
	f.page()
	for _, k := range f.keys {
		if err := fn(Object{Key: prefix + k}); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeSource) ListDirs(ctx context.Context, prefix string, fn func(string) error) error {
	f.page()
	for _, k := range f.keys {
		if err := fn(prefix + k + "/"); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeSource) Open(ctx context.Context, o Object) (io.ReadCloser, error) {
	f.gate.enter()
	return &fakeBody{Reader: strings.NewReader(o.Key), g: f.gate}, nil
}

type fakeBody struct {
	io.Reader
	g *gate
}

func (b *fakeBody) Close() error { b.g.leave(); return nil }

func (f *fakeSource) IsNotExist(err error) bool  { return false }
func (f *fakeSource) IsPermanent(err error) bool { return false }
func (f *fakeSource) Properties() Properties     { return Properties{Connections: f.conns} }

// gate counts requests in flight, keeps their maximum, and holds every
// request until want of them are in flight at once; from then on requests
// pass. A cap that serialises requests never opens the gate. A nil gate
// counts nothing.
type gate struct {
	want     int64
	inFlight atomic.Int64
	max      atomic.Int64
	once     sync.Once
	open     chan struct{}
}

func newGate(want int) *gate { return &gate{want: int64(want), open: make(chan struct{})} }

func (g *gate) enter() {
	if g == nil {
		return
	}
	n := g.inFlight.Add(1)
	for m := g.max.Load(); n > m && !g.max.CompareAndSwap(m, n); m = g.max.Load() {
	}
	if n >= g.want {
		g.once.Do(func() { close(g.open) })
	}
	<-g.open
}

func (g *gate) leave() {
	if g != nil {
		g.inFlight.Add(-1)
	}
}

// watch fails t when the gate has not opened after a minute: a cap that
// serialises requests would otherwise hang the test until go test's
// -timeout. It only turns a hang into a failure; a passing run never
// waits for it.
func (g *gate) watch(t *testing.T) (stop func()) {
	done := make(chan struct{})
	go func() {
		select {
		case <-g.open:
		case <-done:
		case <-time.After(time.Minute):
			t.Errorf("requests never reached %d in flight at once (at most %d)", g.want, g.max.Load())
			g.once.Do(func() { close(g.open) })
		}
	}()
	return func() { close(done) }
}
