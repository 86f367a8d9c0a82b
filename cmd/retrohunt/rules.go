package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/retrohunt/retrohunt/output/text"
	"github.com/retrohunt/retrohunt/scan/lint"
	"github.com/retrohunt/retrohunt/scan/rules"
	"github.com/retrohunt/retrohunt/scan/sigma"
)

func cmdRules(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("rules: want list, show NAME or lint FILE...")
	}
	switch args[0] {
	case "list":
		all, err := rules.Builtin()
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tDEFAULT\tSEVERITY\tTECHNIQUE\tDESCRIPTION")
		for _, l := range all {
			def := "yes"
			if !l.Default {
				def = "by name"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", l.Rule.Name, def, text.Escape(l.Rule.MetaValue("severity")),
				text.Escape(l.Rule.MetaValue("mitre_attack_technique")), text.Clip(l.Rule.MetaValue("description"), 80))
		}
		return tw.Flush()
	case "show":
		if len(args) != 2 {
			return usagef("rules show: want one rule name (see 'retrohunt rules list')")
		}
		text, ok := rules.Show(args[1])
		if !ok {
			return usagef("rules show: no built-in rule %q (see 'retrohunt rules list')", args[1])
		}
		_, err := fmt.Fprintf(stdout, "%s\n", text)
		return err
	case "lint":
		return cmdLint(ctx, args[1:], stdout, stderr)
	}
	return usagef("rules: unknown subcommand %q (want list, show or lint)", args[0])
}

const lintUsage = `Usage: retrohunt rules lint [flags] RULE...

Checks every rule file (a file, every .yaral, .yml and .yaml file of a
directory, or a built-in rule's name): YARA-L against the UDM mapping,
Sigma against its logsource's fields. Every file is parsed and
linted, however many fail: each error and finding is printed with
file:line:col. Exits 1 when any file does not parse or any rule has a
warning or a never-true comparison.

Flags:
`

// cmdLint lints file by file, so that one bad file does not hide the
// others.
func cmdLint(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f ruleFlags
	var src sourceFlags
	fs, specs, err := parseCommand("rules lint", lintUsage, stderr, func(fs *flag.FlagSet) {
		f.registerLists(fs)
		src.register(fs)
	}, args)
	if err != nil {
		return err
	}
	if len(specs) == 0 {
		fs.Usage()
		return usagef("rules lint: want one or more rule files, directories or built-in names")
	}
	lists, err := loadLists(ctx, f.lists, f.listDirs, &src)
	if err != nil {
		return err
	}
	var files []string
	for _, spec := range specs {
		names, _ := rules.Files(spec)
		if st, err := os.Stat(spec); err == nil && st.IsDir() && len(names) > 0 {
			files = append(files, names...)
			continue
		}
		files = append(files, spec)
	}
	// The Sigma rules of every file, for correlations that refer to a
	// rule of another file.
	var bases []*sigma.Rule
	for _, file := range files {
		if rules.IsSigma(file) {
			if src, err := os.ReadFile(file); err == nil {
				rs, _ := sigma.ParseFile(file, src, sigma.Options{})
				bases = append(bases, rs...)
			}
		}
	}
	failed, bad, n := 0, 0, 0
	for _, file := range files {
		loaded, _, err := rules.LoadWith([]string{file}, rules.Options{Lists: lists, SigmaBases: bases})
		if err != nil {
			failed++
			var le *rules.LoadError
			if errors.As(err, &le) {
				for _, e := range le.Errs {
					fmt.Fprintf(stdout, "%s\n", text.Escape(e.Error()))
				}
			} else {
				fmt.Fprintf(stdout, "%s\n", text.Escape(err.Error()))
			}
			continue
		}
		for _, l := range loaded {
			n++
			var fds []lint.Finding
			if l.Sigma != nil {
				fds = sigmaFindings(l.Sigma)
			} else {
				fds = ruleFindings(l)
			}
			for _, fd := range fds {
				printFinding(stdout, fd)
				if fd.Level > lint.Note {
					bad++
				}
			}
			if len(fds) == 0 {
				fmt.Fprintf(stdout, "%s: rule %s: no findings\n", text.Escape(l.Position()), text.Escape(l.Name()))
			}
		}
	}
	switch {
	case failed > 0:
		return fmt.Errorf("%d of %d file(s) did not load; %d finding(s) in the %d rule(s) that did", failed, len(files), bad, n)
	case bad > 0:
		return fmt.Errorf("%d finding(s) in %d rule(s)", bad, n)
	}
	return nil
}

// ruleFindings lints a YARA-L rule. A multi-event rule's comparisons
// are linted where they stand; whether it can match at all is judged
// per event variable (its own conditions, Multi.VarRules): one
// variable that can never have a candidate does not make the rule dead
// when its condition does not need it ($e or $f).
func ruleFindings(l rules.Loaded) []lint.Finding {
	fds := lint.Lint(l.Rule)
	if l.Multi == nil {
		return fds
	}
	out := fds[:0]
	for _, fd := range fds {
		if !(fd.Level == lint.Never && fd.Pos == l.Rule.Pos) {
			out = append(out, fd)
		}
	}
	vrs, err := l.Multi.VarRules()
	if err != nil {
		return out
	}
	for i, vr := range vrs {
		for _, fd := range lint.Lint(vr) {
			if fd.Level == lint.Never && fd.Pos == vr.Pos {
				out = append(out, lint.Finding{Pos: l.Rule.Pos, Level: lint.Never,
					Msg: fmt.Sprintf("event variable %s of rule %s can never have an event: every branch of its conditions holds a comparison that is never true (above)", l.Rule.Vars[i], l.Rule.Name)})
			}
		}
	}
	return out
}

// printFinding prints a lint finding as lint.Finding.String does, with
// the parts that quote rule text escaped (text.Escape): a regex in a fix
// line is the rule file's bytes.
func printFinding(w io.Writer, f lint.Finding) {
	fmt.Fprintf(w, "%s: %s: %s\n", text.Escape(f.Pos.String()), f.Level, text.Escape(f.Msg))
	if f.Fix != "" {
		fmt.Fprintf(w, "    fix: %s\n", text.Escape(f.Fix))
	}
}

// errNoRules is returned when --rule names nothing runnable.
var errNoRules = errors.New("no rules to run")
