// Package lake writes hits into a data lake: Hive-style partitions of
// Parquet part files under a prefix of a sources.Store (a local folder,
// an S3 bucket, an Azure container), plus one manifest per run.
//
//	<prefix>date=2024-03-01/rule=aws_ssm_run_command/part-<run>-<n>.parquet
//	<prefix>_manifest/<run>.json
//
// Each part file is built in a local temporary file, footer included,
// and only then committed with one atomic Put (If-None-Match), so a
// reader never sees half a file; the manifest is written last. Part
// names carry the run ID, so runs and shards writing into the same
// prefix never collide. docs/sweeps.md describes the layout.
package lake

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/sources"
)

// Options configure a Writer; zero fields take the defaults named.
type Options struct {
	// PartitionBy lists the partition columns in path order: ByDate,
	// ByRule, ByAccount. Empty writes every part under the prefix.
	PartitionBy []string
	// MaxRows rolls a part file at this many rows; default 1,000,000.
	MaxRows int
	// MaxBytes rolls a part file when its hits' uncompressed size (the
	// sum of their column values) reaches it, which keeps the Parquet
	// file below it; default 256 MiB.
	MaxBytes int64
	// RunID names this run's files: letters, digits, ".", "_" and "-".
	// Default NewRunID(now).
	RunID string
	// TempDir holds the part files while they are built; default
	// os.TempDir().
	TempDir string
	// MaxOpen bounds the part files open at once (one per partition
	// written to); past it the least recently written is committed, or,
	// with Explicit, sealed and closed until the next Checkpoint commits
	// it. Only open files hold Parquet buffers, so this bounds the
	// memory of one object whose hits fall in thousands of partitions.
	// Default 16.
	MaxOpen int
	// Explicit makes Write never commit: the caller commits every open
	// file with Checkpoint, when Full says so or on its own schedule,
	// saving its state in Checkpoint's callback (sweep/state's protocol
	// for exactly-once resume). Close then fails if hits were written
	// after the last Checkpoint.
	Explicit bool
	// Adopt lists files an earlier run committed but never listed in a
	// manifest because it stopped; this run's manifest lists them under
	// "adopted".
	Adopt []File
	// Candidates makes a Writer of the candidates table
	// (WriteCandidates; Write is refused): output.Candidate rows,
	// partitioned by date and rule whatever PartitionBy says.
	Candidates bool
	// Now is the clock (tests); nil is time.Now.
	Now func() time.Time
}

// Defaults and caps.
const (
	DefaultMaxRows  = 1_000_000
	DefaultMaxBytes = 256 << 20
	DefaultMaxOpen  = 16
)

// File is one committed part file.
type File struct {
	Key       string `json:"key"` // store key
	URI       string `json:"uri"`
	Run       string `json:"run"`
	Partition string `json:"partition"` // "date=2024-03-01/rule=x", "" unpartitioned
	Rows      int64  `json:"rows"`
	Bytes     int64  `json:"bytes"`
	ETag      string `json:"etag,omitempty"`
}

// ManifestVersion is the manifest format this package writes.
const ManifestVersion = 1

// Manifest is the record of one run, written last: its files with their
// row counts and partitions, and the caller's summary.
type Manifest struct {
	Version     int             `json:"version"`
	Run         string          `json:"run"`
	Prefix      string          `json:"prefix"` // URI of the lake prefix
	PartitionBy []string        `json:"partition_by"`
	Started     time.Time       `json:"started"`
	Finished    time.Time       `json:"finished"`
	Files       []File          `json:"files"`
	Rows        int64           `json:"rows"` // in Files
	Adopted     []File          `json:"adopted,omitempty"`
	Summary     json.RawMessage `json:"summary,omitempty"`
	// Coverage, in the candidates table's manifests, is what the run
	// proves of its candidates (retrohunt correlate reads it).
	Coverage *Coverage `json:"coverage,omitempty"`
}

// Coverage is what a sweep run's candidates manifest proves: every
// record of the shard whose event time lies in Covered was evaluated by
// this run or an earlier one of the same state, with the rule versions
// in Rules, and its candidates are committed in the table.
type Coverage struct {
	Shard  int `json:"shard"`  // this process's index (0 unsharded)
	Shards int `json:"shards"` // the shard count (1 unsharded)
	// Since and Until are the run's window, capped at its start minus
	// the lateness (zero: open).
	Since time.Time `json:"since,omitzero"`
	Until time.Time `json:"until,omitzero"`
	// Covered is that window less the event times of objects that
	// failed or were skipped; empty when listing failed or the run was
	// interrupted.
	Covered []Window `json:"covered"`
	// Rules are the multi-event rules' versions, by name.
	Rules map[string]string `json:"rules"`
	// Detects says the sweep wrote its own detections (one process
	// with a state); correlate refuses such a lake.
	Detects bool `json:"detects,omitempty"`
}

