package rule

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
)

// maxDepth bounds nesting of parentheses and "not" so that hostile input
// cannot exhaust the stack of the parser or of the recursive evaluator.
const maxDepth = 500

// ParseFile parses every rule in src; name is used in positions. A file
// without rules yields no rules and no error. Any error is a *Error.
func ParseFile(name string, src []byte) ([]*Rule, error) {
	p := newParser(name, src)
	var rules []*Rule
	seen := make(map[string]Pos)
	for p.tok.kind != tokEOF {
		r, namePos, err := p.parseRule()
		if err != nil {
			return nil, err
		}
		if first, ok := seen[r.Name]; ok {
			return nil, &Error{Pos: namePos, Msg: fmt.Sprintf("duplicate rule name %s (first defined at %d:%d)", r.Name, first.Line, first.Col)}
		}
		seen[r.Name] = namePos
		rules = append(rules, r)
	}
	return rules, nil
}

type parser struct {
	file  string
	src   []byte
	lines []int // byte offset of the start of each line
	lx    lexer

	tok    token // current token
	next   token // lookahead, valid when peeked
	peeked bool
	depth  int

	evVar string // the rule's event variable, set by its first field
}

func newParser(name string, src []byte) *parser {
	p := &parser{file: name, src: src, lines: []int{0}, lx: newLexer(src)}
	for i, c := range src {
		if c == '\n' {
			p.lines = append(p.lines, i+1)
		}
	}
	p.tok = p.lx.next()
	return p
}

func (p *parser) advance() {
	if p.peeked {
		p.tok, p.peeked = p.next, false
		return
	}
	p.tok = p.lx.next()
}

func (p *parser) peek() token {
	if !p.peeked {
		p.next, p.peeked = p.lx.next(), true
	}
	return p.next
}

func (p *parser) pos(off int) Pos {
	i, found := slices.BinarySearch(p.lines, off)
	if !found {
		i--
	}
	return Pos{File: p.file, Line: i + 1, Col: off - p.lines[i] + 1}
}

func (p *parser) errAt(off int, format string, args ...any) *Error {
	return &Error{Pos: p.pos(off), Msg: fmt.Sprintf(format, args...)}
}

// unexpected reports t where want was expected. Tokens that spell an
// unsupported YARA-L construct get a message naming the construct, so that
// it is never mistaken for a typo.
func (p *parser) unexpected(t token, want string) *Error {
	switch t.kind {
	case tokIllegal:
		return p.errAt(t.off, "%s", t.text)
	case tokArith:
		return p.errAt(t.off, "arithmetic (%s) is not supported", t.text)
	case tokRefList:
		return p.errAt(t.off, "reference lists (%%name) are not supported")
	case tokCount:
		return p.errAt(t.off, "event counts (%s) are not supported (single-event rules only)", t.text)
	}
	return p.errAt(t.off, "expected %s, found %s", want, describe(t))
}

// atSectionHeader reports whether the current token starts "name:".
func (p *parser) atSectionHeader() bool {
	return p.tok.kind == tokIdent && p.peek().kind == tokColon
}

func (p *parser) parseRule() (*Rule, Pos, error) {
	start := p.tok
	if !start.isKw("rule") {
		return nil, Pos{}, p.unexpected(start, `"rule"`)
	}
	p.advance()
	if p.tok.kind != tokIdent {
		return nil, Pos{}, p.unexpected(p.tok, `rule name after "rule"`)
	}
	r := &Rule{Name: p.tok.text, Pos: p.pos(start.off)}
	namePos := p.pos(p.tok.off)
	p.advance()
	if p.tok.kind != tokLBrace {
		return nil, Pos{}, p.unexpected(p.tok, fmt.Sprintf(`"{" after rule name %s`, r.Name))
	}
	p.advance()
	p.evVar = ""

	sec, err := p.sectionHeader(`section "meta:" or "events:"`)
	if err != nil {
		return nil, Pos{}, err
	}
	if sec.isKw("meta") {
		if r.Meta, err = p.parseMeta(); err != nil {
			return nil, Pos{}, err
		}
		if sec, err = p.sectionHeader(`section "events:"`); err != nil {
			return nil, Pos{}, err
		}
	}
	if !sec.isKw("events") {
		return nil, Pos{}, p.errAt(sec.off, `expected section "events:", found section "%s:"`, sec.text)
	}
	if r.Events, err = p.parseEvents(sec); err != nil {
		return nil, Pos{}, err
	}
	if sec, err = p.sectionHeader(`section "condition:"`); err != nil {
		return nil, Pos{}, err
	}
	if !sec.isKw("condition") {
		return nil, Pos{}, p.errAt(sec.off, `expected section "condition:", found section "%s:"`, sec.text)
	}
	if err := p.parseCondition(r.Name); err != nil {
		return nil, Pos{}, err
	}
	end := p.tok.end // the closing brace
	p.advance()
	r.Var = p.evVar
	r.Text = slices.Clone(p.src[start.off:end])
	r.fields = fieldsOf(r.Events)
	return r, namePos, nil
}

