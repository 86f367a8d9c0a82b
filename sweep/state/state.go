// Package state is the memory of a sweep: for every object it has seen,
// the version (ETag and size) it scanned, with which rule set, what came
// of it and how many hits it gave. The next run asks Need for each listed
// object and skips what is already done.
//
// The state is one JSON document in a sources.Store (a local file, an S3
// object or an Azure blob), written whole by Save with one atomic Put.
// Save is conditional on the ETag Load read (or on the file not existing
// yet), so two runs that use the same state file concurrently cannot
// silently overwrite each other: the second Save fails with a conflict.
//
// For exactly-once resume with a lake output, outcomes go through
// checkpoints (Stage, Commit, Recover in checkpoint.go): an object only
// counts as scanned once every part file holding its hits is committed.
// docs/sweeps.md describes the format and the protocol.
package state

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/retrohunt/retrohunt/output/lake"
	"github.com/retrohunt/retrohunt/scan"
	"github.com/retrohunt/retrohunt/sources"
)

// Version is the state format this package writes; it reads it and
// nothing newer.
const Version = 1

// Entry is what the state remembers of one object, keyed by its URI.
type Entry struct {
	ETag string `json:"etag"`
	Size int64  `json:"size"`
	// Status is what came of the object, stored by name ("scanned",
	// "failed", "skipped"); Reason says why it was not scanned.
	Status scan.ObjectStatus `json:"status"`
	Reason string            `json:"reason,omitempty"`
	Hits   int64             `json:"hits"`
	// Records is the number of records read, so that a run rescanning
	// an append blob that grew can tell the old records from the new.
	Records int64 `json:"records,omitempty"`
	// Windows are the event-time windows the records before Records
	// were evaluated for (merged, at most MaxWindows); none: all time,
	// as in state files written before windows were kept.
	Windows []scan.Span `json:"windows,omitempty"`
	Ruleset string      `json:"ruleset"`
	Run     string      `json:"run,omitempty"` // the run that recorded it
	At      time.Time   `json:"at"`
}

// noStatus marks an entry decoded without a status: ObjectStatus's zero
// value is ObjectScanned, and a missing status must not read as one.
const noStatus = scan.ObjectStatus(255)

// UnmarshalJSON decodes an entry and refuses one without a status.
func (e *Entry) UnmarshalJSON(b []byte) error {
	type plain Entry // without this method
	p := plain{Status: noStatus}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	if p.Status == noStatus {
		return errors.New("object entry without a status")
	}
	*e = Entry(p)
	return nil
}

// Outcome is what a run found for one object.
type Outcome struct {
	URI     string // the object's provenance URI (Source.URI), the state's key
	ETag    string // as listed; see ETag for stores without ETags
	Size    int64
	Status  scan.ObjectStatus
	Reason  string
	Hits    int64
	Records int64
	Windows []scan.Span // what the records before Records were evaluated for; nil: all time
	Ruleset string      // Fingerprint of the rule set it was matched with
}

// RunInfo names a run in the state file and in conflict messages.
type RunInfo struct {
	Run     string    `json:"run"`
	Host    string    `json:"host,omitempty"`
	PID     int       `json:"pid,omitempty"`
	Started time.Time `json:"started"`
	Saved   time.Time `json:"saved"`
}

func (r *RunInfo) String() string {
	if r == nil {
		return "an unknown run"
	}
	s := fmt.Sprintf("run %s (host %s, pid %d, started %s", r.Run, r.Host, r.PID, r.Started.UTC().Format(time.RFC3339))
	if !r.Saved.IsZero() {
		s += ", saved " + r.Saved.UTC().Format(time.RFC3339)
	}
	return s + ")"
}

// document is the state file.
type document struct {
	Version int              `json:"version"`
	Ruleset string           `json:"ruleset,omitempty"` // the rule set of the last run
	SavedBy *RunInfo         `json:"saved_by,omitempty"`
	Objects map[string]Entry `json:"objects"`
	// Pending checkpoints: staged outcomes whose parts may or may not
	// have been committed when the run stopped.
	Pending []Checkpoint `json:"pending,omitempty"`
	// Rules is the event-time coverage of each multi-event rule
	// version (RuleKey): the windows whose records have all been
	// evaluated and their candidates committed, so that a match window
	// inside them is complete (coverage.go).
	Rules map[string][]scan.Span `json:"rules,omitempty"`
	// Parts committed by runs whose manifest has not been written.
	// They are lake files as the lake's manifest lists them; files saved
	// before they carried "key" have only "uri", which is what Recover
	// and Adopt go by.
	Parts []lake.File `json:"parts,omitempty"`
}

