package fast

import (
	"encoding/binary"
	"math"
	"regexp/syntax"
	"strings"
	"unicode/utf8"

	"github.com/retrohunt/retrohunt/scan/reflist"
	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/sigma"
	"github.com/retrohunt/retrohunt/scan/udm"
)

// A requirement says which literals a record must contain for a rule to
// possibly match it. It is derived from the rule's AST and the UDM table
// and must be sound: whenever Rule.Match(udm.Map(raw)) is true, the
// requirement holds for raw (see docs/fast-path.md for the argument).

// minLiteral is the shortest literal worth searching for; a shorter one
// gives no requirement (every record stays a candidate for that term).
const minLiteral = 3

// Literal is one byte string that a requirement names.
type Literal struct {
	// Text is the string to find; ASCII lower case when Fold.
	Text string
	// Fold makes the search ASCII case-insensitive.
	Fold bool
}

type reqOp uint8

const (
	reqLit reqOp = iota
	reqAnd
	reqOr
)

// req is a formula over literal presence. A nil *req is "no requirement".
type req struct {
	op   reqOp
	lit  int // reqLit: index into Requirements.Literals
	kids []*req
	id   int // unique among the interned requirements of a Requirements
}

// verdict is what static analysis knows about an expression for one log
// type: it never holds, it always holds, or it may hold (when req, if
// any, is satisfied).
type verdict struct {
	kind verdictKind
	req  *req // kindMaybe only; nil: every record may satisfy it
}

type verdictKind uint8

const (
	kindMaybe verdictKind = iota
	kindNever
	kindAlways
)

var (
	never   = verdict{kind: kindNever}
	always  = verdict{kind: kindAlways}
	anyRecs = verdict{kind: kindMaybe}
)

func (rs *Requirements) and(vs ...verdict) verdict {
	var reqs []*req
	free := false // some term is a requirement-free maybe
	for _, v := range vs {
		switch v.kind {
		case kindNever:
			return never
		case kindMaybe:
			if v.req == nil {
				free = true
			} else {
				reqs = append(reqs, v.req)
			}
		}
	}
	reqs = distinct(reqs)
	switch {
	case len(reqs) == 1:
		return verdict{req: reqs[0]}
	case len(reqs) > 1:
		return verdict{req: rs.node(reqAnd, reqs)}
	case free:
		return anyRecs
	}
	return always
}

func (rs *Requirements) or(vs ...verdict) verdict {
	var reqs []*req
	maybe := false
	for _, v := range vs {
		switch v.kind {
		case kindAlways:
			return always
		case kindMaybe:
			if v.req == nil {
				return anyRecs
			}
			maybe = true
			reqs = append(reqs, v.req)
		}
	}
	reqs = distinct(reqs)
	switch {
	case !maybe:
		return never
	case len(reqs) == 1:
		return verdict{req: reqs[0]}
	}
	return verdict{req: rs.node(reqOr, reqs)}
}

// distinct drops repeated requirements (the same leaf for both log
// types, the same literal twice in a list), keeping the first of each.
// Requirements are interned (node, litNode), so equal ones are the same
// pointer and a set of pointers finds them in linear time.
func distinct(rs []*req) []*req {
	if len(rs) < 2 {
		return rs
	}
	seen := make(map[*req]struct{}, len(rs))
	out := rs[:0]
	for _, r := range rs {
		if _, ok := seen[r]; !ok {
			seen[r] = struct{}{}
			out = append(out, r)
		}
	}
	return out
}

// node returns the one conjunction or disjunction of kids (interned
// themselves), so that structurally equal requirements are one pointer.
// The key names the kids by their ids: its size is the number of kids,
// not of the subtree, which keeps building a rule's requirement linear
// in its size.
func (rs *Requirements) node(op reqOp, kids []*req) *req {
	k := make([]byte, 0, 1+5*len(kids))
	k = append(k, byte(op))
	for _, kid := range kids {
		k = binary.AppendUvarint(k, uint64(kid.id))
	}
	if r, ok := rs.nodes[string(k)]; ok {
		return r
	}
	r := &req{op: op, kids: kids, id: rs.nextID()}
	rs.nodes[string(k)] = r
	return r
}

