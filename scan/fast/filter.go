package fast

import (
	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/sigma"
	"github.com/retrohunt/retrohunt/scan/udm"
)

// Filter is the compiled prefilter of a rule set. It is immutable and
// shared by all workers; each worker asks through its own Checker.
type Filter struct {
	req *Requirements
	m   matcher
	// lits is req.Literals, then the triggers, then the backslash.
	lits []Literal
	// triggers index the literals whose presence alone makes a record a
	// candidate (U+017F and U+212A when FoldKS).
	triggers []int
	// escape is the index of the backslash literal: a record with one
	// is searched again with its escapes decoded.
	escape int
	// watch index the literals Checker.Watched reports on: the keys of
	// the envelope elements that wrap a record (decode.UnwrapKeys),
	// found by the search the prefilter makes anyway.
	watch []int
	// eventTime is the index of the literal "eventTime" with its quotes,
	// the first literal whose last start the matcher records: a
	// CloudTrail record's key walk stops at the key when no later bytes
	// could repeat it (recognisedAt).
	eventTime int
	// ruleLits has the bits of req.Literals: a rule's requirement holds
	// only when one of them was found, and the literals after them
	// (the backslash, the watch strings, "eventTime") are found in
	// most records.
	ruleLits []uint64
	// all: every record is a candidate (some rule has no requirement).
	all bool
	// typed: the rules' requirements are known per log type
	// (Requirements.Typed), and a record whose requirement holds is a
	// candidate only when the requirement of its own log type does.
	typed bool
	// search: a record is searched even so, since other rules have
	// literals: MayMatch then tells which of them may match it, and
	// WatchedRaw what it holds.
	search bool
}

// matcher finds which literals occur in a buffer: it sets found's bit for
// each and reports whether there was any. The literals from the one
// marks names on are marked: last[id-from] is set to where the last
// occurrence of marked literal id starts.
type matcher interface {
	find(buf []byte, found []uint64, last []int) bool
	marks(from int)
}

// New compiles the prefilter for rules.
func New(rules []*rule.Rule) *Filter { return NewWatching(rules, nil) }

// NewWatching compiles the prefilter for rules, which also looks for the
// watch strings (case-sensitive) in every record it searches: Watched
// says whether one was there.
func NewWatching(rules []*rule.Rule, watch []string) *Filter {
	return newFilter(Require(rules), watch)
}

