// Package sweeptest helps test sweeps: stores that die at a chosen
// write, so that a kill test can enumerate every point where a sweep can
// be killed instead of sleeping for a random time and hoping to land in
// each, and the stores of the loopback test servers.
package sweeptest

import (
	"context"
	"errors"
	"io"
	"sync"

	"github.com/retrohunt/retrohunt/sources"
)

// ErrKilled is what a store of a dead Killer answers.
var ErrKilled = errors.New("killed")

// Killer kills a sweep at its At-th write (Put, counted from 1 across
// every store it wraps; 0: never): before the write reaches the store
// or, with After, once it landed but before its caller hears the
// answer. From then on every request of its stores fails with
// ErrKilled, as a killed process makes none. Writes already in flight
// land, as an upload of a killed process can.
//
// With Kill set, the Killer calls it at the kill point (before or after
// the write) instead of failing requests: a test that runs the CLI in a
// child process makes Kill send SIGKILL to that process.
type Killer struct {
	At    int
	After bool
	Kill  func()

	mu     sync.Mutex
	writes int
	dead   bool
}

// Wrap returns st, dying with k.
func (k *Killer) Wrap(st sources.Store) sources.Store { return &killStore{Store: st, k: k} }

// Writes returns the number of writes made so far, the fatal one
// included: a clean run's count bounds the kill points to enumerate.
func (k *Killer) Writes() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.writes
}

// step counts a write: die says it is the fatal one (or k is dead),
// perform whether it reaches the store.
func (k *Killer) step() (die, perform bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.dead {
		return true, false
	}
	k.writes++
	if k.At > 0 && k.writes == k.At {
		k.dead = k.Kill == nil
		return true, k.After
	}
	return false, true
}

func (k *Killer) alive() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.dead {
		return ErrKilled
	}
	return nil
}

type killStore struct {
	sources.Store
	k *Killer
}

func (s *killStore) Put(ctx context.Context, key string, body io.Reader, size int64, c sources.Condition) (string, error) {
	die, perform := s.k.step()
	if !perform {
		if die && s.k.Kill != nil {
			s.k.Kill()
		}
		return "", ErrKilled
	}
	etag, err := s.Store.Put(ctx, key, body, size, c)
	if !die {
		return etag, err
	}
	if s.k.Kill != nil {
		s.k.Kill()
		return etag, err
	}
	return "", ErrKilled
}

func (s *killStore) Get(ctx context.Context, key string) ([]byte, string, error) {
	if err := s.k.alive(); err != nil {
		return nil, "", err
	}
	return s.Store.Get(ctx, key)
}

func (s *killStore) List(ctx context.Context, prefix string, fn func(sources.Object) error) error {
	if err := s.k.alive(); err != nil {
		return err
	}
	return s.Store.List(ctx, prefix, fn)
}

// IsPermanent: a killed process's requests are not refused, they never
// happen, so ErrKilled is never a permanent error (a local store calls
// every error permanent).
func (s *killStore) IsPermanent(err error) bool {
	return !errors.Is(err, ErrKilled) && s.Store.IsPermanent(err)
}
