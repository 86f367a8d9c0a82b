// Package reflist holds reference lists (SecOps "%name" lists): string,
// regex and CIDR lists loaded from files. This is the minimal form of the
// contract the rule parser builds on; the package proper replaces it.
package reflist

import (
	"bufio"
	"bytes"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
)

// Kind is the kind of a list.
type Kind uint8

const (
	String Kind = iota + 1
	Regex
	CIDR
)

func (k Kind) String() string {
	switch k {
	case String:
		return "string"
	case Regex:
		return "regex"
	case CIDR:
		return "cidr"
	}
	return "Kind(?)"
}

// List is an immutable reference list, safe for concurrent use.
type List struct {
	name   string
	kind   Kind
	vals   []string
	set    map[string]struct{}
	fold   map[string]struct{}
	res    []*regexp.Regexp
	ranges []netip.Prefix
}

// Set maps list names to lists.
type Set map[string]*List

// Parse reads one value per line; blank lines and "//" comments are
// ignored.
func Parse(name string, kind Kind, src []byte) (*List, error) {
	l := &List{name: name, kind: kind, set: map[string]struct{}{}, fold: map[string]struct{}{}}
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(nil, 1<<20)
	var errs []string
	for n := 1; sc.Scan(); n++ {
		v := strings.TrimSpace(sc.Text())
		if v == "" || strings.HasPrefix(v, "//") {
			continue
		}
		switch kind {
		case Regex:
			re, err := regexp.Compile(v)
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s:%d:1: %v", name, n, err))
				continue
			}
			l.res = append(l.res, re)
		case CIDR:
			p, err := netip.ParsePrefix(v)
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s:%d:1: %v", name, n, err))
				continue
			}
			l.ranges = append(l.ranges, p)
		default:
			l.set[v] = struct{}{}
			l.fold[strings.ToLower(v)] = struct{}{}
		}
		l.vals = append(l.vals, v)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return l, sc.Err()
}

// KindOf tells a list's kind from its file name's suffix.
func KindOf(filename string, src []byte) Kind {
	switch {
	case strings.HasSuffix(filename, ".regex"):
		return Regex
	case strings.HasSuffix(filename, ".cidr"):
		return CIDR
	}
	return String
}

func (l *List) Name() string { return l.name }
func (l *List) Kind() Kind   { return l.kind }
func (l *List) Len() int     { return len(l.vals) }

// Match reports whether v is in the list.
func (l *List) Match(v string, nocase bool) bool {
	switch l.kind {
	case Regex:
		for _, re := range l.res {
			if re.MatchString(v) {
				return true
			}
		}
		return false
	case CIDR:
		a, err := netip.ParseAddr(v)
		if err != nil {
			return false
		}
		for _, p := range l.ranges {
			if p.Contains(a.Unmap()) {
				return true
			}
		}
		return false
	}
	if nocase {
		_, ok := l.fold[strings.ToLower(v)]
		return ok
	}
	_, ok := l.set[v]
	return ok
}

// Literals returns a String list's values; nil for the other kinds.
func (l *List) Literals() []string {
	if l.kind != String {
		return nil
	}
	return l.vals
}
