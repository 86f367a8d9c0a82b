package open

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/local"
)

// OpenStore returns the writable Store uri names and the key inside it:
// a state file (/var/lib/retrohunt/ct.state, s3://bucket/retrohunt/ct.state,
// azblob://account/container/ct.state) or a lake prefix
// (s3://lake/findings/). A trailing "/" is kept on the key, so a prefix
// stays a prefix.
//
// A local path opens its parent directory, created if missing, and the
// key is the last element. s3:// and azblob:// URLs open as Open does,
// with one listing request in the key's folder, so a wrong bucket,
// container, region or credential fails here with an *Error.
func OpenStore(ctx context.Context, uri string, o Options) (sources.Store, string, error) {
	scheme, _, hasScheme := strings.Cut(uri, "://")
	if !hasScheme {
		scheme = ""
	}
	var (
		src sources.Source
		key string
		err error
	)
	switch strings.ToLower(scheme) {
	case "", "file":
		return openLocalStore(uri)
	case "s3":
		src, key, err = openS3(ctx, uri, o)
	case "azblob", "https", "http":
		src, key, err = openAzure(ctx, uri, o)
	default:
		return nil, "", fmt.Errorf("unknown store URL scheme %q (want a path, file://, s3:// or azblob://)", scheme)
	}
	if err != nil {
		return nil, "", err
	}
	st, ok := src.(sources.Store)
	if !ok {
		return nil, "", fmt.Errorf("BUG: %s cannot be written", src.Location())
	}
	if key == "" {
		return nil, "", fmt.Errorf("%s names no key inside %s", sources.Redact(uri), st.Location())
	}
	return st, key, nil
}

func openLocalStore(uri string) (sources.Store, string, error) {
	p := strings.TrimPrefix(uri, "file://")
	if p == "" {
		return nil, "", fmt.Errorf("empty path")
	}
	dirOnly := strings.HasSuffix(p, "/") || strings.HasSuffix(p, string(filepath.Separator))
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, "", fmt.Errorf("cannot resolve %q: %w", p, err)
	}
	parent, base := filepath.Dir(abs), filepath.Base(abs)
	if parent == abs {
		return nil, "", fmt.Errorf("%s: want a file or folder below the root", p)
	}
	st, err := local.NewDir(parent)
	if err != nil {
		return nil, "", err
	}
	if dirOnly {
		base += "/"
	}
	return st, base, nil
}
