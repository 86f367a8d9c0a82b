package rule

import (
	"strconv"
	"strings"
)

// Pos is a position in a rule file. Line and Col are 1-based; Col counts
// bytes from the start of the line, not runes or display columns, so a tab
// or a multi-byte character advances it by its encoded length.
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

// IsValid reports whether p was set by the parser.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Error is a parse or compile error at a position in a rule file.
type Error struct {
	Pos Pos
	Msg string
	// Rule names the rule the error is in, "" outside any rule.
	Rule string
	// Unsupported marks valid YARA-L that retrohunt does not run (a
	// construct it rejects, naming it in Msg) as opposed to a rule that
	// is wrong: `scan --skip-unsupported` skips the first kind only.
	Unsupported bool
}

// Error renders "file:line:col: message".
func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// ErrorList is every error found in a file, in source order. ParseFile
// returns one (as its error) together with the rules that parsed
// cleanly, so that a caller can report all of them at once or run the
// rest.
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
