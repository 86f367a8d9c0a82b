package sourcetest

import (
	"context"
	"sort"
	"sync"

	"github.com/retrohunt/retrohunt/sources"
)

// recorder wraps a Source and remembers which prefixes were listed, so
// the suite can assert what a walk asked the store for, not only what it
// returned.
type recorder struct {
	sources.Source
	mu    sync.Mutex
	lists []string
	dirs  []string
}

var _ sources.Source = (*recorder)(nil)

func (r *recorder) Unwrap() sources.Source { return r.Source }

func (r *recorder) List(ctx context.Context, prefix string, fn func(sources.Object) error) error {
	r.mu.Lock()
	r.lists = append(r.lists, prefix)
	r.mu.Unlock()
	return r.Source.List(ctx, prefix, fn)
}

func (r *recorder) ListDirs(ctx context.Context, prefix string, fn func(sources.Entry) error) error {
	r.mu.Lock()
	r.dirs = append(r.dirs, prefix)
	r.mu.Unlock()
	return r.Source.ListDirs(ctx, prefix, fn)
}

// listed returns the List and ListDirs prefixes, each sorted.
func (r *recorder) listed() (lists, dirs []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	lists = append([]string(nil), r.lists...)
	dirs = append([]string(nil), r.dirs...)
	sort.Strings(lists)
	sort.Strings(dirs)
	return lists, dirs
}
