package text

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// WriteTable prints an aligned table: the first column left-aligned, the
// others (numbers) right-aligned, two spaces between columns.
func WriteTable(w io.Writer, indent string, head []string, rows [][]string) {
	WriteAligned(w, indent, "l"+strings.Repeat("r", len(head)-1), head, rows)
}

// WriteAligned prints an aligned table; align has one letter per column,
// 'l' or 'r'. Every cell is escaped (see Escape); trailing blanks are
// trimmed.
func WriteAligned(w io.Writer, indent, align string, head []string, rows [][]string) {
	esc := func(cells []string) []string {
		out := make([]string, len(cells))
		for i, c := range cells {
			out[i] = Escape(c)
		}
		return out
	}
	head = esc(head)
	escaped := make([][]string, len(rows))
	for i, r := range rows {
		escaped[i] = esc(r)
	}
	width := make([]int, len(head))
	for i, h := range head {
		width[i] = utf8.RuneCountInString(h)
	}
	for _, r := range escaped {
		for i, c := range r {
			if i < len(width) {
				width[i] = max(width[i], utf8.RuneCountInString(c))
			}
		}
	}
	line := func(cells []string) {
		var b strings.Builder
		b.WriteString(indent)
		for i, c := range cells {
			if i >= len(width) {
				break
			}
			if i > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i < len(align) && align[i] == 'r' {
				b.WriteString(pad)
				b.WriteString(c)
			} else {
				b.WriteString(c)
				b.WriteString(pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	line(head)
	for _, r := range escaped {
		line(r)
	}
}

// ErrWriter keeps the first write error, so a long report can be printed
// without checking each line; Err returns it.
type ErrWriter struct {
	W   io.Writer
	err error
}

func (e *ErrWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.W.Write(p)
	e.err = err
	return n, err
}

// Err is the first write error, or nil.
func (e *ErrWriter) Err() error { return e.err }
