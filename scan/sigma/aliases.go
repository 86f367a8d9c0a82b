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
func aliases(t udm.LogType, field string) []alias {
	if t == udm.AzureActivity {
		if as, ok := azureAliases[strings.ToLower(field)]; ok {
			return as
		}
	}
	return []alias{{path: field}}
}
