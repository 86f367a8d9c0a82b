package window

import (
	"bufio"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
)

// DefaultBudget is the memory a Store keeps candidates in before it
// spills: 64 MiB.
const DefaultBudget = 64 << 20

// maxFanIn bounds the runs merged at once (open files); more runs are
// merged in passes.
const maxFanIn = 64

// SpillError is a failure to write or read a spilled run: a full disk, a
// missing or unwritable temp directory, a file that changed under us.
type SpillError struct {
	Op   string // "create", "write", "read", "remove"
	Path string
	Err  error
}

func (e *SpillError) Error() string {
	return fmt.Sprintf("cannot %s candidate run %s: %v", e.Op, e.Path, e.Err)
}

func (e *SpillError) Unwrap() error { return e.Err }

// ErrClosed is returned by a Store used after Close or after its
// candidates were consumed by Each.
var ErrClosed = errors.New("candidate store closed")

// runFile is what a spilled run is written to; a test replaces the
// file system to make writes fail.
type runFile interface {
	io.Writer
	Close() error
	Name() string
}

// Store holds candidates: in memory up to a byte budget, beyond it in
// sorted runs spilled to files in a directory. Add is safe for
// concurrent use; Each consumes the store.
type Store struct {
	dir    string
	budget int64
	create func(dir string) (runFile, error)

	mu      sync.Mutex
	mem     []Candidate
	memSize int64
	runs    []string // spilled run files, each sorted
	n       int64
	err     error // sticky: the first spill failure
	closed  bool
	scratch []byte
	order   []int // sortedOrder's buffer
}

// NewStore returns a Store that spills runs into dir (created if
// missing; "" is os.TempDir()) once its candidates take more than budget
// bytes (<= 0 is DefaultBudget).
func NewStore(dir string, budget int64) *Store {
	if budget <= 0 {
		budget = DefaultBudget
	}
	return &Store{dir: dir, budget: budget, create: createRun}
}

func createRun(dir string) (runFile, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return os.CreateTemp(dir, "candidates-*.run")
}

// Add records c. It returns a *SpillError when the memory budget is
// exceeded and the spill fails; every later Add returns the same error.
func (s *Store) Add(c Candidate) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if s.err != nil {
		return s.err
	}
	s.mem = append(s.mem, c)
	s.memSize += c.size()
	s.n++
	if s.memSize > s.budget {
		if err := s.spill(); err != nil {
			s.err = err
			return err
		}
	}
	return nil
}

// Len is the number of candidates added.
func (s *Store) Len() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// Runs is the number of runs spilled so far.
func (s *Store) Runs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.runs)
}

