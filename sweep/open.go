package sweep

import (
	"context"
	"fmt"
	"strings"

	"github.com/retrohunt/retrohunt/sources/open"
)

// OpenStores opens the stores a sweep names by URL (a path, s3:// or
// azblob://): stateURL the state file and lakeURL the lake prefix, each
// "" for none. The lake is opened first, as --out is checked first. An
// error names the flag and the URL, says what to do in one line
// (open.Explain), and wraps the cause.
func OpenStores(ctx context.Context, stateURL, lakeURL string, o open.Options) (Stores, error) {
	var st Stores
	var err error
	if lakeURL != "" {
		if st.Lake, st.LakePrefix, err = open.OpenStore(ctx, lakeURL, o); err != nil {
			return Stores{}, fmt.Errorf("--out %s: %w", open.Redact(lakeURL), open.Explained(err))
		}
	}
	if stateURL != "" {
		if st.State, st.StateKey, err = open.OpenStore(ctx, stateURL, o); err != nil {
			return Stores{}, fmt.Errorf("--state %s: %w", open.Redact(stateURL), open.Explained(err))
		}
	}
	return st, nil
}

// IsLake tells a lake prefix from a single output file: a trailing "/",
// or a remote URL, which can only be a prefix of part files.
func IsLake(out string) bool {
	return strings.HasSuffix(out, "/") || strings.HasPrefix(out, "s3://") || strings.HasPrefix(out, "azblob://") || strings.HasPrefix(out, "https://")
}
