package scan

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"

	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/sigma"
	"github.com/retrohunt/retrohunt/scan/udm"
)

// NewSigmaRule takes the hit metadata of a Sigma rule: its title is the
// rule name as written (Sigma titles are prose, not identifiers, and
// users search their output for them), id and modified (else date) the
// version, level the severity in upper case as YARA-L's, and the
// attack.* tags the technique and tactic.
func NewSigmaRule(r *sigma.Rule, origin string) *Rule {
	v := r.ID
	if d := firstNonEmpty(r.Modified, r.Date); d != "" {
		v = strings.TrimPrefix(v+"@"+d, "@")
	}
	if v == "" {
		sum := sha256.Sum256(r.Text)
		v = "sha256:" + hex.EncodeToString(sum[:6])
	}
	technique, tactic := attackTags(r.Tags)
	return &Rule{
		Sigma:     r,
		Name:      r.Title,
		Version:   v,
		Severity:  strings.ToUpper(r.Level),
		Technique: technique,
		Tactic:    tactic,
		Origin:    origin,
	}
}

var techniqueTag = regexp.MustCompile(`^attack\.t\d{4}(\.\d{3})?$`)

// tacticNames spells ATT&CK's tactics as the built-in rules do.
var tacticNames = map[string]string{
	"command-and-control": "Command and Control",
}

// attackTags returns the techniques (attack.t1078.004 → T1078.004) and
// tactics (attack.lateral-movement → Lateral Movement) of a rule's tags,
// each joined with commas in tag order.
func attackTags(tags []string) (technique, tactic string) {
	var techs, tacts []string
	for _, t := range tags {
		t = strings.ToLower(t)
		name, ok := strings.CutPrefix(t, "attack.")
		switch {
		case !ok:
		case techniqueTag.MatchString(t):
			techs = append(techs, strings.ToUpper(name))
		case len(name) > 1 && (name[0] == 'g' || name[0] == 's') && strings.Trim(name[1:], "0123456789") == "":
			// A group or software id, neither technique nor tactic.
		default:
			if n, ok := tacticNames[name]; ok {
				tacts = append(tacts, n)
				continue
			}
			words := strings.Split(name, "-")
			for i, w := range words {
				if w != "" {
					words[i] = strings.ToUpper(w[:1]) + w[1:]
				}
			}
			tacts = append(tacts, strings.Join(words, " "))
		}
	}
	return strings.Join(techs, ","), strings.Join(tacts, ",")
}

// matches reports whether r matches a record: a YARA-L rule reads its
// UDM view ev, a Sigma rule its own JSON through rec (reset to the
// record by the caller), and only when the record is of the rule's
// logsource.
func (r *Rule) matches(ev *udm.Event, rec *sigma.Record) bool {
	if r.Sigma != nil {
		return r.Sigma.Type == ev.Type && r.Sigma.Match(rec)
	}
	return r.Compiled.Match(ev)
}

// splitRules separates the YARA-L rules from the Sigma rules.
func splitRules(rs []*Rule) ([]*rule.Rule, []*sigma.Rule) {
	var yl []*rule.Rule
	var sg []*sigma.Rule
	for _, r := range rs {
		if r.Sigma != nil {
			sg = append(sg, r.Sigma)
		} else {
			yl = append(yl, r.Compiled)
		}
	}
	return yl, sg
}

// NotApplicable returns the Sigma rules among rs whose logsource is none
// of the logs retrohunt reads: they can match nothing, and the CLI says
// so by name.
func NotApplicable(rs []*Rule) []*Rule {
	var out []*Rule
	for _, r := range rs {
		if r.Sigma != nil && r.Sigma.Type == udm.Unknown {
			out = append(out, r)
		}
	}
	return out
}
