package local_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/local"
)

// TestOpenMatchesOS: what Source.Open returns reads and fails as the
// *os.File of os.Open on the same path does: the bytes (in reads of
// several sizes), io.EOF, the errors of a missing file, a directory, a
// dangling symlink, a read or a Close after Close, word for word and by
// errors.Is. os.Open is the reference.
func TestOpenMatchesOS(t *testing.T) {
	root := t.TempDir()
	body := bytes.Repeat([]byte("0123456789abcdef"), 5000) // 80,000 bytes
	write := func(name string, b []byte) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a/obj.json.gz", body)
	write("a/empty.json", nil)
	write("a/one.json", []byte("x"))
	if err := os.Mkdir(filepath.Join(root, "dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "a", "obj.json.gz"), filepath.Join(root, "link.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "gone"), filepath.Join(root, "dangling.json")); err != nil {
		t.Fatal(err)
	}
	src, err := local.New(root)
	if err != nil {
		t.Fatal(err)
	}
	// trace reads r with reads of n bytes and says what each returned,
	// then what two Closes and a read after them return.
	trace := func(r io.ReadCloser, n int) string {
		var out bytes.Buffer
		p := make([]byte, n)
		for i := 0; ; i++ {
			k, err := r.Read(p)
			fmt.Fprintf(&out, "read %d %q %v\n", k, p[:min(k, 8)], err)
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					out.WriteString("not exist\n")
				}
				break
			}
			if i > 100000 {
				return "no end"
			}
		}
		fmt.Fprintf(&out, "close %v\n", r.Close())
		k, err := r.Read(p)
		fmt.Fprintf(&out, "read after close %d %v %v\n", k, err, errors.Is(err, fs.ErrClosed))
		fmt.Fprintf(&out, "close again %v %v\n", r.Close(), errors.Is(r.Close(), fs.ErrClosed))
		return out.String()
	}
	opened := func(rc io.ReadCloser, err error) string {
		if err != nil {
			return fmt.Sprintf("open: %v (not exist %v, %T)", err, errors.Is(err, fs.ErrNotExist), errors.Unwrap(err))
		}
		return "opened"
	}
	for _, key := range []string{"a/obj.json.gz", "a/empty.json", "a/one.json", "link.json", "missing.json", "a/missing/x.json", "dir", "dangling.json"} {
		for _, n := range []int{0, 1, 4096, len(body), len(body) + 1, 1 << 20} {
			want, wantErr := os.Open(filepath.Join(root, filepath.FromSlash(key)))
			got, gotErr := src.Open(context.Background(), sources.Object{Key: key})
			if g, w := opened(got, gotErr), opened(want, wantErr); g != w {
				t.Fatalf("%s: Open: %s, os.Open: %s", key, g, w)
			}
			if wantErr != nil {
				break
			}
			if g, w := trace(got, n), trace(want, n); g != w {
				t.Errorf("%s, reads of %d:\ngot:\n%s\nos.File:\n%s", key, n, g, w)
			}
		}
	}
	// The whole body, through the ordinary helpers.
	rc, err := src.Open(context.Background(), sources.Object{Key: "a/obj.json.gz"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(rc); err != nil || !bytes.Equal(buf.Bytes(), body) {
		t.Errorf("ReadFrom: %v, %d bytes, equal %v", err, buf.Len(), bytes.Equal(buf.Bytes(), body))
	}
	if err := rc.Close(); err != nil {
		t.Error(err)
	}
}