// litNode returns the one leaf of literal i.
func (rs *Requirements) litNode(i int) *req {
	for len(rs.leaves) <= i {
		rs.leaves = append(rs.leaves, nil)
	}
	if rs.leaves[i] == nil {
		rs.leaves[i] = &req{op: reqLit, lit: i, id: rs.nextID()}
	}
	return rs.leaves[i]
}

func (rs *Requirements) nextID() int {
	rs.ids++
	return rs.ids
}

func not(v verdict) verdict {
	switch v.kind {
	case kindNever:
		return always
	case kindAlways:
		return never
	}
	return anyRecs
}

// Requirements holds the compiled requirements of a rule set.
type Requirements struct {
	// Literals is every distinct literal any rule names.
	Literals []Literal
	// rules[i] is the requirement of the i-th rule that can match at all;
	// nil means every record is a candidate.
	rules []*req
	// byType[k][i] is rules[i]'s requirement for the records of log type
	// udm.LogTypes[k] (the verdict for that type alone, pruned as
	// rules[i] is, of which it is a term): nil when it has none,
	// unmatchable when the rule can match no record of the type. It is
	// nil when some rule has no requirement (Free), or every rule is
	// Dead.
	byType [][]*req
	// Free is true when some rule has no usable requirement: then every
	// record is a candidate.
	Free bool
	// Dead counts rules that can never match any record (a comparison
	// with a constant they never have, as vendor_name = "Amazon Web
	// Services").
	Dead int
	// FoldKS is true when a case-insensitive literal holds an s or a k:
	// Unicode folding also matches them with U+017F and U+212A, which
	// an ASCII search cannot see, so records holding those take the
	// reference path.
	FoldKS bool

	// inputs[j] is the index in rules of the j-th rule given (YARA-L
	// rules, then Sigma rules), or -1 when it can never match; yaralAt
	// and sigmaAt give each rule's j.
	inputs  []int
	yaralAt map[*rule.Rule]int
	sigmaAt map[*sigma.Rule]int

	// TooMany is true when the rules name more than MaxLiterals
	// literals after pruning: then no literal is searched and every
	// record is a candidate (Free).
	TooMany bool

	index  map[Literal]int
	nodes  map[string]*req // interned conjunctions and disjunctions
	leaves []*req          // interned literal leaves, by literal index
	ids    int
}

// MaxLiterals is the most literals the prefilter searches for. Above it
// (an IOC list of thousands of entries) the literal matcher would
// compare most positions of a record with hundreds of literals, and
// Aho-Corasick's tables grow with the literals' total length, so the
// rule set is made requirement-free instead: every record is a
// candidate, and the fast path does what the reference path does after
// a cheap split (docs/fast-path.md, "Many literals").
const MaxLiterals = 1000

// Require compiles the requirements of rules.
func Require(rules []*rule.Rule) *Requirements {
	rs := newRequirements()
	rs.addYARAL(rules)
	rs.finish()
	return rs
}

func newRequirements() *Requirements {
	return &Requirements{index: map[Literal]int{}, nodes: map[string]*req{},
		yaralAt: map[*rule.Rule]int{}, sigmaAt: map[*sigma.Rule]int{}}
}

func (rs *Requirements) addYARAL(rules []*rule.Rule) {
	for _, r := range rules {
		rs.yaralAt[r] = len(rs.inputs)
		perType := make([]verdict, len(udm.LogTypes))
		for k, t := range udm.LogTypes {
			if r.Events == nil {
				perType[k] = never
				continue
			}
			perType[k] = rs.expr(r.Events, t)
		}
		rs.add(perType)
	}
}

// unmatchable is the requirement of a rule for a log type none of whose
// records it can match: an empty disjunction, which no record satisfies.
var unmatchable = &req{op: reqOr}

// add records the verdicts of one rule, perType[k] for the records of
// log type udm.LogTypes[k]: the rule's requirement is their disjunction.
func (rs *Requirements) add(perType []verdict) {
	v := rs.or(perType...)
	rs.inputs = append(rs.inputs, len(rs.rules))
	switch {
	case v.kind == kindNever:
		rs.inputs[len(rs.inputs)-1] = -1
		rs.Dead++
		return
	case v.kind == kindAlways, v.req == nil:
		rs.Free = true
		rs.rules = append(rs.rules, nil)
	default:
		rs.rules = append(rs.rules, v.req)
	}
	if len(rs.byType) == 0 {
		rs.byType = make([][]*req, len(udm.LogTypes))
	}
	for k, pv := range perType {
		var r *req // kindAlways, or a maybe without requirement
		switch {
		case v.req == nil:
			// No requirement for the rule: none for any type, and no
			// literal kept for it (MayMatch is then always true).
		case pv.kind == kindNever:
			r = unmatchable
		case pv.kind == kindMaybe:
			r = pv.req
		}
		rs.byType[k] = append(rs.byType[k], r)
	}
}

