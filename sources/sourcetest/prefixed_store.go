package sourcetest

import (
	"context"
	"io"

	"github.com/retrohunt/retrohunt/sources"
)

// prefixedStore is prefixed for a Store, so RunStore can work in a
// per-run folder of a real bucket or container.
type prefixedStore struct {
	*prefixed
	st sources.Store
}

var (
	_ sources.Store   = (*prefixedStore)(nil)
	_ sources.Deleter = (*prefixedStore)(nil)
)

// PrefixedStore returns st narrowed to the keys below prefix (which ends
// in "/"), with prefix removed from every key.
func PrefixedStore(st sources.Store, prefix string) sources.Store {
	return &prefixedStore{prefixed: &prefixed{Source: st, prefix: prefix}, st: st}
}

func (p *prefixedStore) Get(ctx context.Context, key string) ([]byte, string, error) {
	return p.st.Get(ctx, p.prefix+key)
}

func (p *prefixedStore) Put(ctx context.Context, key string, body io.Reader, size int64, c sources.Condition) (string, error) {
	return p.st.Put(ctx, p.prefix+key, body, size, c)
}

func (p *prefixedStore) Delete(ctx context.Context, key string) error {
	d, ok := p.st.(sources.Deleter)
	if !ok {
		return nil
	}
	return d.Delete(ctx, p.prefix+key)
}

func (p *prefixedStore) IsConflict(err error) bool { return p.st.IsConflict(err) }
