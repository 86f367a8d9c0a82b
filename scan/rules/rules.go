// Package rules finds YARA-L rules: the built-in ones embedded in the
// binary (so users can read and copy them), files and directories.
package rules

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/sigma"
)

// builtinFS holds the built-in rules: pack/ runs when no --rule is given,
// named/ only when asked for by name (the seed rule, verbatim).
//
//go:embed builtin
var builtinFS embed.FS

// Loaded is a parsed rule and where it came from.
type Loaded struct {
	Rule *rule.Rule
	// Sigma is set instead of Rule for a Sigma rule (.yml, .yaml).
	Sigma *sigma.Rule
	// Origin is the file path, or "builtin:<file>" for built-in rules.
	Origin string
	// Default is true for the built-in pack that runs without --rule.
	Default bool
}

// Builtin returns every built-in rule, the default pack first.
func Builtin() ([]Loaded, error) {
	var out []Loaded
	for _, dir := range []string{"pack", "named"} {
		ents, err := fs.ReadDir(builtinFS, "builtin/"+dir)
		if err != nil {
			return nil, fmt.Errorf("BUG: built-in rules: %w", err)
		}
		for _, e := range ents {
			p := "builtin/" + dir + "/" + e.Name()
			src, err := builtinFS.ReadFile(p)
			if err != nil {
				return nil, fmt.Errorf("BUG: built-in rules: %w", err)
			}
			rs, err := rule.ParseFile("builtin:"+dir+"/"+e.Name(), src)
			if err != nil {
				return nil, fmt.Errorf("BUG: built-in rule does not parse: %w", err)
			}
			for _, r := range rs {
				out = append(out, Loaded{Rule: r, Origin: "builtin:" + dir + "/" + e.Name(), Default: dir == "pack"})
			}
		}
	}
	return out, nil
}

// Default returns the built-in pack.
func Default() ([]Loaded, error) {
	all, err := Builtin()
	if err != nil {
		return nil, err
	}
	var out []Loaded
	for _, l := range all {
		if l.Default {
			out = append(out, l)
		}
	}
	return out, nil
}

// ErrNoSuchRule is returned for a --rule that is neither a path nor a
// built-in rule's name.
var ErrNoSuchRule = errors.New("no such rule file, directory or built-in rule")

// Load resolves --rule arguments in order: an existing file, a directory
// (every *.yaral, *.yml and *.yaml in it, sorted), or a built-in rule's
// name. Rule names must be unique across everything loaded.
func Load(specs []string) ([]Loaded, error) { return LoadWith(specs, sigma.Options{}) }

// LoadWith is Load with the options Sigma rules are parsed with (the
// reference lists their expand modifier reads).
func LoadWith(specs []string, o sigma.Options) ([]Loaded, error) {
	var out []Loaded
	seen := map[string]string{}
	add := func(ls []Loaded) error {
		for _, l := range ls {
			if prev, ok := seen[l.Name()]; ok {
				return fmt.Errorf("rule %s is defined twice: %s and %s", l.Name(), prev, l.Position())
			}
			seen[l.Name()] = l.Position()
			out = append(out, l)
		}
		return nil
	}
	for _, spec := range specs {
		ls, err := load(spec, o)
		if err != nil {
			return nil, err
		}
		if err := add(ls); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func load(spec string, o sigma.Options) ([]Loaded, error) {
	st, err := os.Stat(spec)
	switch {
	case err == nil && st.IsDir():
		names, err := ruleFiles(spec)
		if err != nil {
			return nil, err
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("rule directory %s holds no .yaral, .yml or .yaml files", spec)
		}
		var out []Loaded
		for _, n := range names {
			ls, err := loadFile(n, o)
			if err != nil {
				return nil, err
			}
			out = append(out, ls...)
		}
		return out, nil
	case err == nil:
		return loadFile(spec, o)
	}
	if l, ok := builtinByName(spec); ok {
		return []Loaded{l}, nil
	}
	if strings.ContainsAny(spec, "/.") {
		return nil, fmt.Errorf("cannot read rule %s: %w", spec, err)
	}
	return nil, fmt.Errorf("rule %q: %w (see `retrohunt rules list`)", spec, ErrNoSuchRule)
}

func loadFile(p string, o sigma.Options) ([]Loaded, error) {
	src, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("cannot read rule %s: %w", p, err)
	}
	if IsSigma(p) {
		return loadSigma(p, src, o)
	}
	rs, err := rule.ParseFile(p, src)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("%s:1:1: no rule in file", p)
	}
	out := make([]Loaded, len(rs))
	for i, r := range rs {
		out[i] = Loaded{Rule: r, Origin: p}
	}
	return out, nil
}

func builtinByName(name string) (Loaded, bool) {
	all, err := Builtin()
	if err != nil {
		return Loaded{}, false
	}
	name = strings.TrimSuffix(path.Base(name), ".yaral")
	for _, l := range all {
		if l.Rule.Name == name {
			return l, true
		}
	}
	return Loaded{}, false
}

// Show returns the source text of a built-in rule by name.
func Show(name string) ([]byte, bool) {
	l, ok := builtinByName(name)
	if !ok {
		return nil, false
	}
	return l.Rule.Text, true
}
