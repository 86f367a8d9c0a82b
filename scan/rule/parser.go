package rule

import (
	"errors"
	"fmt"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/retrohunt/retrohunt/scan/reflist"
	"github.com/retrohunt/retrohunt/scan/rule/fn"
)

// maxDepth bounds nesting of parentheses and "not" so that hostile input
// cannot exhaust the stack of the parser or of the recursive evaluator.
const maxDepth = 500

// Options configure ParseFileOptions.
type Options struct {
	// Lists resolves "%name" reference lists.
	Lists reflist.Set
	// Now is the current time functions such as
	// timestamp.current_seconds() see, fixed once per run; zero means
	// time.Now() at parse time.
	Now time.Time
	// MultiEvent accepts the multi-event constructs (match:, several
	// event variables, #e, !$e) for CompileMulti (multi.go) instead of
	// rejecting them as Unsupported; Match and Outcomes must not be
	// called on such a rule.
	MultiEvent bool
}

// ParseFile parses every rule in src with no reference lists; name is
// used in positions. See ParseFileOptions.
func ParseFile(name string, src []byte) ([]*Rule, error) {
	return ParseFileOptions(name, src, Options{})
}

// ParseFileOptions parses every rule in src; name is used in positions. A
// file without rules yields no rules and no error. It returns the rules
// that parsed and checked cleanly together with an ErrorList of every
// error in the file (nil when there is none): parsing goes on past a bad
// rule, and past a bad line of a section where it can.
func ParseFileOptions(name string, src []byte, opt Options) ([]*Rule, error) {
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	p := newParser(name, src)
	p.opt = opt
	var rules []*Rule
	seen := make(map[string]Pos)
	for p.tok.kind != tokEOF {
		before := len(p.errs)
		r, namePos := p.parseRule()
		if r == nil {
			p.syncRule()
			continue
		}
		if first, ok := seen[r.Name]; ok {
			p.add(&Error{Pos: namePos, Rule: r.Name, Msg: fmt.Sprintf("duplicate rule name %s (first defined at %d:%d)", r.Name, first.Line, first.Col)})
			continue
		}
		seen[r.Name] = namePos
		if len(p.errs) == before {
			rules = append(rules, r)
		}
	}
	if len(p.errs) > 0 {
		return rules, p.errs
	}
	return rules, nil
}

type parser struct {
	file  string
	src   []byte
	lines []int // byte offset of the start of each line
	lx    lexer
	opt   Options

	tok    token // current token
	next   token // lookahead, valid when peeked
	peeked bool
	depth  int
	last   token // the token before tok

	inArgs int    // depth of call argument lists being parsed
	want   string // what parseAtom reports as expected, "" for "value"

	rule string // the rule being parsed, for Error.Rule
	errs ErrorList
	// lexErr is set when the current token is illegal and has been
	// reported, so that one bad character is reported once.
	reported int
}

func newParser(name string, src []byte) *parser {
	p := &parser{file: name, src: src, lines: []int{0}, lx: newLexer(src), reported: -1}
	for i, c := range src {
		if c == '\n' {
			p.lines = append(p.lines, i+1)
		}
	}
	p.tok = p.lx.next()
	return p
}

func (p *parser) advance() {
	p.last = p.tok
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
	return &Error{Pos: p.pos(off), Msg: fmt.Sprintf(format, args...), Rule: p.rule}
}

// unsupported is an error for valid YARA-L that retrohunt does not run.
func (p *parser) unsupported(at Pos, format string, args ...any) *Error {
	return &Error{Pos: at, Msg: fmt.Sprintf(format, args...), Rule: p.rule, Unsupported: true}
}

// add records an error; an illegal token is reported once however many
// productions stumble on it.
func (p *parser) add(e *Error) {
	if e == nil {
		return
	}
	for _, old := range p.errs {
		if old.Pos == e.Pos {
			return
		}
	}
	if e.Rule == "" {
		e.Rule = p.rule
	}
	p.errs = append(p.errs, e)
}

// unexpected reports t where want was expected.
func (p *parser) unexpected(t token, want string) *Error {
	if t.kind == tokIllegal {
		return p.errAt(t.off, "%s", t.text)
	}
	return p.errAt(t.off, "expected %s, found %s", want, describe(t))
}

// atSectionHeader reports whether the current token starts "name:".
func (p *parser) atSectionHeader() bool {
	return p.tok.kind == tokIdent && p.peek().kind == tokColon
}

var sectionNames = []string{"meta", "events", "match", "outcome", "condition", "options"}

func (p *parser) atKnownSection() bool {
	return p.atSectionHeader() && slices.Contains(sectionNames, strings.ToLower(p.tok.text))
}

