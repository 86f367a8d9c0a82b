// Package sweep drives nightly sweeps: incremental scans that remember
// what they scanned (sweep/state), land their hits in a lake
// (output/lake), split an archive over processes (sweep/shard), and
// resume a killed run with every hit exactly once. docs/sweeps.md
// describes the protocol; this package is its one implementation, which
// the CLI calls and the kill tests drive.
//
// A Sweep plugs into a scan at three places: Config.Select (which
// objects to scan), the output.Writer the hits go to (the lake), and
// Config.Done (each object's outcome, in the writer goroutine, after its
// hits). Done stages outcomes and checkpoints them with the lake's part
// files: an object counts as scanned only once the part files with its
// hits are committed, and a part file is committed only after the state
// names the objects it covers, so a run killed at any moment and run
// again loses and duplicates nothing.
package sweep

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/output/lake"
	"github.com/retrohunt/retrohunt/scan"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sweep/shard"
	"github.com/retrohunt/retrohunt/sweep/state"
)

// DefaultCheckpointObjects is Options.CheckpointObjects's default.
const DefaultCheckpointObjects = 2000

// checkpointAge is the longest a finished object waits for a checkpoint.
const checkpointAge = time.Minute

// Options configure a Sweep; zero fields take the defaults named.
type Options struct {
	// Shard is this process's share of the archive; the zero value owns
	// every object.
	Shard shard.Shard
	// Ruleset is state.Fingerprint of the rules the scan runs: an object
	// scanned with another rule set is scanned again.
	Ruleset string
	// CheckpointObjects is the number of finished objects per
	// checkpoint, which also falls every minute and when the lake is
	// Full; default DefaultCheckpointObjects.
	CheckpointObjects int
	// Window is the scan's event-time window (scan.Config.Window
	// without its margin); zero bounds are open. The state remembers per
	// object which windows its records were evaluated for, so that a run
	// with another window (a backfill a day at a time) evaluates the
	// records left out, exactly once.
	Window scan.Span
	// Lake configures the lake (PartitionBy, MaxRows, …). The sweep sets
	// Explicit, when it keeps a state, and Adopt itself.
	Lake lake.Options
	// Now is the clock of the minute checkpoints (tests); nil is
	// time.Now.
	Now func() time.Time

	// Multi are the run's multi-event rules. With a lake and a state
	// or a shard, their candidates go to the lake's candidates table
	// with their objects (scan.Config.Carry); with a state and no
	// shard, Detect then writes the detections of the windows this run
	// completes (multi.go, docs/sweeps.md).
	Multi []*scan.MultiRule
	// DetectionEvents caps the events listed per event variable of a
	// detection (scan.Config.DetectionEvents).
	DetectionEvents int
	// CandidateDir and CandidateBudget are where and past how many
	// bytes Detect's candidates spill (scan.Config's).
	CandidateDir    string
	CandidateBudget int64
	// Margin is the scan's --prune-margin: an object that failed keeps
	// the event times its key speaks for, widened by it, out of the
	// rules' coverage.
	Margin time.Duration
	// Lateness is how long after an event its record may still arrive:
	// a run whose window has no end (or ends later) covers event times
	// only up to its start minus Lateness; default DefaultLateness.
	Lateness time.Duration
}

// Stores are where a sweep keeps its state and writes its lake.
type Stores struct {
	State    sources.Store // nil: no state, every object is scanned
	StateKey string
	Lake     sources.Store // nil: the hits go to another output.Writer
	// LakePrefix is the lake's prefix inside Lake ("" for its root).
	LakePrefix string
}

// Sweep is one run of a sweep. Select runs in the scan's listing
// goroutine; Write, Done, Finish and Close in its writer goroutine, or
// after the scan.
type Sweep struct {
	// ctx outlives an interrupt: the last checkpoint, the manifest and
	// the state save must still happen after SIGINT.
	ctx   context.Context
	st    *state.State // nil without a state
	lk    *lake.Writer // nil without a lake
	o     Options
	every int

	from sync.Map // uri → earlier, from Select (lister) to Done (writer)
	outs []state.Outcome
	last time.Time

	stores  Stores
	started time.Time
	ck      *lake.Writer // the candidates table; nil unless Carry
	blocked []scan.Span  // event times of objects of this run not scanned
	partial bool         // the run covers nothing (an undated object not scanned, listing errors)
	ended   bool         // Detect was called: the scan ran to its end
}

var _ output.Writer = (*Sweep)(nil)

