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
	"slices"
	"strings"
	"time"

	"github.com/retrohunt/retrohunt/scan/reflist"
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
	// Multi is set beside Rule for a multi-event rule (Rule.IsMulti):
	// it runs through scan.NewMultiRule, never as a single-event rule.
	Multi *rule.Multi
	// Sigma is set instead of Rule for a Sigma rule (.yml, .yaml). A
	// Sigma correlation rule (Sigma.Correlation) runs through
	// scan.NewSigmaCorrelation, its base rules resolved by LoadWith.
	Sigma *sigma.Rule
	// BaseOnly is set on a Sigma rule that correlations refer to, none
	// of them with generate: true: it runs as their filter only and
	// reports no hits of its own (docs/sigma.md).
	BaseOnly bool
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

// Options configure LoadWith.
type Options struct {
	// Lists are the reference lists rules may name (`%name`).
	Lists reflist.Set
	// SkipUnsupported leaves out a rule whose every error is valid
	// YARA-L that retrohunt does not run (rule.Error.Unsupported) and
	// names it in the Skipped result, instead of failing the load. A
	// file with any other error still fails.
	SkipUnsupported bool
	// SigmaBases are Sigma rules of files not being loaded that
	// correlations may refer to (`rules lint` loads one file at a time;
	// the bases of files among those loaded are ignored).
	SigmaBases []*sigma.Rule
	// Now is the time YARA-L's timestamp.current_seconds() returns,
	// fixed once per run; zero is the time of parsing.
	Now time.Time
}

// Skipped is a rule LoadWith left out under Options.SkipUnsupported.
type Skipped struct {
	// Rule is the rule's name; Origin the file it is in.
	Rule   string `json:"rule"`
	Origin string `json:"origin"`
	// Reasons are its errors, "file:line:col: message" each.
	Reasons []string `json:"reasons"`
}

// LoadError is every error a load found: every file is parsed, and each
// error of each file is kept, in the order of the --rule arguments and
// of the files in a directory.
type LoadError struct{ Errs []error }

// Error renders one error per line.
func (e *LoadError) Error() string { return errors.Join(e.Errs...).Error() }

// Unwrap gives errors.As and errors.Is every error.
func (e *LoadError) Unwrap() []error { return e.Errs }

// Load resolves --rule arguments in order: an existing file, a directory
// (every *.yaral, *.yml and *.yaml in it, sorted), or a built-in rule's
// name. Rule names must be unique across everything loaded. It is
// LoadWith without options.
func Load(specs []string) ([]Loaded, error) {
	out, _, err := LoadWith(specs, Options{})
	return out, err
}

// LoadWith is Load with reference lists and SkipUnsupported. It parses
// every file however many fail, and returns a *LoadError with every
// error found, or the rules and the rules it skipped.
func LoadWith(specs []string, o Options) ([]Loaded, []Skipped, error) {
	var (
		out     []Loaded
		skipped []Skipped
		errs    []error
	)
	seen := map[string]string{}
	for _, spec := range specs {
		ls, sk, err := load(spec, o)
		skipped = append(skipped, sk...)
		if err != nil {
			errs = append(errs, err)
		}
		for _, l := range ls {
			if prev, ok := seen[l.Name()]; ok {
				errs = append(errs, fmt.Errorf("rule %s is defined twice: %s and %s", l.Name(), prev, l.Position()))
				continue
			}
			seen[l.Name()] = l.Position()
			out = append(out, l)
		}
	}
	out, skipped, errs = resolveCorrelations(out, skipped, errs, o)
	if len(errs) > 0 {
		var flat []error
		for _, e := range errs {
			if le, ok := e.(*LoadError); ok {
				flat = append(flat, le.Errs...)
			} else {
				flat = append(flat, e)
			}
		}
		return nil, nil, &LoadError{Errs: flat}
	}
	return out, skipped, nil
}

// load resolves one --rule argument; its error, when it has several,
// is a *LoadError.
func load(spec string, o Options) ([]Loaded, []Skipped, error) {
	st, err := os.Stat(spec)
	switch {
	case err == nil && st.IsDir():
		names, err := Files(spec)
		if err != nil {
			return nil, nil, err
		}
		if len(names) == 0 {
			return nil, nil, fmt.Errorf("rule directory %s holds no .yaral, .yml or .yaml files", spec)
		}
		var (
			out     []Loaded
			skipped []Skipped
			errs    []error
		)
		for _, n := range names {
			ls, sk, err := loadFile(n, o)
			out = append(out, ls...)
			skipped = append(skipped, sk...)
			if err != nil {
				errs = append(errs, err)
			}
		}
		if len(errs) > 0 {
			return out, skipped, &LoadError{Errs: errs}
		}
		return out, skipped, nil
	case err == nil:
		return loadFile(spec, o)
	}
	if l, ok := builtinByName(spec); ok {
		return []Loaded{l}, nil, nil
	}
	if strings.ContainsAny(spec, "/.") {
		return nil, nil, fmt.Errorf("cannot read rule %s: %w", spec, err)
	}
	return nil, nil, fmt.Errorf("rule %q: %w (see `retrohunt rules list`)", spec, ErrNoSuchRule)
}

