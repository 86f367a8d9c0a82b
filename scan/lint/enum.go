package lint

import (
	"fmt"
	"slices"
	"strings"

	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/udm"
)

// derivedValues lists every value each enumerating derivation of the UDM
// table can produce (scan/udm/derive.go); TestLintEnumValuesCoverSamples
// checks it against the mapping's output on the public samples.
var derivedValues = map[udm.Derive][]string{
	udm.AWSEventType:   {"USER_LOGIN", "RESOURCE_READ", "RESOURCE_CREATION", "RESOURCE_DELETION", "USER_RESOURCE_ACCESS"},
	udm.AzureEventType: {"USER_RESOURCE_ACCESS", "RESOURCE_WRITTEN", "RESOURCE_DELETION", "RESOURCE_READ", "GENERIC_EVENT"},
	udm.ActionFromErr:  {"ALLOW", "BLOCK"},
	udm.AzureAction:    {"ALLOW", "BLOCK", "UNKNOWN_ACTION"},
	udm.SignInAction:   {"ALLOW", "BLOCK"},
	udm.AuditEventType: {"SERVICE_CREATION", "SERVICE_MODIFICATION", "SETTING_DELETION", "USER_CHANGE_PERMISSIONS", "USER_CREATION", "GROUP_DELETION", "USER_UNCATEGORIZED"},
}

// enumValues returns, per log type, the values field can take when every
// log type that fills it derives it from a closed set or writes a
// constant; ok is false when some log type copies raw values into it.
func enumValues(field string) (map[udm.LogType][]string, bool) {
	out := map[udm.LogType][]string{}
	derives := false
	for _, t := range udm.LogTypes {
		for _, row := range udm.Rows(t) {
			if row.UDM != field {
				continue
			}
			if len(row.From) == 0 {
				out[row.Type] = []string{row.Const}
				continue
			}
			vals, ok := derivedValues[row.Derive]
			if !ok {
				return nil, false
			}
			out[row.Type] = vals
			derives = true
		}
	}
	return out, derives
}

// enumMismatch reports an equality (or list) on an enumerated field
// against values the mapping never derives for any log type.
func enumMismatch(field string, vals []string, nocase bool, at rule.Pos, events rule.Expr) (Finding, bool) {
	sets, ok := enumValues(field)
	if !ok {
		return Finding{}, false
	}
	scope := ""
	if t, ok := pinnedType(events, at, field); ok {
		// A constant comparison beside it pins one log type
		// (product_name = "AWS CloudTrail"): only that type counts.
		if set, ok := sets[t]; ok {
			sets = map[udm.LogType][]string{t: set}
			scope = " on " + t.String()
		}
	}
	for _, v := range vals {
		for _, set := range sets {
			for _, d := range set {
				if v == d || nocase && strings.EqualFold(v, d) {
					return Finding{}, false
				}
			}
		}
	}
	var have []string
	for _, t := range udm.LogTypes {
		if set, ok := sets[t]; ok {
			have = append(have, fmt.Sprintf("%s for %s", strings.Join(set, ", "), t))
		}
	}
	slices.Sort(have)
	return Finding{Pos: at, Level: Never,
		Msg: fmt.Sprintf("never true%s: the mapping never derives %s %s (it derives %s)", scope, field, quoteAll(vals), strings.Join(have, "; ")),
		Fix: "compare with one of the values above, or match on metadata.product_event_type"}, true
}

// arnNeverFilled warns when a field is compared with an AWS ARN of a
// resource type (policy, role, ...) that none of the CloudTrail raw paths
// it is mapped from holds: target.resource.name is mapped from
// requestParameters.instanceId, policyArn and the like, so it never holds
// a role ARN. A raw path holds an ARN of a type when its last segment
// names the type (policyArn) or is a bare ARN (resources.ARN); every row
// that maps the field counts, and a row whose derivation could yield
// anything (not a copy, nor a filter to instance ids, addresses or email
// addresses) leaves the question open.
func arnNeverFilled(field, lit string, at rule.Pos) (Finding, bool) {
	if !strings.HasPrefix(lit, "arn:aws") {
		return Finding{}, false
	}
	parts := strings.SplitN(lit, ":", 6)
	if len(parts) < 6 {
		return Finding{}, false
	}
	kind, _, _ := strings.Cut(parts[5], "/")
	if kind == "" || strings.ContainsAny(kind, "*?") {
		return Finding{}, false
	}
	var from []string
	for _, row := range udm.Table {
		if row.Type != udm.AWSCloudTrail || row.UDM != field {
			continue
		}
		switch {
		case len(row.From) == 0:
			return Finding{}, false
		case row.Derive == udm.InstanceIDs || row.Derive == udm.IPOnly || row.Derive == udm.EmailOnly:
			continue // never an ARN
		case row.Derive != udm.Copy:
			return Finding{}, false
		}
		for _, p := range row.From {
			last := strings.ToLower(p[strings.LastIndexByte(p, '.')+1:])
			if last == "arn" || strings.Contains(last, strings.ToLower(kind)) {
				return Finding{}, false
			}
		}
		from = append(from, row.From...)
	}
	if from == nil {
		return Finding{}, false
	}
	return Finding{Pos: at, Level: Warning,
		Msg: fmt.Sprintf("%s is never filled with this: on AWS_CLOUDTRAIL it is mapped from %s, and no raw field it is mapped from holds a %s ARN",
			field, strings.Join(from, ", "), kind),
		Fix: "see docs/udm.md for where the " + kind + " ARN lands, or match it with re.regex on the raw record's field once mapped"}, true
}
