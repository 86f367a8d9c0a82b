// Package reqgate is test support for request caps: a Gate counts the
// requests a fake store has in flight, keeps their maximum, and can hold
// requests until a wanted number are in flight at once. A cap that
// serialises requests, or a caller that holds a slot while it waits on
// something else, never opens the gate; so a test can prove both that a
// cap is never exceeded and that it is reached, without timing.
package reqgate

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Gate is safe for concurrent use. A nil *Gate counts nothing and holds
// nothing.
type Gate struct {
	want     int64
	inFlight atomic.Int64
	max      atomic.Int64
	once     sync.Once
	open     chan struct{}
}

// New returns a Gate that opens once want requests are in flight at once.
func New(want int) *Gate { return &Gate{want: int64(want), open: make(chan struct{})} }

// Enter counts one request in. With hold, it waits until the gate is
// open; from then on nothing waits.
func (g *Gate) Enter(hold bool) {
	if g == nil {
		return
	}
	n := g.inFlight.Add(1)
	for m := g.max.Load(); n > m && !g.max.CompareAndSwap(m, n); m = g.max.Load() {
	}
	if n >= g.want {
		g.once.Do(func() { close(g.open) })
	}
	if hold {
		<-g.open
	}
}

// Leave counts one request out.
func (g *Gate) Leave() {
	if g != nil {
		g.inFlight.Add(-1)
	}
}

// Max is the most requests that were in flight at once.
func (g *Gate) Max() int64 { return g.max.Load() }

// Watch fails t when the gate has not opened after a minute, and opens it
// then, so that a cap that never reaches want fails the test instead of
// hanging until go test's -timeout. A passing run never waits for it;
// call the returned stop when the test is done.
func (g *Gate) Watch(t testing.TB) (stop func()) {
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
