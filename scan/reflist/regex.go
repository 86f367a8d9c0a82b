package reflist

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// regexList matches a value against many patterns without running every
// pattern on every value. Each pattern's required literal (a string
// every match contains, read from its syntax tree) of 3 bytes or more
// is indexed by one of its trigrams; a value looks up each of its own
// trigrams and runs only the patterns found there whose literal it
// contains. Patterns without such a literal run as alternations of up
// to 64 patterns each (one regex run per chunk, not per pattern). The
// index is sound: a pattern that matches v has its literal in v, so
// the literal's trigrams are among v's.
//
// nocase builds a second index on first use (sync.Once) from the same
// literals, ASCII-folded, over `(?i:pattern)`. It indexes only ASCII
// literals, and a value that is not all ASCII skips the index and runs
// every pattern: Unicode folding can match 'k' against U+212A, which no
// byte trigram sees.
type regexList struct {
	pats     []string
	lits     []string // required literal per pattern, "" when none
	anchored []bool   // the pattern starts with ^ (\A): it can only match at 0

	exact    *regexIndex
	foldOnce sync.Once
	folded   *regexIndex
}

// chunk is how many literal-less patterns one alternation holds.
const chunk = 64

type regexIndex struct {
	fold  bool
	res   []*regexp.Regexp // per pattern
	lits  []string         // per pattern, the literal byTri indexes it by (lower case when fold)
	byTri map[uint32][]int32
	rest  []*regexp.Regexp // alternations of the patterns not in byTri
	all   []*regexp.Regexp // alternations of every pattern (fold, non-ASCII values)
}

func newRegexList(name string, lines []line, add func(*Error) bool) *regexList {
	l := &regexList{}
	ok := true
	for _, ln := range lines {
		tree, err := syntax.Parse(ln.val, syntax.Perl)
		if err == nil {
			_, err = regexp.Compile(ln.val)
		}
		if err != nil {
			if !ok {
				continue
			}
			ok = add(&Error{List: name, Line: ln.num, Col: ln.col, Msg: "bad regular expression: " + strings.TrimPrefix(err.Error(), "error parsing regexp: ")})
			continue
		}
		l.pats = append(l.pats, ln.val)
		l.lits = append(l.lits, required(tree))
		l.anchored = append(l.anchored, tree.Op == syntax.OpBeginText ||
			tree.Op == syntax.OpConcat && len(tree.Sub) > 0 && tree.Sub[0].Op == syntax.OpBeginText)
	}
	l.exact = l.index(false)
	return l
}

func (l *regexList) match(v string, nocase bool) bool {
	if !nocase {
		return l.exact.match(v)
	}
	l.foldOnce.Do(func() { l.folded = l.index(true) })
	return l.folded.match(v)
}

func (l *regexList) index(fold bool) *regexIndex {
	x := &regexIndex{fold: fold, byTri: map[uint32][]int32{}, res: make([]*regexp.Regexp, len(l.pats)), lits: make([]string, len(l.pats))}
	var rest, restAnchored []string
	for i, p := range l.pats {
		if fold {
			p = "(?i:" + p + ")"
		}
		x.res[i] = regexp.MustCompile(p) // compiled once already in newRegexList
		lit := l.lits[i]
		if fold {
			if !isASCII(lit) {
				lit = ""
			}
			lit = strings.ToLower(lit)
		}
		if len(lit) < 3 {
			if l.anchored[i] {
				restAnchored = append(restAnchored, p)
			} else {
				rest = append(rest, p)
			}
			continue
		}
		x.lits[i] = lit
		// The literal's least used trigram so far spreads the
		// patterns over the index.
		best, bestN := uint32(0), -1
		for j := 0; j+3 <= len(lit); j++ {
			k := tri(lit[j:], false)
			if n := len(x.byTri[k]); bestN < 0 || n < bestN {
				best, bestN = k, n
			}
		}
		x.byTri[best] = append(x.byTri[best], int32(i))
	}
	// Patterns that start with ^ go into alternations that start
	// with ^ too: regexp then tries them at offset 0 only, not at
	// every byte of the value.
	x.rest = append(alternations(rest, ""), alternations(restAnchored, "^")...)
	if fold {
		all := make([]string, len(l.pats))
		for i, p := range l.pats {
			all[i] = "(?i:" + p + ")"
		}
		x.all = alternations(all, "")
	}
	return x
}

func alternations(pats []string, prefix string) []*regexp.Regexp {
	var out []*regexp.Regexp
	for len(pats) > 0 {
		n := min(chunk, len(pats))
		var b strings.Builder
		b.WriteString(prefix + "(?:")
		for i, p := range pats[:n] {
			if i > 0 {
				b.WriteByte('|')
			}
			b.WriteString("(?:")
			b.WriteString(p)
			b.WriteString(")")
		}
		b.WriteString(")")
		out = append(out, regexp.MustCompile(b.String()))
		pats = pats[n:]
	}
	return out
}

func (x *regexIndex) match(v string) bool {
	if x.fold && !isASCII(v) {
		for _, re := range x.all {
			if re.MatchString(v) {
				return true
			}
		}
		return false
	}
	for _, re := range x.rest {
		if re.MatchString(v) {
			return true
		}
	}
	for i := 0; i+3 <= len(v); i++ {
		for _, p := range x.byTri[tri(v[i:], x.fold)] {
			if x.contains(v, x.lits[p]) && x.res[p].MatchString(v) {
				return true
			}
		}
	}
	return false
}

// contains is strings.Contains, ASCII case-insensitive when fold (v is
// all ASCII then, and lit is lower case).
func (x *regexIndex) contains(v, lit string) bool {
	if !x.fold {
		return strings.Contains(v, lit)
	}
	for i := 0; i+len(lit) <= len(v); i++ {
		j := 0
		for j < len(lit) && lower(v[i+j]) == lit[j] {
			j++
		}
		if j == len(lit) {
			return true
		}
	}
	return false
}

// tri packs s's first three bytes, ASCII-lowered when fold.
func tri(s string, fold bool) uint32 {
	a, b, c := s[0], s[1], s[2]
	if fold {
		a, b, c = lower(a), lower(b), lower(c)
	}
	return uint32(a)<<16 | uint32(b)<<8 | uint32(c)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// required returns a string every match of re contains ("" when none
// is found): a literal, or the longest run of adjacent literals in a
// concatenation, or what a group or a repetition of at least one
// requires. Case-folded literals ((?i)) give none.
func required(re *syntax.Regexp) string {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 || slices.Contains(re.Rune, utf8.RuneError) {
			// U+FFFD also matches an invalid byte, which the
			// literal's bytes would not find.
			return ""
		}
		return string(re.Rune)
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
	case syntax.OpConcat:
		best, run := "", ""
		for _, sub := range re.Sub {
			if sub.Op == syntax.OpLiteral {
				if lit := required(sub); lit != "" {
					run += lit
					continue
				}
			}
			best = longer(best, run)
			run = ""
			best = longer(best, required(sub))
		}
		return longer(best, run)
	}
	return ""
}

func longer(a, b string) string {
	if len(b) > len(a) {
		return b
	}
	return a
}
