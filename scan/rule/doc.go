// Package rule parses and evaluates YARA-L 2.0 rules, the language of
// Google SecOps. docs/yaral.md is this package's documentation for
// readers of the repository; this comment summarises it.
//
// # Language
//
// The whole rule shape is parsed: meta:, events:, match:, outcome:,
// condition: and options:. Rules that read one event run: comparisons of
// value expressions (fields, literals, placeholders, function calls from
// the table of package fn, + - * /, parentheses), map access
// ($e.x.labels["k"]) and array index, regexes (/re/, re.regex), lists,
// reference lists (in %name, in regex %name, in cidr %name), any/all,
// placeholders, outcome variables with if() and aggregations, and a
// condition over the event variable and outcome variables.
//
// Multi-event constructs (match:, a second event variable, #e counts,
// !$e) are parsed; with Options.MultiEvent (as the rule loader parses)
// they run through CompileMulti (multi.go, docs/yaral_windows.md),
// without it they are rejected with Error.Unsupported set, naming the
// construct at its position. So are fields of the entity graph and functions that need
// data only SecOps has. What SecOps rejects is rejected too (nocase on
// enumerated fields, among others), so a rule tested here deploys there.
//
// ParseFileOptions returns the rules that parsed cleanly and an ErrorList
// of every error of the file: parsing goes on past a bad rule, section or
// line.
//
// # Semantics
//
// An event with a repeated field is evaluated as one copy ("row") per
// element, the cartesian product over several repeated fields (at most
// MaxRows rows); within a row every reference to a field reads the same
// element; the rule matches when some row satisfies events: and then the
// condition. any/all quantify explicitly over the elements of the fields
// under them. Regexes see only the first line of a value unless the
// pattern starts with "(?s)". A field with no values is one zero value.
// Without match:, outcome aggregations go over the matching rows of the
// one event.
//
// Rule.Match is the reference evaluator that faster paths must agree
// with; Rule.Outcomes gives the outcome values of a matching event;
// Rule.Explain traces every clause. Positions are 1-based lines and
// 1-based byte columns.
package rule
