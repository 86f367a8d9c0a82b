package lake

import (
	"os"

	"github.com/retrohunt/retrohunt/output"
)

// part is a part file being built in a local temporary file.
type part struct {
	partition string
	key       string
	f         *os.File
	pw        output.Writer
	rows      int64
	est       int64 // uncompressed size of the hits written
	used      int64 // Writer.tick of the last write
	size      int64 // file size once sealed
	sealed    bool
}

func newPart(dir, partition, key string) (*part, error) {
	f, err := os.CreateTemp(dir, "retrohunt-part-*.parquet")
	if err != nil {
		return nil, err
	}
	return &part{partition: partition, key: key, f: f, pw: output.NewParquet(f)}, nil
}

func (p *part) full(o Options) bool {
	return p.rows >= int64(o.MaxRows) || p.est >= o.MaxBytes
}

// seal writes the Parquet footer and syncs nothing: the temporary file
// is only read back by the commit.
func (p *part) seal() error {
	if p.sealed {
		return nil
	}
	if err := p.pw.Close(); err != nil {
		return err
	}
	st, err := p.f.Stat()
	if err != nil {
		return err
	}
	p.size, p.sealed = st.Size(), true
	return nil
}

// remove closes and deletes the temporary file.
func (p *part) remove() {
	p.f.Close()
	os.Remove(p.f.Name())
}
