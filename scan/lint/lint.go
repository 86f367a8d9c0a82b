// Package lint checks YARA-L rules against what retrohunt's UDM mapping
// can actually produce, and says so with a position and a fix, instead of
// letting a rule silently return nothing over months of archives.
package lint

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/udm"
)

// Level orders findings.
type Level uint8

const (
	// Note: the rule relies on something we inferred, not verified.
	Note Level = iota
	// Warning: the comparison looks wrong but may be intended.
	Warning
	// Never: the comparison can never be true for any log type we map.
	Never
)

func (l Level) String() string {
	return [...]string{"note", "warning", "never-true"}[l]
}

// Finding is one problem at one position.
type Finding struct {
	Pos   rule.Pos
	Level Level
	Msg   string
	Fix   string // a suggested change, "" when there is none
}

func (f Finding) String() string {
	s := fmt.Sprintf("%s: %s: %s", f.Pos, f.Level, f.Msg)
	if f.Fix != "" {
		s += "\n    fix: " + f.Fix
	}
	return s
}

// Lint returns the findings for r in source order. The last finding, if
// the whole events section can never match, says so at the rule.
func Lint(r *rule.Rule) []Finding {
	var out []Finding
	never := map[rule.Expr]bool{}
	rule.Walk(r.Events, func(x rule.Expr) bool {
		var fs []Finding
		switch x := x.(type) {
		case *rule.Compare:
			fs = compare(x, r.Events)
		case *rule.InList:
			if x.F != nil { // not a function of fields
				fs = inList(x, r.Events)
			}
		case *rule.Regex:
			if x.F != nil {
				fs = regex(x)
			}
		}
		for _, f := range fs {
			if f.Level == Never {
				never[x] = true
			}
		}
		out = append(out, fs...)
		return true
	})
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Pos, out[j].Pos
		return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
	})
	if neverTrue(r.Events, never) {
		out = append(out, Finding{Pos: r.Pos, Level: Never,
			Msg: fmt.Sprintf("rule %s can never match a record of %s: every branch holds a comparison that is never true (above)", r.Name, logTypes())})
	}
	return out
}

// neverTrue propagates never-true leaves: an "and" with one never-true
// term is never true, an "or" only when all its terms are. Under "not"
// nothing can be concluded.
func neverTrue(x rule.Expr, leaves map[rule.Expr]bool) bool {
	switch x := x.(type) {
	case *rule.And:
		for _, t := range x.Terms {
			if neverTrue(t, leaves) {
				return true
			}
		}
		return false
	case *rule.Or:
		for _, t := range x.Terms {
			if !neverTrue(t, leaves) {
				return false
			}
		}
		return len(x.Terms) > 0
	case *rule.Not:
		return false
	}
	return leaves[x]
}

func logTypes() string {
	var s []string
	for _, t := range udm.LogTypes {
		s = append(s, t.String())
	}
	return strings.Join(s, " or ")
}

// common checks every field reference: is it mapped at all, and is it a
// row we only inferred?
func common(field string, at rule.Pos) []Finding {
	if !udm.Known(field) {
		return []Finding{{Pos: at, Level: Warning,
			Msg: fmt.Sprintf("%s is not mapped for %s, so it is always empty here", field, logTypes()),
			Fix: "see docs/udm.md for the fields retrohunt maps"}}
	}
	if field == "metadata.event_type" {
		return []Finding{{Pos: at, Level: Note,
			Msg: "metadata.event_type for SSM, Instance Connect and Azure operations is inferred by retrohunt, not verified against SecOps' parsers (docs/udm.md); the rule depends on that inference",
			Fix: "match on metadata.product_event_type (eventName / operationName) instead"}}
	}
	return nil
}

func compare(x *rule.Compare, events rule.Expr) []Finding {
	out := common(x.Field, x.FieldPos)
	if x.Value.Kind == rule.LitString {
		out = append(out, literal(x.Value.Text, x.Value.At)...)
		if x.Op == rule.OpEq {
			if f, ok := constMismatch(x.Field, []string{x.Value.Text}, x.Nocase, x.Value.At, events); ok {
				out = append(out, f)
			}
			if f, ok := enumMismatch(x.Field, []string{x.Value.Text}, x.Nocase, x.Value.At, events); ok {
				out = append(out, f)
			}
			if f, ok := arnNeverFilled(x.Field, x.Value.Text, x.Value.At); ok {
				out = append(out, f)
			}
		}
	}
	return out
}

func inList(x *rule.InList, events rule.Expr) []Finding {
	out := common(x.Field, x.FieldPos)
	var vals []string
	for _, v := range x.Values {
		out = append(out, literal(v.Text, v.At)...)
		vals = append(vals, v.Text)
	}
	if f, ok := constMismatch(x.Field, vals, x.Nocase, x.At, events); ok {
		out = append(out, f)
	}
	if f, ok := enumMismatch(x.Field, vals, x.Nocase, x.At, events); ok {
		out = append(out, f)
	}
	return out
}

