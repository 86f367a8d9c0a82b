package output

import (
	"io"

	"github.com/parquet-go/parquet-go"
)

// rowGroupRows bounds the rows buffered before a row group is flushed, so
// memory stays flat however many hits a scan finds.
const rowGroupRows = 64 << 10

type parquetWriter struct {
	w    *parquet.GenericWriter[Hit]
	rows int
}

// NewParquet writes zstd-compressed Parquet to w. Nothing valid is on w
// until Close has written the footer.
func NewParquet(w io.Writer) Writer {
	return &parquetWriter{w: parquet.NewGenericWriter[Hit](w,
		parquet.CreatedBy("retrohunt", "", ""),
	)}
}

func (p *parquetWriter) Write(hits []Hit) error {
	for i := range hits {
		hits[i].EventTime = hits[i].EventTime.UTC()
		hits[i].MakeValid()
	}
	if _, err := p.w.Write(hits); err != nil {
		return err
	}
	p.rows += len(hits)
	if p.rows >= rowGroupRows {
		p.rows = 0
		return p.w.Flush()
	}
	return nil
}

func (p *parquetWriter) Close() error { return p.w.Close() }
