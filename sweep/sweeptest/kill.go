// Package sweeptest helps test sweeps: a store that dies at a chosen
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

// ErrKilled is what a dead KillStore answers.
var ErrKilled = errors.New("killed")

// KillStore is a sources.Store that dies at its At-th write (Put, counted
// from 1; 0 never): before the write reaches the store or, with After,
// once it landed but before its caller hears the answer. From then on
// every request fails with ErrKilled, as a killed process makes none.
// Writes already in flight land, as an upload of a killed process can.
//
// With Kill set, the store calls it at the kill point (before or after
// the write) instead of dying itself: a test that runs the CLI in a
// child process makes Kill send SIGKILL to that process.
type KillStore struct {
	sources.Store
	At    int
	After bool
	Kill  func()

	mu     sync.Mutex
	writes int
	dead   bool
}

// Writes returns the number of writes made so far, the one that killed
// included: a clean run's count bounds the kill points to enumerate.
func (k *KillStore) Writes() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.writes
}

// Killed reports whether the store has died.
func (k *KillStore) Killed() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.dead
}

// step counts a write: die says it is the fatal one (or the store is
// dead), perform whether it reaches the store.
func (k *KillStore) step() (die, perform bool) {
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

func (k *KillStore) alive() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.dead {
		return ErrKilled
	}
	return nil
}

func (k *KillStore) Put(ctx context.Context, key string, body io.Reader, size int64, c sources.Condition) (string, error) {
	die, perform := k.step()
	if die && !perform && k.Kill != nil {
		k.Kill()
	}
	if perform {
		etag, err := k.Store.Put(ctx, key, body, size, c)
		if !die || err != nil {
			return etag, err
		}
		if k.Kill != nil {
			k.Kill()
			return etag, err
		}
	}
	return "", ErrKilled
}

func (k *KillStore) Get(ctx context.Context, key string) ([]byte, string, error) {
	if err := k.alive(); err != nil {
		return nil, "", err
	}
	return k.Store.Get(ctx, key)
}

func (k *KillStore) List(ctx context.Context, prefix string, fn func(sources.Object) error) error {
	if err := k.alive(); err != nil {
		return err
	}
	return k.Store.List(ctx, prefix, fn)
}

// Unwrap returns the store underneath.
func (k *KillStore) Unwrap() sources.Store { return k.Store }