// New starts a sweep over stores: it loads the state, settles the
// checkpoints an interrupted run left pending against the lake
// (state.Recover), and opens the lake, adopting the part files of runs
// that stopped before their manifest. Call Finish (or Close) when the
// scan is over, and Abort if it cannot be.
func New(ctx context.Context, stores Stores, o Options) (*Sweep, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	every := o.CheckpointObjects
	if every <= 0 {
		every = DefaultCheckpointObjects
	}
	if o.Lateness <= 0 {
		o.Lateness = DefaultLateness
	}
	s := &Sweep{ctx: context.WithoutCancel(ctx), o: o, every: every, last: o.Now(), stores: stores, started: o.Now()}
	if stores.State != nil {
		var err error
		if s.st, err = state.Load(ctx, stores.State, stores.StateKey); err != nil {
			return nil, fmt.Errorf("--state: %w", err)
		}
		if stores.Lake != nil {
			if _, err := s.st.RecoverWith(ctx, stores.Lake, tombstone(stores)); err != nil {
				return nil, fmt.Errorf("--state: recovering the last run's checkpoints: %w", err)
			}
		}
	}
	if stores.Lake != nil {
		lo := o.Lake
		lo.Explicit = s.st != nil
		lo.Adopt = nil
		// Candidate parts are read back whole (sources.Store.Get) by
		// Detect and correlate: they roll at candidatePartBytes.
		co := lake.Options{Candidates: true, Explicit: lo.Explicit, TempDir: lo.TempDir, Now: lo.Now, MaxOpen: lo.MaxOpen,
			MaxRows: lo.MaxRows, MaxBytes: candidatePartBytes}
		if s.st != nil {
			for _, p := range s.st.Parts() {
				// State files of older versions have no keys.
				p.Key = strings.TrimPrefix(p.URI, stores.Lake.Location()+"/")
				if isCandidatePart(stores, p.Key) {
					co.Adopt = append(co.Adopt, p)
				} else {
					lo.Adopt = append(lo.Adopt, p)
				}
			}
		}
		var err error
		// The lake's requests outlive an interrupt too: its last
		// commits and its manifest are part of Finish.
		if s.lk, err = lake.New(s.ctx, stores.Lake, stores.LakePrefix, lo); err != nil {
			return nil, fmt.Errorf("--out %s: %w", stores.Lake.URI(stores.LakePrefix), err)
		}
		if len(o.Multi) > 0 && (s.st != nil || o.Shard.Sharded()) {
			co.RunID = s.lk.RunID()
			if s.ck, err = lake.New(s.ctx, stores.Lake, candidatesPrefix(stores), co); err != nil {
				return nil, fmt.Errorf("--out %s: %w", stores.Lake.URI(stores.LakePrefix), err)
			}
		}
		if s.st != nil {
			s.st.SetRun(s.lk.RunID())
		}
	}
	return s, nil
}

// WritesLake reports whether the hits go to the Sweep (as an
// output.Writer) rather than to another writer.
func (s *Sweep) WritesLake() bool { return s.lk != nil }

// Carry reports whether the scan hands its multi-event candidates to
// the sweep (scan.Config.Carry) rather than grouping them itself.
func (s *Sweep) Carry() bool { return s.ck != nil }

// Select is scan.Config.Select: other shards' objects and objects the
// state has seen unchanged are passed over.
func (s *Sweep) Select(src sources.Source, o sources.Object) scan.Selection {
	uri := src.URI(o.Key)
	if !s.o.Shard.Owns(uri) {
		return scan.Selection{Why: "other shard"}
	}
	if s.st == nil {
		return scan.Selection{Scan: true}
	}
	etag := state.ETag(o)
	if !s.st.NeedIn(uri, etag, o.Size, s.o.Ruleset, s.o.Window) {
		return scan.Selection{Why: "unchanged since the last sweep"}
	}
	sel := scan.Selection{Scan: true}
	if e, ok := s.st.Get(uri); ok && e.Ruleset == s.o.Ruleset && (e.ETag == etag || grew(o, e)) {
		// A failed object read again, an hour blob that grew, or an
		// object evaluated for another window: the hits of the records
		// the state says were evaluated are in the output already.
		c := e.Coverage()
		sel.FromRecord, sel.Covered = c.Records, c.Windows
		s.from.Store(uri, earlier{c, e.Hits})
	}
	return sel
}

// earlier is what an object's last outcome said was evaluated already.
type earlier struct {
	state.Coverage
	hits int64
}

// window is the run's window as the state stores it; nil: all time.
func (s *Sweep) window() []scan.Span {
	if s.o.Window == (scan.Span{}) {
		return nil
	}
	return []scan.Span{s.o.Window}
}

