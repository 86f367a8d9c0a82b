package report

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/retrohunt/retrohunt/output/lake"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/local"
	"github.com/retrohunt/retrohunt/sources/open"
)

// A lake (output/lake) is read through its run manifests, never by
// listing: a part file counts only once a finished run's manifest names
// it. A run killed before its manifest leaves committed part files that
// the next run adopts into its own manifest, and part names its resume
// overwrote with empty tombstones; until a manifest names them, they are
// not results.

// partName is the name lake gives a part file: part-<run>-<n>.parquet.
var partName = regexp.MustCompile(`^part-[A-Za-z0-9._-]+-[0-9]+\.parquet$`)

// lakeRoot returns the part of prefix before its first Hive partition
// segment ("date=", "rule=", "account="), where a lake keeps its
// manifests: a report on lake/date=2024-03-01/ reads lake/_manifest/.
func lakeRoot(prefix string) string {
	var root strings.Builder
	for _, seg := range strings.SplitAfter(prefix, "/") {
		if isPartition(seg) {
			break
		}
		root.WriteString(seg)
	}
	return root.String()
}

// asDir ends a non-empty prefix with "/", as lake does.
func asDir(prefix string) string {
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		return prefix + "/"
	}
	return prefix
}

func manifestDir(root string) string { return asDir(root) + lake.ManifestDir }

func isPartition(seg string) bool {
	for _, col := range []string{lake.ByDate, lake.ByRule, lake.ByAccount} {
		if strings.HasPrefix(seg, col+"=") {
			return true
		}
	}
	return false
}

// storeOf returns the Store under src's wrappers (such as sources.Limit),
// which manifests are read through.
func storeOf(src sources.Source) (sources.Store, bool) {
	for {
		if st, ok := src.(sources.Store); ok {
			return st, true
		}
		u, ok := src.(interface{ Unwrap() sources.Source })
		if !ok {
			return nil, false
		}
		src = u.Unwrap()
	}
}

// readLake reads the part files under prefix that the manifests of the
// lake around prefix name, in key order, through read, which returns the
// rows it read. It reports false, and reads nothing, when the lake root
// holds no manifest.
func (s *Set) readLake(ctx context.Context, st sources.Store, prefix string, read func(key string, size int64) (int64, error)) (bool, error) {
	root := lakeRoot(prefix)
	runs, err := lake.Manifests(ctx, st, root)
	if err != nil {
		return false, fmt.Errorf("list %s: %w", st.URI(manifestDir(root)), open.Explained(err))
	}
	if len(runs) == 0 {
		return false, nil
	}
	dir := asDir(root)
	sort.Strings(runs)
	files := map[string]lake.File{}
	for _, run := range runs {
		m, err := lake.ReadManifest(ctx, st, root, run)
		if err != nil {
			return true, fmt.Errorf("read %s: %w", st.URI(lake.ManifestKey(root, run)), open.Explained(err))
		}
		for _, f := range append(m.Files, m.Adopted...) {
			// The key is rebuilt under this lake's prefix, so a lake
			// copied or mounted elsewhere reads the same.
			key := dir + path.Base(f.Key)
			if f.Partition != "" {
				key = dir + f.Partition + "/" + path.Base(f.Key)
			}
			if strings.HasPrefix(key, prefix) {
				files[key] = f
			}
		}
	}
	if len(files) == 0 {
		return true, inputErrorf("no part file of a finished run under %s (the runs of its lake are listed in %s)", st.URI(prefix), st.URI(manifestDir(root)))
	}
	keys := make([]string, 0, len(files))
	for k := range files {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f := files[k]
		n, err := read(k, f.Bytes)
		if err != nil {
			return true, err
		}
		if n != f.Rows {
			return true, fmt.Errorf("%s holds %d hits, but run %s's manifest says %d: the part file was replaced after the run", st.URI(k), n, f.Run, f.Rows)
		}
	}
	return true, nil
}

// unfinished is the error for a folder or prefix that holds lake part
// files but no manifest: no run has finished, so nothing is committed.
func unfinished(keys []string, st interface{ URI(string) string }, prefix string) error {
	for _, k := range keys {
		if partName.MatchString(path.Base(k)) {
			return inputErrorf("%s holds lake part files (%s) but no run manifest in %s: no run has finished, so no hit is committed yet",
				st.URI(prefix), path.Base(k), st.URI(manifestDir(lakeRoot(prefix))))
		}
	}
	return nil
}

// localLake opens the lake around a local folder: the folder itself, or
// the one above its partition folders (root), and the prefix of the
// folder in it.
func localLake(dir string) (st *local.Source, root, prefix string, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, "", "", err
	}
	for isPartition(filepath.Base(abs)) && filepath.Dir(abs) != abs {
		prefix = filepath.Base(abs) + "/" + prefix
		abs = filepath.Dir(abs)
	}
	st, err = local.New(abs)
	return st, abs, prefix, err
}