// sectionHeader consumes "name:" and returns the name token. Sections
// outside the subset are rejected here, by name.
func (p *parser) sectionHeader(want string) (token, error) {
	t := p.tok
	if !p.atSectionHeader() {
		return t, p.unexpected(t, want)
	}
	switch strings.ToLower(t.text) {
	case "meta", "events", "condition":
	case "match", "outcome":
		return t, p.errAt(t.off, "%s: section is not supported (single-event rules only)", t.text)
	case "options":
		return t, p.errAt(t.off, "%s: section is not supported", t.text)
	default:
		return t, p.errAt(t.off, `unknown section "%s:" (expected meta:, events: or condition:)`, t.text)
	}
	p.advance()
	p.advance()
	return t, nil
}

func (p *parser) parseMeta() ([]MetaEntry, error) {
	var meta []MetaEntry
	for p.tok.kind == tokIdent && !p.atSectionHeader() {
		key := p.tok
		p.advance()
		if p.tok.kind != tokEq {
			return nil, p.unexpected(p.tok, fmt.Sprintf(`"=" after meta key %s`, key.text))
		}
		p.advance()
		m := MetaEntry{Key: key.text, Value: p.tok.text, Pos: p.pos(key.off)}
		switch {
		case p.tok.kind == tokString:
			m.Kind = LitString
		case p.tok.kind == tokNumber:
			m.Kind = LitNumber
		case p.tok.isKw("true"), p.tok.isKw("false"):
			m.Kind = LitBool
		default:
			return nil, p.unexpected(p.tok, fmt.Sprintf("string, number or boolean for meta key %s", key.text))
		}
		p.advance()
		meta = append(meta, m)
	}
	return meta, nil
}

// parseEvents parses expressions until the next section. Expressions are
// not separated by newlines: one ends where the grammar says it ends.
func (p *parser) parseEvents(hdr token) (Expr, error) {
	var terms []Expr
	for p.tok.kind != tokEOF && p.tok.kind != tokRBrace && !p.atSectionHeader() {
		x, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		terms = append(terms, x)
	}
	switch len(terms) {
	case 0:
		return nil, p.errAt(hdr.off, "events: section is empty")
	case 1:
		return terms[0], nil
	}
	return &And{At: terms[0].Pos(), Terms: terms}, nil
}

// parseCondition accepts exactly the event variable and the closing brace
// of the rule.
func (p *parser) parseCondition(rule string) error {
	t := p.tok
	if t.kind != tokVar || t.text != p.evVar {
		return p.errAt(t.off, `condition: only the event variable %s is supported (single-event rules only), found %s`, p.evVar, describe(t))
	}
	p.advance()
	switch t := p.tok; {
	case t.kind == tokRBrace:
		return nil
	case t.kind == tokEOF, t.isKw("rule") && !p.atSectionHeader():
		return p.errAt(t.off, `expected "}" to close rule %s, found %s`, rule, describe(t))
	case p.atSectionHeader():
		if _, err := p.sectionHeader(`"}"`); err != nil {
			return err
		}
		return p.errAt(t.off, `unexpected section "%s:" after condition:`, t.text)
	case t.kind == tokIllegal:
		return p.unexpected(t, "")
	}
	return p.errAt(p.tok.off, `condition: only the event variable %s is supported (single-event rules only), found %s after it`, p.evVar, describe(p.tok))
}

