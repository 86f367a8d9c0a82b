package sources

import (
	"context"
	"io"
	"sync"
)

// Limiter is one cap on requests in flight, shared by every Source it
// wraps: a scan of several archives, its lister and its download workers
// all draw from the same slots, so the cap means what --connections says.
//
// A slot covers one request only. An opened body holds its slot until it
// is closed, because the connection is busy until then. List and ListDirs
// hold a slot only while the store works, not while fn runs: fn may block
// (a lister waiting for download workers) or Open objects through the
// same Limiter without holding a slot the workers wait for.
type Limiter struct {
	sem chan struct{}
}

// NewLimiter returns a Limiter with n slots (at least 1).
func NewLimiter(n int) *Limiter {
	if n < 1 {
		n = 1
	}
	return &Limiter{sem: make(chan struct{}, n)}
}

// Wrap returns src with its requests counted against l.
func (l *Limiter) Wrap(src Source) Source { return &limited{Source: src, l: l} }

// Limit returns src with at most n requests in flight, on a Limiter of
// its own; n < 1 means src.Properties().Connections (at least 1).
func Limit(src Source, n int) Source {
	if n < 1 {
		n = src.Properties().Connections
	}
	return NewLimiter(n).Wrap(src)
}

func (l *Limiter) acquire(ctx context.Context) error {
	select {
	case l.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *Limiter) release() { <-l.sem }

// limited is a Source whose requests hold a slot of its Limiter.
type limited struct {
	Source
	l *Limiter
}

var _ Source = (*limited)(nil)

// Unwrap returns the wrapped Source.
func (s *limited) Unwrap() Source { return s.Source }

// Properties implements Source: the cap is what callers can count on.
func (s *limited) Properties() Properties { return Properties{Connections: cap(s.l.sem)} }

// List implements Source.
func (s *limited) List(ctx context.Context, prefix string, fn func(Object) error) error {
	return holdWhileListing(ctx, s.l, func(f func(Object) error) error { return s.Source.List(ctx, prefix, f) }, fn)
}

// ListDirs implements Source, with the same slot rule as List.
func (s *limited) ListDirs(ctx context.Context, prefix string, fn func(Entry) error) error {
	return holdWhileListing(ctx, s.l, func(f func(Entry) error) error { return s.Source.ListDirs(ctx, prefix, f) }, fn)
}

// holdWhileListing holds a slot while the store works on a listing, but
// not while fn runs: a lister that feeds download workers through the
// same Limiter would otherwise hold the slots they wait for.
func holdWhileListing[T any](ctx context.Context, l *Limiter, list func(func(T) error) error, fn func(T) error) error {
	if err := l.acquire(ctx); err != nil {
		return err
	}
	held := true
	defer func() {
		if held {
			l.release()
		}
	}()
	return list(func(v T) error {
		l.release()
		held = false
		if err := fn(v); err != nil {
			return err
		}
		if err := l.acquire(ctx); err != nil {
			return err
		}
		held = true
		return nil
	})
}

// Open implements Source. The slot is released when the body is closed.
func (s *limited) Open(ctx context.Context, o Object) (io.ReadCloser, error) {
	if err := s.l.acquire(ctx); err != nil {
		return nil, err
	}
	rc, err := s.Source.Open(ctx, o)
	if err != nil {
		s.l.release()
		return nil, err
	}
	return &slotBody{ReadCloser: rc, release: s.l.release}, nil
}

// slotBody gives back its limiter slot on the first Close.
type slotBody struct {
	io.ReadCloser
	once    sync.Once
	release func()
}

func (b *slotBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.release)
	return err
}
