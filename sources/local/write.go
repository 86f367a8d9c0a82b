package local

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/retrohunt/retrohunt/sources"
)

var (
	_ sources.Store   = (*Source)(nil)
	_ sources.Deleter = (*Source)(nil)
)

// LockName is the lock file every Put takes (flock, exclusive) in the
// target's directory while it checks its condition and renames. It is
// hidden, so the walker, Hive and Spark ignore it; it is left in place,
// since removing a lock file races with the next locker.
const LockName = ".retrohunt.lock"

// NewDir opens a directory as a Store, creating it (and its parents) if
// it does not exist yet.
func NewDir(path string) (*Source, error) {
	path = strings.TrimPrefix(path, "file://")
	if err := os.MkdirAll(path, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create %s: %w", path, err)
	}
	return New(path)
}

// keyPath checks that key stays inside the directory and returns its
// path.
func (s *Source) keyPath(key string) (string, error) {
	if s.file {
		return "", fmt.Errorf("%s is a file, not a directory to write into", s.root)
	}
	if key == "" || strings.HasPrefix(key, "/") || strings.HasSuffix(key, "/") || strings.Contains(key, "\\") {
		return "", fmt.Errorf("invalid key %q", key)
	}
	for _, part := range strings.Split(key, "/") {
		if part == "" || part == "." || part == ".." {
			return "", fmt.Errorf("invalid key %q", key)
		}
	}
	return filepath.Join(s.root, filepath.FromSlash(key)), nil
}

// Get implements sources.Store. The ETag is the hex SHA-256 of the
// content: it changes exactly when the content does, whatever the file
// system's time granularity, and survives a copy of the directory.
func (s *Source) Get(ctx context.Context, key string) ([]byte, string, error) {
	p, err := s.keyPath(key)
	if err != nil {
		return nil, "", err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, "", err
	}
	return b, etagOf(b), nil
}

func etagOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Put implements sources.Store: the body goes to a temporary file in the
// target's directory, is synced, and is renamed over the target, and the
// directory is synced. The condition is checked, and the rename done,
// holding an exclusive flock on the directory's LockName, so conditional
// writes are safe against other processes (and goroutines) that use this
// Store, on local disks and on NFS (where Linux maps flock to fcntl
// locks). A writer that bypasses the lock (cp, an editor) is not seen.
func (s *Source) Put(ctx context.Context, key string, body io.Reader, size int64, cond sources.Condition) (string, error) {
	if err := cond.Check(); err != nil {
		return "", err
	}
	p, err := s.keyPath(key)
	if err != nil {
		return "", err
	}
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("write %s: %w", p, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(p)+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", p, err)
	}
	committed := false
	defer func() {
		if !committed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(tmp, h), &ctxReader{ctx: ctx, r: sources.SizeReader(body, size)}); err != nil {
		return "", fmt.Errorf("write %s: %w", p, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return "", fmt.Errorf("write %s: %w", p, err)
	}
	if err := tmp.Sync(); err != nil {
		return "", fmt.Errorf("write %s: %w", p, err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("write %s: %w", p, err)
	}
	etag := hex.EncodeToString(h.Sum(nil))

	unlock, err := lockDir(ctx, dir)
	if err != nil {
		return "", fmt.Errorf("write %s: %w", p, err)
	}
	defer unlock()
	if err := checkCondition(p, cond); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return "", fmt.Errorf("write %s: %w", p, err)
	}
	committed = true
	// The rename is durable once the directory is synced.
	if err := syncDir(dir); err != nil {
		return "", fmt.Errorf("write %s: %w", p, err)
	}
	return etag, nil
}

// checkCondition runs under the directory lock.
func checkCondition(p string, cond sources.Condition) error {
	switch {
	case cond.IfNoneMatch:
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("write %s: %w: it exists", p, sources.ErrConflict)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("write %s: %w", p, err)
		}
	case cond.IfMatch != "":
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("write %s: %w: it no longer exists (want ETag %s)", p, sources.ErrConflict, cond.IfMatch)
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
		if cur := etagOf(b); cur != cond.IfMatch {
			return fmt.Errorf("write %s: %w: ETag is %s, want %s", p, sources.ErrConflict, cur, cond.IfMatch)
		}
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

// Delete implements sources.Deleter.
func (s *Source) Delete(ctx context.Context, key string) error {
	p, err := s.keyPath(key)
	if err != nil {
		return err
	}
	unlock, err := lockDir(ctx, filepath.Dir(p))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete %s: %w", p, err)
	}
	defer unlock()
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", p, err)
	}
	return nil
}

// IsConflict implements sources.Store.
func (s *Source) IsConflict(err error) bool { return errors.Is(err, sources.ErrConflict) }

// ctxReader stops a long copy when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
