package output

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Format names an output format.
type Format string

const (
	Parquet Format = "parquet"
	JSONL   Format = "jsonl"
	Table   Format = "table"
)

// ParseFormat checks a --format value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case Parquet, JSONL, Table:
		return f, nil
	}
	return "", fmt.Errorf("unknown output format %q (want parquet, jsonl or table)", s)
}

// New returns a Writer of the format on w.
func New(f Format, w io.Writer) Writer {
	switch f {
	case JSONL:
		return NewJSONL(w)
	case Table:
		return NewTable(w)
	}
	return NewParquet(w)
}

// File is an output file that appears under its name only when complete:
// it is written to a temporary file beside it and renamed on Commit, so a
// reader (or a lake crawler) never sees half a Parquet file.
type File struct {
	f    *os.File
	path string
	done bool
}

// Create opens a temporary file beside path, with mode 0640. The
// temporary name is new (O_EXCL), so no existing file or symlink is
// followed or clobbered before Commit's rename replaces path itself.
func Create(path string) (*File, error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("cannot create output %s: %w", path, err)
	}
	if err := f.Chmod(0o640); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("cannot create output %s: %w", path, err)
	}
	return &File{f: f, path: path}, nil
}

func (o *File) Write(p []byte) (int, error) { return o.f.Write(p) }

// Commit syncs and renames the file into place.
func (o *File) Commit() error {
	if o.done {
		return errors.New("BUG: output committed twice")
	}
	o.done = true
	if err := o.f.Sync(); err != nil {
		o.f.Close()
		os.Remove(o.f.Name())
		return fmt.Errorf("write %s: %w", o.path, err)
	}
	if err := o.f.Close(); err != nil {
		os.Remove(o.f.Name())
		return fmt.Errorf("write %s: %w", o.path, err)
	}
	if err := os.Rename(o.f.Name(), o.path); err != nil {
		os.Remove(o.f.Name())
		return fmt.Errorf("write %s: %w", o.path, err)
	}
	return nil
}

// Abort removes the temporary file; it is a no-op after Commit.
func (o *File) Abort() {
	if o.done {
		return
	}
	o.done = true
	o.f.Close()
	os.Remove(o.f.Name())
}