func regex(x *rule.Regex) []Finding {
	out := common(x.Field, x.FieldPos)
	out = append(out, literal(x.Pattern, x.PatternPos)...)
	if x.Field == "target.resource.name" && !x.Negated && (operationPath.MatchString(x.Pattern) || len(literal(x.Pattern, x.At)) > 0) {
		out = append(out, Finding{Pos: x.At, Level: Never,
			Msg: fmt.Sprintf("never true for AZURE_ACTIVITY: target.resource.name holds the resource id (/SUBSCRIPTIONS/…/PROVIDERS/…), never an operation name such as %q", x.Pattern),
			Fix: fmt.Sprintf("re.regex($e.metadata.product_event_type, `%s`) — operationName is in metadata.product_event_type", x.Pattern)})
	}
	return out
}

// operationPath spots an Azure operation name inside a pattern: a
// provider path ending in an operation verb.
var operationPath = regexp.MustCompile(`(?i)[A-Z.]+/[A-Z/.]*(ACTION|WRITE|DELETE|READ)\b`)

// constMismatch reports an equality on a field that every log type fills
// with a constant, against values none of them has.
func constMismatch(field string, vals []string, nocase bool, at rule.Pos, events rule.Expr) (Finding, bool) {
	consts := map[udm.LogType]string{}
	for _, row := range udm.Table {
		if row.UDM == field {
			if len(row.From) > 0 {
				return Finding{}, false
			}
			consts[row.Type] = row.Const
		}
	}
	if len(consts) == 0 {
		return Finding{}, false
	}
	for _, v := range vals {
		for _, c := range consts {
			if v == c || nocase && strings.EqualFold(v, c) {
				return Finding{}, false
			}
		}
	}
	var have []string
	for _, t := range udm.LogTypes {
		if c, ok := consts[t]; ok {
			have = append(have, fmt.Sprintf("%q for %s", c, t))
		}
	}
	f := Finding{Pos: at, Level: Never,
		Msg: fmt.Sprintf("never true: %s is %s, never %s", field, strings.Join(have, " and "), quoteAll(vals))}
	if t, ok := pinnedType(events, at, field); ok {
		f.Fix = fmt.Sprintf("$e.%s = %q (what SecOps' %s parser writes)", field, consts[t], t)
	} else if c, ok := closest(vals, consts); ok {
		f.Fix = fmt.Sprintf("$e.%s = %q", field, c)
	}
	return f, true
}

// pinnedType finds, in the "and" that holds the comparison at pos, another
// constant comparison that pins one log type (product_name = "AWS
// CloudTrail" pins AWS_CLOUDTRAIL).
func pinnedType(events rule.Expr, pos rule.Pos, field string) (udm.LogType, bool) {
	var found udm.LogType
	ok := false
	rule.Walk(events, func(x rule.Expr) bool {
		and, isAnd := x.(*rule.And)
		if !isAnd || ok {
			return !ok
		}
		holds := false
		for _, t := range and.Terms {
			if t.Pos() == pos || containsPos(t, pos) && !isCompound(t) {
				holds = true
			}
		}
		if !holds {
			return true
		}
		for _, t := range and.Terms {
			c, isCmp := t.(*rule.Compare)
			if !isCmp || c.Field == field || c.Op != rule.OpEq {
				continue
			}
			for _, row := range udm.Table {
				if row.UDM == c.Field && len(row.From) == 0 && strings.EqualFold(row.Const, c.Value.Text) {
					found, ok = row.Type, true
				}
			}
		}
		return !ok
	})
	return found, ok
}

func containsPos(x rule.Expr, pos rule.Pos) bool {
	in := false
	rule.Walk(x, func(y rule.Expr) bool {
		if y.Pos() == pos {
			in = true
		}
		if c, ok := y.(*rule.Compare); ok && c.Value.At == pos {
			in = true
		}
		return !in
	})
	return in
}

func isCompound(x rule.Expr) bool {
	switch x.(type) {
	case *rule.And, *rule.Or, *rule.Not:
		return true
	}
	return false
}

// closest picks the constant sharing the first word with a value
// ("Amazon Web Services" → "AMAZON").
func closest(vals []string, consts map[udm.LogType]string) (string, bool) {
	for _, v := range vals {
		w := strings.ToLower(strings.Fields(v + " ")[0])
		for _, t := range udm.LogTypes {
			c, ok := consts[t]
			if ok && w != "" && strings.HasPrefix(strings.ToLower(c), w) || ok && strings.Contains(strings.ToLower(v), strings.ToLower(c)) {
				return c, true
			}
		}
	}
	return "", false
}

func quoteAll(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = fmt.Sprintf("%q", v)
	}
	if len(q) == 1 {
		return q[0]
	}
	return "any of " + strings.Join(q, ", ")
}
