package sourcetest

import (
	"context"
	"io"
	"strings"

	"github.com/retrohunt/retrohunt/sources"
)

// prefixed shows the keys below prefix of a shared store as a store of
// their own, so the suite, which expects an empty store, can run in a
// per-run folder of a real bucket or container.
type prefixed struct {
	sources.Source
	prefix string
}

var _ sources.Source = (*prefixed)(nil)

// Prefixed returns src narrowed to the keys below prefix (which ends in
// "/"), with prefix removed from every key.
func Prefixed(src sources.Source, prefix string) sources.Source {
	return &prefixed{Source: src, prefix: prefix}
}

func (p *prefixed) Unwrap() sources.Source { return p.Source }

func (p *prefixed) Location() string { return strings.TrimSuffix(p.Source.URI(p.prefix), "/") }

func (p *prefixed) URI(key string) string { return p.Source.URI(p.prefix + key) }

func (p *prefixed) List(ctx context.Context, prefix string, fn func(sources.Object) error) error {
	return p.Source.List(ctx, p.prefix+prefix, func(o sources.Object) error {
		o.Key = strings.TrimPrefix(o.Key, p.prefix)
		return fn(o)
	})
}

func (p *prefixed) ListDirs(ctx context.Context, prefix string, fn func(sources.Entry) error) error {
	return p.Source.ListDirs(ctx, p.prefix+prefix, func(e sources.Entry) error {
		if e.Dir != "" {
			e.Dir = strings.TrimPrefix(e.Dir, p.prefix)
		} else {
			e.Object.Key = strings.TrimPrefix(e.Object.Key, p.prefix)
		}
		return fn(e)
	})
}

func (p *prefixed) Open(ctx context.Context, o sources.Object) (io.ReadCloser, error) {
	o.Key = p.prefix + o.Key
	return p.Source.Open(ctx, o)
}
