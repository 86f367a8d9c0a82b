package azblob_test

import (
	"testing"

	"github.com/retrohunt/retrohunt/sources/azblob"
	"github.com/retrohunt/retrohunt/sources/sourcetest"
)

// TestStoreConformance runs the write cases against Azurite, which
// evaluates If-Match and If-None-Match on Put Blob and Put Block List.
func TestStoreConformance(t *testing.T) {
	// 1 MiB is the SDK's smallest staged block; 3.5 MiB takes four.
	defer azblob.SetBlocks(1<<20, 1<<20)()
	sourcetest.RunStore(t, func(t *testing.T) sourcetest.StoreEnv {
		src, _, _ := newSource(t, nil)
		return sourcetest.StoreEnv{Store: src, Large: 7 << 19}
	})
}
