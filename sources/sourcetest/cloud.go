package sourcetest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/sources"
)

// CloudTarget returns the folder URL in the environment variable env, or
// skips t when it is unset: the suites run against a real cloud only when
// asked to, since they need credentials and cost requests.
func CloudTarget(t *testing.T, env, example string) string {
	t.Helper()
	target := os.Getenv(env)
	if target == "" {
		t.Skipf("set %s=%s (and credentials) to run against the cloud", env, example)
	}
	return target
}

// scratchRuns tells apart the folders made within one nanosecond.
var scratchRuns atomic.Int64

// CloudStore is a backend the suites can clean up after.
type CloudStore interface {
	sources.Source
	sources.Deleter
}

// ScratchFolder returns a fresh folder below base (a prefix inside a real
// bucket or container, with or without its "/") for one run of a suite,
// named after what, and deletes the objects below it when t ends.
// Deletion is best effort: a folder left by an interrupted run holds only
// test objects under an unmistakable name.
func ScratchFolder(t *testing.T, src CloudStore, base, what string) string {
	t.Helper()
	if base != "" && !strings.HasSuffix(base, "/") {
		base += "/"
	}
	prefix := fmt.Sprintf("%sretrohunt-%s-%d-%d/", base, what, time.Now().UnixNano(), scratchRuns.Add(1))
	t.Cleanup(func() {
		ctx := context.Background()
		_ = src.List(ctx, prefix, func(o sources.Object) error { return src.Delete(ctx, o.Key) })
	})
	return prefix
}
