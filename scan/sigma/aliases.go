package sigma

import (
	"strings"

	"github.com/retrohunt/retrohunt/scan/udm"
)

// alias is one place a field's values are read from.
type alias struct {
	path string
	// provider takes the resource provider of the values at path: an
	// operation name up to its first '/'.
	provider bool
	// outcome is "failure" when path exists, else "success".
	outcome bool
}

// cloudTrailAliases: SigmaHQ's aws_delete_saml_provider asks for
// status: success, a field CloudTrail records do not have (SIEM
// pipelines derive it). It is read as the outcome CloudTrail records
// imply: "failure" with an errorCode, "success" without one. The value
// is not in the record, so such an item requires no literal
// (derived).
var cloudTrailAliases = map[string][]alias{
	"status": {{path: "errorCode", outcome: true}},
}

// azureAliases maps the field names of the Log Analytics AzureActivity
// table, which SigmaHQ's Azure Activity rules use beside the JSON
// export's own names, to the paths of the exported records (the storage
// export, the REST API shape, Datadog's export). Keys are lower case. A
// field not listed is its own path (compared without regard to case,
// Record.Values), which covers "ResourceId", "Caller",
// "CallerIpAddress".
var azureAliases = map[string][]alias{
	"operationname":         {{path: "operationName"}, {path: "evt.name"}},
	"operationnamevalue":    {{path: "operationName"}, {path: "evt.name"}},
	"categoryvalue":         {{path: "category"}, {path: "properties.eventCategory"}},
	"resourceprovidervalue": {{path: "resourceProviderName"}, {path: "operationName", provider: true}},
	"activitystatusvalue":   {{path: "status"}, {path: "resultType"}},
}

// aliases returns where field is read from in records of log type t.
// Entra ID records (the diagnostic export) carry the Log Analytics
// SigninLogs and AuditLogs columns SigmaHQ names (AppDisplayName,
// ResultDescription, DeviceDetail.trusttype) under "properties", camel
// case: a field is read at its path and under properties.
func aliases(t udm.LogType, field string) []alias {
	if t == udm.AzureADSignIn || t == udm.AzureADAudit {
		if strings.HasPrefix(strings.ToLower(field), "properties.") {
			return []alias{{path: field}}
		}
		return []alias{{path: field}, {path: "properties." + field}}
	}
	table := azureAliases
	if t == udm.AWSCloudTrail {
		table = cloudTrailAliases
	}
	if t != udm.Unknown {
		if as, ok := table[strings.ToLower(field)]; ok {
			return as
		}
	}
	return []alias{{path: field}}
}

// derived reports whether field's values in records of log type t are
// made up rather than read from the record: then no literal of the
// item's values need be in the record.
func derived(t udm.LogType, field string) bool {
	for _, a := range aliases(t, field) {
		if a.outcome {
			return true
		}
	}
	return false
}
