package scan

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/rule/fn"
	"github.com/retrohunt/retrohunt/scan/sigma"
	"github.com/retrohunt/retrohunt/scan/udm"
)

// Rule is a compiled rule with the metadata every hit carries.
type Rule struct {
	Compiled *rule.Rule
	// Sigma is set instead of Compiled for a Sigma rule (NewSigmaRule).
	Sigma     *sigma.Rule
	Name      string
	Version   string // meta version, else a hash of the rule's text
	Severity  string
	Technique string
	Tactic    string
	Origin    string // file path, or "builtin"
}

// NewRule takes the hit metadata from the rule's meta section.
func NewRule(r *rule.Rule, origin string) *Rule {
	v := r.MetaValue("version")
	if v == "" {
		sum := sha256.Sum256(r.Text)
		v = "sha256:" + hex.EncodeToString(sum[:6])
	}
	return &Rule{
		Compiled:  r,
		Name:      r.Name,
		Version:   v,
		Severity:  strings.ToUpper(r.MetaValue("severity")),
		Technique: firstNonEmpty(r.MetaValue("mitre_attack_technique"), r.MetaValue("technique")),
		Tactic:    firstNonEmpty(r.MetaValue("mitre_attack_tactic"), r.MetaValue("tactic")),
		Origin:    origin,
	}
}

// hit builds the output row for a record that matched r.
func (r *Rule) hit(ev *udm.Event, t time.Time, raw []byte, uri, etag string, index int) output.Hit {
	h := output.Hit{
		RuleName:       r.Name,
		RuleVersion:    r.Version,
		Severity:       r.Severity,
		Technique:      r.Technique,
		Tactic:         r.Tactic,
		EventTime:      t,
		LogType:        ev.Type.String(),
		AccountID:      ev.First("target.cloud.project.id"),
		Region:         ev.First("target.location.name"),
		PrincipalUser:  ev.First("principal.user.userid"),
		PrincipalIP:    firstNonEmpty(ev.First("principal.ip"), ev.First("principal.hostname")),
		UserAgent:      ev.First("network.http.user_agent"),
		EventSource:    ev.First("target.application"),
		EventName:      ev.First("metadata.product_event_type"),
		TargetResource: strings.Join(ev.Values("target.resource.name"), ","),
		EventID:        ev.First("metadata.product_log_id"),
		SourceURI:      uri,
		SourceETag:     etag,
		RecordIndex:    int64(index),
		Raw:            string(raw),
	}
	detail := ev.First("security_result.summary")
	h.ResultDetail = detail
	switch ev.Type {
	case udm.AWSCloudTrail:
		// security_result.action says it: an errorCode other than an
		// HTTP 2xx, or a ConsoleLogin whose result is Failure.
		h.Result = "success"
		if ev.First("security_result.action") == "BLOCK" {
			h.Result = "failure"
		}
	case udm.AzureActivity:
		h.Result = udm.ResultOf(detail)
		if h.EventSource == "" {
			// The resource provider: "MICROSOFT.COMPUTE" of
			// "MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION".
			h.EventSource, _, _ = strings.Cut(h.EventName, "/")
		}
	case udm.AzureADSignIn, udm.AzureADAudit, udm.GraphActivity:
		tenantHit(&h, ev)
	}
	return h
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// outcomeColumns renders a matched rule's outcome values as the hit's
// risk_score (the $risk_score variable as an integer: a float is rounded
// to the nearest integer, halves away from zero; a string is read as a
// number; anything else, or no $risk_score, is null) and outcomes (one
// JSON object, the rule's order, names without "$", values typed: a
// number stays a number, a list is an array, no value is null).
func outcomeColumns(outs []rule.Outcome) (*int64, string) {
	var risk *int64
	b := []byte{'{'}
	for i, o := range outs {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, o.Name) // names are identifiers: ASCII
		b = append(b, ':')
		b = o.Value.AppendJSON(b)
		if o.Name == "risk_score" {
			risk = riskScore(o.Value)
		}
	}
	return risk, string(append(b, '}'))
}

func riskScore(v fn.Value) *int64 {
	var f float64
	switch v.Kind {
	case fn.Int:
		i := v.I
		return &i
	case fn.Float:
		f = v.F
	case fn.String:
		if i, err := strconv.ParseInt(strings.TrimSpace(v.S), 10, 64); err == nil {
			return &i
		}
		g, err := strconv.ParseFloat(strings.TrimSpace(v.S), 64)
		if err != nil {
			return nil
		}
		f = g
	default:
		return nil
	}
	if math.IsNaN(f) || math.Abs(f) >= math.MaxInt64 {
		return nil
	}
	i := int64(math.Round(f))
	return &i
}
