package rules

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/retrohunt/retrohunt/scan/reflist"
	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/sigma"
)

// IsSigma reports whether a rule file is Sigma, by its name: .yml or
// .yaml (YARA-L files are .yaral).
func IsSigma(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yml", ".yaml":
		return true
	}
	return false
}

// Files returns the rule files of a directory, YARA-L and Sigma
// mixed, sorted by name.
func Files(dir string) ([]string, error) {
	var names []string
	for _, pat := range []string{"*.yaral", "*.yml", "*.yaml"} {
		ns, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil {
			return nil, err
		}
		names = append(names, ns...)
	}
	sort.Strings(names)
	return names, nil
}

// loadSigma parses a Sigma file: the rules that compiled and every
// error, as a rule.ErrorList (Sigma reports with YARA-L's error types),
// so that callers report and skip both kinds alike.
func loadSigma(p string, src []byte, o sigma.Options) ([]Loaded, error) {
	rs, err := sigma.ParseFile(p, src, o)
	out := make([]Loaded, len(rs))
	for i, r := range rs {
		out[i] = Loaded{Sigma: r, Origin: p}
	}
	if err != nil {
		var list rule.ErrorList
		if !errors.As(err, &list) {
			return out, fmt.Errorf("cannot load Sigma rule %s: %w", p, err)
		}
		return out, err
	}
	return out, nil
}

// sigmaLists gives Sigma's expand modifier the same reference lists as
// YARA-L's %name.
func sigmaLists(set reflist.Set) sigma.Lists {
	if set == nil {
		return nil
	}
	return func(name string) (sigma.List, bool) {
		l, ok := set[name]
		return l, ok
	}
}

// Name is the rule's name: a YARA-L rule's, or a Sigma rule's title.
func (l Loaded) Name() string {
	if l.Sigma != nil {
		return l.Sigma.Title
	}
	return l.Rule.Name
}

// Position is where the rule starts, "file:line:col".
func (l Loaded) Position() string {
	if l.Sigma != nil {
		return l.Sigma.Pos.String()
	}
	return l.Rule.Pos.String()
}

// Text is the rule's source: a YARA-L rule's text, a Sigma rule's file.
func (l Loaded) Text() []byte {
	if l.Sigma != nil {
		return l.Sigma.Text
	}
	return l.Rule.Text
}

// resolveCorrelations finds the base rules of the Sigma correlation
// rules among every loaded Sigma rule (by name or id, across files) and
// marks the bases no correlation asks to generate. A correlation that
// refers to a correlation is skipped under SkipUnsupported; any other
// reference error is an error.
func resolveCorrelations(out []Loaded, skipped []Skipped, errs []error, o Options) ([]Loaded, []Skipped, []error) {
	var all, corrs []*sigma.Rule
	for _, l := range out {
		if l.Sigma == nil {
			continue
		}
		all = append(all, l.Sigma)
		if l.Sigma.Correlation != nil {
			corrs = append(corrs, l.Sigma)
		}
	}
	if len(corrs) == 0 {
		return out, skipped, errs
	}
	files := map[string]bool{}
	for _, r := range all {
		files[r.Pos.File] = true
	}
	for _, r := range o.SigmaBases {
		if !files[r.Pos.File] {
			all = append(all, r)
		}
	}
	bad := map[*sigma.Rule]rule.ErrorList{}
	for _, e := range sigma.Resolve(corrs, all) {
		for _, c := range corrs {
			if c.Title == e.Rule && c.Pos.File == e.Pos.File {
				bad[c] = append(bad[c], e)
			}
		}
	}
	generate := map[*sigma.Rule]bool{}
	referred := map[*sigma.Rule]bool{}
	keep := out[:0:0]
	for _, l := range out {
		list, ok := bad[l.Sigma]
		if !ok {
			keep = append(keep, l)
			if l.Sigma != nil && l.Sigma.Correlation != nil {
				for _, b := range l.Sigma.Correlation.Bases {
					referred[b] = true
					generate[b] = generate[b] || l.Sigma.Correlation.Generate
				}
			}
			continue
		}
		unsupported := true
		var reasons []string
		for _, e := range list {
			unsupported = unsupported && e.Unsupported
			reasons = append(reasons, e.Error())
		}
		if unsupported && o.SkipUnsupported {
			skipped = append(skipped, Skipped{Rule: l.Name(), Origin: l.Origin, Reasons: reasons})
			continue
		}
		for _, e := range list {
			errs = append(errs, e)
		}
	}
	for i, l := range keep {
		if l.Sigma != nil && referred[l.Sigma] && !generate[l.Sigma] {
			keep[i].BaseOnly = true
		}
	}
	return keep, skipped, errs
}
