package state

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/retrohunt/retrohunt/output/lake"
	"github.com/retrohunt/retrohunt/scan"
	"github.com/retrohunt/retrohunt/sources"
)

// Checkpoint is a group of outcomes that becomes durable only when every
// one of its parts is committed.
type Checkpoint struct {
	ID int64 `json:"id"`
	// Undo says Recover found the checkpoint incomplete and is
	// overwriting its parts with tombstones.
	Undo    bool             `json:"undo,omitempty"`
	Run     string           `json:"run"`
	Parts   []lake.File      `json:"parts"`
	Objects map[string]Entry `json:"objects"`
	// Rules is the coverage of multi-event rule versions once the
	// checkpoint is committed (its parts hold the detections of the
	// windows it completes).
	Rules map[string][]scan.Span `json:"rules,omitempty"`
}

// Stage records a pending checkpoint: outs are the objects whose hits
// (all of them) are in parts, which are written locally, footers
// included, but not committed yet. Save it before committing any part,
// then call Commit once every part is committed.
//
// The protocol makes resume exactly-once: after a crash, a checkpoint
// whose parts all exist counts (its objects are not scanned again), and
// one whose parts do not all exist is undone by Recover (its objects are
// scanned again, and its part names are overwritten with an empty
// tombstone, so no hit is in the lake twice).
func (s *State) Stage(parts []lake.File, outs []Outcome) int64 {
	return s.StageRules(parts, outs, nil)
}

// StageRules is Stage with the coverage of multi-event rule versions
// after the checkpoint (RuleKey to its windows): they replace the
// rules' coverage when it is committed, by Commit or by Recover.
func (s *State) StageRules(parts []lake.File, outs []Outcome, rules map[string][]scan.Span) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	c := Checkpoint{ID: s.nextID, Run: s.run.Run, Parts: parts, Objects: make(map[string]Entry, len(outs)), Rules: rules}
	for _, o := range outs {
		c.Objects[o.URI] = s.entry(o)
	}
	s.doc.Pending = append(s.doc.Pending, c)
	s.dirty = true
	return c.ID
}

// Commit applies the staged checkpoint id: its outcomes become the
// objects' entries, and its parts are remembered until a manifest lists
// them (ClearParts). Save makes it durable; until then a crash is
// settled by Recover.
func (s *State) Commit(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, c := range s.doc.Pending {
		if c.ID == id {
			s.apply(c)
			s.doc.Pending = append(s.doc.Pending[:i], s.doc.Pending[i+1:]...)
			s.dirty = true
			return
		}
	}
	panic(fmt.Sprintf("BUG: commit of checkpoint %d, which is not pending", id))
}

// apply runs under mu.
func (s *State) apply(c Checkpoint) {
	for uri, e := range c.Objects {
		s.doc.Objects[uri] = e
		if e.Ruleset != "" {
			s.doc.Ruleset = e.Ruleset
		}
	}
	s.doc.Parts = append(s.doc.Parts, c.Parts...)
	for k, v := range c.Rules {
		if s.doc.Rules == nil {
			s.doc.Rules = map[string][]scan.Span{}
		}
		s.doc.Rules[k] = v
	}
}

// Pending returns the checkpoints staged and not committed.
func (s *State) Pending() []Checkpoint {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Checkpoint(nil), s.doc.Pending...)
}

// Parts returns the committed parts that no manifest lists yet: those of
// this run, and those of an earlier run that stopped before writing its
// manifest. A run's manifest should list them all (lake Options.Adopt).
func (s *State) Parts() []lake.File {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]lake.File(nil), s.doc.Parts...)
}

// ClearParts forgets the parts a manifest now lists; call it after the
// manifest is written, then Save.
func (s *State) ClearParts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.doc.Parts) > 0 {
		s.doc.Parts = nil
		s.dirty = true
	}
}

// Recovery says what Recover did.
type Recovery struct {
	Committed  int      // checkpoints whose parts all existed: their objects count
	Undone     int      // checkpoints rolled back: their objects are scanned again
	Objects    int      // objects in the undone checkpoints
	Tombstoned []string // part URIs of undone checkpoints, now empty tombstones
	// Unwritable are part URIs of undone checkpoints that the lake
	// refuses for good both to list and to write (a name too long for
	// its file system): no part can be there, so none needs a tombstone.
	Unwritable []string
}

