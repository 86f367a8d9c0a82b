package sigma

import (
	"path"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// Cond is a node of a rule's condition.
type Cond interface{ cond() }

// AndCond holds when every term holds.
type AndCond struct{ Terms []Cond }

// OrCond holds when some term holds.
type OrCond struct{ Terms []Cond }

// NotCond negates X.
type NotCond struct{ X Cond }

// Ref is a search identifier named in the condition.
type Ref struct{ Sel *Selection }

// OfCond is "1 of pattern" (All false) or "all of pattern" over the
// selections it matched when the rule was parsed.
type OfCond struct {
	All     bool
	Pattern string // "them" or a pattern with * wildcards
	Sels    []*Selection
}

func (*AndCond) cond() {}
func (*OrCond) cond()  {}
func (*NotCond) cond() {}
func (*Ref) cond()     {}
func (*OfCond) cond()  {}

type condToken struct {
	text string
	off  int // byte offset in the condition
}

// condParser reads a condition: or < and < not < "x of" < parentheses
// (the specification's precedence, least binding first).
type condParser struct {
	p    *parser
	r    *Rule
	n    *yaml.Node
	toks []condToken
	i    int
	end  int
	bad  bool
}

func lexCond(s string) []condToken {
	var out []condToken
	for i := 0; i < len(s); {
		c := rune(s[i])
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '(' || c == ')' || c == '|':
			out = append(out, condToken{text: s[i : i+1], off: i})
			i++
		default:
			j := i
			for j < len(s) && !unicode.IsSpace(rune(s[j])) && s[j] != '(' && s[j] != ')' && s[j] != '|' {
				j++
			}
			out = append(out, condToken{text: s[i:j], off: i})
			i = j
		}
	}
	return out
}

func (p *parser) condition(r *Rule, n *yaml.Node) Cond {
	cp := &condParser{p: p, r: r, n: n, toks: lexCond(n.Value), end: len(n.Value)}
	if len(cp.toks) == 0 {
		p.errorf(n, "empty condition")
		return nil
	}
	c := cp.or()
	if !cp.bad && cp.i < len(cp.toks) {
		if cp.toks[cp.i].text == "|" {
			cp.unsupported(cp.toks[cp.i].off, "aggregations (condition | count() ...) need the windowed engine of issue 11")
		} else {
			cp.errorf(cp.toks[cp.i].off, "unexpected %q in condition", cp.toks[cp.i].text)
		}
	}
	if cp.bad {
		return nil
	}
	return c
}

func (cp *condParser) pos(off int) Pos {
	col := cp.n.Column + off
	if cp.n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0 {
		col++
	}
	return Pos{File: cp.p.file, Line: cp.n.Line, Col: col}
}

func (cp *condParser) errorf(off int, msg string, args ...any) {
	if cp.bad {
		return
	}
	cp.bad = true
	cp.p.errs = append(cp.p.errs, &Error{Pos: cp.pos(off), Msg: sprintf(msg, args...), Rule: cp.p.title})
}

func (cp *condParser) unsupported(off int, msg string) {
	if cp.bad {
		return
	}
	cp.bad = true
	cp.p.errs = append(cp.p.errs, &Error{Pos: cp.pos(off), Msg: msg, Rule: cp.p.title, Unsupported: true})
}

func (cp *condParser) peek() string {
	if cp.i < len(cp.toks) {
		return strings.ToLower(cp.toks[cp.i].text)
	}
	return ""
}

func (cp *condParser) off() int {
	if cp.i < len(cp.toks) {
		return cp.toks[cp.i].off
	}
	return cp.end
}

func (cp *condParser) or() Cond {
	terms := []Cond{cp.and()}
	for cp.peek() == "or" {
		cp.i++
		terms = append(terms, cp.and())
	}
	if len(terms) == 1 {
		return terms[0]
	}
	return &OrCond{Terms: terms}
}

func (cp *condParser) and() Cond {
	terms := []Cond{cp.not()}
	for cp.peek() == "and" {
		cp.i++
		terms = append(terms, cp.not())
	}
	if len(terms) == 1 {
		return terms[0]
	}
	return &AndCond{Terms: terms}
}

func (cp *condParser) not() Cond {
	if cp.peek() == "not" {
		cp.i++
		return &NotCond{X: cp.not()}
	}
	return cp.primary()
}

func (cp *condParser) primary() Cond {
	off := cp.off()
	switch t := cp.peek(); t {
	case "":
		cp.errorf(off, "condition ends early")
		return nil
	case "(":
		cp.i++
		c := cp.or()
		if cp.peek() != ")" {
			cp.errorf(cp.off(), "missing ) in condition")
			return nil
		}
		cp.i++
		return c
	case ")", "and", "or", "|":
		cp.errorf(off, "unexpected %q in condition", cp.toks[cp.i].text)
		return nil
	case "1", "all", "any":
		if cp.i+1 < len(cp.toks) && strings.EqualFold(cp.toks[cp.i+1].text, "of") {
			cp.i += 2
			if cp.i >= len(cp.toks) {
				cp.errorf(cp.end, "%s of what?", t)
				return nil
			}
			pat := cp.toks[cp.i]
			cp.i++
			of := &OfCond{All: t == "all", Pattern: pat.text}
			for _, s := range cp.r.Selections {
				if pat.text == "them" && !strings.HasPrefix(s.Name, "_") || pat.text != "them" && globMatch(pat.text, s.Name) {
					of.Sels = append(of.Sels, s)
				}
			}
			if len(of.Sels) == 0 {
				cp.errorf(pat.off, "%q names no search identifier of the detection section", pat.text)
				return nil
			}
			return of
		}
	}
	name := cp.toks[cp.i].text
	cp.i++
	for _, s := range cp.r.Selections {
		if s.Name == name {
			return &Ref{Sel: s}
		}
	}
	cp.errorf(off, "unknown search identifier %q in condition", name)
	return nil
}

// globMatch matches a search identifier pattern whose only wildcard is *.
func globMatch(pat, name string) bool {
	quoted := strings.NewReplacer(`\`, `\\`, `?`, `\?`, `[`, `\[`).Replace(pat)
	ok, _ := path.Match(quoted, name)
	return ok
}