// typeIndex returns the k of udm.LogTypes[k] == t, or -1.
func typeIndex(t udm.LogType) int {
	for k, u := range udm.LogTypes {
		if u == t {
			return k
		}
	}
	return -1
}

// finish prunes the requirements once every rule is added.
func (rs *Requirements) finish() {
	rs.prune()
	if len(rs.Literals) > MaxLiterals {
		rs.TooMany, rs.Free, rs.FoldKS = true, true, false
		rs.Literals, rs.index = nil, nil
		for i := range rs.rules {
			rs.rules[i] = nil
		}
	}
	if rs.Free {
		// Every record is a candidate: there is nothing to gate.
		rs.byType = nil
	}
	rs.nodes, rs.leaves = nil, nil
}

// prune keeps, of each conjunction, only the term whose literals are
// rarest (by trigrams.txt): the search then looks for fewer, rarer
// literals, as "eventName" values rather than the "eventSource" every
// record of a service carries. A weaker requirement is still sound.
// Literals no longer needed are dropped and the rest renumbered.
func (rs *Requirements) prune() {
	var keep func(r *req) *req
	keep = func(r *req) *req {
		switch r.op {
		case reqAnd:
			best, bestEst := (*req)(nil), 0.0
			for _, k := range r.kids {
				k = keep(k)
				if e := rs.estimate(k); best == nil || e < bestEst {
					best, bestEst = k, e
				}
			}
			return best
		case reqOr:
			kids := make([]*req, len(r.kids))
			for i, k := range r.kids {
				kids[i] = keep(k)
			}
			if kids = distinct(kids); len(kids) == 1 {
				return kids[0]
			}
			return rs.node(reqOr, kids)
		}
		return r
	}
	for i, r := range rs.rules {
		if r != nil {
			rs.rules[i] = keep(r)
		}
	}
	// A rule's requirement is the disjunction of its distinct per-type
	// requirements (add), and keep prunes each term of a disjunction as
	// it prunes it alone: a per-type requirement pruned is a term of its
	// rule's pruned, and names no other literal.
	for _, reqs := range rs.byType {
		for i, r := range reqs {
			if r != nil && r != unmatchable {
				reqs[i] = keep(r)
			}
		}
	}
	old := rs.Literals
	rs.Literals, rs.index, rs.FoldKS = nil, map[Literal]int{}, false
	rs.leaves = nil
	// A requirement met twice (a rule's and its log type's) is renumbered
	// once, so that they stay one pointer (heldForType).
	done := map[*req]*req{}
	var renumber func(r *req) *req
	renumber = func(r *req) *req {
		if r.op == reqLit {
			return rs.literal(old[r.lit].Text, old[r.lit].Fold).req
		}
		if out, ok := done[r]; ok {
			return out
		}
		out := &req{op: r.op, id: r.id}
		for _, k := range r.kids {
			out.kids = append(out.kids, renumber(k))
		}
		done[r] = out
		return out
	}
	for i, r := range rs.rules {
		if r != nil {
			rs.rules[i] = renumber(r)
		}
	}
	for _, reqs := range rs.byType {
		for i, r := range reqs {
			if r == nil || r == unmatchable {
				continue
			}
			reqs[i] = renumber(r)
			if !termOf(reqs[i], rs.rules[i]) {
				panic("BUG: a log type's requirement is not a term of its rule's")
			}
		}
	}
}

// termOf reports whether r is whole, or one of the terms of whole when it
// is a disjunction: then r holding makes whole hold, and whole failing
// makes r fail.
func termOf(r, whole *req) bool {
	if r == whole {
		return true
	}
	if whole.op == reqOr {
		for _, k := range whole.kids {
			if k == r {
				return true
			}
		}
	}
	return false
}

