package sources

import (
	"context"
	"io"
	"sync"
)

// limited caps the requests a Source has in flight, so that many workers
// can share one Source without opening more connections than the store
// serves well.
type limited struct {
	Source
	sem chan struct{}
}

var _ Source = (*limited)(nil)

// Limit returns src with at most n requests in flight; n < 1 means
// src.Properties().Connections (at least 1). An opened body holds its slot
// until it is closed, because the connection is busy until then.
//
// List and ListDirs hold a slot only while src works, not while fn runs:
// fn may Open objects through the same limiter (as a lister feeding
// download workers does) without deadlocking when all slots are taken.
func Limit(src Source, n int) Source {
	if n < 1 {
		n = src.Properties().Connections
	}
	if n < 1 {
		n = 1
	}
	return &limited{Source: src, sem: make(chan struct{}, n)}
}

// Unwrap returns the wrapped Source.
func (l *limited) Unwrap() Source { return l.Source }

func (l *limited) acquire(ctx context.Context) error {
	select {
	case l.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *limited) release() { <-l.sem }

// Properties implements Source: the cap is what callers can count on.
func (l *limited) Properties() Properties { return Properties{Connections: cap(l.sem)} }

// List implements Source.
func (l *limited) List(ctx context.Context, prefix string, fn func(Object) error) error {
	return holdWhileListing(ctx, l, func(f func(Object) error) error { return l.Source.List(ctx, prefix, f) }, fn)
}

// ListDirs implements Source, with the same slot rule as List.
func (l *limited) ListDirs(ctx context.Context, prefix string, fn func(string) error) error {
	return holdWhileListing(ctx, l, func(f func(string) error) error { return l.Source.ListDirs(ctx, prefix, f) }, fn)
}

// holdWhileListing holds a slot while the store works on a listing, but
// not while fn runs: a lister that feeds download workers through the
// same limiter would otherwise hold the slots they wait for.
func holdWhileListing[T any](ctx context.Context, l *limited, list func(func(T) error) error, fn func(T) error) error {
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
func (l *limited) Open(ctx context.Context, o Object) (io.ReadCloser, error) {
	if err := l.acquire(ctx); err != nil {
		return nil, err
	}
	rc, err := l.Source.Open(ctx, o)
	if err != nil {
		l.release()
		return nil, err
	}
	return &slotBody{ReadCloser: rc, release: l.release}, nil
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