func (p *parser) parseOr() (Expr, error) {
	x, err := p.parseAnd()
	if err != nil || !p.tok.isKw("or") {
		return x, err
	}
	or := &Or{At: x.Pos(), Terms: []Expr{x}}
	for p.tok.isKw("or") {
		p.advance()
		y, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		or.Terms = append(or.Terms, y)
	}
	return or, nil
}

func (p *parser) parseAnd() (Expr, error) {
	x, err := p.parseUnary()
	if err != nil || !p.tok.isKw("and") {
		return x, err
	}
	and := &And{At: x.Pos(), Terms: []Expr{x}}
	for p.tok.isKw("and") {
		p.advance()
		y, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		and.Terms = append(and.Terms, y)
	}
	return and, nil
}

func (p *parser) parseUnary() (Expr, error) {
	if !p.tok.isKw("not") {
		return p.parsePrimary()
	}
	t := p.tok
	if err := p.enter(t); err != nil {
		return nil, err
	}
	defer p.leave()
	p.advance()
	x, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	return &Not{At: p.pos(t.off), X: x}, nil
}

func (p *parser) enter(t token) error {
	if p.depth++; p.depth > maxDepth {
		return p.errAt(t.off, "expression nested too deeply (more than %d levels)", maxDepth)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

func (p *parser) parsePrimary() (Expr, error) {
	t := p.tok
	switch {
	case t.kind == tokLParen:
		if err := p.enter(t); err != nil {
			return nil, err
		}
		defer p.leave()
		p.advance()
		x, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tokRParen {
			at := p.pos(t.off)
			return nil, p.unexpected(p.tok, fmt.Sprintf(`")" to close "(" at %d:%d`, at.Line, at.Col))
		}
		p.advance()
		return x, nil
	case t.kind == tokVar:
		return p.parseComparison()
	case t.kind == tokString, t.kind == tokNumber, t.isKw("true"), t.isKw("false"), p.atNegativeNumber():
		return p.parseLiteralFirst()
	case t.kind == tokRegex:
		return nil, p.errAt(t.off, `a regex literal must be on the right of "=" or "!="`)
	case t.isKw("any"), t.isKw("all"):
		if p.peek().kind == tokVar {
			return nil, p.errAt(t.off, `"%s" is not supported (a comparison on a repeated field already matches when any value does)`, t.text)
		}
	case t.kind == tokIdent && !t.isKw("and") && !t.isKw("or") && !t.isKw("in") && !t.isKw("nocase"):
		return p.parseCall()
	}
	return nil, p.unexpected(t, "expression")
}

// parseCall parses a function call, of which only re.regex is supported.
func (p *parser) parseCall() (Expr, error) {
	start := p.tok
	name := p.dottedName()
	if p.tok.kind != tokLParen {
		return nil, p.unexpected(start, "expression")
	}
	if name != "re.regex" {
		return nil, p.errAt(start.off, "function %s is not supported (only re.regex)", name)
	}
	p.advance()
	if p.tok.kind != tokVar {
		return nil, p.unexpected(p.tok, "field as the first argument of re.regex")
	}
	x := &Regex{At: p.pos(start.off), Func: true}
	var err error
	if x.Var, x.Field, x.FieldPos, err = p.parseField(); err != nil {
		return nil, err
	}
	if p.tok.kind != tokComma {
		return nil, p.unexpected(p.tok, `"," after the field in re.regex`)
	}
	p.advance()
	if p.tok.kind != tokString {
		return nil, p.unexpected(p.tok, "string pattern as the second argument of re.regex")
	}
	pat := p.tok
	p.advance()
	if p.tok.kind != tokRParen {
		return nil, p.unexpected(p.tok, `")" after the pattern in re.regex`)
	}
	p.advance()
	return x, p.finishRegex(x, pat)
}

// dottedName consumes ident(.ident)* and returns it joined.
func (p *parser) dottedName() string {
	name := p.tok.text
	p.advance()
	for p.tok.kind == tokDot && p.peek().kind == tokIdent {
		p.advance()
		name += "." + p.tok.text
		p.advance()
	}
	return name
}

// parseField parses "$e.a.b" and returns the variable and "a.b". It
// enforces the single event variable and rejects placeholders.
func (p *parser) parseField() (v, field string, at Pos, err error) {
	t := p.tok
	at = p.pos(t.off)
	if t.kind != tokVar {
		return "", "", at, p.unexpected(t, "field")
	}
	if p.peek().kind != tokDot {
		if t.text == p.evVar {
			return "", "", at, p.unexpected(p.peek(), fmt.Sprintf(`"." and a field name after %s`, t.text))
		}
		return "", "", at, p.errAt(t.off, "placeholder variables (%s) are not supported", t.text)
	}
	switch p.evVar {
	case "":
		p.evVar = t.text
	case t.text:
	default:
		return "", "", at, p.errAt(t.off, "multiple event variables (%s, %s) are not supported", p.evVar, t.text)
	}
	p.advance()
	var b strings.Builder
	for p.tok.kind == tokDot {
		p.advance()
		if p.tok.kind != tokIdent {
			return "", "", at, p.unexpected(p.tok, `field name after "."`)
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p.tok.text)
		p.advance()
	}
	if p.tok.kind == tokLBrack {
		return "", "", at, p.errAt(p.tok.off, `map and index access ("[") is not supported`)
	}
	return t.text, b.String(), at, nil
}

// parseComparison parses a comparison that starts with a field.
func (p *parser) parseComparison() (Expr, error) {
	v, field, at, err := p.parseField()
	if err != nil {
		return nil, err
	}
	if p.tok.isKw("in") {
		return p.parseIn(v, field, at)
	}
	opTok := p.tok
	op, ok := opTok.op()
	if !ok {
		return nil, p.unexpected(opTok, fmt.Sprintf("comparison operator after %s.%s", v, field))
	}
	p.advance()
	if p.tok.kind == tokRegex {
		if op != OpEq && op != OpNe {
			return nil, p.errAt(opTok.off, `a regex literal needs "=" or "!=", found %q`, opTok.text)
		}
		x := &Regex{At: at, Var: v, Field: field, FieldPos: at, Negated: op == OpNe}
		pat := p.tok
		p.advance()
		return x, p.finishRegex(x, pat)
	}
	lit, err := p.parseLiteral(fmt.Sprintf("value after %q", opTok.text))
	if err != nil {
		return nil, err
	}
	x := &Compare{At: at, Var: v, Field: field, FieldPos: at, Op: op, Value: lit}
	return x, p.finishCompare(x)
}

// parseLiteralFirst parses `literal op $e.field`, stored with the field on
// the left.
func (p *parser) parseLiteralFirst() (Expr, error) {
	lit, err := p.parseLiteral("")
	if err != nil {
		return nil, err
	}
	opTok := p.tok
	op, ok := opTok.op()
	if !ok {
		return nil, p.unexpected(opTok, "comparison operator after "+lit.String())
	}
	p.advance()
	if p.tok.kind != tokVar {
		return nil, p.unexpected(p.tok, fmt.Sprintf("field after %q", opTok.text))
	}
	v, field, fieldPos, err := p.parseField()
	if err != nil {
		return nil, err
	}
	x := &Compare{At: lit.At, Var: v, Field: field, FieldPos: fieldPos, Op: op.flip(), Value: lit}
	return x, p.finishCompare(x)
}

// finishCompare checks the operand types and takes a trailing nocase.
func (p *parser) finishCompare(x *Compare) error {
	if x.Value.Kind == LitBool && x.Op != OpEq && x.Op != OpNe {
		return p.errAt(p.offOf(x.Value.At), `a boolean can only be compared with "=" or "!="`)
	}
	if p.tok.isKw("nocase") {
		if x.Value.Kind != LitString {
			return p.errAt(p.tok.off, "nocase applies to strings and regexes, not to a %s", x.Value.Kind)
		}
		x.Nocase = true
		p.advance()
	}
	return nil
}

// offOf turns a position back into a byte offset, for errors reported
// after the token has been consumed.
func (p *parser) offOf(at Pos) int { return p.lines[at.Line-1] + at.Col - 1 }

// atNegativeNumber reports whether the current token is a "-" directly
// followed by a number. The lexer reads "-" after an operand as an
// operator, but where an expression starts, as in "-2 < $e.f" on the line
// after "$e.g = 1", it can only be a sign.
func (p *parser) atNegativeNumber() bool {
	n := p.peek()
	return p.tok.kind == tokArith && p.tok.text == "-" && n.kind == tokNumber && n.off == p.tok.end && n.text[0] != '-'
}

// parseLiteral parses a string, number or boolean.
func (p *parser) parseLiteral(want string) (Literal, error) {
	t := p.tok
	if p.atNegativeNumber() {
		p.advance()
		t = p.tok
		t.text, t.off = "-"+t.text, t.off-1
	}
	lit := Literal{At: p.pos(t.off), Text: t.text}
	switch {
	case t.kind == tokString:
		lit.Kind = LitString
	case t.kind == tokNumber:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return lit, p.errAt(t.off, "number %s is out of range", clip(t.text))
		}
		lit.Kind, lit.Num = LitNumber, f
	case t.isKw("true"), t.isKw("false"):
		lit.Kind, lit.Bool = LitBool, t.isKw("true")
	case t.kind == tokVar:
		if _, _, _, err := p.parseField(); err != nil {
			return lit, err
		}
		return lit, p.errAt(t.off, "comparing two fields is not supported")
	case t.kind == tokIdent && !t.isKw("nocase"):
		name := p.dottedName()
		if p.tok.kind == tokLParen {
			return lit, p.errAt(t.off, "function %s is not supported (only re.regex)", name)
		}
		return lit, p.unexpected(t, want)
	default:
		return lit, p.unexpected(t, want)
	}
	p.advance()
	return lit, nil
}

// parseIn parses the list after "in".
func (p *parser) parseIn(v, field string, at Pos) (Expr, error) {
	after := `"in"`
	p.advance()
	x := &InList{At: at, Var: v, Field: field, FieldPos: at}
	if p.tok.isKw("nocase") {
		x.Nocase = true
		after = `"in nocase"`
		p.advance()
	}
	if (p.tok.isKw("regex") || p.tok.isKw("cidr")) && p.peek().kind == tokRefList {
		return nil, p.unexpected(p.peek(), "")
	}
	open := p.tok
	if open.kind != tokLParen {
		return nil, p.unexpected(open, fmt.Sprintf(`"(" after %s`, after))
	}
	p.advance()
	if p.tok.kind == tokRParen {
		return nil, p.errAt(p.tok.off, "empty list after %s", after)
	}
	for p.tok.kind != tokRParen {
		if p.tok.kind != tokString && p.tok.kind != tokNumber && !p.tok.isKw("true") && !p.tok.isKw("false") {
			return nil, p.unexpected(p.tok, "string, number or boolean in list")
		}
		lit, err := p.parseLiteral("")
		if err != nil {
			return nil, err
		}
		x.Values = append(x.Values, lit)
		switch p.tok.kind {
		case tokComma:
			p.advance()
		case tokRParen:
		default:
			o := p.pos(open.off)
			return nil, p.unexpected(p.tok, fmt.Sprintf(`"," or ")" to close the list at %d:%d`, o.Line, o.Col))
		}
	}
	p.advance()
	return x, nil
}

// finishRegex takes a trailing nocase and compiles the pattern, so that a
// bad regex is reported at parse time at its own position.
func (p *parser) finishRegex(x *Regex, pat token) error {
	x.Pattern, x.PatternPos = pat.text, p.pos(pat.off)
	if p.tok.isKw("nocase") {
		x.Nocase = true
		p.advance()
	}
	src := x.Pattern
	if x.Nocase {
		src = "(?i)" + src
	}
	re, err := regexp.Compile(src)
	if err != nil {
		var se *syntax.Error
		if errors.As(err, &se) {
			return p.errAt(pat.off, "invalid regex: %s: %s", se.Code, strconv.Quote(clip(se.Expr)))
		}
		return p.errAt(pat.off, "invalid regex: %v", err)
	}
	x.Re = re
	return nil
}