// estimate guesses how often r holds: a literal is as rare as its rarest
// trigram, a disjunction adds up, a conjunction is as rare as its rarest
// term.
func (rs *Requirements) estimate(r *req) float64 {
	switch r.op {
	case reqLit:
		return literalFreq(rs.Literals[r.lit].Text)
	case reqAnd:
		e := math.Inf(1)
		for _, k := range r.kids {
			e = min(e, rs.estimate(k))
		}
		return e
	}
	e := 0.0
	for _, k := range r.kids {
		e += rs.estimate(k)
	}
	return e
}

// expr derives the verdict of x for records of log type t.
func (rs *Requirements) expr(x rule.Expr, t udm.LogType) verdict {
	switch x := x.(type) {
	case *rule.And:
		vs := make([]verdict, len(x.Terms))
		for i, k := range x.Terms {
			vs[i] = rs.expr(k, t)
		}
		return rs.and(vs...)
	case *rule.Or:
		vs := make([]verdict, len(x.Terms))
		for i, k := range x.Terms {
			vs[i] = rs.expr(k, t)
		}
		return rs.or(vs...)
	case *rule.Not:
		return not(rs.expr(x.X, t))
	case *rule.InRef:
		f, ok := x.X.(*rule.Field)
		lits := x.List.Literals()
		if !ok || f.Index >= 0 || x.List.Kind() != reflist.String || len(lits) == 0 || len(lits) > MaxLiterals {
			// Regex and CIDR lists name no literal; a list past
			// MaxLiterals would make the whole set requirement-free.
			return anyRecs
		}
		return rs.leaf(x, f.Path, t, func() verdict {
			// A value equal to an entry (exactly, or under folding
			// with nocase) contains it.
			vs := make([]verdict, len(lits))
			for i, l := range lits {
				vs[i] = rs.literal(l, x.Nocase)
			}
			return rs.or(vs...)
		})
	case *rule.EventRef:
		// Only in condition:, which Require does not read.
		return anyRecs
	// Field-to-field and other value comparisons (*rule.Cmp), boolean
	// function calls (*rule.Pred) give no requirement: the default
	// below.
	case *rule.Compare:
		return rs.leaf(x, x.Field, t, func() verdict {
			if x.Op != rule.OpEq || x.Value.Kind != rule.LitString {
				return anyRecs
			}
			return rs.literal(x.Value.Text, x.Nocase)
		})
	case *rule.Quant:
		if x.All {
			// "all" holds vacuously for an element-free field, and
			// its elements need not be in any one place: no
			// requirement, unless it can never hold.
			return anyRecs
		}
		// "any" holds only when its expression holds for some
		// element: whatever that expression requires, the record has.
		return rs.expr(x.X, t)
	case *rule.InList:
		if x.F == nil {
			return anyRecs // a function or arithmetic of fields
		}
		return rs.leaf(x, x.Field, t, func() verdict {
			vs := make([]verdict, len(x.Values))
			for i, l := range x.Values {
				if l.Kind != rule.LitString {
					return anyRecs
				}
				vs[i] = rs.literal(l.Text, x.Nocase)
			}
			return rs.or(vs...)
		})
	case *rule.Regex:
		if x.F == nil {
			return anyRecs
		}
		return rs.leaf(x, x.Field, t, func() verdict {
			if x.Negated || x.Re == nil {
				return anyRecs
			}
			re, err := syntax.Parse(x.Re.String(), syntax.Perl)
			if err != nil {
				return anyRecs
			}
			return rs.regex(re.Simplify())
		})
	}
	return anyRecs
}

// leaf decides a comparison on field for log type t. A field that log
// type never maps, or maps to a constant, is decided exactly by the
// reference evaluator itself; a field whose values are (substrings of)
// raw values yields the literal requirement that copied returns; any
// other derivation gives no requirement.
func (rs *Requirements) leaf(x rule.Expr, field string, t udm.LogType, copied func() verdict) verdict {
	if extractedRow.Serves(field) {
		// udm.Event.Values reads a raw path (extracted.fields) from the
		// record's bytes whatever its log type, also where the type's
		// table has no row of it (the tenant logs): raw values.
		return copied()
	}
	rows := rowsOf(t, field)
	switch {
	case len(rows) == 0 && (field == "metadata.event_timestamp.seconds" || field == "metadata.event_timestamp.nanos"):
		// A multi-event rule's variables read these parts of
		// metadata.event_timestamp where the table has no row of them
		// (rule.Multi's timestampParts): derived, no requirement.
		return anyRecs
	case len(rows) == 0:
		return static(x, nil)
	case len(rows) == 1 && rows[0].Constant():
		return static(x, []string{rows[0].Const})
	}
	for _, r := range rows {
		if !r.Copies() {
			// A derived value (an event type, a sentence, a prefix, a
			// time) need not be in the record: no requirement.
			return anyRecs
		}
	}
	// Every value any of the rows yields is a raw value or a substring
	// of one (IPOnly and HostOnly split and filter, Subscription cuts),
	// so a literal the value must equal or contain is in the decoded
	// record.
	return copied()
}

