package sources

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"sync/atomic"
)

// fakeSource scripts failures for the wrapper tests; the real stores are
// tested by the conformance suite in sourcetest.
type fakeSource struct {
	keys  []string
	conns int

	mu       sync.Mutex
	failures []error // returned, in order, by the next requests
	calls    atomic.Int64
	inFlight atomic.Int64
	maxSeen  atomic.Int64
	hold     chan struct{} // when set, requests wait on it while in flight
}

var errTransient = errors.New("transient")
var errPermanent = errors.New("permanent")

func (f *fakeSource) next() error {
	f.calls.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.failures) == 0 {
		return nil
	}
	err := f.failures[0]
	f.failures = f.failures[1:]
	return err
}

func (f *fakeSource) enter() {
	n := f.inFlight.Add(1)
	for {
		m := f.maxSeen.Load()
		if n <= m || f.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	if f.hold != nil {
		<-f.hold
	}
}

func (f *fakeSource) leave() { f.inFlight.Add(-1) }

func (f *fakeSource) Location() string      { return "fake://" }
func (f *fakeSource) URI(key string) string { return "fake://" + key }

func (f *fakeSource) List(ctx context.Context, prefix string, fn func(Object) error) error {
	f.enter()
	defer f.leave()
	for i, k := range f.keys {
		if i == 1 {
			if err := f.next(); err != nil {
				return err
			}
		}
		if err := fn(Object{Key: k}); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeSource) ListDirs(ctx context.Context, prefix string, fn func(string) error) error {
	f.enter()
	defer f.leave()
	if err := f.next(); err != nil {
		return err
	}
	for _, k := range f.keys {
		if err := fn(k + "/"); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeSource) Open(ctx context.Context, o Object) (io.ReadCloser, error) {
	if err := f.next(); err != nil {
		return nil, err
	}
	f.enter()
	return &fakeBody{Reader: strings.NewReader(o.Key), f: f}, nil
}

type fakeBody struct {
	io.Reader
	f *fakeSource
}

func (b *fakeBody) Close() error { b.f.leave(); return nil }

func (f *fakeSource) IsNotExist(err error) bool  { return false }
func (f *fakeSource) IsPermanent(err error) bool { return errors.Is(err, errPermanent) }
func (f *fakeSource) Properties() Properties     { return Properties{Connections: f.conns} }
