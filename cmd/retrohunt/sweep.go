package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/output/lake"
	"github.com/retrohunt/retrohunt/scan"
	"github.com/retrohunt/retrohunt/scan/rules"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/open"
	"github.com/retrohunt/retrohunt/sweep"
	"github.com/retrohunt/retrohunt/sweep/shard"
	"github.com/retrohunt/retrohunt/sweep/state"
)

// openSweep turns --state, a lake --out and --shard into a sweep (package
// sweep, docs/sweeps.md); it returns nil when the scan is a plain one.
func openSweep(ctx context.Context, f *scanFlags, loaded []rules.Loaded, multi []*scan.MultiRule, window scan.Span) (*sweep.Sweep, error) {
	sh, err := shard.Resolve(f.shard)
	if err != nil {
		return nil, usageError{fmt.Errorf("--shard: %w", err)}
	}
	if f.state == "" && !sweep.IsLake(f.out) && !sh.Sharded() {
		return nil, nil
	}
	// --checkpoint-objects 0 has always meant a checkpoint per object,
	// where Options reads 0 as the default.
	o := sweep.Options{Shard: sh, CheckpointObjects: max(f.checkpointObjects, 1), Window: window, Margin: f.margin,
		Multi: multi, DetectionEvents: f.detectEvents, CandidateDir: f.candidateDir, CandidateBudget: int64(f.candBudget)}
	var lakeURL string
	if sweep.IsLake(f.out) {
		lakeURL = f.out
		if o.Lake.PartitionBy, err = lake.ParsePartitionBy(f.partitionBy); err != nil {
			return nil, usageError{fmt.Errorf("--partition-by: %w", err)}
		}
	}
	texts := map[string][]byte{}
	for _, l := range loaded {
		texts[l.Name()] = l.Text()
	}
	o.Ruleset = state.Fingerprint(texts)
	stateURL := ""
	if f.state != "" {
		stateURL = sh.Suffix(f.state)
	}
	opts := open.Options{Endpoint: f.src.endpoint, PathStyle: f.src.pathStyle, Region: f.src.region, Profile: f.src.profile, SAS: f.src.sas, MaxAttempts: f.src.maxAttempts}
	stores, err := sweep.OpenStores(ctx, stateURL, lakeURL, opts)
	if err != nil {
		return nil, err
	}
	if stores.Lake != nil {
		if err := probeLake(ctx, stores.Lake, stores.LakePrefix); err != nil {
			return nil, fmt.Errorf("--out %s is not writable (checked before the scan): %w", open.Redact(lakeURL), err)
		}
	}
	if wrapSweepStores != nil {
		stores = wrapSweepStores(stores)
	}
	return sweep.New(ctx, stores, o)
}

// wrapSweepStores, set only by tests, wraps the stores a sweep writes to:
// the kill test makes the process kill itself at a chosen write.
var wrapSweepStores func(sweep.Stores) sweep.Stores

// probeLake writes and deletes one empty object under the lake prefix, so
// a lake that cannot be written (read-only credentials, a path under a
// file) fails before the scan rather than at the first commit, with the
// hits lost. Its name starts with "_", which Hive-style readers (Athena,
// Spark, DuckDB's hive_partitioning) skip should the delete fail.
func probeLake(ctx context.Context, st sources.Store, prefix string) error {
	var b [8]byte
	rand.Read(b[:])
	key := prefix + "_retrohunt-write-probe-" + hex.EncodeToString(b[:])
	if _, err := st.Put(ctx, key, bytes.NewReader(nil), 0, sources.Condition{IfNoneMatch: true}); err != nil {
		return err
	}
	if d, ok := st.(sources.Deleter); ok {
		d.Delete(ctx, key) // best effort: the name is one readers skip
	}
	return nil
}

// countingWriter counts the rows a sweep writes after the scan (its
// multi-event detections) in the scan's summary, then passes them on.
type countingWriter struct {
	output.Writer
	sum *scan.Summary
}

func (c countingWriter) Write(hits []output.Hit) error {
	c.sum.CountWritten(hits)
	return c.Writer.Write(hits)
}
