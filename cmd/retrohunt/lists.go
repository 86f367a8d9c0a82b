package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/retrohunt/retrohunt/scan/reflist"
	"github.com/retrohunt/retrohunt/scan/rules"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/open"
)

// ruleFlags are the flags that decide which rules load and how: --rule,
// the reference lists they may name, --skip-unsupported.
type ruleFlags struct {
	rules           listFlag
	lists           listFlag
	listDirs        listFlag
	skipUnsupported bool
}

func (f *ruleFlags) registerLists(fs *flag.FlagSet) {
	fs.Var(&f.lists, "reference-list", "reference list `NAME=PATH` (path, s3:// or azblob://) that rules name as %NAME; repeatable (docs/reference-lists.md)")
	fs.Var(&f.listDirs, "reference-lists", "every file in `DIR` (path, s3:// or azblob://) is a reference list named after the file without its suffix; repeatable")
}

func (f *ruleFlags) registerSkip(fs *flag.FlagSet) {
	fs.BoolVar(&f.skipUnsupported, "skip-unsupported", false, "skip rules that use YARA-L retrohunt does not run (named in the summary), instead of refusing to start")
}

// loadRules loads the --rule arguments (the default pack without any)
// with the reference lists the flags name.
func loadRules(ctx context.Context, f *ruleFlags, src *sourceFlags) ([]rules.Loaded, []rules.Skipped, error) {
	lists, err := loadLists(ctx, f.lists, f.listDirs, src)
	if err != nil {
		return nil, nil, err
	}
	if len(f.rules) == 0 {
		l, err := rules.Default()
		return l, nil, err
	}
	l, sk, err := rules.LoadWith(f.rules, rules.Options{Lists: lists, SkipUnsupported: f.skipUnsupported})
	if err != nil {
		return nil, nil, usageError{err}
	}
	return l, sk, nil
}

// listsError is every problem with the reference lists given, reported
// at once: bad lines (name:line:col), unreadable files, clashing names.
type listsError struct{ errs []error }

func (e *listsError) Error() string   { return errors.Join(e.errs...).Error() }
func (e *listsError) Unwrap() []error { return e.errs }

// loadLists reads --reference-list NAME=PATH and every file of each
// --reference-lists DIR. Any bad list is a usage error naming every bad
// line of every list.
func loadLists(ctx context.Context, specs, dirs []string, src *sourceFlags) (reflist.Set, error) {
	if len(specs) == 0 && len(dirs) == 0 {
		return nil, nil
	}
	set := reflist.Set{}
	from := map[string]string{}
	var errs []error
	add := func(name, where string, body []byte) {
		if prev, ok := from[name]; ok {
			errs = append(errs, fmt.Errorf("reference list %s is given twice: %s and %s", name, open.Redact(prev), open.Redact(where)))
			return
		}
		from[name] = where
		l, err := reflist.Parse(name, reflist.KindOf(where, body), body)
		if err != nil {
			errs = append(errs, err)
			return
		}
		set[name] = l
	}
	for _, spec := range specs {
		name, p, ok := strings.Cut(spec, "=")
		if !ok || name == "" || p == "" || strings.ContainsAny(name, "%/ ") {
			errs = append(errs, fmt.Errorf("--reference-list %q: want NAME=PATH (the name as rules write it after %%)", spec))
			continue
		}
		body, err := readOne(ctx, p, src)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			errs = append(errs, fmt.Errorf("reference list %s: %w", name, err))
			continue
		}
		add(name, p, body)
	}
	for _, dir := range dirs {
		n := 0
		err := readDir(ctx, dir, src, func(key string, body []byte) {
			n++
			base := path.Base(key)
			add(strings.TrimSuffix(base, path.Ext(base)), strings.TrimSuffix(dir, "/")+"/"+base, body)
		})
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			errs = append(errs, fmt.Errorf("--reference-lists %s: %w", open.Redact(dir), err))
		} else if n == 0 {
			errs = append(errs, fmt.Errorf("--reference-lists %s: no list files in it", open.Redact(dir)))
		}
	}
	if len(errs) > 0 {
		return nil, usageError{&listsError{errs}}
	}
	return set, nil
}

func openStore(ctx context.Context, arg string, src *sourceFlags) (sources.Source, string, error) {
	s, prefix, err := open.Open(ctx, arg, open.Options{
		Endpoint: src.endpoint, PathStyle: src.pathStyle, Region: src.region, Profile: src.profile,
		SAS: src.sas, MaxAttempts: src.maxAttempts, GetTimeout: src.getTimeout, Connections: 4,
	})
	if err != nil {
		return nil, "", open.Explained(err)
	}
	return s, prefix, nil
}

// readOne reads the one list file arg names.
func readOne(ctx context.Context, arg string, src *sourceFlags) ([]byte, error) {
	if p, ok := localPath(arg); ok {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.IsDir() {
			return nil, fmt.Errorf("%s is a directory (--reference-lists takes a directory of lists)", p)
		}
		body, err := io.ReadAll(io.LimitReader(f, reflist.MaxBytes+1))
		if err != nil {
			return nil, err
		}
		if len(body) > reflist.MaxBytes {
			return nil, fmt.Errorf("%s: %w", p, reflist.ErrTooLarge)
		}
		return body, nil
	}
	s, prefix, err := openStore(ctx, arg, src)
	if err != nil {
		return nil, err
	}
	var found *sources.Object
	err = s.List(ctx, prefix, func(o sources.Object) error {
		// The key must be the prefix itself, not a longer key.
		if o.Key == prefix && prefix != "" {
			found = &o
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, fmt.Errorf("%s: no such list file", open.Redact(arg))
	}
	return readObject(ctx, s, *found)
}

// localPath returns the path of a local argument (a plain path or
// file://).
func localPath(arg string) (string, bool) {
	if p, ok := strings.CutPrefix(arg, "file://"); ok {
		return p, true
	}
	return arg, !strings.Contains(arg, "://")
}

// readDir calls fn for every file directly in dir (not in subfolders,
// not hidden).
func readDir(ctx context.Context, dir string, src *sourceFlags, fn func(key string, body []byte)) error {
	s, prefix, err := openStore(ctx, dir, src)
	if err != nil {
		return err
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	var objs []sources.Object
	err = s.List(ctx, prefix, func(o sources.Object) error {
		rest := strings.TrimPrefix(o.Key, prefix)
		if rest != "" && !strings.Contains(rest, "/") && !strings.HasPrefix(rest, ".") {
			objs = append(objs, o)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, o := range objs {
		body, err := readObject(ctx, s, o)
		if err != nil {
			return err
		}
		fn(o.Key, body)
	}
	return nil
}

// readObject reads a list file, refusing one over reflist.MaxBytes
// without reading past it.
func readObject(ctx context.Context, s sources.Source, o sources.Object) ([]byte, error) {
	if o.Size > reflist.MaxBytes {
		return nil, fmt.Errorf("%s: %d bytes: %w", s.URI(o.Key), o.Size, reflist.ErrTooLarge)
	}
	rc, err := s.Open(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.URI(o.Key), err)
	}
	defer rc.Close()
	body, err := io.ReadAll(io.LimitReader(rc, reflist.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.URI(o.Key), err)
	}
	if len(body) > reflist.MaxBytes {
		return nil, fmt.Errorf("%s: %w", s.URI(o.Key), reflist.ErrTooLarge)
	}
	return body, nil
}