// extractedRow serves the paths udm.Event.Values reads from the record's
// bytes for every log type: extracted.fields["<raw dotted path>"].
var extractedRow = udm.Row{UDM: strings.TrimSuffix(udm.ExtractedPrefix, `["`), Raw: true}

// rowsOf returns the rows that may give field its values for t: rows of
// the field, and map rows (udm.Row.Keys) serving it.
func rowsOf(t udm.LogType, field string) []*udm.Row {
	var rows []*udm.Row
	for i := range udm.Table {
		if r := &udm.Table[i]; r.Type == t && r.Serves(field) {
			rows = append(rows, r)
		}
	}
	return rows
}

// static evaluates x with the reference evaluator on an event whose only
// field has the given values.
func static(x rule.Expr, vals []string) verdict {
	if (&rule.Rule{Events: x}).Match(constEvent(vals)) {
		return always
	}
	return never
}

type constEvent []string

func (c constEvent) Values(string) []string { return c }

// literal is the requirement that the decoded record contains s (ASCII
// case-insensitively when fold). A value equal to s, or containing it,
// comes from a JSON string, number or boolean of the record.
func (rs *Requirements) literal(s string, fold bool) verdict {
	if !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError) {
		// encoding/json turns invalid UTF-8 into U+FFFD: such a value
		// need not be in the raw bytes.
		return anyRecs
	}
	if fold {
		// Unicode folding maps non-ASCII runes among themselves (and
		// U+017F, U+212A to s, k, which the matcher treats apart): only
		// the longest ASCII run is searched.
		s = strings.ToLower(longestASCII(s))
	}
	if len(s) < minLiteral {
		return anyRecs
	}
	l := Literal{Text: s, Fold: fold}
	if fold && strings.ContainsAny(s, "ks") {
		rs.FoldKS = true
	}
	i, ok := rs.index[l]
	if !ok {
		i = len(rs.Literals)
		rs.Literals = append(rs.Literals, l)
		rs.index[l] = i
	}
	return verdict{req: rs.litNode(i)}
}

// longestASCII returns the longest run of ASCII bytes in s.
func longestASCII(s string) string {
	best, start := "", 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] >= utf8.RuneSelf {
			if i-start > len(best) {
				best = s[start:i]
			}
			start = i + 1
		}
	}
	return best
}

// regex derives the literals any match of re must contain. A match is a
// substring of a value, so they are in the decoded record too.
func (rs *Requirements) regex(re *syntax.Regexp) verdict {
	switch re.Op {
	case syntax.OpLiteral:
		return rs.literal(string(re.Rune), re.Flags&syntax.FoldCase != 0)
	case syntax.OpConcat:
		vs := make([]verdict, len(re.Sub))
		for i, s := range re.Sub {
			vs[i] = rs.regex(s)
		}
		return rs.and(vs...)
	case syntax.OpAlternate:
		vs := make([]verdict, len(re.Sub))
		for i, s := range re.Sub {
			vs[i] = rs.regex(s)
		}
		return rs.or(vs...)
	case syntax.OpCapture, syntax.OpPlus:
		return rs.regex(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return rs.regex(re.Sub[0])
		}
	}
	return anyRecs
}

// satisfied reports whether rule i's requirement holds for the literals
// in found.
func (r *req) satisfied(found []uint64) bool {
	switch r.op {
	case reqLit:
		return found[r.lit>>6]&(1<<(r.lit&63)) != 0
	case reqAnd:
		for _, k := range r.kids {
			if !k.satisfied(found) {
				return false
			}
		}
		return true
	}
	for _, k := range r.kids {
		if k.satisfied(found) {
			return true
		}
	}
	return false
}

