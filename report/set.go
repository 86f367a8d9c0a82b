package report

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/open"
)

// InputError is an argument that names nothing to report on: a missing
// path, a folder or prefix without hit files. The CLI exits 2 for it.
type InputError struct{ Err error }

func (e InputError) Error() string { return e.Err.Error() }
func (e InputError) Unwrap() error { return e.Err }

func inputErrorf(format string, a ...any) error { return InputError{fmt.Errorf(format, a...)} }

// hitKey identifies one hit across files: a rerun of the same scan, or
// overlapping windows, find the same record again.
type hitKey struct {
	rule, uri string
	index     int64
	id        string
}

// Set is every hit read, without duplicates, and where they came from.
type Set struct {
	hits  []output.Hit
	files []string
	dups  int
	seen  map[hitKey]bool
}

// NewSet returns an empty Set.
func NewSet() *Set { return &Set{seen: map[hitKey]bool{}} }

func (s *Set) add(hs []output.Hit) error {
	for _, h := range hs {
		k := hitKey{h.RuleName, h.SourceURI, h.RecordIndex, h.EventID}
		if s.seen[k] {
			s.dups++
			continue
		}
		s.seen[k] = true
		s.hits = append(s.hits, h)
	}
	return nil
}

// ReadPrefix reads every *.parquet object under prefix in src.
func (s *Set) ReadPrefix(ctx context.Context, src sources.Source, prefix string) error {
	var objs []sources.Object
	err := src.List(ctx, prefix, func(o sources.Object) error {
		if strings.HasSuffix(o.Key, ".parquet") {
			objs = append(objs, o)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("list %s: %w", src.URI(prefix), open.Explained(err))
	}
	if len(objs) == 0 {
		return inputErrorf("no .parquet object under %s", src.URI(prefix))
	}
	for _, o := range objs {
		if err := s.readObject(ctx, src, o); err != nil {
			return err
		}
	}
	return nil
}

// ReadLocal reads a local hit file, or every *.parquet file in a local
// folder and below it.
func (s *Set) ReadLocal(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return InputError{err}
	}
	var files []string
	if st.IsDir() {
		err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(p, ".parquet") && !strings.HasPrefix(d.Name(), ".") {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(files) == 0 {
			return inputErrorf("no .parquet file in %s", path)
		}
		sort.Strings(files)
	} else {
		files = []string{path}
	}
	for _, p := range files {
		hs, err := output.ReadFile(p, output.ReadOptions{})
		if err != nil {
			return err
		}
		s.add(hs)
		s.files = append(s.files, p)
	}
	return nil
}

// inMemory is the largest hit file downloaded into memory; larger ones
// go to a temporary file, since Parquet is read from its footer back.
const inMemory = 64 << 20

func (s *Set) readObject(ctx context.Context, src sources.Source, o sources.Object) error {
	uri := src.URI(o.Key)
	var ra io.ReaderAt
	var size int64
	if o.Size <= inMemory {
		var buf bytes.Buffer
		err := sources.WithObject(ctx, src, o, func(r io.Reader) error {
			_, err := buf.ReadFrom(r)
			return err
		})
		if err != nil {
			return fmt.Errorf("download %s: %w", uri, open.Explained(err))
		}
		ra, size = bytes.NewReader(buf.Bytes()), int64(buf.Len())
	} else {
		tmp, err := os.CreateTemp("", "retrohunt-report-*.parquet")
		if err != nil {
			return err
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		err = sources.WithObject(ctx, src, o, func(r io.Reader) error {
			n, err := io.Copy(tmp, r)
			size = n
			return err
		})
		if err != nil {
			return fmt.Errorf("download %s: %w", uri, open.Explained(err))
		}
		ra = tmp
	}
	if err := output.ReadHits(ra, size, output.ReadOptions{}, s.add); err != nil {
		return fmt.Errorf("%s: %w", uri, err)
	}
	s.files = append(s.files, uri)
	return nil
}