// atRuleStart reports whether the current token starts a rule.
func (p *parser) atRuleStart() bool {
	return p.tok.isKw("rule") && p.peek().kind == tokIdent
}

// syncRule skips to the next rule after an error outside any section.
func (p *parser) syncRule() {
	for p.tok.kind != tokEOF && !p.atRuleStart() {
		p.advance()
	}
}

// syncSection skips to the next section header, the end of the rule or
// the start of the next rule.
func (p *parser) syncSection() {
	for p.tok.kind != tokEOF && !p.atKnownSection() && !p.atRuleStart() {
		if p.tok.kind == tokRBrace {
			if n := p.peek(); n.kind == tokEOF || n.isKw("rule") {
				return
			}
		}
		p.advance()
	}
}

// syncLine skips the rest of a bad line of a section: to the first token
// of a later line that can start an expression and does not continue the
// previous one, or to the next section.
func (p *parser) syncLine(errOff int) {
	line := p.pos(errOff).Line
	for p.tok.kind != tokEOF && !p.atKnownSection() && !p.atRuleStart() {
		if p.tok.kind == tokRBrace {
			if n := p.peek(); n.kind == tokEOF || n.isKw("rule") {
				return
			}
		}
		if p.pos(p.tok.off).Line > line && p.firstOnLine(p.tok) && startsTerm(p.tok) && !continues(p.last) {
			return
		}
		p.advance()
	}
}

func (p *parser) firstOnLine(t token) bool {
	for i := t.off - 1; i >= 0; i-- {
		switch p.src[i] {
		case ' ', '\t', '\r':
			continue
		case '\n':
			return true
		}
		return false
	}
	return true
}

func startsTerm(t token) bool {
	switch t.kind {
	case tokVar, tokLParen, tokString, tokNumber, tokCount, tokBang:
		return true
	case tokIdent:
		return !t.isKw("and") && !t.isKw("or") && !t.isKw("in") && !t.isKw("nocase")
	}
	return false
}

func continues(t token) bool {
	switch t.kind {
	case tokEq, tokNe, tokLt, tokGt, tokLe, tokGe, tokArith, tokComma, tokLParen:
		return true
	case tokIdent:
		return t.isKw("and") || t.isKw("or") || t.isKw("not") || t.isKw("in")
	}
	return false
}

// parseRule parses one rule, recording every error; it returns nil when
// the rule's header could not be read (the caller resynchronises).
func (p *parser) parseRule() (*Rule, Pos) {
	start := p.tok
	p.rule = ""
	if !start.isKw("rule") {
		p.add(p.unexpected(start, `"rule"`))
		p.advance()
		return nil, Pos{}
	}
	p.advance()
	if p.tok.kind != tokIdent {
		p.add(p.unexpected(p.tok, `rule name after "rule"`))
		return nil, Pos{}
	}
	r := &Rule{Name: p.tok.text, Pos: p.pos(start.off)}
	p.rule = r.Name
	namePos := p.pos(p.tok.off)
	p.advance()
	if p.tok.kind != tokLBrace {
		p.add(p.unexpected(p.tok, fmt.Sprintf(`"{" after rule name %s`, r.Name)))
		return nil, Pos{}
	}
	p.advance()
	before := len(p.errs)

	seen := map[string]token{}
	order := 0
	for {
		t := p.tok
		if t.kind == tokRBrace {
			break
		}
		if t.kind == tokEOF || p.atRuleStart() {
			p.add(p.errAt(t.off, `expected "}" to close rule %s, found %s`, r.Name, describe(t)))
			return r, namePos
		}
		if !p.atSectionHeader() {
			want := `section "meta:" or "events:"`
			switch {
			case seen["condition"].kind != 0:
				want = `"}"`
			case seen["events"].kind != 0:
				want = `section "condition:"`
			case seen["meta"].kind != 0:
				want = `section "events:"`
			}
			p.add(p.unexpected(t, want))
			p.advance()
			p.syncSection()
			continue
		}
		name := strings.ToLower(t.text)
		i := slices.Index(sectionNames, name)
		if i < 0 {
			p.add(p.errAt(t.off, `unknown section "%s:" (expected meta:, events:, match:, outcome:, condition: or options:)`, t.text))
			p.advance()
			p.advance()
			p.syncSection()
			continue
		}
		if prev, ok := seen[name]; ok {
			at := p.pos(prev.off)
			p.add(p.errAt(t.off, `section "%s:" appears twice (first at %d:%d)`, t.text, at.Line, at.Col))
		} else if i < order {
			p.add(p.errAt(t.off, `section "%s:" out of order (sections go meta:, events:, match:, outcome:, condition:, options:)`, t.text))
		}
		seen[name] = t
		order = max(order, i)
		p.advance()
		p.advance()
		switch name {
		case "meta":
			r.Meta = p.parseMeta()
		case "options":
			r.Options = p.parseOptions()
		case "events":
			r.Events = p.parseEvents(t)
		case "match":
			r.MatchSec = p.parseMatch(t)
		case "outcome":
			r.OutcomeVars = p.parseOutcome(t)
		case "condition":
			r.Condition = p.parseCondition(t)
		}
	}
	end := p.tok.end // the closing brace
	if seen["events"].kind == 0 {
		if c, ok := seen["condition"]; ok {
			p.add(p.errAt(c.off, `expected section "events:", found section "%s:"`, c.text))
		} else {
			p.add(p.errAt(p.tok.off, `expected section "events:", found "}"`))
		}
	} else if seen["condition"].kind == 0 {
		p.add(p.errAt(p.tok.off, `expected section "condition:", found "}"`))
	}
	p.advance()
	r.Text = slices.Clone(p.src[start.off:end])
	if len(p.errs) == before && r.Events != nil && r.Condition != nil {
		p.check(r)
	}
	return r, namePos
}

