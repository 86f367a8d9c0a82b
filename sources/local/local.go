// Package local serves archives from the local filesystem: a directory
// (a downloaded copy of a bucket or container) or a single file.
package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/retrohunt/retrohunt/sources"
)

// Source is a directory tree, or one file, on the local disk.
type Source struct {
	root string // absolute path of the directory (or the file)
	file bool   // root is a single file; its only key is its base name
}

var _ sources.Source = (*Source)(nil)

// New opens a local directory or file. Keys are paths relative to the
// directory with "/" separators; a single file has its base name as key.
func New(path string) (*Source, error) {
	path = strings.TrimPrefix(path, "file://")
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("cannot resolve %q: %w", path, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("cannot open archive %q: %w", path, err)
	}
	return &Source{root: abs, file: !st.IsDir()}, nil
}

// Location implements sources.Source.
func (s *Source) Location() string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(s.root)}
	return u.String()
}

// URI implements sources.Source. A path of letters, digits and "-._~/"
// needs no escaping: it is written as it is, as url.URL would write it,
// without url.URL's byte-by-byte escaping pass (TestPathsMatchStdlib).
// The URI of a clean key of such bytes below such a root, every key of
// an archive as the stores name them, is made in one pass over the key
// and one concatenation.
func (s *Source) URI(key string) string {
	if filepath.Separator == '/' && !s.file && plainRoot(s.root) && plainCleanKey(key) {
		if strings.HasSuffix(s.root, "/") { // the root directory
			return "file://" + s.root + key
		}
		return "file://" + s.root + "/" + key
	}
	p := filepath.ToSlash(s.path(key))
	if plainPath(p) {
		return "file://" + p
	}
	u := url.URL{Scheme: "file", Path: p}
	return u.String()
}

// plainPath reports whether p is absolute, does not start with "//" and
// holds only bytes url.URL leaves as they are in a path.
func plainPath(p string) bool {
	if len(p) == 0 || p[0] != '/' || len(p) > 1 && p[1] == '/' {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			continue
		}
		switch c {
		case '-', '_', '.', '~', '/':
			continue
		}
		return false
	}
	return true
}

// plainByte is 1 for the bytes url.URL writes as they are in a path.
var plainByte = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~/", byte(c)) >= 0 {
			t[c] = 1
		}
	}
	return t
}()

// plainBytes reports whether every byte of s is plain, eight table
// lookups ANDed together at a time.
func plainBytes(s string) bool {
	acc := uint8(1)
	for len(s) >= 8 {
		b := s[:8]
		acc &= plainByte[b[0]] & plainByte[b[1]] & plainByte[b[2]] & plainByte[b[3]] &
			plainByte[b[4]] & plainByte[b[5]] & plainByte[b[6]] & plainByte[b[7]]
		s = s[8:]
	}
	for i := 0; i < len(s); i++ {
		acc &= plainByte[s[i]]
	}
	return acc == 1
}

// plainRoot reports whether root, joined with a plain clean key, makes a
// plainPath: it is absolute, does not start with "//" and holds only
// plain bytes.
func plainRoot(root string) bool {
	if len(root) == 0 || root[0] != '/' || len(root) > 1 && root[1] == '/' {
		return false
	}
	return plainBytes(root)
}

// plainCleanKey is cleanKey(key) with every byte plain.
func plainCleanKey(key string) bool { return plainBytes(key) && cleanKey(key) }

// path is the file of key, filepath.Join(root, key): a clean key (every
// key List reports) is appended to the root, which is clean, without
// Join's Clean.
func (s *Source) path(key string) string {
	if s.file {
		return s.root
	}
	if filepath.Separator == '/' && cleanKey(key) {
		if strings.HasSuffix(s.root, "/") { // the root directory
			return s.root + key
		}
		return s.root + "/" + key
	}
	return filepath.Join(s.root, filepath.FromSlash(key))
}

// cleanKey reports whether key is a relative path filepath.Clean leaves
// as it is: no empty, "." or ".." segment, no leading or trailing "/".
// Its segments are found with strings.IndexByte.
func cleanKey(key string) bool {
	for {
		i := strings.IndexByte(key, '/')
		seg := key
		if i >= 0 {
			seg = key[:i]
		}
		if len(seg) == 0 || seg[0] == '.' && (len(seg) == 1 || len(seg) == 2 && seg[1] == '.') {
			return false
		}
		if i < 0 {
			return true
		}
		key = key[i+1:]
	}
}

