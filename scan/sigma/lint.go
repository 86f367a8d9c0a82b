package sigma

import (
	"fmt"
	"sort"
	"strings"

	"github.com/retrohunt/retrohunt/scan/udm"
)

// Severity of a lint finding, as scan/lint grades YARA-L's.
type Severity uint8

const (
	// Note: worth a look, probably fine.
	Note Severity = iota
	// Warning: looks wrong but may be intended.
	Warning
	// Never: the item can never hold for the records the rule reads.
	Never
)

// Finding is one lint result.
type Finding struct {
	Pos   Pos
	Level Severity
	Msg   string
}

// knownFields are the top-level keys of records of each log type: the
// CloudTrail record contents AWS documents, and the Azure Activity
// log's export, REST and Datadog shapes (the samples in
// testdata/samples), with the Log Analytics names read as aliases.
// Keys are lower case; nested paths are checked by their first segment.
var knownFields = map[udm.LogType][]string{
	udm.AWSCloudTrail: {"eventtime", "eventversion", "useridentity", "eventsource", "eventname", "awsregion",
		"sourceipaddress", "useragent", "errorcode", "errormessage", "requestparameters", "responseelements",
		"additionaleventdata", "requestid", "eventid", "eventtype", "apiversion", "managementevent", "readonly",
		"resources", "recipientaccountid", "serviceeventdetails", "sharedeventid", "vpcendpointid",
		"vpcendpointaccountid", "eventcategory", "status", "addendum", "sessioncredentialfromconsole", "edgedevicedetails",
		"tlsdetails", "insightdetails"},
	udm.AzureActivity: {"time", "resourceid", "operationname", "category", "resulttype", "resultsignature",
		"durationms", "calleripaddress", "correlationid", "identity", "level", "location", "properties", "tenantid",
		"caller", "channels", "claims", "authorization", "description", "eventdataid", "eventname", "eventtimestamp",
		"httprequest", "id", "operationid", "resourcegroupname", "resourceprovidername", "resourcetype", "status",
		"substatus", "submissiontimestamp", "subscriptionid", "relatedevents", "evt", "resource_name", "duration",
		"operationnamevalue", "categoryvalue", "resourceprovidervalue", "activitystatusvalue"},
}

// ipFields are the fields that hold IP addresses in the logs' records.
var ipFields = map[string]bool{"sourceipaddress": true, "calleripaddress": true}

func ipFieldsOf(t udm.LogType) string {
	if t == udm.AWSCloudTrail {
		return "sourceIPAddress"
	}
	return "callerIpAddress"
}

// Lint looks at a rule for what loads but cannot be right: fields no
// record of its logsource has, string modifiers on numbers, cidr on a
// field that holds no IP address, all on a single value, search identifiers the condition never uses, and a
// logsource retrohunt does not read.
func Lint(r *Rule) []Finding {
	if r.Correlation != nil {
		return nil // its base rules are linted as rules of their own
	}
	var out []Finding
	if r.Type == udm.Unknown {
		out = append(out, Finding{Pos: r.Pos, Level: Never,
			Msg: fmt.Sprintf("logsource (%s) is none retrohunt reads (aws/cloudtrail, azure/activitylogs, azure/signinlogs, azure/auditlogs): the rule is not applicable", r.Logsource)})
	}
	used := map[*Selection]bool{}
	var walk func(c Cond)
	walk = func(c Cond) {
		switch c := c.(type) {
		case *AndCond:
			for _, t := range c.Terms {
				walk(t)
			}
		case *OrCond:
			for _, t := range c.Terms {
				walk(t)
			}
		case *NotCond:
			walk(c.X)
		case *Ref:
			used[c.Sel] = true
		case *OfCond:
			for _, s := range c.Sels {
				used[s] = true
			}
		}
	}
	if r.Condition != nil {
		walk(r.Condition)
	}
	known := map[string]bool{}
	for _, k := range knownFields[r.Type] {
		known[k] = true
	}
	for _, s := range r.Selections {
		if !used[s] {
			out = append(out, Finding{Pos: s.Pos, Level: Warning, Msg: fmt.Sprintf("search identifier %s is not used by the condition", s.Name)})
		}
		for _, g := range s.Groups {
			for _, it := range g {
				out = append(out, lintItem(r, it, known)...)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Pos, out[j].Pos
		return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
	})
	return out
}

func lintItem(r *Rule, it *Item, known map[string]bool) []Finding {
	var out []Finding
	if it.Field != "" && len(known) > 0 {
		first, _, _ := strings.Cut(it.Field, ".")
		if !known[strings.ToLower(first)] {
			out = append(out, Finding{Pos: it.Pos, Level: Never,
				Msg: fmt.Sprintf("field %s: no %s record has a top-level %q", it.Field, r.Type, first)})
		}
	}
	has := map[string]bool{}
	for _, m := range it.Modifiers {
		has[m] = true
	}
	if it.All && len(it.preds) == 1 {
		out = append(out, Finding{Pos: it.Pos, Level: Warning, Msg: "all on a single value: the specification does not allow it; write the value without all"})
	}
	for _, m := range []string{"contains", "startswith", "endswith", "windash", "base64", "base64offset", "re", "cidr"} {
		if has[m] && it.numeric {
			out = append(out, Finding{Pos: it.Pos, Level: Warning, Msg: fmt.Sprintf("%s applies to strings, and a value of %s is a number", m, it.Field)})
			break
		}
	}
	if has["cidr"] && len(known) > 0 && !ipFields[strings.ToLower(it.Field)] {
		out = append(out, Finding{Pos: it.Pos, Level: Warning,
			Msg: fmt.Sprintf("cidr compares IP addresses, and %s records hold none in %s (they are in %s)", r.Type, it.Field, ipFieldsOf(r.Type))})
	}
	if has["windash"] && r.Type != udm.Unknown {
		out = append(out, Finding{Pos: it.Pos, Level: Note, Msg: "windash is for Windows command lines; cloud audit logs rarely hold them"})
	}
	return out
}