// parseMeta parses the "key = "value"" lines of meta:. The YARA-L
// reference's meta section syntax gives the value as "a string with
// quotes", and SecOps refuses a rule with another: so does retrohunt.
func (p *parser) parseMeta() []MetaEntry { return p.parseEntries(true) }

// parseEntries parses "key = value" lines; a value is a string, a number
// or a boolean, and only a string when quoted.
func (p *parser) parseEntries(quoted bool) []MetaEntry {
	var meta []MetaEntry
	for p.tok.kind == tokIdent && !p.atSectionHeader() {
		key := p.tok
		p.advance()
		if p.tok.kind != tokEq {
			p.add(p.unexpected(p.tok, fmt.Sprintf(`"=" after meta key %s`, key.text)))
			p.syncLine(key.off)
			continue
		}
		p.advance()
		m := MetaEntry{Key: key.text, Value: p.tok.text, Pos: p.pos(key.off)}
		if quoted && p.tok.kind != tokString && (p.tok.kind == tokNumber || p.tok.isKw("true") || p.tok.isKw("false")) {
			p.add(p.errAt(p.tok.off, `meta value of %s must be a quoted string ("%s"), as SecOps requires`, key.text, p.tok.text))
		}
		switch {
		case p.tok.kind == tokString:
			m.Kind = LitString
		case p.tok.kind == tokNumber:
			m.Kind = LitNumber
		case p.tok.isKw("true"), p.tok.isKw("false"):
			m.Kind = LitBool
		case !quoted && p.tok.kind == tokDuration:
			m.Kind = LitDuration
		default:
			p.add(p.unexpected(p.tok, fmt.Sprintf("string, number or boolean for meta key %s", key.text)))
			p.syncLine(key.off)
			continue
		}
		p.advance()
		meta = append(meta, m)
	}
	return meta
}

// parseOptions parses the "key = value" lines of options: (values such
// as allow_zero_values = true are unquoted).
func (p *parser) parseOptions() []MetaEntry {
	return p.parseEntries(false)
}

// parseEvents parses expressions until the next section. Expressions are
// not separated by newlines: one ends where the grammar says it ends.
func (p *parser) parseEvents(hdr token) Expr {
	terms := p.parseTerms()
	switch len(terms) {
	case 0:
		if !p.failedSince(hdr.off) {
			p.add(p.errAt(hdr.off, "events: section is empty"))
		}
		return nil
	case 1:
		return terms[0]
	}
	return &And{At: terms[0].Pos(), Terms: terms}
}

// failedSince reports whether an error was recorded at or after off.
func (p *parser) failedSince(off int) bool {
	at := p.pos(off)
	for _, e := range p.errs {
		if e.Pos.Line > at.Line || e.Pos.Line == at.Line && e.Pos.Col >= at.Col {
			return true
		}
	}
	return false
}

// parseTerms parses top-level expressions up to the next section,
// recovering from a bad one at the next line.
func (p *parser) parseTerms() []Expr {
	var terms []Expr
	for p.tok.kind != tokEOF && p.tok.kind != tokRBrace && !p.atSectionHeader() && !p.atRuleStart() {
		t := p.tok
		x, err := p.parseOr()
		if err == nil {
			x, err = p.toBool(x)
		}
		if err != nil {
			p.add(err)
			if p.tok.off == t.off && p.tok.kind == t.kind {
				p.advance()
			}
			p.syncLine(err.offIn(p))
			continue
		}
		terms = append(terms, x)
	}
	return terms
}

// offIn turns an error's position back into a byte offset of p's source.
func (e *Error) offIn(p *parser) int { return p.offOf(e.Pos) }

