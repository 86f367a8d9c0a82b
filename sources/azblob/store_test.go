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

// TestStoreConformanceAzure runs the write cases against a real
// container when RETROHUNT_TEST_AZBLOB_URL is set (see azureTarget); it
// works in a fresh sub-folder and deletes it afterwards.
func TestStoreConformanceAzure(t *testing.T) {
	src, _, base := azureTarget(t)
	defer azblob.SetBlocks(1<<20, 1<<20)()
	sourcetest.RunStore(t, func(t *testing.T) sourcetest.StoreEnv {
		prefix := sourcetest.ScratchFolder(t, src, base, "store")
		return sourcetest.StoreEnv{Store: sourcetest.PrefixedStore(src, prefix), Large: 7 << 19}
	})
}