// rel is filepath.Rel(root, p) for a path found by walking the root: the
// rest of p after the root, without Rel's two Cleans, when that rest is
// clean.
func (s *Source) rel(p string) (string, error) {
	if filepath.Separator == '/' && strings.HasPrefix(p, s.root) {
		rest := p[len(s.root):]
		if !strings.HasSuffix(s.root, "/") {
			rest, _ = strings.CutPrefix(rest, "/")
			if len(rest) == len(p)-len(s.root) {
				rest = "" // not under the root: ask Rel
			}
		}
		if cleanKey(rest) {
			return rest, nil
		}
	}
	return filepath.Rel(s.root, p)
}

// List implements sources.Source. Objects are reported in lexical key
// order, as S3 and Azure do. It walks a folder as listWalkDir does, with
// the same objects, keys, sizes, times, order and errors
// (TestListMatchesWalkDir), for less: see walk.
func (s *Source) List(ctx context.Context, prefix string, fn func(sources.Object) error) error {
	return s.list(ctx, prefix, fn, false)
}

// listWalkDir is List by filepath.WalkDir and an os.Stat of every file's
// path, as before issue 17's listing work: the reference of List's tests,
// and the walk of what walk leaves to it.
func (s *Source) listWalkDir(ctx context.Context, prefix string, fn func(sources.Object) error) error {
	return s.list(ctx, prefix, fn, true)
}

func (s *Source) list(ctx context.Context, prefix string, fn func(sources.Object) error, general bool) error {
	if s.file {
		name := filepath.Base(s.root)
		if !strings.HasPrefix(name, prefix) {
			return nil
		}
		st, err := os.Stat(s.root)
		if err != nil {
			return err
		}
		return fn(object(name, st))
	}
	// Walk only the folder the prefix names, then filter by the rest.
	dir := prefix[:strings.LastIndex(prefix, "/")+1]
	start := filepath.Join(s.root, filepath.FromSlash(dir))
	if _, err := os.Stat(start); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	var (
		objs []sources.Object
		err  error
		done bool
	)
	if !general {
		objs, done, err = s.walk(ctx, start, prefix)
		if done && err == nil && !slices.IsSortedFunc(objs, byKey) {
			slices.SortFunc(objs, byKey)
		}
	}
	if !done {
		objs, err = s.walkDir(ctx, start, prefix)
		sort.Slice(objs, func(i, j int) bool { return objs[i].Key < objs[j].Key })
	}
	if err != nil {
		return err
	}
	for _, o := range objs {
		if err := fn(o); err != nil {
			return err
		}
	}
	return nil
}

// statStart is the Lstat of the folder a listing starts from, or, when
// that is a symbolic link, the Stat of what it points to: an archive
// root, or a folder a prefix names, reached through a link is listed as
// `ls link/` lists it. filepath.WalkDir does not follow a linked root,
// and a root such as /archive -> /mnt/volume listed nothing, so that a
// scan of it found no object. Links met below the start are not followed
// into, as before (no cycles).
func statStart(start string) (fs.FileInfo, error) {
	info, err := os.Lstat(start)
	if err == nil && info.Mode()&fs.ModeSymlink != 0 {
		return os.Stat(start)
	}
	return info, err
}

func byKey(a, b sources.Object) int { return strings.Compare(a.Key, b.Key) }

// walkDir collects the objects below start whose keys begin with prefix
// with filepath.WalkDir.
func (s *Source) walkDir(ctx context.Context, start, prefix string) ([]sources.Object, error) {
	// filepath.WalkDir visits in lexical order per directory, which equals
	// key order except where a name sorts before "/"; the caller sorts.
	var objs []sources.Object
	root := start
	if info, err := statStart(start); err == nil && info.IsDir() {
		// A trailing separator makes WalkDir's Lstat of its root follow a
		// symbolic link; the paths it joins below it are clean again.
		root += string(filepath.Separator)
	}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() || !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		rel, err := s.rel(p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		info, err := os.Stat(p) // follows a symlinked file
		if err != nil || !info.Mode().IsRegular() {
			return nil
		}
		objs = append(objs, object(key, info))
		return nil
	})
	return objs, err
}

// walk is walkDir's walk without its costs per file: filepath.Join's
// Clean of every path (a pass over its bytes), filepath.Rel's two Cleans
// for its key, and os.Stat's allocations and lookup of the whole path.
// A child's path and key are its folder's with "/" and its name (a
// clean path and a clean key stay clean with a name appended), and a
// file is stat'ed relative to its folder's descriptor (folder.stat; one
// is open for each level of folders being walked). It reads
// each folder with os.ReadDir and visits its entries in the same order,
// checking ctx before each one, so it fails where walkDir fails, with
// the same error. done is false for a start it leaves to walkDir: not a
// folder itself (a file, a symbolic link, a failing Lstat), or whose key
// is not clean (a prefix with ".." leaving the root), or on a system
// whose separator is not "/".
func (s *Source) walk(ctx context.Context, start, prefix string) (objs []sources.Object, done bool, err error) {
	if filepath.Separator != '/' {
		return nil, false, nil
	}
	info, err := statStart(start)
	if err != nil || !info.IsDir() {
		return nil, false, nil
	}
	rel, err := s.rel(start)
	if err != nil {
		return nil, false, nil
	}
	keyDir := ""
	switch {
	case rel == ".":
	case cleanKey(rel):
		keyDir = rel + "/"
	default:
		return nil, false, nil
	}
	// WalkDir's first visit, to start itself.
	if err := ctx.Err(); err != nil {
		return nil, true, err
	}
	err = s.walkFolder(ctx, start, keyDir, prefix, &objs)
	return objs, true, err
}

// walkFolder adds the objects of folder path, whose key is keyDir ("" or
// ending in "/"), and of its sub-folders to objs.
func (s *Source) walkFolder(ctx context.Context, path, keyDir, prefix string, objs *[]sources.Object) error {
	ents, err := os.ReadDir(path)
	if err != nil {
		return err
	}
	dir := openDir(path)
	defer dir.close()
	sep := "/"
	if strings.HasSuffix(path, "/") { // the root directory
		sep = ""
	}
	for _, e := range ents {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := e.Name()
		if e.IsDir() {
			if err := s.walkFolder(ctx, path+sep+name, keyDir+name+"/", prefix, objs); err != nil {
				return err
			}
			continue
		}
		if t := e.Type(); !t.IsRegular() && t&fs.ModeSymlink == 0 {
			continue
		}
		if !joinedHasPrefix(keyDir, name, prefix) {
			continue
		}
		size, mtime, ok := dir.stat(path, sep, name) // follows a symlinked file
		if !ok {
			continue
		}
		*objs = append(*objs, sources.Object{Key: keyDir + name, Size: size, ModTime: mtime.UTC()})
	}
	return nil
}

// joinedHasPrefix is strings.HasPrefix(a+b, prefix) without making a+b.
func joinedHasPrefix(a, b, prefix string) bool {
	if len(prefix) <= len(a) {
		return strings.HasPrefix(a, prefix)
	}
	return strings.HasPrefix(prefix, a) && strings.HasPrefix(b, prefix[len(a):])
}

func object(key string, st fs.FileInfo) sources.Object {
	return sources.Object{Key: key, Size: st.Size(), ModTime: st.ModTime().UTC()}
}

// ListDirs implements sources.Source.
func (s *Source) ListDirs(ctx context.Context, prefix string, fn func(sources.Entry) error) error {
	if s.file {
		return nil
	}
	ents, err := os.ReadDir(filepath.Join(s.root, filepath.FromSlash(prefix)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range ents {
		ent := sources.Entry{Dir: prefix + e.Name() + "/"}
		if !e.IsDir() {
			// As List: regular files, and symlinks to them.
			if !e.Type().IsRegular() && e.Type()&fs.ModeSymlink == 0 {
				continue
			}
			st, err := os.Stat(filepath.Join(s.root, filepath.FromSlash(prefix), e.Name()))
			if err != nil || !st.Mode().IsRegular() {
				continue
			}
			ent = sources.Entry{Object: object(prefix+e.Name(), st)}
		}
		if err := fn(ent); err != nil {
			return err
		}
	}
	return nil
}

// Open implements sources.Source. The body reads and fails as the
// *os.File of os.Open would, for fewer system calls (open_unix.go).
func (s *Source) Open(ctx context.Context, o sources.Object) (io.ReadCloser, error) {
	return openFile(s.path(o.Key))
}

// IsNotExist implements sources.Source.
func (s *Source) IsNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// IsPermanent implements sources.Source: local errors do not heal by
// themselves.
func (s *Source) IsPermanent(err error) bool { return true }

// Properties implements sources.Source.
func (s *Source) Properties() sources.Properties { return sources.Properties{Connections: 4} }

// statPath is os.Stat(p) for walk: whether p is a regular file,
// following a symbolic link, with its size and modification time.
func statPath(p string) (size int64, mtime time.Time, ok bool) {
	info, err := os.Stat(p)
	if err != nil || !info.Mode().IsRegular() {
		return 0, time.Time{}, false
	}
	return info.Size(), info.ModTime(), true
}
