// Package rule parses and evaluates single-event detection rules written in
// the subset of Chronicle YARA-L 2.0 that retrohunt promises.
//
// # Syntax
//
// A file holds any number of rules:
//
//	rule name {
//	  meta:                        // optional
//	    key = "string" | 12 | true
//	  events:
//	    $e.metadata.event_type = "USER_RESOURCE_ACCESS"
//	    $e.target.application in nocase ("ssm.amazonaws.com", "ec2.amazonaws.com")
//	    re.regex($e.target.resource.name, `(?i)RUNCOMMAND/ACTION`) or $e.principal.ip = /^10\./
//	  condition:
//	    $e
//	}
//
// The events section holds expressions built from comparisons
// ($e.f op literal with =, !=, <, >, <=, >=, the literal on either side),
// "in (list)", regex literals ($e.f = /re/, $e.f != /re/), re.regex calls,
// "not", "and", "or" and parentheses; "not" binds tighter than "and", which
// binds tighter than "or". Top-level expressions are ANDed; they are found
// by the grammar, not by line breaks. Keywords are case-insensitive.
// "nocase" may follow a string comparison, a regex or "in". Strings are
// double-quoted with the escapes \" \\ \n \t, or backtick-quoted and raw.
// Inside /re/ a "\/" stands for "/", and an unescaped "/" ends the regex
// even inside a character class. Regexes use Go (RE2) syntax, match
// unanchored and are compiled at parse time; nocase prefixes "(?i)".
//
// Everything else YARA-L offers is rejected with an *Error naming it:
// match:, outcome: and options: sections, placeholder variables, a second
// event variable, reference lists, functions other than re.regex, any/all,
// arithmetic, and a condition other than the event variable.
//
// # Semantics
//
// A field with no values is evaluated as one zero value of the literal's
// kind: "" against strings and regexes, 0 against numbers, false against
// booleans. So $e.principal.user.userid != "" is false when the field is
// absent, and $e.f != /x/ is true.
//
// A repeated field satisfies a comparison, regex or list when any of its
// values does; this holds for != and negated regexes too (some value
// differs). "not" negates the whole sub-expression, so not $e.f = "x" is
// true only when no value is "x".
//
// String = and != compare bytes exactly, or under Unicode simple case
// folding with nocase (strings.EqualFold); <, >, <= and >= order strings
// lexically by bytes, or rune by rune under the same folding with nocase.
// Against a number literal the value is parsed with strconv.ParseFloat;
// against a boolean it must be "true" or "false" in any case. A value that
// does not parse makes the comparison false whatever the operator.
// "in (...)" holds when the value equals any element, each element
// compared by its own kind; nocase affects the string elements.
//
// Rule.Match evaluates with short-circuit and allocates nothing beyond
// what Event.Values does; it is the reference evaluator that faster paths
// must agree with. Rule.Explain evaluates every clause and returns the
// tree of results.
//
// Positions are 1-based lines and 1-based byte columns.
package rule
