package sweep

import (
	"context"
	"strings"

	"github.com/retrohunt/retrohunt/sources/open"
)

// OpenError is a sweep store (--state or --out) that could not be
// opened. Its message is the one-line advice of open.Explain; the cause
// stays reachable with errors.As and errors.Is.
type OpenError struct {
	Flag string // "--state" or "--out"
	URL  string // as given; redacted when printed
	Err  error
}

func (e *OpenError) Error() string {
	return e.Flag + " " + open.Redact(e.URL) + ": " + open.Explain(e.Err)
}

func (e *OpenError) Unwrap() error { return e.Err }

// OpenStores opens the stores a sweep names by URL (a path, s3:// or
// azblob://): stateURL the state file and lakeURL the lake prefix, each
// "" for none. The lake is opened first, as --out is checked first.
func OpenStores(ctx context.Context, stateURL, lakeURL string, o open.Options) (Stores, error) {
	var st Stores
	var err error
	if lakeURL != "" {
		if st.Lake, st.LakePrefix, err = open.OpenStore(ctx, lakeURL, o); err != nil {
			return Stores{}, &OpenError{Flag: "--out", URL: lakeURL, Err: err}
		}
	}
	if stateURL != "" {
		if st.State, st.StateKey, err = open.OpenStore(ctx, stateURL, o); err != nil {
			return Stores{}, &OpenError{Flag: "--state", URL: stateURL, Err: err}
		}
	}
	return st, nil
}

// IsLake tells a lake prefix from a single output file: a trailing "/",
// or a remote URL, which can only be a prefix of part files.
func IsLake(out string) bool {
	return strings.HasSuffix(out, "/") || strings.HasPrefix(out, "s3://") || strings.HasPrefix(out, "azblob://") || strings.HasPrefix(out, "https://")
}