// State is a loaded state file. Its methods are safe for concurrent use.
type State struct {
	store sources.Store
	key   string

	saveMu sync.Mutex // one Save at a time

	mu      sync.Mutex
	doc     document
	etag    string // of the file as loaded or last saved; "" if none
	loaded  string // ETag when loaded, for messages
	nLoaded int
	run     RunInfo
	dirty   bool
	nextID  int64
	now     func() time.Time
}

// Load reads the state file key from store; a missing file is an empty
// state. A file that is not a state file, or is of a newer version, is
// an error: starting over silently would rescan (and re-report)
// everything.
func Load(ctx context.Context, store sources.Store, key string) (*State, error) {
	s := &State{store: store, key: key, now: time.Now}
	s.run = RunInfo{Run: lake.NewRunID(time.Now()), PID: os.Getpid(), Started: time.Now().UTC()}
	s.run.Host, _ = os.Hostname()
	body, etag, err := store.Get(ctx, key)
	switch {
	case err == nil:
	case store.IsNotExist(err):
		s.doc = document{Version: Version, Objects: map[string]Entry{}}
		return s, nil
	default:
		return nil, fmt.Errorf("cannot read state %s: %w", store.URI(key), err)
	}
	doc, err := decode(body)
	if err != nil {
		return nil, fmt.Errorf("state %s: %w", store.URI(key), err)
	}
	s.doc, s.etag, s.loaded, s.nLoaded = doc, etag, etag, len(doc.Objects)
	for _, c := range doc.Pending {
		s.nextID = max(s.nextID, c.ID)
	}
	return s, nil
}

func decode(body []byte) (document, error) {
	var doc document
	d := json.NewDecoder(bytes.NewReader(body))
	if err := d.Decode(&doc); err != nil {
		return doc, fmt.Errorf("not a retrohunt state file: %w", err)
	}
	switch {
	case doc.Version == 0:
		return doc, errors.New("not a retrohunt state file: no version")
	case doc.Version > Version:
		return doc, fmt.Errorf("state file version %d is newer than this retrohunt reads (%d); upgrade retrohunt", doc.Version, Version)
	}
	if doc.Objects == nil {
		doc.Objects = map[string]Entry{}
	}
	return doc, nil
}

// SetRun names the run in the state (RunInfo.Run, Entry.Run); use the
// lake's run ID. Load picks a fresh one.
func (s *State) SetRun(id string) {
	s.mu.Lock()
	s.run.Run = id
	s.mu.Unlock()
}

// Run returns the run's ID.
func (s *State) Run() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.run.Run
}

// URI is where the state lives.
func (s *State) URI() string { return s.store.URI(s.key) }

// Len returns the number of objects the state knows.
func (s *State) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.doc.Objects)
}

// Get returns what the state knows of uri.
func (s *State) Get(uri string) (Entry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.doc.Objects[uri]
	return e, ok
}

// Need reports whether the object must be scanned: true if it was never
// scanned, if its ETag or size changed since (an object replaced, or an
// Azure append blob that grew), if it failed or was skipped before, or
// if it was scanned with another rule set.
func (s *State) Need(uri, etag string, size int64, ruleset string) bool {
	return s.NeedIn(uri, etag, size, ruleset, scan.Span{})
}

// NeedIn is Need for a run whose records must lie in window (a zero
// bound is open): an object scanned for windows that do not hold it is
// needed too, for the records outside them (Entry.Coverage).
func (s *State) NeedIn(uri, etag string, size int64, ruleset string, window scan.Span) bool {
	s.mu.Lock()
	e, ok := s.doc.Objects[uri]
	s.mu.Unlock()
	return !ok || e.Status != scan.ObjectScanned || e.ETag != etag || e.Size != size || e.Ruleset != ruleset ||
		!covers(e.Windows, window)
}

// Coverage is what the entry says was evaluated of its version.
func (e Entry) Coverage() Coverage { return Coverage{Records: e.Records, Windows: e.Windows} }

// ETag is the version of o that Need and Outcome compare: its ETag, or,
// for a store without ETags (a local directory), its modification time
// in nanoseconds.
func ETag(o sources.Object) string {
	if o.ETag != "" {
		return o.ETag
	}
	return "mtime:" + strconv.FormatInt(o.ModTime.UnixNano(), 10)
}