// grew reports an Azure Activity hour blob (an append blob) that was
// appended to since the state saw it.
func grew(o sources.Object, e state.Entry) bool {
	return strings.HasSuffix(o.Key, "/PT1H.json") && o.Size > e.Size
}

// Write hands hits to the lake's open part files; Done commits them.
func (s *Sweep) Write(hits []output.Hit) error {
	if s.lk == nil {
		return errors.New("BUG: hits written to a sweep without a lake")
	}
	return s.lk.Write(hits)
}

// Done is scan.Config.Done: it runs in the writer goroutine, after the
// object's hits went to Write, so checkpoints fall between objects.
func (s *Sweep) Done(r scan.ObjectResult) error {
	if r.Status != scan.ObjectScanned {
		// Its records are not all evaluated: the event times its key
		// speaks for stay out of the coverage (all of the run's, for a
		// key without a date).
		if info := sources.ParseKey(r.Object.Key); info.Dated() {
			s.blocked = state.Union(s.blocked, []scan.Span{{Since: info.Start.Add(-s.o.Margin), Until: info.End.Add(s.o.Margin + time.Nanosecond)}})
		} else {
			s.partial = true
		}
	}
	if s.ck != nil && len(r.Candidates) > 0 {
		if err := s.ck.WriteCandidates(s.candidateRows(r)); err != nil {
			return fmt.Errorf("candidates: %w", err)
		}
	}
	if s.st == nil {
		return nil
	}
	o := state.Outcome{URI: r.URI, ETag: state.ETag(r.Object), Size: r.Object.Size, Status: r.Status, Reason: r.Reason,
		Hits: int64(len(r.Hits)), Ruleset: s.o.Ruleset}
	before := earlier{Coverage: state.Coverage{Windows: []scan.Span{}}} // nothing
	if v, ok := s.from.LoadAndDelete(r.URI); ok {
		before = v.(earlier)
		o.Hits += before.hits
	}
	// Never forget records already evaluated, nor claim one that was not.
	c := before.Then(r.NextRecord, s.window())
	o.Records, o.Windows = c.Records, c.Windows
	if s.lk == nil {
		s.st.Record(o)
		return nil
	}
	s.outs = append(s.outs, o)
	if len(s.outs) >= s.every || s.lk.Full() || s.ck != nil && s.ck.Full() || s.o.Now().Sub(s.last) > checkpointAge {
		return s.checkpoint(nil)
	}
	return nil
}

// checkpoint stages the finished objects with the part files that hold
// their hits and candidates (and rules, the coverage after it), saves
// the state, commits the parts, and marks the checkpoint committed
// (saved with the next one). The candidates' parts are committed inside
// the hits' Checkpoint, after the save: both before any hit part.
func (s *Sweep) checkpoint(rules map[string][]scan.Span) error {
	var id int64
	_, err := s.lk.Checkpoint(func(files []lake.File) error {
		if s.ck == nil {
			id = s.st.StageRules(files, s.outs, rules)
			return s.st.Save(s.ctx)
		}
		_, err := s.ck.Checkpoint(func(cf []lake.File) error {
			id = s.st.StageRules(append(files, cf...), s.outs, rules)
			return s.st.Save(s.ctx)
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	s.st.Commit(id)
	s.outs = nil
	s.last = s.o.Now()
	return nil
}

// Finish ends the sweep after the scan: with a lake, a last checkpoint,
// the run's manifest (with summary, any JSON-encodable value) and the
// state; without one, the state alone, to be called after the output
// the hits went to is committed. A Save that lost to another run is an
// error for which state.IsConflict is true.
func (s *Sweep) Finish(summary any) error {
	if s.lk != nil {
		if s.st != nil {
			if err := s.checkpoint(nil); err != nil {
				return err
			}
			if err := s.st.Save(s.ctx); err != nil {
				return err
			}
		}
		if s.ck != nil {
			s.ck.SetCoverage(s.coverage())
			if err := s.ck.CloseWithManifest(summary); err != nil {
				return fmt.Errorf("candidates manifest: %w", err)
			}
		}
		if err := s.lk.CloseWithManifest(summary); err != nil {
			return fmt.Errorf("lake manifest: %w", err)
		}
		if s.st != nil {
			s.st.ClearParts()
		}
	}
	if s.st != nil {
		return s.st.Save(s.ctx)
	}
	return nil
}

// Close is Finish without a summary in the manifest.
func (s *Sweep) Close() error { return s.Finish(nil) }

// Abort drops what the lake has not committed; the next run recovers.
// After Finish it does nothing.
func (s *Sweep) Abort() {
	if s.lk != nil {
		s.lk.Abort()
	}
	if s.ck != nil {
		s.ck.Abort()
	}
}
