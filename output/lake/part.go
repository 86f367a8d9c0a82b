package lake

import (
	"os"

	"github.com/retrohunt/retrohunt/output"
)

// part is a part file being built in a local temporary file.
type part struct {
	partition string
	key       string
	name      string                     // of the temporary file
	f         *os.File                   // nil once sealed and closed (Writer.evict)
	pw        interface{ Close() error } // output.Writer or *output.CandidateWriter
	rows      int64
	est       int64 // uncompressed size of the hits written
	used      int64 // Writer.tick of the last write
	size      int64 // file size once sealed
	sealed    bool
}

func newPart(dir, partition, key string, candidates bool) (*part, error) {
	f, err := os.CreateTemp(dir, "retrohunt-part-*.parquet")
	if err != nil {
		return nil, err
	}
	p := &part{partition: partition, key: key, name: f.Name(), f: f}
	if candidates {
		p.pw = output.NewCandidateParquet(f)
	} else {
		p.pw = output.NewParquet(f)
	}
	return p, nil
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
	p.size, p.sealed, p.pw = st.Size(), true, nil // the writer's buffers go
	return nil
}

// close seals the file and closes it: a part waiting for a checkpoint
// holds neither buffers nor a descriptor.
func (p *part) close() error {
	if err := p.seal(); err != nil {
		return err
	}
	err := p.f.Close()
	p.f = nil
	return err
}

// open returns the sealed file, reopened if close closed it.
func (p *part) open() (*os.File, error) {
	if p.f == nil {
		f, err := os.Open(p.name)
		if err != nil {
			return nil, err
		}
		p.f = f
	}
	return p.f, nil
}

// remove closes and deletes the temporary file.
func (p *part) remove() {
	if p.f != nil {
		p.f.Close()
	}
	os.Remove(p.name)
}