func newFilter(rs *Requirements, watch []string) *Filter {
	f := &Filter{req: rs, all: rs.Free, typed: rs.Typed(), search: !rs.Free || !rs.TooMany && len(rs.Literals) > 0}
	f.lits = append(f.lits, rs.Literals...)
	if rs.FoldKS {
		for _, t := range []string{"\u017f", "\u212a"} {
			f.triggers = append(f.triggers, len(f.lits))
			f.lits = append(f.lits, Literal{Text: t})
		}
	}
	f.escape = len(f.lits)
	f.lits = append(f.lits, Literal{Text: `\`})
	if len(watch) > 64 {
		panic("BUG: more than 64 watch strings")
	}
	for _, w := range watch {
		f.watch = append(f.watch, len(f.lits))
		f.lits = append(f.lits, Literal{Text: w})
	}
	f.ruleLits = make([]uint64, (len(f.lits)+1+63)/64)
	for i := range rs.Literals {
		f.ruleLits[i>>6] |= 1 << (i & 63)
	}
	f.eventTime = len(f.lits)
	f.lits = append(f.lits, Literal{Text: eventTimeKey})
	f.m = newMatcher(f.lits)
	f.m.marks(f.eventTime)
	return f
}

// Requirements returns what the filter was compiled from.
func (f *Filter) Requirements() *Requirements { return f.req }

// Checker is one worker's view of a Filter, with its scratch state.
type Checker struct {
	f        *Filter
	found    []uint64
	scratch  []byte
	searched bool // found holds the last Candidate's search
	// last holds where the last "eventTime" of the record searched
	// starts (Filter.eventTime).
	last [1]int
	// rawWatch has bit j set when the last Candidate's record held watch
	// string j in its bytes as stored (before any escape was decoded).
	rawWatch uint64
	// typ is the log type of the last Candidate's record when the key
	// walk told it (gating by log type), else udm.Unknown.
	typ udm.LogType
	// held is, after hit said true, the first rule (in
	// Requirements.rules) whose requirement held; -1 when U+017F or
	// U+212A made the record a candidate, or the filter is not typed.
	held int
}

// NewChecker returns a Checker for one goroutine.
func (f *Filter) NewChecker() *Checker {
	return &Checker{f: f, found: make([]uint64, (len(f.lits)+63)/64)}
}

// maxScratch bounds the unescape buffer kept between records.
const maxScratch = 1 << 20

// Candidate reports whether rec, one record that the decoder found to be
// a JSON object within the limits, might make some rule match, or might
// be skipped by the reference path as unrecognised. A false answer is
// final: the reference path would neither hit nor skip rec, unless rec
// is malformed JSON. A record the key walk tells the log type of (as
// udm.Map would) is a candidate only when a rule that can match records
// of that type has its requirement for the type met (docs/fast-path.md,
// "Gating by log type"). When some rule has no requirement every record
// is a candidate, and it is searched all the same when other rules have
// literals, for MayMatch.
func (c *Checker) Candidate(rec []byte) bool { return c.CandidateHint(rec, 0) }

// CandidateHint is Candidate for a record whose splitter says where its
// first nested value (its first object or array) ends: nestedEnd is
// decode.Decoder.FirstNestedEnd for rec as the decoder handed it on, 0
// when not known. The key walk then skips that value without scanning
// it again. The hint must belong to exactly rec's bytes: a record
// unwrapped from its element, or copied, is asked about with Candidate.
func (c *Checker) CandidateHint(rec []byte, nestedEnd int) bool {
	f := c.f
	c.searched, c.typ = false, udm.Unknown
	if !f.search {
		return true
	}
	c.searched = true
	clear(c.found)
	c.last[0] = -1
	found := f.m.find(rec, c.found, c.last[:])
	lastEventTime := c.last[0]
	c.rawWatch = 0
	for j, i := range f.watch {
		if c.found[i>>6]&(1<<(i&63)) != 0 {
			c.rawWatch |= 1 << j
		}
	}
	if found && c.found[f.escape>>6]&(1<<(f.escape&63)) != 0 {
		// Escaped keys: the key walk reads every key.
		lastEventTime = -1
		// Fast path ends here: decode the escapes and search again, so
		// that what the reference path compares is what the search sees.
		if cap(c.scratch) < len(rec) {
			// Decoded text is no longer than its escapes (bar invalid
			// UTF-8, which append grows for): one allocation, where
			// append's growth from small would take several.
			c.scratch = make([]byte, 0, len(rec))
		}
		c.scratch = appendUnescaped(c.scratch[:0], rec)
		clear(c.found)
		found = f.m.find(c.scratch, c.found, c.last[:])
		if cap(c.scratch) > maxScratch {
			c.scratch = nil
		}
	}
	if f.all {
		return true
	}
	if found && c.hit() {
		if c.held < 0 {
			return true
		}
		// Some rule's requirement holds; the record is a candidate
		// when it is unrecognised (the reference path decides: it
		// skips it) or a rule that can match its log type has its
		// requirement for the type met. Otherwise it is decided as a
		// record that meets no requirement: recognised, passed over.
		t := recognisedType(rec, lastEventTime, nestedEnd)
		if t == udm.Unknown {
			return true
		}
		c.typ = t
		return f.req.heldForType(t, c.held, c.found)
	}
	return !recognisedAt(rec, lastEventTime, nestedEnd)
}

// Watched reports whether the record the last Candidate call looked at
// may hold one of the watch strings: it held one (raw or with its
// escapes decoded), or the filter has none, or the call searched nothing
// (every record is a candidate).
func (c *Checker) Watched() bool {
	if !c.searched || len(c.f.watch) == 0 {
		return true
	}
	for _, i := range c.f.watch {
		if c.found[i>>6]&(1<<(i&63)) != 0 {
			return true
		}
	}
	return false
}

// WatchedRaw reports, for the record the last Candidate call looked at,
// which watch strings its bytes hold as stored (bit j for the j-th), with
// known true; known is false when the call searched nothing (every
// record is a candidate) and the caller must look for itself.
func (c *Checker) WatchedRaw() (holds uint64, known bool) {
	return c.rawWatch, c.searched
}

// RuleIndex is the number MayMatch knows a rule by: the YARA-L rule yl's,
// or the Sigma rule sg's when yl is nil; -1 (may always match) for a rule
// the filter was not compiled from.
func (f *Filter) RuleIndex(yl *rule.Rule, sg *sigma.Rule) int { return f.req.Index(yl, sg) }

// MayMatch reports whether rule j (RuleIndex) may match the record the
// last Candidate call looked at: its requirement holds
// for what the search found, as Candidate decided for all rules
// together. A false answer is final, as Candidate's is, so a candidate
// record is matched against only the rules that may match it. When the
// call told the record's log type, it is false for a rule that can match
// no record of that type, and its requirement is the one for the type.
// It is true when the call searched nothing, and when the record holds
// U+017F or U+212A (which case-insensitive literals with s or k may
// stand for).
func (c *Checker) MayMatch(j int) bool {
	if !c.searched {
		return true
	}
	for _, i := range c.f.triggers {
		if c.found[i>>6]&(1<<(i&63)) != 0 {
			return true
		}
	}
	if c.typ != udm.Unknown {
		return c.f.req.RuleOfType(j, c.typ, c.found)
	}
	return c.f.req.Rule(j, c.found)
}

// hit reports whether the record searched holds U+017F or U+212A, or
// some rule's requirement holds; c.held says which (-1 for the former,
// or when the filter is not typed).
func (c *Checker) hit() bool {
	c.held = -1
	for _, i := range c.f.triggers {
		if c.found[i>>6]&(1<<(i&63)) != 0 {
			return true
		}
	}
	some := false
	for w, m := range c.f.ruleLits {
		if c.found[w]&m != 0 {
			some = true
			break
		}
	}
	if !some {
		return false
	}
	if !c.f.typed {
		return c.f.req.Any(c.found)
	}
	c.held = c.f.req.firstHeld(c.found)
	return c.held >= 0
}