// parseFile is the one call into the YARA-L parser for rule files.
var parseFile = func(name string, src []byte, o Options) ([]*rule.Rule, error) {
	return rule.ParseFileOptions(name, src, rule.Options{Lists: o.Lists, Now: o.Now, MultiEvent: true})
}

// compileMulti compiles the multi-event rules among rs. A rule the
// multi-event engine refuses (rule.ErrMulti) becomes an Unsupported
// error at its match: section (or the rule, without one), any other
// compile error a plain one; either way the rule is left out.
func compileMulti(rs []*rule.Rule) ([]Loaded, rule.ErrorList) {
	out := make([]Loaded, 0, len(rs))
	var errs rule.ErrorList
	for _, r := range rs {
		if !r.IsMulti() {
			out = append(out, Loaded{Rule: r})
			continue
		}
		m, err := rule.CompileMulti(r, 0, 0)
		if err == nil {
			_, err = m.VarRules()
		}
		if err != nil {
			at := r.Pos
			if r.MatchSec != nil {
				at = r.MatchSec.At
			}
			errs = append(errs, &rule.Error{Pos: at, Rule: r.Name, Msg: err.Error(), Unsupported: errors.Is(err, rule.ErrMulti)})
			continue
		}
		out = append(out, Loaded{Rule: r, Multi: m})
	}
	return out, errs
}

// loadFile parses one rule file: the rules that parsed, the ones
// skipped as unsupported, and the rest of its errors as a *LoadError.
func loadFile(p string, o Options) ([]Loaded, []Skipped, error) {
	src, err := os.ReadFile(p)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read rule %s: %w", p, err)
	}
	var out []Loaded
	if IsSigma(p) {
		out, err = loadSigma(p, src, sigma.Options{Lists: sigmaLists(o.Lists)})
	} else {
		var rs []*rule.Rule
		rs, err = parseFile(p, src, o)
		var multiErrs rule.ErrorList
		out, multiErrs = compileMulti(rs)
		for i := range out {
			out[i].Origin = p
		}
		if len(multiErrs) > 0 {
			err = mergeErrors(err, multiErrs)
		}
	}
	if err == nil {
		if len(out) == 0 {
			return nil, nil, fmt.Errorf("%s:1:1: no rule in file", p)
		}
		return out, nil, nil
	}
	var list rule.ErrorList
	var one *rule.Error
	switch {
	case errors.As(err, &list):
	case errors.As(err, &one):
		list = rule.ErrorList{one}
	default:
		return out, nil, err
	}
	// Group by rule: a rule is skipped only when every error of it is
	// an unsupported construct and the parser named it.
	byRule := map[string][]*rule.Error{}
	var order []string
	for _, e := range list {
		if _, ok := byRule[e.Rule]; !ok {
			order = append(order, e.Rule)
		}
		byRule[e.Rule] = append(byRule[e.Rule], e)
	}
	var skipped []Skipped
	var errs []error
	for _, name := range order {
		es := byRule[name]
		skip := o.SkipUnsupported && name != ""
		for _, e := range es {
			skip = skip && e.Unsupported
		}
		if skip {
			sk := Skipped{Rule: name, Origin: p}
			for _, e := range es {
				sk.Reasons = append(sk.Reasons, e.Error())
			}
			skipped = append(skipped, sk)
			continue
		}
		for _, e := range es {
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		return out, skipped, &LoadError{Errs: errs}
	}
	return out, skipped, nil
}

// mergeErrors adds the multi-event compile errors to the parser's,
// in source order.
func mergeErrors(parsed error, more rule.ErrorList) error {
	var list rule.ErrorList
	var one *rule.Error
	switch {
	case parsed == nil:
	case errors.As(parsed, &list):
		list = slices.Clone(list)
	case errors.As(parsed, &one):
		list = rule.ErrorList{one}
	default:
		return parsed
	}
	list = append(list, more...)
	slices.SortStableFunc(list, func(a, b *rule.Error) int {
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line - b.Pos.Line
		}
		return a.Pos.Col - b.Pos.Col
	})
	return list
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
