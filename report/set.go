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
	"time"

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
	// A detection: its window and match values.
	window time.Time
	match  string
}

// Set is every hit read, without duplicates, and where they came from.
type Set struct {
	hits  []output.Hit
	dets  []output.Hit // detection rows
	files []string
	dups  int
	seen  map[hitKey]bool
	// detsOnly: single-event hits are dropped as they are read.
	detsOnly bool
}

// NewSet returns an empty Set.
func NewSet() *Set { return &Set{seen: map[hitKey]bool{}} }

// NewDetectionSet returns an empty Set that keeps only detection rows
// (multi-event rules'): what `explain --detection` numbers, without
// holding every hit of a lake in memory.
func NewDetectionSet() *Set { return &Set{seen: map[hitKey]bool{}, detsOnly: true} }

func (s *Set) add(hs []output.Hit) error {
	for _, h := range hs {
		if s.detsOnly && h.RowKind != "detection" {
			continue
		}
		k := hitKey{rule: h.RuleName, uri: h.SourceURI, index: h.RecordIndex, id: h.EventID}
		if h.RowKind == "detection" {
			k.match = h.Match
			if h.WindowStart != nil {
				k.window = h.WindowStart.UTC()
			}
		}
		if s.seen[k] {
			s.dups++
			continue
		}
		s.seen[k] = true
		if h.RowKind == "detection" {
			s.dets = append(s.dets, h)
			continue
		}
		s.hits = append(s.hits, h)
	}
	return nil
}

// ReadPrefix reads the hits under prefix in src. In a lake (output/lake:
// a prefix with run manifests, or a partition folder of one) it reads the
// part files that finished runs' manifests name; elsewhere every
// *.parquet object under prefix.
func (s *Set) ReadPrefix(ctx context.Context, src sources.Source, prefix string) error {
	if st, ok := storeOf(src); ok {
		isLake, err := s.readLake(ctx, st, prefix, func(key string, size int64) (int64, error) {
			return s.readObject(ctx, src, sources.Object{Key: key, Size: size})
		})
		if isLake || err != nil {
			return err
		}
	}
	var objs []sources.Object
	var keys []string
	err := src.List(ctx, prefix, func(o sources.Object) error {
		if strings.HasSuffix(o.Key, ".parquet") {
			objs = append(objs, o)
			keys = append(keys, o.Key)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("list %s: %w", src.URI(prefix), open.Explained(err))
	}
	if len(objs) == 0 {
		return inputErrorf("no .parquet object under %s", src.URI(prefix))
	}
	if err := unfinished(keys, src, prefix); err != nil {
		return err
	}
	for _, o := range objs {
		if _, err := s.readObject(ctx, src, o); err != nil {
			return err
		}
	}
	return nil
}

// ReadLocal reads a local hit file, or the hits of a local folder: a
// lake's by its manifests (see ReadPrefix), else every *.parquet file in
// it and below it.
func (s *Set) ReadLocal(ctx context.Context, path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return InputError{err}
	}
	var files []string
	if st.IsDir() {
		lk, root, prefix, err := localLake(path)
		if err != nil {
			return err
		}
		isLake, err := s.readLake(ctx, lk, prefix, func(key string, _ int64) (int64, error) {
			return s.readFile(filepath.Join(root, filepath.FromSlash(key)))
		})
		if isLake || err != nil {
			return err
		}
		err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
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
		if err := unfinished(files, localURI{}, path); err != nil {
			return err
		}
	} else {
		files = []string{path}
	}
	for _, p := range files {
		if _, err := s.readFile(p); err != nil {
			return err
		}
	}
	return nil
}

// readFile reads one local hit file and returns its rows.
func (s *Set) readFile(p string) (int64, error) {
	hs, err := output.ReadFile(p, output.ReadOptions{})
	if err != nil {
		return 0, err
	}
	s.add(hs)
	s.files = append(s.files, p)
	return int64(len(hs)), nil
}

// inMemory is the largest hit file downloaded into memory; larger ones
// go to a temporary file, since Parquet is read from its footer back.
const inMemory = 64 << 20

// readObject downloads one hit file and returns its rows.
func (s *Set) readObject(ctx context.Context, src sources.Source, o sources.Object) (int64, error) {
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
			return 0, fmt.Errorf("download %s: %w", uri, open.Explained(err))
		}
		ra, size = bytes.NewReader(buf.Bytes()), int64(buf.Len())
	} else {
		tmp, err := os.CreateTemp("", "retrohunt-report-*.parquet")
		if err != nil {
			return 0, err
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		err = sources.WithObject(ctx, src, o, func(r io.Reader) error {
			n, err := io.Copy(tmp, r)
			size = n
			return err
		})
		if err != nil {
			return 0, fmt.Errorf("download %s: %w", uri, open.Explained(err))
		}
		ra = tmp
	}
	var rows int64
	err := output.ReadHits(ra, size, output.ReadOptions{}, func(hs []output.Hit) error {
		rows += int64(len(hs))
		return s.add(hs)
	})
	if err != nil {
		return 0, fmt.Errorf("%s: %w", uri, err)
	}
	s.files = append(s.files, uri)
	return rows, nil
}

// localURI names local files by their path in messages.
type localURI struct{}

func (localURI) URI(p string) string { return p }