// ManifestDir is the folder, under the prefix, of the run manifests. Its
// leading "_" hides it from Hive, Spark, Athena and Trino.
const ManifestDir = "_manifest/"

// Writer writes one run's hits into the lake. Like every output.Writer
// it is driven by one goroutine.
type Writer struct {
	ctx     context.Context
	store   sources.Store
	prefix  string
	o       Options
	started time.Time

	open map[string]*part // by partition
	// waiting are sealed and closed part files waiting for the next
	// Checkpoint (Options.Explicit): past MaxOpen the least recently
	// written part is closed rather than committed.
	waiting []*part
	seq     int64 // part numbers, unique in the run
	tick    int64 // for least-recently-written
	files   []File
	err     error // sticky: after a failed commit nothing more is written
	closed  bool
	cov     *Coverage
}

// Window is an interval of event time, Since <= t < Until; a zero
// bound is open.
type Window struct {
	Since time.Time `json:"since,omitzero"`
	Until time.Time `json:"until,omitzero"`
}

// SetCoverage puts c into the manifest Close writes.
func (w *Writer) SetCoverage(c *Coverage) { w.cov = c }

var _ output.Writer = (*Writer)(nil)

var runIDRe = regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`)

// New returns a Writer for hits under prefix in store ("" is the store's
// root; a missing trailing "/" is added). ctx bounds every store request
// the Writer makes, the last commit and the manifest included: after an
// interrupt, pass one that outlives it (context.WithoutCancel) to keep
// the hits found so far.
func New(ctx context.Context, store sources.Store, prefix string, o Options) (*Writer, error) {
	if err := checkPartitionBy(o.PartitionBy); err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RunID == "" {
		o.RunID = NewRunID(o.Now())
	}
	if !runIDRe.MatchString(o.RunID) {
		return nil, fmt.Errorf("run ID %q: want 1 to 128 letters, digits, '.', '_' or '-'", o.RunID)
	}
	if o.MaxRows <= 0 {
		o.MaxRows = DefaultMaxRows
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxOpen <= 0 {
		o.MaxOpen = DefaultMaxOpen
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return &Writer{ctx: ctx, store: store, prefix: prefix, o: o, started: o.Now().UTC(), open: map[string]*part{}}, nil
}

// RunID is the run's ID, as in its file names.
func (w *Writer) RunID() string { return w.o.RunID }

// ManifestKey is the store key of run's manifest under prefix.
func ManifestKey(prefix, run string) string {
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return prefix + ManifestDir + run + ".json"
}

// Files returns the files committed so far.
func (w *Writer) Files() []File { return append([]File(nil), w.files...) }

// Write adds hits to their partitions' open part files. Without
// Options.Explicit it commits a file as soon as it is full, so files
// hold exactly MaxRows rows but the last; with it, nothing is committed
// here.
func (w *Writer) Write(hits []output.Hit) error {
	if w.o.Candidates {
		return errors.New("BUG: hits written to a candidates lake writer")
	}
	return w.writeRows(len(hits), func(i int) string { return Partition(w.o.PartitionBy, &hits[i]) },
		func(i int) int64 { return hitSize(&hits[i]) },
		func(p *part, idx []int) error {
			hs := make([]output.Hit, len(idx))
			for j, i := range idx {
				hs[j] = hits[i]
			}
			return p.pw.(output.Writer).Write(hs)
		})
}

// WriteCandidates adds candidate rows to their partitions' part files
// (Options.Candidates), as Write does hits.
func (w *Writer) WriteCandidates(cs []output.Candidate) error {
	if !w.o.Candidates {
		return errors.New("BUG: candidates written to a hits lake writer")
	}
	return w.writeRows(len(cs), func(i int) string { return CandidatePartition(cs[i].RuleName, cs[i].EventTime) },
		func(i int) int64 { return candidateSize(&cs[i]) },
		func(p *part, idx []int) error {
			rows := make([]output.Candidate, len(idx))
			for j, i := range idx {
				rows[j] = cs[i]
			}
			return p.pw.(*output.CandidateWriter).Write(rows)
		})
}

// writeRows groups n rows by partition, keeping their order within
// each, and writes each group.
func (w *Writer) writeRows(n int, partition func(int) string, size func(int) int64, put func(*part, []int) error) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errors.New("BUG: lake Write after Close")
	}
	groups := map[string][]int{}
	var names []string
	for i := 0; i < n; i++ {
		p := partition(i)
		if _, ok := groups[p]; !ok {
			names = append(names, p)
		}
		groups[p] = append(groups[p], i)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := w.write(name, groups[name], size, put); err != nil {
			w.fail(err)
			return err
		}
	}
	return nil
}

func (w *Writer) write(partition string, rows []int, size func(int) int64, put func(*part, []int) error) error {
	for len(rows) > 0 {
		p, err := w.part(partition)
		if err != nil {
			return err
		}
		// Take as many rows as fit; in explicit mode all of them.
		n, est := 0, int64(0)
		for n < len(rows) {
			if !w.o.Explicit && (p.rows+int64(n) >= int64(w.o.MaxRows) || p.est+est >= w.o.MaxBytes) {
				break
			}
			est += size(rows[n])
			n++
		}
		if n == 0 {
			// An open file is never full here (it is committed when it
			// fills), so this is a fresh file: it takes at least one.
			n, est = 1, size(rows[0])
		}
		if err := put(p, rows[:n]); err != nil {
			return fmt.Errorf("write part %s: %w", w.store.URI(p.key), err)
		}
		p.rows += int64(n)
		p.est += est
		w.tick++
		p.used = w.tick
		rows = rows[n:]
		if !w.o.Explicit && p.full(w.o) {
			if err := w.commitOne(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// candidateSize estimates a candidate's uncompressed size in the file.
func candidateSize(c *output.Candidate) int64 {
	n := 4 + 8 + 8 + len(c.RuleName) + len(c.RuleVersion) + len(c.VarName) + len(c.SourceURI) + len(c.SourceETag) + 20
	for _, k := range c.MatchKey {
		n += len(k) + 4
	}
	for _, v := range c.Values {
		n += len(v) + 4
	}
	return int64(n)
}

// hitSize estimates a hit's uncompressed size in the file.
func hitSize(h *output.Hit) int64 {
	n := 8 + 8 // event_time, record_index
	for _, s := range [...]string{h.RuleName, h.RuleVersion, h.Severity, h.Technique, h.LogType, h.AccountID,
		h.Region, h.PrincipalUser, h.PrincipalIP, h.UserAgent, h.EventSource, h.EventName, h.TargetResource,
		h.Result, h.ResultDetail, h.EventID, h.SourceURI, h.SourceETag, h.Raw, h.Tactic} {
		n += len(s) + 4
	}
	return int64(n)
}

// Full reports whether a part file has reached MaxRows or MaxBytes, or
// more than MaxOpen are open: in explicit mode, time to Checkpoint.
func (w *Writer) Full() bool {
	if len(w.open) > w.o.MaxOpen || len(w.waiting) > 0 {
		return true
	}
	for _, p := range w.open {
		if p.full(w.o) {
			return true
		}
	}
	return false
}

// part returns the open part file of partition, opening one (and, past
// MaxOpen, committing the least recently written) as needed.
func (w *Writer) part(partition string) (*part, error) {
	if p, ok := w.open[partition]; ok {
		return p, nil
	}
	if len(w.open) >= w.o.MaxOpen {
		var lru *part
		for _, p := range w.open {
			if lru == nil || p.used < lru.used {
				lru = p
			}
		}
		if !w.o.Explicit {
			if err := w.commitOne(lru); err != nil {
				return nil, err
			}
		} else {
			if err := lru.close(); err != nil {
				return nil, fmt.Errorf("finish part %s: %w", w.store.URI(lru.key), err)
			}
			delete(w.open, lru.partition)
			w.waiting = append(w.waiting, lru)
		}
	}
	key := w.prefix
	if partition != "" {
		key += partition + "/"
	}
	key += "part-" + w.o.RunID + "-" + strconv.FormatInt(w.seq, 10) + ".parquet"
	w.seq++
	p, err := newPart(w.o.TempDir, partition, key, w.o.Candidates)
	if err != nil {
		return nil, err
	}
	w.open[partition] = p
	return p, nil
}

// seal writes the footers of every open file; it returns them and the
// closed ones in partition order, as they will be committed.
func (w *Writer) seal() ([]*part, error) {
	ps := append([]*part(nil), w.waiting...)
	for _, p := range w.open {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].partition != ps[j].partition {
			return ps[i].partition < ps[j].partition
		}
		return ps[i].key < ps[j].key
	})
	for _, p := range ps {
		if err := p.seal(); err != nil {
			return nil, fmt.Errorf("finish part %s: %w", w.store.URI(p.key), err)
		}
	}
	return ps, nil
}

// Checkpoint finishes every open part file (footer written, locally),
// hands the list to before, and then commits them all; the files
// committed are returned. before runs after the footers are written and
// before anything is committed: the place to save a state that names
// these files (sweep/state's Stage and Save). If before fails, nothing is
// committed, the files are discarded and the Writer fails from then on.
// A nil before just commits.
func (w *Writer) Checkpoint(before func([]File) error) ([]File, error) {
	if w.err != nil {
		return nil, w.err
	}
	ps, err := w.seal()
	if err != nil {
		w.fail(err)
		return nil, err
	}
	files := make([]File, len(ps))
	for i, p := range ps {
		files[i] = w.file(p)
	}
	if before != nil {
		if err := before(files); err != nil {
			err = fmt.Errorf("checkpoint of %d part files not committed: %w", len(ps), err)
			w.fail(err)
			return nil, err
		}
	}
	if err := w.commit(ps); err != nil {
		w.fail(err)
		return nil, err
	}
	return w.files[len(w.files)-len(ps):], nil
}

func (w *Writer) file(p *part) File {
	return File{Key: p.key, URI: w.store.URI(p.key), Run: w.o.RunID, Partition: p.partition, Rows: p.rows, Bytes: p.size}
}

// commitOne seals and commits one part file (automatic rolling).
func (w *Writer) commitOne(p *part) error {
	if err := p.seal(); err != nil {
		return fmt.Errorf("finish part %s: %w", w.store.URI(p.key), err)
	}
	return w.commit([]*part{p})
}

// commit puts sealed part files, a few at a time, and records the ones
// committed in part number order.
func (w *Writer) commit(ps []*part) error {
	etags := make([]string, len(ps))
	done := make([]bool, len(ps))
	g, ctx := errgroup.WithContext(w.ctx)
	g.SetLimit(4)
	for i, p := range ps {
		g.Go(func() error {
			etag, err := w.put(ctx, p)
			etags[i], done[i] = etag, err == nil
			return err
		})
	}
	err := g.Wait()
	for i, p := range ps {
		if !done[i] {
			continue
		}
		f := w.file(p)
		f.ETag = etags[i]
		w.files = append(w.files, f)
		p.remove()
		if w.open[p.partition] == p {
			delete(w.open, p.partition)
		}
		w.waiting = slices.DeleteFunc(w.waiting, func(c *part) bool { return c == p })
	}
	return err
}

// put commits one sealed part with If-None-Match. A part name is the
// run's own, so an existing object of that name can only be this very
// Put, retried by the SDK after its answer was lost; then it has this
// part's size.
func (w *Writer) put(ctx context.Context, p *part) (string, error) {
	f, err := p.open()
	if err != nil {
		return "", err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	etag, err := w.store.Put(ctx, p.key, f, p.size, sources.Condition{IfNoneMatch: true})
	if err != nil && w.store.IsConflict(err) {
		var o sources.Object
		lerr := w.store.List(ctx, p.key, func(x sources.Object) error {
			if x.Key == p.key {
				o = x
			}
			return nil
		})
		if lerr == nil && o.Key == p.key && o.Size == p.size {
			return o.ETag, nil
		}
		return "", fmt.Errorf("part %s exists already (another run with run ID %s?): %w", w.store.URI(p.key), w.o.RunID, err)
	}
	if err != nil {
		return "", fmt.Errorf("commit part %s: %w", w.store.URI(p.key), err)
	}
	return etag, nil
}

func (w *Writer) fail(err error) {
	if w.err == nil {
		w.err = err
	}
	w.discard()
}

// discard removes the temporary files of the open parts.
func (w *Writer) discard() {
	for k, p := range w.open {
		p.remove()
		delete(w.open, k)
	}
	for _, p := range w.waiting {
		p.remove()
	}
	w.waiting = nil
}

// Abort discards the part files not committed and writes no manifest.
func (w *Writer) Abort() {
	w.closed = true
	w.discard()
}

// Close commits the open part files and writes the manifest without a
// summary.
func (w *Writer) Close() error { return w.CloseWithManifest(nil) }

// CloseWithManifest commits the open part files (without
// Options.Explicit) and then, last, writes the run's manifest
// (_manifest/<run>.json, If-None-Match) with extra, any JSON-encodable
// value such as the coverage summary, as its "summary". After a failure
// it writes nothing more and returns the first error.
func (w *Writer) CloseWithManifest(extra any) error {
	if w.closed {
		return errors.New("BUG: lake closed twice")
	}
	w.closed = true
	if w.err != nil {
		w.discard()
		return w.err
	}
	if len(w.open) > 0 || len(w.waiting) > 0 {
		if w.o.Explicit {
			w.discard()
			return errors.New("BUG: lake closed with hits written after the last checkpoint")
		}
		ps, err := w.seal()
		if err == nil {
			err = w.commit(ps)
		}
		if err != nil {
			w.fail(err)
			return err
		}
	}
	m := Manifest{
		Version:     ManifestVersion,
		Run:         w.o.RunID,
		Prefix:      w.store.URI(w.prefix),
		PartitionBy: append([]string{}, w.o.PartitionBy...),
		Started:     w.started,
		Finished:    w.o.Now().UTC(),
		Files:       append([]File{}, w.files...),
		Adopted:     w.o.Adopt,
		Coverage:    w.cov,
	}
	for _, f := range m.Files {
		m.Rows += f.Rows
	}
	if extra != nil {
		b, err := json.Marshal(extra)
		if err != nil {
			return fmt.Errorf("cannot encode the manifest summary: %w", err)
		}
		m.Summary = b
	}
	body, err := json.MarshalIndent(&m, "", "  ")
	if err != nil {
		return fmt.Errorf("BUG: cannot encode the manifest: %w", err)
	}
	key := ManifestKey(w.prefix, w.o.RunID)
	if _, err := w.store.Put(w.ctx, key, strings.NewReader(string(body)), int64(len(body)), sources.Condition{IfNoneMatch: true}); err != nil {
		return fmt.Errorf("write manifest %s: %w", w.store.URI(key), err)
	}
	return nil
}

// ReadManifest reads run's manifest under prefix.
func ReadManifest(ctx context.Context, store sources.Store, prefix, run string) (*Manifest, error) {
	key := ManifestKey(prefix, run)
	b, _, err := store.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", store.URI(key), err)
	}
	if m.Version > ManifestVersion {
		return nil, fmt.Errorf("manifest %s: version %d is newer than this retrohunt reads", store.URI(key), m.Version)
	}
	return &m, nil
}

// Manifests lists the runs that wrote a manifest under prefix.
func Manifests(ctx context.Context, store sources.Store, prefix string) ([]string, error) {
	dir := ManifestKey(prefix, "")
	dir = strings.TrimSuffix(dir, ".json")
	var runs []string
	err := store.List(ctx, dir, func(o sources.Object) error {
		name := strings.TrimPrefix(o.Key, dir)
		if run, ok := strings.CutSuffix(name, ".json"); ok && !strings.Contains(run, "/") && runIDRe.MatchString(run) {
			runs = append(runs, run)
		}
		return nil
	})
	return runs, err
}

// Tombstone returns a part file without rows: sweep/state's Recover
// writes it over the part names of a checkpoint it undoes, so that no
// late upload of a killed run can land there. Readers see an empty file.
func Tombstone() []byte {
	var b bytes.Buffer
	w := output.NewParquet(&b)
	if err := w.Close(); err != nil {
		panic("BUG: cannot write an empty Parquet file: " + err.Error())
	}
	return b.Bytes()
}

// CandidatesDir is the folder, under a sweep's lake prefix, of the
// candidates table (a Writer with Options.Candidates under it).
const CandidatesDir = "candidates/"

// CandidatePartition is the Hive partition of a candidate:
// "date=2024-03-01/rule=aws_console_brute_force".
func CandidatePartition(rule string, t time.Time) string {
	return Partition([]string{ByDate, ByRule}, &output.Hit{RuleName: rule, EventTime: t})
}

// CandidateTombstone is Tombstone for a part of the candidates table: a
// candidates file without rows.
func CandidateTombstone() []byte {
	var b bytes.Buffer
	w := output.NewCandidateParquet(&b)
	if err := w.Close(); err != nil {
		panic("BUG: cannot write an empty Parquet file: " + err.Error())
	}
	return b.Bytes()
}

// NewRunID returns a run ID that sorts by start time and is unique
// without coordination: 20240301T020000Z-1a2b3c4d.
func NewRunID(t time.Time) string {
	var b [4]byte
	rand.Read(b[:])
	return t.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}
