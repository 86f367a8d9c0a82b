package azblob_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/sources"
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
// container when RETROHUNT_TEST_AZBLOB_URL names a folder
// (azblob://account/container/prefix/) that the credentials in the
// environment may write to; it works in a fresh sub-folder and deletes
// it afterwards.
func TestStoreConformanceAzure(t *testing.T) {
	target := os.Getenv("RETROHUNT_TEST_AZBLOB_URL")
	if target == "" {
		t.Skip("set RETROHUNT_TEST_AZBLOB_URL=azblob://account/container/prefix/ (and credentials) to run against Azure")
	}
	cfg, base, err := azblob.ParseURL(target)
	if err != nil {
		t.Fatal(err)
	}
	if base != "" && !strings.HasSuffix(base, "/") {
		base += "/"
	}
	ctx := context.Background()
	src, err := azblob.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer azblob.SetBlocks(1<<20, 1<<20)()
	run := 0
	sourcetest.RunStore(t, func(t *testing.T) sourcetest.StoreEnv {
		run++
		prefix := fmt.Sprintf("%sretrohunt-store-%d-%d/", base, time.Now().UnixNano(), run)
		t.Cleanup(func() {
			_ = src.List(ctx, prefix, func(o sources.Object) error { return src.Delete(ctx, o.Key) })
		})
		return sourcetest.StoreEnv{Store: sourcetest.PrefixedStore(src, prefix), Large: 7 << 19}
	})
}
