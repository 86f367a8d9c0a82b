// Package shard splits a sweep over n independent processes: every
// listed object belongs to exactly one shard, by a stable hash of its
// URI, so n processes that list the same archive cover it exactly once,
// with no coordination but the shard number each is given.
//
// The hash is FNV-1a 64 of the object URI (Source.URI, e.g.
// s3://bucket/AWSLogs/…/x.json.gz), mapped onto the shards by its high
// bits: shard = ⌊hash × n / 2⁶⁴⌋. It never changes between runs,
// versions or machines (unlike Go's map hash); changing it would move
// objects between shards and so between per-shard state files, and is a
// breaking change. All shards must be given the same archive URL, since
// the URI is what is hashed.
package shard

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math/bits"
	"os"
	"strconv"
	"strings"
)

// Shard is shard Index (0-based) of Count. The zero value is no
// sharding: it owns every object.
type Shard struct {
	Index, Count int
}

// MaxCount caps Count (AWS Batch arrays go to 10,000).
const MaxCount = 10000

// The environment variables that carry a shard's index.
const (
	EnvKubernetes     = "JOB_COMPLETION_INDEX"      // Kubernetes Indexed Job
	EnvBatchIndex     = "AWS_BATCH_JOB_ARRAY_INDEX" // AWS Batch array job
	EnvBatchArraySize = "AWS_BATCH_JOB_ARRAY_SIZE"
)

// Parse reads "i/n": shard i (0-based) of n, 0 <= i < n.
func Parse(s string) (Shard, error) {
	is, ns, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, fmt.Errorf("shard %q: want i/n, such as 3/16 (i counts from 0)", s)
	}
	n, err := strconv.Atoi(ns)
	if err != nil || n < 1 || n > MaxCount {
		return Shard{}, fmt.Errorf("shard %q: the count must be a number from 1 to %d", s, MaxCount)
	}
	i, err := strconv.Atoi(is)
	if err != nil || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("shard %q: the index must be a number from 0 to %d", s, n-1)
	}
	return Shard{Index: i, Count: n}, nil
}

// FromEnv reads the shard index from JOB_COMPLETION_INDEX (Kubernetes
// Indexed Job) or else AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch array job).
// count is the number of shards (the Job's completions, from a flag); 0
// takes it from AWS_BATCH_JOB_ARRAY_SIZE, which AWS Batch sets and
// Kubernetes has no equivalent of. ok is false when neither index
// variable is set.
func FromEnv(count int) (s Shard, ok bool, err error) { return fromEnv(count, os.Getenv) }

func fromEnv(count int, getenv func(string) string) (Shard, bool, error) {
	name, idx := EnvKubernetes, getenv(EnvKubernetes)
	if idx == "" {
		name, idx = EnvBatchIndex, getenv(EnvBatchIndex)
	}
	if idx == "" {
		return Shard{}, false, nil
	}
	if size := getenv(EnvBatchArraySize); name == EnvBatchIndex && size != "" {
		n, err := strconv.Atoi(size)
		if err != nil {
			return Shard{}, true, fmt.Errorf("%s=%q is not a number", EnvBatchArraySize, size)
		}
		if count != 0 && count != n {
			return Shard{}, true, fmt.Errorf("the shard count %d differs from the array size %s=%d", count, EnvBatchArraySize, n)
		}
		count = n
	}
	if count == 0 {
		return Shard{}, true, fmt.Errorf("%s=%s gives the shard index but not the count: pass --shard auto/N with N the Job's completions", name, idx)
	}
	s, err := Parse(idx + "/" + strconv.Itoa(count))
	if err != nil {
		return Shard{}, true, fmt.Errorf("%s=%s: %w", name, idx, err)
	}
	return s, true, nil
}

// ErrUnsharded is returned by Resolve when a shard index is in the
// environment but no --shard was given: each of the Job's processes would
// scan the whole archive and write every hit again.
var ErrUnsharded = errors.New("running as one of an array of jobs without --shard")

// Resolve reads a --shard flag: "" (no sharding), "i/n", "auto/n" (index
// from the environment, count n) or "auto" (index and count from the
// environment: AWS Batch only).
func Resolve(flag string) (Shard, error) { return resolve(flag, os.Getenv) }

func resolve(flag string, getenv func(string) string) (Shard, error) {
	switch {
	case flag == "":
		for _, v := range []string{EnvKubernetes, EnvBatchIndex} {
			if x := getenv(v); x != "" {
				return Shard{}, fmt.Errorf("%w (%s=%s): pass --shard auto/N to scan 1/N of the archive here, or --shard 0/1 to scan all of it in every job", ErrUnsharded, v, x)
			}
		}
		return Shard{}, nil
	case flag == "auto" || strings.HasPrefix(flag, "auto/"):
		count := 0
		if ns, ok := strings.CutPrefix(flag, "auto/"); ok {
			n, err := strconv.Atoi(ns)
			if err != nil || n < 1 || n > MaxCount {
				return Shard{}, fmt.Errorf("shard %q: the count must be a number from 1 to %d", flag, MaxCount)
			}
			count = n
		}
		s, ok, err := fromEnv(count, getenv)
		if err != nil {
			return Shard{}, err
		}
		if !ok {
			return Shard{}, fmt.Errorf("--shard %s: neither %s (Kubernetes Indexed Job) nor %s (AWS Batch array job) is set", flag, EnvKubernetes, EnvBatchIndex)
		}
		return s, nil
	}
	return Parse(flag)
}

// Sharded reports whether s owns only part of the objects.
func (s Shard) Sharded() bool { return s.Count > 1 }

// String is "i/n", or "" without sharding.
func (s Shard) String() string {
	if s.Count == 0 {
		return ""
	}
	return strconv.Itoa(s.Index) + "/" + strconv.Itoa(s.Count)
}

// Owns reports whether the object with this URI is the shard's to scan.
func (s Shard) Owns(uri string) bool {
	if s.Count <= 1 {
		return true
	}
	return Of(uri, s.Count) == s.Index
}

// Of returns the shard, of n, that owns uri: ⌊FNV-1a-64(uri) × n / 2⁶⁴⌋.
// The high bits of the product are used because FNV's low bits mix
// poorly (a multiply carries only upward), so hash mod n would depend
// on little more than the low bits of each byte.
func Of(uri string, n int) int {
	h := fnv.New64a()
	h.Write([]byte(uri))
	hi, _ := bits.Mul64(h.Sum64(), uint64(n))
	return int(hi)
}

// Suffix names a per-shard file: "cloudtrail.state" becomes
// "cloudtrail.state-3-of-16"; without sharding it is name itself. Each
// shard must have its own state file, since shards save concurrently.
func (s Shard) Suffix(name string) string {
	if s.Count <= 1 {
		return name
	}
	return fmt.Sprintf("%s-%d-of-%d", name, s.Index, s.Count)
}