// parseMatch parses "vars over window [before|after $e]".
func (p *parser) parseMatch(hdr token) *MatchSection {
	m := &MatchSection{At: p.pos(hdr.off)}
	for {
		if p.tok.kind != tokVar {
			p.add(p.unexpected(p.tok, "placeholder in match:"))
			p.syncSection()
			return m
		}
		if p.peek().kind == tokDot {
			f, err := p.parseFieldValue()
			if err != nil {
				p.add(err)
				p.syncSection()
				return m
			}
			m.Vars = append(m.Vars, f.String())
		} else {
			m.Vars = append(m.Vars, p.tok.text)
			p.advance()
		}
		if p.tok.kind != tokComma {
			break
		}
		p.advance()
	}
	if !p.tok.isKw("over") && !p.tok.isKw("by") {
		p.add(p.unexpected(p.tok, `"over" or "by" and a window in match:`))
		p.syncSection()
		return m
	}
	m.Tumbling = p.tok.isKw("by")
	kw := strings.ToLower(p.tok.text)
	p.advance()
	if p.tok.kind != tokDuration {
		p.add(p.unexpected(p.tok, fmt.Sprintf("window (as 5m, 1h or 1d) after %q", kw)))
		p.syncSection()
		return m
	}
	m.Window = p.tok.text
	p.advance()
	if !m.Tumbling && (p.tok.isKw("before") || p.tok.isKw("after")) {
		m.Pivot = strings.ToLower(p.tok.text)
		p.advance()
		if p.tok.kind != tokVar {
			p.add(p.unexpected(p.tok, fmt.Sprintf("event variable after %q", m.Pivot)))
			p.syncSection()
			return m
		}
		m.PivotVar = p.tok.text
		p.advance()
	}
	if !p.atSectionHeader() && p.tok.kind != tokRBrace {
		p.add(p.unexpected(p.tok, "next section after match:"))
		p.syncSection()
	}
	return m
}

// parseOutcome parses "$name = value" lines.
func (p *parser) parseOutcome(hdr token) []*OutcomeVar {
	var out []*OutcomeVar
	for p.tok.kind != tokEOF && p.tok.kind != tokRBrace && !p.atSectionHeader() && !p.atRuleStart() {
		t := p.tok
		if t.kind != tokVar || p.peek().kind != tokEq {
			p.add(p.unexpected(t, "outcome variable assignment ($name = value)"))
			p.advance()
			p.syncLine(t.off)
			continue
		}
		p.advance()
		p.advance()
		v, err := p.parseValue()
		if err != nil {
			p.add(err)
			p.syncLine(err.offIn(p))
			continue
		}
		out = append(out, &OutcomeVar{At: p.pos(t.off), Name: t.text, X: v})
	}
	if len(out) == 0 && !p.failedSince(hdr.off) {
		p.add(p.errAt(hdr.off, "outcome: section is empty"))
	}
	return out
}

// parseCondition parses the condition expression.
func (p *parser) parseCondition(hdr token) Expr {
	p.depth = 0
	terms := p.parseTerms()
	switch len(terms) {
	case 0:
		if !p.failedSince(hdr.off) {
			p.add(p.errAt(hdr.off, "condition: section is empty"))
		}
		return nil
	case 1:
		return terms[0]
	}
	// Two expressions side by side: the second is what went wrong.
	p.add(p.errAt(p.offOf(terms[1].Pos()), `condition: expected one expression, found %s after it`, terms[1]))
	return nil
}

func (p *parser) parseOr() (Expr, *Error) {
	x, err := p.parseAnd()
	if err != nil || !p.tok.isKw("or") {
		return x, err
	}
	if x, err = p.toBool(x); err != nil {
		return nil, err
	}
	or := &Or{At: x.Pos(), Terms: []Expr{x}}
	for p.tok.isKw("or") {
		p.advance()
		y, err := p.parseAnd()
		if err == nil {
			y, err = p.toBool(y)
		}
		if err != nil {
			return nil, err
		}
		or.Terms = append(or.Terms, y)
	}
	return or, nil
}

func (p *parser) parseAnd() (Expr, *Error) {
	x, err := p.parseUnary()
	if err != nil || !p.tok.isKw("and") {
		return x, err
	}
	if x, err = p.toBool(x); err != nil {
		return nil, err
	}
	and := &And{At: x.Pos(), Terms: []Expr{x}}
	for p.tok.isKw("and") {
		p.advance()
		y, err := p.parseUnary()
		if err == nil {
			y, err = p.toBool(y)
		}
		if err != nil {
			return nil, err
		}
		and.Terms = append(and.Terms, y)
	}
	return and, nil
}