// spill sorts the in-memory candidates and writes them as one run.
func (s *Store) spill() error {
	s.order = sortedOrder(s.mem, s.order)
	name, err := s.writeRun(func(emit func(*Candidate) error) error {
		for _, i := range s.order {
			if err := emit(&s.mem[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.runs = append(s.runs, name)
	clear(s.mem)
	s.mem = s.mem[:0]
	s.memSize = 0
	return nil
}

// sortedOrder returns the indexes of mem in candidate order, in buf's
// storage: sorting indexes moves a word where sorting the candidates
// moves their 120.
func sortedOrder(mem []Candidate, buf []int) []int {
	buf = buf[:0]
	for i := range mem {
		buf = append(buf, i)
	}
	slices.SortFunc(buf, func(a, b int) int { return compare(&mem[a], &mem[b]) })
	return buf
}

// writeRun writes the candidates gen emits, in order, to a new run file
// and returns its name. A failed run is removed.
func (s *Store) writeRun(gen func(emit func(*Candidate) error) error) (string, error) {
	f, err := s.create(s.dir)
	if err != nil {
		return "", &SpillError{Op: "create", Path: s.dir, Err: err}
	}
	name := f.Name()
	bw := bufio.NewWriterSize(f, 256<<10)
	var hdr [binary.MaxVarintLen64]byte
	werr := gen(func(c *Candidate) error {
		s.scratch = appendBody(s.scratch[:0], c)
		n := binary.PutUvarint(hdr[:], uint64(len(s.scratch)))
		if _, err := bw.Write(hdr[:n]); err != nil {
			return err
		}
		_, err := bw.Write(s.scratch)
		return err
	})
	if werr == nil {
		werr = bw.Flush()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		var se *SpillError
		if errors.As(werr, &se) {
			return "", werr
		}
		os.Remove(name)
		return "", &SpillError{Op: "write", Path: name, Err: werr}
	}
	return name, nil
}

// Each calls fn for every candidate in order of rule, match key, time
// (then variable, source, record, values), and consumes the store: its
// run files are removed. The Candidate is valid during the call only.
func (s *Store) Each(fn func(*Candidate) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if s.err != nil {
		return s.err
	}
	s.closed = true
	defer s.removeRuns()
	order := sortedOrder(s.mem, s.order)
	// Merge in passes while there are too many runs to open at once.
	for len(s.runs) >= maxFanIn {
		batch := s.runs[:maxFanIn]
		name, err := s.writeRun(func(emit func(*Candidate) error) error {
			return mergeRuns(batch, nil, nil, emit)
		})
		if err != nil {
			return err
		}
		for _, r := range batch {
			os.Remove(r)
		}
		s.runs = append(slices.Clone(s.runs[maxFanIn:]), name)
	}
	mem := s.mem
	s.mem, s.memSize, s.order = nil, 0, nil
	return mergeRuns(s.runs, mem, order, fn)
}

// Close removes the spilled runs and drops the candidates; the Store
// cannot be used after it.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.mem = nil
	return s.removeRuns()
}

func (s *Store) removeRuns() error {
	var first error
	for _, r := range s.runs {
		if err := os.Remove(r); err != nil && !errors.Is(err, os.ErrNotExist) && first == nil {
			first = &SpillError{Op: "remove", Path: r, Err: err}
		}
	}
	s.runs = nil
	return first
}

// runReader reads one run file in order.
type runReader struct {
	name string
	f    *os.File
	br   *bufio.Reader
	buf  []byte
	cur  Candidate
}

func (r *runReader) next() (bool, error) {
	n, err := binary.ReadUvarint(r.br)
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, &SpillError{Op: "read", Path: r.name, Err: err}
	}
	if n > 1<<30 {
		return false, &SpillError{Op: "read", Path: r.name, Err: errCorrupt}
	}
	r.buf = slices.Grow(r.buf[:0], int(n))[:n]
	if _, err := io.ReadFull(r.br, r.buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return false, &SpillError{Op: "read", Path: r.name, Err: err}
	}
	if err := decodeCandidate(r.buf, &r.cur); err != nil {
		return false, &SpillError{Op: "read", Path: r.name, Err: err}
	}
	return true, nil
}

// source is one sorted input of a merge: a run file or the in-memory
// slice in the order of its indexes.
type source struct {
	run   *runReader
	mem   []Candidate
	order []int
	i     int
}

func (s *source) head() *Candidate {
	if s.run != nil {
		return &s.run.cur
	}
	return &s.mem[s.order[s.i]]
}

// advance moves to the next candidate, reporting false at the end.
func (s *source) advance() (bool, error) {
	if s.run != nil {
		return s.run.next()
	}
	s.i++
	return s.i < len(s.order), nil
}

type mergeHeap []*source

func (h mergeHeap) Len() int           { return len(h) }
func (h mergeHeap) Less(i, j int) bool { return compare(h[i].head(), h[j].head()) < 0 }
func (h mergeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *mergeHeap) Push(x any)        { *h = append(*h, x.(*source)) }
func (h *mergeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// mergeRuns emits the candidates of the sorted runs and of mem (in the
// order of its indexes order) in order.
func mergeRuns(runs []string, mem []Candidate, order []int, emit func(*Candidate) error) error {
	h := make(mergeHeap, 0, len(runs)+1)
	var files []*os.File
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	for _, name := range runs {
		f, err := os.Open(name)
		if err != nil {
			return &SpillError{Op: "read", Path: name, Err: err}
		}
		files = append(files, f)
		r := &runReader{name: name, f: f, br: bufio.NewReaderSize(f, 64<<10)}
		ok, err := r.next()
		if err != nil {
			return err
		}
		if ok {
			h = append(h, &source{run: r})
		}
	}
	if len(order) > 0 {
		h = append(h, &source{mem: mem, order: order})
	}
	heap.Init(&h)
	for len(h) > 0 {
		top := h[0]
		if err := emit(top.head()); err != nil {
			return err
		}
		ok, err := top.advance()
		if err != nil {
			return err
		}
		if ok {
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
		}
	}
	return nil
}
