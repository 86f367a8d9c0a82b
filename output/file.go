package output

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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

// ErrIsDir is returned by Create when the path names a directory.
var ErrIsDir = errors.New("is a directory")

// File is an output file that appears under its name only when complete:
// it is written to a temporary file beside it and renamed on Commit, so a
// reader (or a lake crawler) never sees half a Parquet file.
//
// What the path names decides how it is written (docs/output.md):
//   - a regular file or nothing, or a symlink to a regular file or to
//     nothing: a temporary file beside it, renamed over it on Commit. A
//     symlink is replaced itself, never followed: the file it names is
//     not touched (a link planted where a root cron job writes must not
//     redirect the write);
//   - a symlink to a FIFO or a device, or one whose chain passes through
//     /proc (/dev/stdout, /dev/fd/N): followed, see the next case;
//   - a FIFO, a character or block device, a socket (anything not a
//     regular file): opened for appending and written in place, never
//     replaced. It is opened at the first write or at Commit, not by
//     Create, so a FIFO's reader need not be there before the scan
//     begins;
//   - a directory, or a symlink to one: ErrIsDir.
type File struct {
	f       *os.File
	path    string // as given, for messages
	special bool   // written in place: f is opened lazily, never renamed
	done    bool
}

// Create prepares the output at path (see File). For a regular or
// missing file it creates the temporary file now, mode 0640, so an
// unwritable directory fails here rather than after a scan. The
// temporary name is new (O_EXCL), so no existing file or symlink is
// followed or clobbered before Commit's rename replaces the file itself.
func Create(path string) (*File, error) {
	if viaProc(path) {
		return &File{path: path, special: true}, nil
	}
	st, err := os.Stat(path) // follows symlinks
	switch {
	case err == nil && st.IsDir():
		return nil, fmt.Errorf("cannot create output %s: %w", path, ErrIsDir)
	case err == nil && !st.Mode().IsRegular():
		return &File{path: path, special: true}, nil
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("cannot create output %s: %w", path, err)
	}
	// A regular file, nothing, or a symlink to either: the rename
	// replaces the path itself, a symlink included, and never writes
	// through it to the file it names.
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
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

// viaProc reports whether the symlink chain from path passes through
// /proc: /dev/stdout, /dev/stderr and /dev/fd/N lead to a descriptor of
// this process, which is written in place even when it is a regular
// file (the shell's "> hits.jsonl" or ">> log"), never replaced.
func viaProc(path string) bool {
	p := path
	for range 40 {
		lst, err := os.Lstat(p)
		if err != nil || lst.Mode()&os.ModeSymlink == 0 {
			return false
		}
		t, err := os.Readlink(p)
		if err != nil {
			return false
		}
		if !filepath.IsAbs(t) {
			t = filepath.Join(filepath.Dir(p), t)
		}
		if t == "/proc" || strings.HasPrefix(t, "/proc/") {
			return true
		}
		p = t
	}
	return false
}

// open opens a special file for writing, once.
func (o *File) open() error {
	if o.f != nil {
		return nil
	}
	f, err := os.OpenFile(o.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("cannot open output %s: %w", o.path, err)
	}
	o.f = f
	return nil
}

func (o *File) Write(p []byte) (int, error) {
	if o.special {
		if err := o.open(); err != nil {
			return 0, err
		}
	}
	return o.f.Write(p)
}

// Commit syncs and renames the file into place; a special file is
// opened if nothing was written yet (so a FIFO's reader sees its end)
// and closed.
func (o *File) Commit() error {
	if o.done {
		return errors.New("BUG: output committed twice")
	}
	o.done = true
	if o.special {
		if err := o.open(); err != nil {
			return err
		}
		if err := o.f.Close(); err != nil {
			return fmt.Errorf("write %s: %w", o.path, err)
		}
		return nil
	}
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

// Abort removes the temporary file (a special file is closed, if it was
// opened); it is a no-op after Commit.
func (o *File) Abort() {
	if o.done {
		return
	}
	o.done = true
	if o.special {
		if o.f != nil {
			o.f.Close()
		}
		return
	}
	o.f.Close()
	os.Remove(o.f.Name())
}
