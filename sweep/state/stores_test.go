package state_test

import (
	"testing"

	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/testservers"
	"github.com/retrohunt/retrohunt/sweep/sweeptest"
)

func TestMain(m *testing.M) { testservers.Main(m) }

// forEachStore runs f against a fresh local directory, a fresh versitygw
// bucket and a fresh Azurite container.
func forEachStore(t *testing.T, f func(t *testing.T, st sources.Store)) {
	t.Run("local", func(t *testing.T) { f(t, sweeptest.Local(t)) })
	t.Run("s3", func(t *testing.T) { f(t, sweeptest.S3(t)) })
	t.Run("azblob", func(t *testing.T) { f(t, sweeptest.Azure(t)) })
}