// Record remembers an outcome at once (in memory; Save makes it
// durable). With a lake output use Stage and Commit instead, so that an
// object with hits counts as scanned only once its hits are committed.
func (s *State) Record(o Outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.doc.Objects[o.URI] = s.entry(o)
	if o.Ruleset != "" {
		s.doc.Ruleset = o.Ruleset
	}
	s.dirty = true
}

// entry runs under mu.
func (s *State) entry(o Outcome) Entry {
	return Entry{
		ETag: o.ETag, Size: o.Size, Status: o.Status, Reason: o.Reason,
		Hits: o.Hits, Records: o.Records, Windows: o.Windows, Ruleset: o.Ruleset,
		Run: s.run.Run, At: s.now().UTC(),
	}
}

// Forget drops the objects drop returns true for, such as entries not
// seen for months, to keep the state small; it returns how many. A
// forgotten object that is listed again is scanned again.
func (s *State) Forget(drop func(uri string, e Entry) bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for uri, e := range s.doc.Objects {
		if drop(uri, e) {
			delete(s.doc.Objects, uri)
			n++
		}
	}
	if n > 0 {
		s.dirty = true
	}
	return n
}

// Save writes the state with one atomic, conditional Put: If-Match on
// the ETag Load read (or the last Save wrote), If-None-Match for a new
// file. If another run saved the file in between, Save fails with an
// error that describes both runs, for which IsConflict is true, and
// writes nothing; this run's state stays in memory.
//
// Save may run while outcomes are recorded; it writes a consistent
// snapshot.
func (s *State) Save(ctx context.Context) error {
	s.saveMu.Lock()
	defer s.saveMu.Unlock()

	s.mu.Lock()
	if !s.dirty && s.etag != "" {
		s.mu.Unlock()
		return nil
	}
	run := s.run
	run.Saved = s.now().UTC()
	s.doc.SavedBy = &run
	body, err := json.Marshal(&s.doc)
	cond := sources.Condition{IfMatch: s.etag, IfNoneMatch: s.etag == ""}
	s.dirty = false
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("BUG: cannot encode state: %w", err)
	}
	etag, err := s.store.Put(ctx, s.key, bytes.NewReader(body), int64(len(body)), cond)
	if err != nil && s.store.IsConflict(err) {
		etag, err = s.conflict(ctx, body, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.dirty = true
		return err
	}
	s.etag = etag
	return nil
}

// ErrConflict is wrapped by Save's error when another run changed the
// state file since this run loaded it.
var ErrConflict = errors.New("state changed by another run")

// IsConflict reports whether err is a Save that lost to another run.
func IsConflict(err error) bool { return errors.Is(err, ErrConflict) }

// conflict explains a lost Save, unless the file holds exactly what this
// Save wrote: then the Put won and only its answer was lost (the SDK
// retried it), and Save succeeds.
func (s *State) conflict(ctx context.Context, body []byte, perr error) (string, error) {
	s.mu.Lock()
	me := s.run
	loaded, n := s.loaded, s.nLoaded
	s.mu.Unlock()
	me.Saved = time.Time{}
	mine := "this " + me.String()
	if loaded == "" {
		mine += " found no state file"
	} else {
		mine += fmt.Sprintf(" loaded it with %d objects (ETag %s)", n, loaded)
	}
	const advice = "run one sweep per state file at a time (each --shard needs its own); this run's outcomes since its last save are not recorded, so a rerun scans those objects again"
	cur, etag, err := s.store.Get(ctx, s.key)
	switch {
	case err == nil && bytes.Equal(cur, body):
		return etag, nil
	case err == nil:
		theirs := "a file that is not a state file"
		if doc, derr := decode(cur); derr == nil {
			theirs = fmt.Sprintf("%s with %d objects (ETag %s)", doc.SavedBy.String(), len(doc.Objects), etag)
		}
		return "", fmt.Errorf("%w: %s was saved by %s after %s; not overwritten: %s: %w",
			ErrConflict, s.URI(), theirs, mine, advice, perr)
	case s.store.IsNotExist(err):
		return "", fmt.Errorf("%w: %s was deleted by another process after %s; not recreated: %s: %w",
			ErrConflict, s.URI(), mine, advice, perr)
	default:
		return "", fmt.Errorf("%w: %s was changed by another run after %s (cannot read it back: %v): %s: %w",
			ErrConflict, s.URI(), mine, err, advice, perr)
	}
}
