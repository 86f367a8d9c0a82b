package main

import (
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/retrohunt/retrohunt/output/text"
	"github.com/retrohunt/retrohunt/scan/lint"
	"github.com/retrohunt/retrohunt/scan/rules"
)

func cmdRules(args []string, stdout, stderr io.Writer) error {
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
		if len(args) < 2 {
			return usagef("rules lint: want one or more rule files, directories or built-in names")
		}
		loaded, err := rules.Load(args[1:])
		if err != nil {
			return usageError{err}
		}
		bad := 0
		for _, l := range loaded {
			var fs []lint.Finding
			if l.Sigma != nil {
				fs = sigmaFindings(l.Sigma)
			} else {
				fs = lint.Lint(l.Rule)
			}
			for _, f := range fs {
				printFinding(stdout, f)
				if f.Level > lint.Note {
					bad++
				}
			}
			if len(fs) == 0 {
				fmt.Fprintf(stdout, "%s: rule %s: no findings\n", text.Escape(l.Position()), text.Escape(l.Name()))
			}
		}
		if bad > 0 {
			return fmt.Errorf("%d finding(s) in %d rule(s)", bad, len(loaded))
		}
		return nil
	}
	return usagef("rules: unknown subcommand %q (want list, show or lint)", args[0])
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