// Recover settles the checkpoints a stopped run left pending, before this
// run lists anything, and saves the state. Each checkpoint whose parts
// all exist in lake is committed. Each other one is undone: the decision
// is saved first (Checkpoint.Undo), then every one of its part names,
// committed or not, is overwritten with tombstone, a valid part file
// without rows (lake.Tombstone), and the checkpoint and its outcomes are
// dropped. Recover is idempotent: a crash during it is settled by the
// next Recover, which finishes the undos already decided without looking
// at the parts again (a tombstone exists, so looking again would take an
// undone checkpoint for a complete one).
//
// Overwriting rather than deleting matters: an upload of the killed run
// may still be in flight and land after Recover looked. Parts are
// uploaded with If-None-Match, so once the tombstone is there a late
// upload fails, and one that landed just before is replaced.
//
// A part name the lake refuses for good (IsPermanent) both to look up
// and to overwrite, such as a name too long for its file system, holds
// no part: its commit failed the same way, and no upload can land
// there. Any other error stops Recover, and the next run tries again.
//
// lakeStore is the store the parts were written to: the same --out. A pending
// part outside it is an error, since its existence cannot be checked.
func (s *State) Recover(ctx context.Context, lakeStore sources.Store, tombstone []byte) (Recovery, error) {
	return s.RecoverWith(ctx, lakeStore, func(string) []byte { return tombstone })
}

// RecoverWith is Recover for a lake of several tables: tombstone
// returns the empty part file to write over the part key.
func (s *State) RecoverWith(ctx context.Context, lakeStore sources.Store, tombstone func(key string) []byte) (Recovery, error) {
	var r Recovery
	pending := s.Pending()
	if len(pending) == 0 {
		return r, nil
	}
	keys := make(map[int64][]string, len(pending))
	for _, c := range pending {
		for _, p := range c.Parts {
			key, ok := strings.CutPrefix(p.URI, lakeStore.Location()+"/")
			if !ok {
				return r, fmt.Errorf("state %s: run %s left part %s pending, which is not in %s; resume with the same --out", s.URI(), c.Run, p.URI, lakeStore.Location())
			}
			keys[c.ID] = append(keys[c.ID], key)
		}
	}
	// Decide, and save the decisions before acting on them.
	refused := map[string]error{} // keys the lake cannot look up, for good
	for _, c := range pending {
		if c.Undo {
			continue
		}
		all := true
		for _, key := range keys[c.ID] {
			ok, err := exists(ctx, lakeStore, key)
			if err != nil && lakeStore.IsPermanent(err) {
				refused[key], ok, err = err, false, nil
			}
			if err != nil {
				return r, fmt.Errorf("cannot check part %s of run %s: %w", lakeStore.URI(key), c.Run, err)
			}
			if !ok {
				all = false
				break
			}
		}
		s.mu.Lock()
		if all {
			s.apply(c)
			s.drop(c.ID)
			r.Committed++
		} else {
			s.markUndo(c.ID)
		}
		s.mu.Unlock()
	}
	if err := s.Save(ctx); err != nil {
		return r, err
	}
	for _, c := range s.Pending() {
		// Every checkpoint still pending is marked Undo now.
		for _, key := range keys[c.ID] {
			ts := tombstone(key)
			_, err := lakeStore.Put(ctx, key, bytes.NewReader(ts), int64(len(ts)), sources.Condition{})
			if err != nil && lakeStore.IsPermanent(err) && unlisted(ctx, lakeStore, key, refused) {
				r.Unwritable = append(r.Unwritable, lakeStore.URI(key))
				continue
			}
			if err != nil {
				return r, fmt.Errorf("cannot undo part %s of run %s's unfinished checkpoint: %w", lakeStore.URI(key), c.Run, err)
			}
			r.Tombstoned = append(r.Tombstoned, lakeStore.URI(key))
		}
		s.mu.Lock()
		s.drop(c.ID)
		s.mu.Unlock()
		r.Undone++
		r.Objects += len(c.Objects)
	}
	return r, s.Save(ctx)
}

// markUndo runs under mu.
func (s *State) markUndo(id int64) {
	for i := range s.doc.Pending {
		if s.doc.Pending[i].ID == id {
			s.doc.Pending[i].Undo = true
			s.dirty = true
		}
	}
}

// drop runs under mu.
func (s *State) drop(id int64) {
	for i, c := range s.doc.Pending {
		if c.ID == id {
			s.doc.Pending = append(s.doc.Pending[:i], s.doc.Pending[i+1:]...)
			s.dirty = true
			return
		}
	}
}

// unlisted reports whether the lake refuses for good to look key up
// (remembered from the decisions, or asked again after a crash between
// them and the tombstones).
func unlisted(ctx context.Context, lakeStore sources.Store, key string, refused map[string]error) bool {
	if _, ok := refused[key]; ok {
		return true
	}
	_, err := exists(ctx, lakeStore, key)
	return err != nil && lakeStore.IsPermanent(err)
}

var errFound = errors.New("found")

// exists checks for key with one listing request.
func exists(ctx context.Context, st sources.Store, key string) (bool, error) {
	err := st.List(ctx, key, func(o sources.Object) error {
		if o.Key == key {
			return errFound
		}
		return nil
	})
	if errors.Is(err, errFound) {
		return true, nil
	}
	return false, err
}
