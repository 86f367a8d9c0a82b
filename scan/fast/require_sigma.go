package fast

import (
	"regexp/syntax"

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
		if r.Type == udm.Unknown || r.Condition == nil {
			rs.add(never)
			continue
		}
		rs.add(rs.sigma(r.Require()))
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
		vs := make([]verdict, len(q.Kids))
		for i, k := range q.Kids {
			vs[i] = rs.sigma(k)
		}
		return rs.or(vs...)
	}
	return anyRecs
}
