package fast

import (
	"regexp/syntax"
	"strings"

	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/sigma"
	"github.com/retrohunt/retrohunt/scan/udm"
)

// RequireWithSigma compiles the requirements of YARA-L rules and Sigma
// rules together: one set of literals, one matcher, so that a record is
// searched once for both kinds. A Sigma rule whose logsource retrohunt
// does not read can match nothing (Dead).
func RequireWithSigma(rules []*rule.Rule, sigmas []*sigma.Rule) *Requirements {
	rs := newRequirements()
	rs.addYARAL(rules)
	for _, r := range sigmas {
		rs.sigmaAt[r] = len(rs.inputs)
		// A Sigma rule is asked only about the records of its Type
		// (scan's Rule.matches): it can match no other.
		perType := make([]verdict, len(udm.LogTypes))
		for k := range perType {
			perType[k] = never
		}
		if k := typeIndex(r.Type); k >= 0 && r.Condition != nil {
			perType[k] = rs.sigma(r.Require())
		}
		rs.add(perType)
	}
	rs.finish()
	return rs
}

// NewWatchingWithSigma is NewWatching over YARA-L and Sigma rules.
func NewWatchingWithSigma(rules []*rule.Rule, sigmas []*sigma.Rule, watch []string) *Filter {
	return newFilter(RequireWithSigma(rules, sigmas), watch)
}

// sigma turns a Sigma requirement into a verdict. Its literals are in
// the record with its escapes decoded (values, or the text of objects
// with their escapes decoded), which is what the prefilter searches.
func (rs *Requirements) sigma(q *sigma.Req) verdict {
	if q == nil {
		return anyRecs
	}
	switch q.Op {
	case sigma.ReqLit:
		return rs.literal(q.Text, q.Fold)
	case sigma.ReqRegex:
		re, err := syntax.Parse(q.Text, syntax.Perl)
		if err != nil {
			return anyRecs
		}
		return rs.regex(re.Simplify())
	case sigma.ReqAnd:
		vs := make([]verdict, len(q.Kids))
		for i, k := range q.Kids {
			vs[i] = rs.sigma(k)
		}
		return rs.and(vs...)
	case sigma.ReqOr:
		if common, fold, ok := sharedLiteral(q.Kids); ok {
			return rs.literal(common, fold)
		}
		vs := make([]verdict, len(q.Kids))
		for i, k := range q.Kids {
			vs[i] = rs.sigma(k)
		}
		return rs.or(vs...)
	}
	return anyRecs
}

// minShared is the shortest common substring that stands for a
// disjunction of literals; maxSharedFreq the most frequent (by the
// trigram estimate: about as rare as an eventName such as
// "CreateRoute", rarer than "microsoft.compute/virtualmachines/").
const (
	minShared     = 12
	maxSharedFreq = 1e-5
)

// sharedLiteral finds the longest substring that every literal of a
// disjunction holds (SigmaHQ's Azure rules list up to a dozen operation
// names under one provider path, "microsoft.keyvault/vaults/keys/...").
// Any record holding one of them holds it, so it is a weaker, sound
// requirement; it is taken when it is long and rare (maxSharedFreq), so
// that the prefilter searches one literal instead of many: a hundred
// more case-insensitive literals saturate the Teddy kernel's tables.
func sharedLiteral(kids []*sigma.Req) (string, bool, bool) {
	if len(kids) < 2 {
		return "", false, false
	}
	fold := kids[0].Fold
	texts := make([]string, len(kids))
	for i, k := range kids {
		if k.Op != sigma.ReqLit || k.Fold != fold {
			return "", false, false
		}
		texts[i] = k.Text
		if fold {
			texts[i] = lowerASCII(k.Text)
		}
	}
	c := longestCommon(texts)
	if len(c) < minShared || literalFreq(c) > maxSharedFreq {
		return "", false, false
	}
	return c, fold, true
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lower(c)
	}
	return string(b)
}

// longestCommon returns the longest substring of texts[0] that every
// text contains (the first found of that length).
func longestCommon(texts []string) string {
	s0 := texts[0]
	for _, t := range texts[1:] {
		if len(t) < len(s0) {
			s0 = t
		}
	}
	for n := len(s0); n >= minShared; n-- {
	next:
		for i := 0; i+n <= len(s0); i++ {
			sub := s0[i : i+n]
			for _, t := range texts {
				if !strings.Contains(t, sub) {
					continue next
				}
			}
			return sub
		}
	}
	return ""
}
