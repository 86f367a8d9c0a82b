package sigma

import (
	"strconv"
	"strings"
)

// Pos is a position in a rule file: 1-based line and byte column.
type Pos struct {
	File      string
	Line, Col int
}

// String renders "file:line:col", or "line:col" when File is empty.
func (p Pos) String() string {
	s := strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col)
	if p.File != "" {
		s = p.File + ":" + s
	}
	return s
}

// Error is a problem at a position in a Sigma rule file.
type Error struct {
	Pos Pos
	Msg string
	// Rule is the title of the rule the error is in, "" when unknown.
	Rule string
	// Unsupported marks valid Sigma that retrohunt does not run
	// (correlation rules, aggregations), as opposed to a wrong rule:
	// `scan --skip-unsupported` skips the first kind only.
	Unsupported bool
}

// Error renders "file:line:col: message".
func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// ErrorList is every error found in a file, in source order.
type ErrorList []*Error

// Error renders one error per line.
func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap gives errors.As and errors.Is every error of the list.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}
