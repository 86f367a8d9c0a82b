package output

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/parquet-go/parquet-go"
)

// Candidate is one row of a lake's candidates table (candidates/ under
// the lake prefix, docs/sweeps.md "The candidates table"): one event
// that passed one event variable's per-event filter of one multi-event
// rule, as a sweep or a shard carries it to a later run or to
// `retrohunt correlate`.
type Candidate struct {
	RuleName    string   `parquet:"rule_name,zstd,dict" json:"rule_name"`
	RuleVersion string   `parquet:"rule_version,zstd,dict" json:"rule_version"`
	Var         int32    `parquet:"var" json:"var"`                     // index of the event variable
	VarName     string   `parquet:"var_name,zstd,dict" json:"var_name"` // its name, as a detection row's events name it
	MatchKey    []string `parquet:"match_key,list" json:"match_key"`    // the match variables' values, in match-section order
	// EventTime is the event's time for readers (microseconds, which
	// Spark and Athena read); EventTimeNS is exact, in Unix
	// nanoseconds (Azure times carry 100 ns), and is what retrohunt
	// groups by.
	EventTime   time.Time `parquet:"event_time,timestamp(microsecond)" json:"event_time"`
	EventTimeNS int64     `parquet:"event_time_ns" json:"event_time_ns"`
	Values      []string  `parquet:"values,list" json:"values"` // what the rule's outcomes and condition read, encoded by the engine
	SourceURI   string    `parquet:"source_uri,zstd,dict" json:"source_uri"`
	SourceETag  string    `parquet:"source_etag,zstd,dict" json:"source_etag"`
	RecordIndex int64     `parquet:"record_index" json:"record_index"`
}

// CandidateWriter writes candidate rows as zstd Parquet.
type CandidateWriter struct {
	w    *parquet.GenericWriter[Candidate]
	rows int
}

// NewCandidateParquet writes candidates to w; nothing valid is on w
// until Close has written the footer.
func NewCandidateParquet(w io.Writer) *CandidateWriter {
	return &CandidateWriter{w: parquet.NewGenericWriter[Candidate](w, parquet.CreatedBy("retrohunt", "", ""))}
}

// Write appends rows.
func (c *CandidateWriter) Write(rows []Candidate) error {
	for i := range rows {
		rows[i].EventTime = rows[i].EventTime.UTC()
	}
	if _, err := c.w.Write(rows); err != nil {
		return err
	}
	c.rows += len(rows)
	if c.rows >= rowGroupRows {
		c.rows = 0
		return c.w.Flush()
	}
	return nil
}

// Close writes the footer.
func (c *CandidateWriter) Close() error { return c.w.Close() }

// ReadCandidates streams the rows of a candidates file to fn in batches
// of up to 1024; the slice is reused after fn returns.
func ReadCandidates(r io.ReaderAt, size int64, fn func([]Candidate) error) (err error) {
	f, err := parquet.OpenFile(r, size)
	if err != nil {
		return fmt.Errorf("not a Parquet file: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("not a retrohunt candidates file: %v", p)
		}
	}()
	if f.NumRows() == 0 {
		return nil // a tombstone
	}
	if !hasColumn(f, "var_name") || !hasColumn(f, "var") {
		return errors.New("not a retrohunt candidates file: no var and var_name columns")
	}
	rd := parquet.NewGenericReader[Candidate](f)
	defer rd.Close()
	buf := make([]Candidate, 1024)
	for {
		k, rerr := rd.Read(buf)
		if k > 0 {
			if err := fn(buf[:k]); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return fmt.Errorf("read candidates: %w", rerr)
		}
	}
}