// Index returns the number Rule knows a rule by: yl's, or sg's when yl is
// nil; -1 for a rule the requirements were not compiled from.
func (rs *Requirements) Index(yl *rule.Rule, sg *sigma.Rule) int {
	m, ok := 0, false
	if yl != nil {
		m, ok = rs.yaralAt[yl]
	} else if sg != nil {
		m, ok = rs.sigmaAt[sg]
	}
	if !ok {
		return -1
	}
	return m
}

// Rule reports whether the requirement of rule j (Index) holds for
// found, or the rule has none. A rule that can never match (Dead), and
// j = -1, have none here: they are left to the matcher. A rule with a
// requirement keeps it when another rule has none (Free); with TooMany
// no rule has one.
func (rs *Requirements) Rule(j int, found []uint64) bool {
	if j < 0 || j >= len(rs.inputs) || rs.inputs[j] < 0 {
		return true
	}
	r := rs.rules[rs.inputs[j]]
	return r == nil || r.satisfied(found)
}

// Typed reports whether the requirements are known per log type
// (RuleOfType, AnyOfType): some rule has a requirement, and none lacks
// one (Free).
func (rs *Requirements) Typed() bool { return len(rs.byType) > 0 }

// RuleOfType is Rule for a record udm.Map gives log type t: false also
// when rule j can match no record of that type. Without per-type
// requirements (Typed) or for a type udm does not list it is Rule.
func (rs *Requirements) RuleOfType(j int, t udm.LogType, found []uint64) bool {
	k := typeIndex(t)
	if j < 0 || j >= len(rs.inputs) || rs.inputs[j] < 0 || k < 0 || len(rs.byType) == 0 {
		return rs.Rule(j, found)
	}
	r := rs.byType[k][rs.inputs[j]]
	return r == nil || r.satisfied(found)
}

// AnyOfType is Any for a record udm.Map gives log type t: whether some
// rule that can match a record of that type has its requirement for the
// type met. Without per-type requirements (Typed) or for a type udm
// does not list it is Any.
func (rs *Requirements) AnyOfType(t udm.LogType, found []uint64) bool {
	k := typeIndex(t)
	if k < 0 || len(rs.byType) == 0 {
		return rs.Any(found)
	}
	for _, r := range rs.byType[k] {
		if r == nil || r.satisfied(found) {
			return true
		}
	}
	return false
}

// firstHeld returns the index (in rules) of the first rule whose
// requirement holds for found, -1 when none does. Not for a Free set.
func (rs *Requirements) firstHeld(found []uint64) int {
	for i, r := range rs.rules {
		if r.satisfied(found) {
			return i
		}
	}
	return -1
}

// heldForType is AnyOfType for a record whose search firstHeld said
// first for: the rules before it fail (their requirement for any type is
// a term of theirs, termOf), and the first's requirement for the type,
// when it is the rule's own, holds.
func (rs *Requirements) heldForType(t udm.LogType, first int, found []uint64) bool {
	k := typeIndex(t)
	if k < 0 || len(rs.byType) == 0 {
		return true
	}
	reqs := rs.byType[k]
	if r := reqs[first]; r == nil || r == rs.rules[first] {
		// Fast path: the rule that held has the same requirement for
		// this type (one log type, most often).
		return true
	}
	for _, r := range reqs[first:] {
		if r == nil || r.satisfied(found) {
			return true
		}
	}
	return false
}

// Any reports whether some rule's requirement holds for found (a bit set
// over Literals).
func (rs *Requirements) Any(found []uint64) bool {
	if rs.Free {
		return true
	}
	for _, r := range rs.rules {
		if r.satisfied(found) {
			return true
		}
	}
	return false
}

// String renders the requirements for tests and `explain`-style output.
func (rs *Requirements) String() string {
	var b strings.Builder
	for i, r := range rs.rules {
		if i > 0 {
			b.WriteByte('\n')
		}
		rs.write(&b, r)
	}
	return b.String()
}

func (rs *Requirements) write(b *strings.Builder, r *req) {
	if r == nil {
		b.WriteString("any")
		return
	}
	switch r.op {
	case reqLit:
		l := rs.Literals[r.lit]
		if l.Fold {
			b.WriteString("i")
		}
		b.WriteString(`"` + l.Text + `"`)
		return
	case reqAnd:
		b.WriteString("and(")
	case reqOr:
		b.WriteString("or(")
	}
	for i, k := range r.kids {
		if i > 0 {
			b.WriteString(" ")
		}
		rs.write(b, k)
	}
	b.WriteString(")")
}
