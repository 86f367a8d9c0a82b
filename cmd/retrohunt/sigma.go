package main

import (
	"fmt"
	"io"

	"github.com/retrohunt/retrohunt/output/text"
	"github.com/retrohunt/retrohunt/scan"
	"github.com/retrohunt/retrohunt/scan/lint"
	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/rules"
	"github.com/retrohunt/retrohunt/scan/sigma"
)

// sigmaRule compiles a loaded Sigma rule for the scan, warning about the
// lint findings that say it can never match (a logsource retrohunt does
// not read among them).
func sigmaRule(l rules.Loaded, warn func(string)) *scan.Rule {
	for _, fd := range sigma.Lint(l.Sigma) {
		if fd.Level == sigma.Never {
			warn(fmt.Sprintf("rule %s: %s: %s", l.Sigma.Title, fd.Pos, fd.Msg))
		}
	}
	return scan.NewSigmaRule(l.Sigma, l.Origin)
}

// sigmaFindings are a Sigma rule's lint findings in scan/lint's form, so
// that `rules lint` prints both kinds alike.
func sigmaFindings(r *sigma.Rule) []lint.Finding {
	var out []lint.Finding
	for _, f := range sigma.Lint(r) {
		lv := lint.Note
		switch f.Level {
		case sigma.Warning:
			lv = lint.Warning
		case sigma.Never:
			lv = lint.Never
		}
		out = append(out, lint.Finding{Pos: rule.Pos{File: f.Pos.File, Line: f.Pos.Line, Col: f.Pos.Col}, Level: lv, Msg: f.Msg})
	}
	return out
}

// printNotApplicable lists, by name, the Sigma rules whose logsource is
// none retrohunt reads: they ran on nothing.
func printNotApplicable(w io.Writer, rs []*scan.Rule) {
	na := scan.NotApplicable(rs)
	if len(na) == 0 {
		return
	}
	fmt.Fprintf(w, "\n  not applicable (%d Sigma rules whose logsource retrohunt does not read):\n", len(na))
	for _, r := range na {
		fmt.Fprintf(w, "    %s  (%s)\n", text.Escape(r.Name), text.Escape(r.Sigma.Logsource.String()))
	}
}
