package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/retrohunt/retrohunt/output/lake"
	"github.com/retrohunt/retrohunt/scan"
	"github.com/retrohunt/retrohunt/scan/rules"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/open"
	"github.com/retrohunt/retrohunt/sweep/shard"
	"github.com/retrohunt/retrohunt/sweep/state"
)

// sweep wires --state, a lake --out and --shard into a scan, following
// the checkpoint protocol of sweep/state (docs/sweeps.md): an object counts
// as scanned only once the part files with its hits are committed, and a
// part file is committed only after the state names the objects it
// covers, so a run killed at any moment and run again loses and
// duplicates nothing.
type sweep struct {
	// ctx outlives SIGINT: the last checkpoint, the manifest and the
	// state save must still happen after an interrupt.
	ctx     context.Context
	st      *state.State // nil without --state
	lk      *lake.Writer // nil unless --out is a lake
	shard   shard.Shard
	ruleset string
	every   int // objects per checkpoint

	from sync.Map // uri → FromRecord, from Select (lister) to Done (writer)
	outs []state.Outcome
	last time.Time
}

// isLake tells a lake prefix from a single output file: a trailing "/",
// or a remote URL, which can only be a prefix of part files.
func isLake(out string) bool {
	return strings.HasSuffix(out, "/") || strings.HasPrefix(out, "s3://") || strings.HasPrefix(out, "azblob://") || strings.HasPrefix(out, "https://")
}

// openSweep loads the state, recovers an interrupted run's checkpoints
// against the lake and opens the lake; it returns nil when the scan is a
// plain one.
func openSweep(ctx context.Context, f *scanFlags, loaded []rules.Loaded) (*sweep, error) {
	sh, err := shard.Resolve(f.shard)
	if err != nil {
		return nil, usageError{fmt.Errorf("--shard: %w", err)}
	}
	if f.state == "" && !isLake(f.out) && !sh.Sharded() {
		return nil, nil
	}
	texts := map[string][]byte{}
	for _, l := range loaded {
		texts[l.Rule.Name] = l.Rule.Text
	}
	s := &sweep{ctx: context.WithoutCancel(ctx), shard: sh, ruleset: state.Fingerprint(texts), every: f.checkpointObjects, last: time.Now()}
	opts := open.Options{Endpoint: f.src.endpoint, PathStyle: f.src.pathStyle, Region: f.src.region, Profile: f.src.profile, SAS: f.src.sas, MaxAttempts: f.src.maxAttempts}
	var lakeStore sources.Store
	var lakePrefix string
	if isLake(f.out) {
		if lakeStore, lakePrefix, err = open.OpenStore(ctx, f.out, opts); err != nil {
			return nil, fmt.Errorf("--out %s: %s", open.Redact(f.out), open.Explain(err))
		}
	}
	if f.state != "" {
		store, key, err := open.OpenStore(ctx, sh.Suffix(f.state), opts)
		if err != nil {
			return nil, fmt.Errorf("--state %s: %s", open.Redact(f.state), open.Explain(err))
		}
		if s.st, err = state.Load(ctx, store, key); err != nil {
			return nil, fmt.Errorf("--state: %w", err)
		}
		if lakeStore != nil {
			if _, err := s.st.Recover(ctx, lakeStore, lake.Tombstone()); err != nil {
				return nil, fmt.Errorf("--state: recovering the last run's checkpoints: %w", err)
			}
		}
	}
	if lakeStore != nil {
		by, err := lake.ParsePartitionBy(f.partitionBy)
		if err != nil {
			return nil, usageError{fmt.Errorf("--partition-by: %w", err)}
		}
		lo := lake.Options{PartitionBy: by, Explicit: s.st != nil}
		if s.st != nil {
			for _, p := range s.st.Parts() {
				// State files of older versions have no keys.
				p.Key = strings.TrimPrefix(p.URI, lakeStore.Location()+"/")
				lo.Adopt = append(lo.Adopt, p)
			}
		}
		if s.lk, err = lake.New(ctx, lakeStore, lakePrefix, lo); err != nil {
			return nil, fmt.Errorf("--out %s: %w", open.Redact(f.out), err)
		}
		if s.st != nil {
			s.st.SetRun(s.lk.RunID())
		}
	}
	return s, nil
}

// selectObject is scan.Config.Select: other shards' objects and objects
// the state has seen unchanged are passed over.
func (s *sweep) selectObject(src sources.Source, o sources.Object) scan.Selection {
	uri := src.URI(o.Key)
	if !s.shard.Owns(uri) {
		return scan.Selection{Why: "other shard"}
	}
	if s.st == nil {
		return scan.Selection{Scan: true}
	}
	etag := state.ETag(o)
	if !s.st.Need(uri, etag, o.Size, s.ruleset) {
		return scan.Selection{Why: "unchanged since the last sweep"}
	}
	sel := scan.Selection{Scan: true}
	if e, ok := s.st.Get(uri); ok && e.Ruleset == s.ruleset && (e.ETag == etag || grew(o, e)) {
		// A failed object read again, or an hour blob that grew: the
		// hits of its first records are in the output already.
		sel.FromRecord = e.Records
		s.from.Store(uri, e.Records)
	}
	return sel
}

// grew reports an Azure Activity hour blob (an append blob) that was
// appended to since the state saw it.
func grew(o sources.Object, e state.Entry) bool {
	return strings.HasSuffix(o.Key, "/PT1H.json") && o.Size > e.Size
}

// done is scan.Config.Done: it runs in the writer goroutine, after the
// object's hits went to the lake, so checkpoints fall between objects.
func (s *sweep) done(r scan.ObjectResult) error {
	if s.st == nil {
		return nil
	}
	o := state.Outcome{URI: r.URI, ETag: state.ETag(r.Object), Size: r.Object.Size, Status: r.Status, Reason: r.Reason,
		Hits: int64(len(r.Hits)), Records: r.NextRecord, Ruleset: s.ruleset}
	if v, ok := s.from.LoadAndDelete(r.URI); ok && v.(int64) > o.Records {
		o.Records = v.(int64) // never forget records already reported
	}
	if s.lk == nil {
		s.st.Record(o)
		return nil
	}
	s.outs = append(s.outs, o)
	if len(s.outs) >= s.every || s.lk.Full() || time.Since(s.last) > time.Minute {
		return s.checkpoint()
	}
	return nil
}

// checkpoint stages the finished objects with the part files that hold
// their hits, saves the state, commits the parts, and marks the
// checkpoint committed (saved with the next one).
func (s *sweep) checkpoint() error {
	var id int64
	_, err := s.lk.Checkpoint(func(files []lake.File) error {
		id = s.st.Stage(files, s.outs)
		return s.st.Save(s.ctx)
	})
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	s.st.Commit(id)
	s.outs = nil
	s.last = time.Now()
	return nil
}

// finish ends the sweep after the scan: with a lake, a last checkpoint,
// the run's manifest (with the summary) and the state; without one, the
// state alone, after the output file was committed.
func (s *sweep) finish(summary any) error {
	var errs []error
	if s.lk != nil {
		if s.st != nil {
			if err := s.checkpoint(); err != nil {
				return err
			}
			if err := s.st.Save(s.ctx); err != nil {
				return err
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
		errs = append(errs, s.st.Save(s.ctx))
	}
	return errors.Join(errs...)
}

// abort drops what the lake has not committed; the next run recovers.
func (s *sweep) abort() {
	if s.lk != nil {
		s.lk.Abort()
	}
}
