package output

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/parquet-go/parquet-go"
)

// ReadOptions tune ReadHits.
type ReadOptions struct {
	// Raw keeps each hit's raw record (Raw and RawBytes; RawRecord
	// gives the exact bytes); by default it is dropped as soon
	// as it is read, since reports rarely need it and it is most of a
	// file's bytes.
	Raw bool
	// BatchRows is the number of rows handed to fn at a time (default
	// 1024).
	BatchRows int
}

// ReadHits reads a hits Parquet file written by NewParquet and hands its
// rows to fn in batches; the slice is reused after fn returns. Files
// written before a column was added read with that column empty. A file
// that is not Parquet, or whose columns do not fit Hit, is an error.
func ReadHits(r io.ReaderAt, size int64, o ReadOptions, fn func([]Hit) error) (err error) {
	f, err := parquet.OpenFile(r, size)
	if err != nil {
		return fmt.Errorf("not a Parquet file: %w", err)
	}
	// parquet-go panics, rather than errs, when a file's schema cannot be
	// converted to Hit; the file is input, not an invariant of ours.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("not a retrohunt hits file: %v", p)
		}
	}()
	if !hasColumn(f, "rule_name") || !hasColumn(f, "event_time") {
		return errors.New("not a retrohunt hits file: no rule_name and event_time columns")
	}
	rd := parquet.NewGenericReader[Hit](f)
	defer rd.Close()
	n := o.BatchRows
	if n <= 0 {
		n = 1024
	}
	buf := make([]Hit, n)
	for {
		k, rerr := rd.Read(buf)
		if k > 0 {
			if !o.Raw {
				for i := range buf[:k] {
					buf[i].Raw, buf[i].RawBytes = "", ""
				}
			}
			if err := fn(buf[:k]); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return fmt.Errorf("read hits: %w", rerr)
		}
	}
}

func hasColumn(f *parquet.File, name string) bool {
	_, ok := f.Schema().Lookup(name)
	return ok
}

// ReadFile reads every hit of the Parquet file at path.
func ReadFile(path string, o ReadOptions) ([]Hit, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	var out []Hit
	err = ReadHits(f, st.Size(), o, func(hs []Hit) error {
		out = append(out, hs...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}