func (p *parser) parseUnary() (Expr, *Error) {
	t := p.tok
	switch {
	case t.isKw("not"):
	case (t.isKw("any") || t.isKw("all")) && p.peek().kind != tokLParen && p.peek().kind != tokColon:
	case t.kind == tokBang:
		p.advance()
		if p.tok.kind != tokVar || p.peek().kind == tokDot {
			return nil, p.errAt(t.off, `unexpected character "!" (use "not" to negate)`)
		}
		v := p.tok
		p.advance()
		return &EventRef{At: p.pos(t.off), Var: v.text, Negated: true}, nil
	default:
		return p.parsePrimary()
	}
	if err := p.enter(t); err != nil {
		return nil, err
	}
	defer p.leave()
	p.advance()
	x, err := p.parseUnary()
	if err == nil {
		x, err = p.toBool(x)
	}
	if err != nil {
		return nil, err
	}
	if t.isKw("not") {
		return &Not{At: p.pos(t.off), X: x}, nil
	}
	return &Quant{At: p.pos(t.off), All: t.isKw("all"), X: x}, nil
}

func (p *parser) enter(t token) *Error {
	if p.depth++; p.depth > maxDepth {
		return p.errAt(t.off, "expression nested too deeply (more than %d levels)", maxDepth)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// parsePrimary parses a comparison, a parenthesised expression, a
// boolean function call or an event variable.
func (p *parser) parsePrimary() (Expr, *Error) {
	t := p.tok
	switch {
	case t.kind == tokRegex && p.inArgs == 0:
		return nil, p.errAt(t.off, `a regex literal must be on the right of "=" or "!="`)
	case t.kind == tokEOF, t.kind == tokRParen, t.kind == tokComma, t.kind == tokRBrace, t.kind == tokIllegal,
		t.kind == tokEq, t.kind == tokNe, t.kind == tokLt, t.kind == tokGt, t.kind == tokLe, t.kind == tokGe,
		t.kind == tokIdent && (t.isKw("and") || t.isKw("or") || t.isKw("in") || t.isKw("nocase")):
		return nil, p.unexpected(t, "expression")
	}
	l, err := p.parseValue()
	if err != nil {
		return nil, err
	}
	if p.tok.isKw("in") {
		return p.parseIn(l)
	}
	if op, ok := p.tok.op(); ok {
		return p.parseComparison(l, op)
	}
	if p.tok.kind == tokRParen || p.tok.kind == tokComma || p.inArgs > 0 {
		// Inside parentheses or arguments: the caller decides whether
		// it is a value or a condition.
		return &valueExpr{X: l}, nil
	}
	return p.valueAsBool(l)
}

// valueAsBool turns a value that stands where a condition is expected
// into one: a boolean call, a parenthesised condition, an event
// variable.
func (p *parser) valueAsBool(l Value) (Expr, *Error) {
	switch l := l.(type) {
	case *paren:
		return l.X, nil
	case *Call:
		if l.Name == "re.regex" {
			return p.regexCall(l)
		}
		return &Pred{At: l.At, X: l}, nil
	case *VarRef:
		return &EventRef{At: l.At, Var: l.Name}, nil
	}
	return nil, p.unexpected(p.tok, fmt.Sprintf("comparison operator after %s", l))
}

// toBool checks that x is a condition, converting a bare value.
func (p *parser) toBool(x Expr) (Expr, *Error) {
	if v, ok := x.(*valueExpr); ok {
		return p.valueAsBool(v.X)
	}
	return x, nil
}

// regexCall turns re.regex(x, "pattern") [nocase] into a Regex node, so
// that the pattern is compiled once and matches YARA-L's way.
func (p *parser) regexCall(c *Call) (Expr, *Error) {
	if len(c.Args) != 2 {
		return nil, p.errAt(p.offOf(c.At), "re.regex takes 2 arguments (a value and a pattern string), found %d", len(c.Args))
	}
	pat, ok := c.Args[1].(*Const)
	if !ok || pat.Lit.Kind != LitString {
		return nil, p.errAt(p.offOf(c.Args[1].Pos()), "the pattern of re.regex must be a string literal, found %s", c.Args[1])
	}
	x := &Regex{At: c.At, Func: true, X: c.Args[0]}
	if f, ok := c.Args[0].(*Field); ok {
		x.Var, x.Field, x.FieldPos, x.F = f.Var, f.Path, f.At, f
	}
	return x, p.finishRegex(x, pat.Lit.Text, p.offOf(pat.Lit.At))
}

// parseComparison parses "l op r" with l already read.
func (p *parser) parseComparison(l Value, op Op) (Expr, *Error) {
	opTok := p.tok
	p.advance()
	if p.tok.kind == tokRegex {
		if op != OpEq && op != OpNe {
			return nil, p.errAt(opTok.off, `a regex literal needs "=" or "!=", found %q`, opTok.text)
		}
		x := &Regex{At: l.Pos(), Negated: op == OpNe, X: l}
		if f, ok := l.(*Field); ok {
			x.Var, x.Field, x.FieldPos, x.F = f.Var, f.Path, f.At, f
		}
		pat := p.tok
		p.advance()
		return x, p.finishRegex(x, pat.text, pat.off)
	}
	if startsValue(p.tok) || p.atNegativeNumber() {
		p.want = fmt.Sprintf("value after %q", opTok.text)
		r, err := p.parseValue()
		p.want = ""
		if err != nil {
			return nil, err
		}
		return p.finishComparison(l, op, r, opTok)
	}
	return nil, p.unexpected(p.tok, fmt.Sprintf("value after %q", opTok.text))
}

func startsValue(t token) bool {
	switch t.kind {
	case tokVar, tokString, tokNumber, tokLParen, tokCount:
		return true
	case tokIdent:
		return !t.isKw("and") && !t.isKw("or") && !t.isKw("in") && !t.isKw("nocase") && !t.isKw("not")
	}
	return false
}

// finishComparison builds the node for l op r: a Compare when one side is
// a field and the other a literal, else a Cmp.
func (p *parser) finishComparison(l Value, op Op, r Value, opTok token) (Expr, *Error) {
	if c, ok := l.(*Const); ok {
		if f, ok := r.(*Field); ok {
			x := &Compare{At: c.Lit.At, Var: f.Var, Field: f.Path, FieldPos: f.At, Op: op.flip(), Value: c.Lit, F: f}
			return x, p.finishCompare(x)
		}
	}
	if f, ok := l.(*Field); ok {
		if c, ok := r.(*Const); ok {
			x := &Compare{At: f.At, Var: f.Var, Field: f.Path, FieldPos: f.At, Op: op, Value: c.Lit, F: f}
			return x, p.finishCompare(x)
		}
	}
	for _, v := range []Value{l, r} {
		if c, ok := v.(*Const); ok && c.Lit.Kind == LitBool && op != OpEq && op != OpNe {
			return nil, p.errAt(p.offOf(c.Lit.At), `a boolean can only be compared with "=" or "!="`)
		}
	}
	x := &Cmp{At: l.Pos(), L: l, R: r, Op: op}
	if p.tok.isKw("nocase") {
		x.Nocase = true
		p.advance()
	}
	return x, nil
}

// finishCompare checks the operand types and takes a trailing nocase.
func (p *parser) finishCompare(x *Compare) *Error {
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

// parseValue parses an arithmetic expression: + and - over * and /.
func (p *parser) parseValue() (Value, *Error) {
	x, err := p.parseTerm()
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tokArith && (p.tok.text == "+" || p.tok.text == "-") && !p.atNegativeNumberAfterValue() {
		op := p.tok
		p.advance()
		y, err := p.parseTerm()
		if err != nil {
			return nil, err
		}
		x = &Arith{At: x.Pos(), Op: op.text[0], L: x, R: y}
	}
	return x, nil
}

// atNegativeNumberAfterValue: "-1" on a new line after a complete value
// starts the next term ("$e.a = 1\n-2 < $e.b"), not a subtraction.
func (p *parser) atNegativeNumberAfterValue() bool {
	return p.atNegativeNumber() && p.firstOnLine(p.tok)
}

func (p *parser) parseTerm() (Value, *Error) {
	x, err := p.parseAtom()
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tokArith && (p.tok.text == "*" || p.tok.text == "/") {
		op := p.tok
		p.advance()
		y, err := p.parseAtom()
		if err != nil {
			return nil, err
		}
		x = &Arith{At: x.Pos(), Op: op.text[0], L: x, R: y}
	}
	return x, nil
}

// parseAtom parses a literal, a field, a variable, a count, a call, if()
// or a parenthesised expression.
func (p *parser) parseAtom() (Value, *Error) {
	t := p.tok
	switch {
	case t.kind == tokLParen:
		if err := p.enter(t); err != nil {
			return nil, err
		}
		defer p.leave()
		p.advance()
		p.want = ""
		x, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tokRParen {
			at := p.pos(t.off)
			return nil, p.unexpected(p.tok, fmt.Sprintf(`")" to close "(" at %d:%d`, at.Line, at.Col))
		}
		p.advance()
		if v, ok := x.(*valueExpr); ok {
			return v.X, nil
		}
		return &paren{At: p.pos(t.off), X: x}, nil
	case t.kind == tokVar:
		if p.peek().kind == tokDot || p.peek().kind == tokLBrack {
			return p.parseFieldValue()
		}
		p.advance()
		return &VarRef{At: p.pos(t.off), Name: t.text}, nil
	case t.kind == tokCount:
		p.advance()
		return &Count{At: p.pos(t.off), Var: "$" + t.text[1:]}, nil
	case t.kind == tokRegex && p.inArgs > 0:
		// A pattern argument written as a regex literal.
		p.advance()
		return &Const{Lit: Literal{At: p.pos(t.off), Kind: LitString, Text: t.text, Slash: true}}, nil
	case t.kind == tokString, t.kind == tokNumber, t.isKw("true"), t.isKw("false"), p.atNegativeNumber():
		lit, err := p.parseLiteral("value")
		if err != nil {
			return nil, err
		}
		return &Const{Lit: lit}, nil
	case (t.isKw("window_start") || t.isKw("window_end")) && p.peek().kind != tokLParen && p.peek().kind != tokDot:
		p.advance()
		return &WindowBound{At: p.pos(t.off), End: t.isKw("window_end")}, nil
	case t.kind == tokIdent && !t.isKw("and") && !t.isKw("or") && !t.isKw("in") && !t.isKw("nocase") && !t.isKw("not") && !p.atSectionHeader():
		return p.parseCall()
	}
	return nil, p.unexpected(t, p.wanted())
}

func (p *parser) wanted() string {
	if p.want != "" {
		return p.want
	}
	return "value"
}

// valueExpr lets parseOr hand a bare value back to parseAtom through
// parentheses: "($e.a + 1)".
type valueExpr struct{ X Value }

func (x *valueExpr) Pos() Pos                   { return x.X.Pos() }
func (x *valueExpr) String() string             { return x.X.String() }
func (x *valueExpr) eval(*ctx) bool             { panic("BUG: valueExpr evaluated") }
func (x *valueExpr) explain(*ctx) *Trace        { panic("BUG: valueExpr explained") }
func (x *valueExpr) appendTo(dst []byte) []byte { return x.X.appendTo(dst) }

// parseCall parses ns.name(args), an aggregation or if(cond, a[, b]).
func (p *parser) parseCall() (Value, *Error) {
	start := p.tok
	name := p.dottedName()
	if p.tok.kind != tokLParen {
		return nil, p.unexpected(start, p.wanted())
	}
	p.want = ""
	open := p.tok
	p.advance()
	if strings.EqualFold(name, "if") {
		return p.parseIf(start, open)
	}
	c := &Call{At: p.pos(start.off), Name: name}
	p.inArgs++
	defer func() { p.inArgs-- }()
	for p.tok.kind != tokRParen {
		a, err := p.parseValueOrBool()
		if err != nil {
			return nil, err
		}
		c.Args = append(c.Args, a)
		switch p.tok.kind {
		case tokComma:
			p.advance()
		case tokRParen:
		default:
			o := p.pos(open.off)
			return nil, p.unexpected(p.tok, fmt.Sprintf(`"," or ")" to close the call of %s at %d:%d`, name, o.Line, o.Col))
		}
	}
	p.advance()
	return c, nil
}

// parseValueOrBool parses a function argument: a value, or a condition
// (wrapped in paren) as some functions take.
func (p *parser) parseValueOrBool() (Value, *Error) {
	x, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if v, ok := x.(*valueExpr); ok {
		return v.X, nil
	}
	return &paren{At: x.Pos(), X: x}, nil
}

func (p *parser) parseIf(start, open token) (Value, *Error) {
	x := &If{At: p.pos(start.off)}
	cond, err := p.parseOr()
	if err == nil {
		cond, err = p.toBool(cond)
	}
	if err != nil {
		return nil, err
	}
	x.Cond = cond
	if p.tok.kind != tokComma {
		return nil, p.unexpected(p.tok, `"," after the condition of if`)
	}
	p.advance()
	if x.Then, err = p.parseValue(); err != nil {
		return nil, err
	}
	if p.tok.kind == tokComma {
		p.advance()
		if x.Else, err = p.parseValue(); err != nil {
			return nil, err
		}
	}
	if p.tok.kind != tokRParen {
		o := p.pos(open.off)
		return nil, p.unexpected(p.tok, fmt.Sprintf(`")" to close if at %d:%d`, o.Line, o.Col))
	}
	p.advance()
	return x, nil
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

// parseFieldValue parses "$e.a.b", map access "$e.a.labels["k"]"
// included.
func (p *parser) parseFieldValue() (*Field, *Error) {
	t := p.tok
	f := &Field{At: p.pos(t.off), Var: t.text, slot: -1, Index: -1}
	p.advance()
	var segs []pathSeg
	for {
		switch p.tok.kind {
		case tokDot:
			p.advance()
			if p.tok.kind != tokIdent {
				return nil, p.unexpected(p.tok, `field name after "."`)
			}
			segs = append(segs, pathSeg{name: p.tok.text})
			p.advance()
			continue
		case tokLBrack:
			open := p.tok
			p.advance()
			if len(segs) == 0 || segs[len(segs)-1].index {
				return nil, p.errAt(open.off, `expected "." and a field name after %s, found "["`, t.text)
			}
			switch p.tok.kind {
			case tokString:
				segs = append(segs, pathSeg{name: p.tok.text, key: true})
			case tokNumber:
				n, err := strconv.Atoi(p.tok.text)
				if err != nil || n < 0 {
					return nil, p.errAt(p.tok.off, "array index [%s] is not a non-negative integer", p.tok.text)
				}
				// Event.Values flattens nested repeated fields: the
				// innermost index picks from the flat list (exact
				// when the outer levels hold one element each).
				f.Index = n
				segs = append(segs, pathSeg{name: p.tok.text, index: true})
			default:
				return nil, p.unexpected(p.tok, `map key string after "["`)
			}
			p.advance()
			if p.tok.kind != tokRBrack {
				return nil, p.unexpected(p.tok, `"]" after the map key`)
			}
			p.advance()
			continue
		}
		break
	}
	if len(segs) == 0 {
		return nil, p.unexpected(p.tok, fmt.Sprintf(`"." and a field name after %s`, t.text))
	}
	f.Path = fieldPath(segs)
	f.text = fieldText(t.text, segs)
	return f, nil
}

// parseLiteral parses a string, number or boolean.
func (p *parser) parseLiteral(want string) (Literal, *Error) {
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
	default:
		return lit, p.unexpected(t, want)
	}
	p.advance()
	return lit, nil
}

// parseIn parses what follows "in": a literal list or a reference list.
func (p *parser) parseIn(x Value) (Expr, *Error) {
	after := `"in"`
	p.advance()
	nocase := false
	if p.tok.isKw("nocase") {
		nocase = true
		after = `"in nocase"`
		p.advance()
	}
	kind := reflist.String
	if (p.tok.isKw("regex") || p.tok.isKw("cidr")) && p.peek().kind == tokRefList {
		kind = reflist.Regex
		if p.tok.isKw("cidr") {
			kind = reflist.CIDR
		}
		p.advance()
	}
	if p.tok.kind == tokRefList {
		t := p.tok
		p.advance()
		r := &InRef{At: x.Pos(), X: x, Kind: kind, Name: t.text[1:], Nocase: nocase}
		if p.tok.isKw("nocase") {
			r.Nocase = true
			p.advance()
		}
		l, ok := p.opt.Lists[r.Name]
		switch {
		case !ok:
			return nil, p.errAt(t.off, "reference list %s is not loaded (give it with --reference-list %s=PATH or --reference-lists DIR)", r.Name, r.Name)
		case l.Kind() != kind:
			return nil, p.errAt(t.off, `reference list %s is a %s list, used as a %s list (write "in %s%%%s")`, r.Name, l.Kind(), kind, kindWord(l.Kind()), r.Name)
		}
		r.List = l
		return r, nil
	}
	il := &InList{At: x.Pos(), X: x, Nocase: nocase}
	if f, ok := x.(*Field); ok {
		il.Var, il.Field, il.FieldPos, il.F = f.Var, f.Path, f.At, f
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
		if p.tok.kind != tokString && p.tok.kind != tokNumber && !p.tok.isKw("true") && !p.tok.isKw("false") && !p.atNegativeNumber() {
			return nil, p.unexpected(p.tok, "string, number or boolean in list")
		}
		lit, err := p.parseLiteral("")
		if err != nil {
			return nil, err
		}
		il.Values = append(il.Values, lit)
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
	return il, nil
}

func kindWord(k reflist.Kind) string {
	switch k {
	case reflist.Regex:
		return "regex "
	case reflist.CIDR:
		return "cidr "
	}
	return ""
}

// finishRegex takes a trailing nocase and compiles the pattern, so that a
// bad regex is reported at parse time at its own position.
func (p *parser) finishRegex(x *Regex, pattern string, off int) *Error {
	x.Pattern, x.PatternPos = pattern, p.pos(off)
	if p.tok.isKw("nocase") {
		x.Nocase = true
		p.advance()
	}
	m, err := fn.CompileRegex(x.Pattern, x.Nocase)
	if err != nil {
		var se *syntax.Error
		if errors.As(err, &se) {
			return p.errAt(off, "invalid regex: %s: %s", se.Code, strconv.Quote(clip(se.Expr)))
		}
		return p.errAt(off, "invalid regex: %v", err)
	}
	x.m, x.Re = m, m.Regexp()
	return nil
}

var _ = fn.String
