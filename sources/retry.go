package sources

import (
	"context"
	"fmt"
	"io"
	"time"
)

// retrying retries failed requests with backoff while the Source says a
// retry can help. SDK clients retry single HTTP requests already; this
// layer also covers failures the SDKs leave to the caller (a dropped
// connection before the first byte, a per-GET timeout).
type retrying struct {
	Source
	attempts int
	backoff  func(i int) time.Duration
}

var _ Source = (*retrying)(nil)

// Retry returns src with failed requests retried up to attempts times in
// all (attempts < 1 means 3), sleeping backoff(i) before retry i (i
// starts at 0; nil means DefaultBackoff). It stops early when
// src.IsPermanent(err) or ctx is done. List and ListDirs are retried only
// while nothing was passed to fn yet, so fn never sees an entry twice.
func Retry(src Source, attempts int, backoff func(i int) time.Duration) Source {
	if attempts < 1 {
		attempts = 3
	}
	if backoff == nil {
		backoff = DefaultBackoff
	}
	return &retrying{Source: src, attempts: attempts, backoff: backoff}
}

// DefaultBackoff doubles from 250ms up to 8s.
func DefaultBackoff(i int) time.Duration {
	if i > 5 {
		i = 5
	}
	return 250 * time.Millisecond << i
}

// Unwrap returns the wrapped Source.
func (r *retrying) Unwrap() Source { return r.Source }

// do runs op until it succeeds, fails permanently, may not be repeated
// (again returns false) or runs out of attempts.
func (r *retrying) do(ctx context.Context, op func() error, again func() bool) error {
	for i := 0; ; i++ {
		err := op()
		if err == nil {
			return nil
		}
		if i+1 >= r.attempts || r.Source.IsPermanent(err) || ctx.Err() != nil || !again() {
			if i > 0 {
				return fmt.Errorf("giving up after %d attempts: %w", i+1, err)
			}
			return err
		}
		t := time.NewTimer(r.backoff(i))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return err
		}
	}
}

// List implements Source.
func (r *retrying) List(ctx context.Context, prefix string, fn func(Object) error) error {
	passed := false
	return r.do(ctx, func() error {
		return r.Source.List(ctx, prefix, func(o Object) error {
			passed = true
			return fn(o)
		})
	}, func() bool { return !passed })
}

// ListDirs implements Source.
func (r *retrying) ListDirs(ctx context.Context, prefix string, fn func(string) error) error {
	passed := false
	return r.do(ctx, func() error {
		return r.Source.ListDirs(ctx, prefix, func(dir string) error {
			passed = true
			return fn(dir)
		})
	}, func() bool { return !passed })
}

// Open implements Source. Only opening is retried: a body that fails
// half-way is the caller's to report, since part of it was consumed.
func (r *retrying) Open(ctx context.Context, o Object) (io.ReadCloser, error) {
	var rc io.ReadCloser
	err := r.do(ctx, func() error {
		var err error
		rc, err = r.Source.Open(ctx, o)
		return err
	}, func() bool { return true })
	return rc, err
}
