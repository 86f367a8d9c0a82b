package sources

import (
	"context"
	"io"
	"strings"

	"github.com/retrohunt/retrohunt/internal/reqgate"
)

// fakeSource serves the wrapper tests; the real stores are tested by the
// conformance suite in sourcetest. A request is in flight while a listing
// fetches its page (not while fn runs) and while an opened body is open.
type fakeSource struct {
	keys  []string
	conns int
	gate  *reqgate.Gate // nil: requests never wait
}

func (f *fakeSource) Location() string      { return "fake://" }
func (f *fakeSource) URI(key string) string { return "fake://" + key }

// page stands for fetching one page of a listing.
func (f *fakeSource) page() {
	f.gate.Enter(true)
	f.gate.Leave()
}

func (f *fakeSource) List(ctx context.Context, prefix string, fn func(Object) error) error {
	f.page()
	for _, k := range f.keys {
		if err := fn(Object{Key: prefix + k}); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeSource) ListDirs(ctx context.Context, prefix string, fn func(Entry) error) error {
	f.page()
	for _, k := range f.keys {
		if err := fn(Entry{Dir: prefix + k + "/"}); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeSource) Open(ctx context.Context, o Object) (io.ReadCloser, error) {
	f.gate.Enter(true)
	return &fakeBody{Reader: strings.NewReader(o.Key), g: f.gate}, nil
}

type fakeBody struct {
	io.Reader
	g *reqgate.Gate
}

func (b *fakeBody) Close() error { b.g.Leave(); return nil }

func (f *fakeSource) IsNotExist(err error) bool  { return false }
func (f *fakeSource) IsPermanent(err error) bool { return false }
func (f *fakeSource) Properties() Properties     { return Properties{Connections: f.conns} }
