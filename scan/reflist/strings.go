package reflist

import (
	"sync"
	"unicode"
	"unicode/utf8"
)

// stringList is a hash set of the values, and a second set of their
// case-folded forms built on the first nocase Match (sync.Once): most
// lists are only ever matched case-sensitively, and the folded set of a
// million-value list costs as much memory again.
type stringList struct {
	set    map[string]struct{}
	values []string // distinct, in file order

	foldOnce sync.Once
	folded   map[string]struct{}
}

func newStringList(lines []line) *stringList {
	s := &stringList{set: make(map[string]struct{}, len(lines))}
	for _, ln := range lines {
		if _, dup := s.set[ln.val]; dup {
			continue
		}
		s.set[ln.val] = struct{}{}
		s.values = append(s.values, ln.val)
	}
	return s
}

func (s *stringList) match(v string, nocase bool) bool {
	if !nocase {
		_, ok := s.set[v]
		return ok
	}
	s.foldOnce.Do(func() {
		s.folded = make(map[string]struct{}, len(s.values))
		for _, v := range s.values {
			s.folded[string(appendFold(nil, v))] = struct{}{}
		}
	})
	// Fast path: fold into a stack buffer; the map lookup with a
	// string(bytes) key does not allocate.
	var arr [256]byte
	_, ok := s.folded[string(appendFold(arr[:0], v))]
	return ok
}

// appendFold appends v with every rune replaced by the smallest rune of
// its simple case-folding orbit (unicode.SimpleFold), so two strings
// are equal under strings.EqualFold exactly when their folds are equal
// bytes. Invalid UTF-8 bytes are kept as they are (EqualFold compares
// them as U+FFFD, which this does not: a list value and a field value
// are both valid UTF-8 in practice, and the difference only makes two
// different invalid strings unequal).
func appendFold(dst []byte, v string) []byte {
	for i := 0; i < len(v); {
		c := v[i]
		if c < utf8.RuneSelf {
			// Fast path: ASCII. The orbit's smallest rune of a
			// letter is its upper case ('k' and 's' orbits include
			// U+212A and U+017F, both larger).
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(v[i:])
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, v[i])
			i++
			continue
		}
		dst = utf8.AppendRune(dst, minFold(r))
		i += n
	}
	return dst
}

// minFold is the smallest rune in r's simple folding orbit.
func minFold(r rune) rune {
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < m {
			m = f
		}
	}
	return m
}
