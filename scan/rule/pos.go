package rule

import "strconv"

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
}

// Error renders "file:line:col: message".
func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }
