package sigma

import "github.com/retrohunt/retrohunt/scan/rule"

// Sigma rules report their errors with the same types as YARA-L rules,
// so that the loader, `--skip-unsupported` and the CLI treat both kinds
// alike: an error names its position (1-based line and byte column),
// the rule it is in (for Sigma, the title; "" when unknown) and whether
// it is valid Sigma that retrohunt does not run (correlation rules,
// aggregations) rather than a wrong rule.
type (
	// Pos is a position in a rule file.
	Pos = rule.Pos
	// Error is a problem at a position in a Sigma rule file.
	Error = rule.Error
	// ErrorList is every error found in a file, in source order.
	ErrorList = rule.ErrorList
)
