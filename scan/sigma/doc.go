// Package sigma reads Sigma detection rules (the Sigma specification v2,
// rules part) and evaluates them over a record's own JSON: fields are the
// log's dotted JSON paths, arrays match when any element matches, strings
// compare case-insensitively unless the rule says `cased`. It also derives
// the literals a record must contain for a rule to match it (Rule.Require),
// which scan/fast turns into the prefilter's requirements.
//
// The evaluator (Rule.Match) is the reference: it is written to be
// obviously right, not fast; the scan engine runs it only on the records
// the prefilter lets through, or on every record with --reference.
// docs/sigma.md describes what runs, the field conventions and the limits.
package sigma
