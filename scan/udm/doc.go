package udm

import (
	"fmt"
	"strings"
)

// Markdown renders Table as the body of docs/udm.md, so the document can
// never drift from what the code maps (a test compares them).
func Markdown() string {
	var b strings.Builder
	b.WriteString("<!-- Generated from scan/udm/table.go by `go test ./scan/udm -run TestDoc -update`; do not edit by hand. -->\n")
	b.WriteString("# UDM mapping\n\n")
	b.WriteString("retrohunt maps each record to the Chronicle UDM fields that YARA-L rules are written against. ")
	b.WriteString("**verified** rows are seen in Google SecOps' own parser documentation or public YARA-L rules; ")
	b.WriteString("**inferred** rows are our best judgement. `retrohunt rules lint` warns when a rule depends on an inferred row or compares a field with a value it can never hold.\n\n")
	b.WriteString("Raw paths are tried in order; the first that yields a value wins (for an event time the first present: a time that cannot be read skips the record rather than falling back). A segment in `[brackets]` is one JSON key that contains dots. ")
	b.WriteString("An array yields one value per element (a repeated field: a comparison is true if any value satisfies it); a path that meets an array of objects goes through each element. ")
	b.WriteString("An empty string is no value: the next raw path is tried. ")
	b.WriteString("Several rows may map one field: the first that yields a value wins. A row for one `eventName` applies to those records only. ")
	b.WriteString("A *map* row (`labels[...]`) maps every value under a raw object to the key of its dotted path: `requestParameters.sslPolicy` → `target.resource.attribute.labels[\"requestParameters.sslPolicy\"]`, as rules read it.\n")
	for _, t := range LogTypes {
		fmt.Fprintf(&b, "\n## %s\n\n| UDM field | from | derivation | evidence | note |\n|---|---|---|---|---|\n", t)
		for _, r := range Rows(t) {
			from := "constant `" + r.Const + "`"
			if len(r.From) > 0 {
				q := make([]string, len(r.From))
				for i, p := range r.From {
					q[i] = "`" + p + "`"
				}
				from = strings.Join(q, ", ")
			}
			udm, how := r.UDM, deriveDoc[r.Derive]
			if r.Raw {
				udm += `["<raw dotted path>"]`
				from = "any raw path"
				how = "the raw value, read when a rule asks"
			}
			if r.Keys {
				udm += `["<raw path>"]`
				how = "map: every value under the object, by its dotted path"
			}
			if r.Derive == Prefix {
				how = fmt.Sprintf("`%s` before the value", r.Const)
			}
			if r.Event != "" {
				how += fmt.Sprintf(" (eventName `%s` only)", r.Event)
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", udm, from, how, r.Evidence, r.Note)
		}
	}
	b.WriteString("\n## Sources, and what remains inferred\n\n")
	b.WriteString("Google's mapping documents used for the verified rows:\n\n")
	for _, d := range sources {
		fmt.Fprintf(&b, "- %s\n", d)
	}
	b.WriteString("\nGoogle publishes no field-by-field table for either parser beyond the event-type table and the change logs, so rows those documents and the public rules do not show are our inference, each with its reason in its note. ")
	b.WriteString("The real-record corpus of testdata/real (its golden file, written by hand from the records) pins what every row gives on 104 real records (and 11 it refuses). Rows that remain inferred:\n\n")
	for _, t := range LogTypes {
		var inferred []string
		seen := map[string]bool{}
		for _, r := range Rows(t) {
			f := r.UDM
			if r.Keys {
				f += `["…"]`
			}
			if r.Evidence == Inferred && !seen[f] {
				seen[f] = true
				inferred = append(inferred, "`"+f+"`")
			}
		}
		fmt.Fprintf(&b, "- %s: %s\n", t, strings.Join(inferred, ", "))
	}
	b.WriteString("\nNot mapped, for want of a source that fixes their values: `metadata.id` (a SecOps-assigned id), `principal.ip_geo_artifact.*` (enrichment), `security_result.rule_id` and `about.labels` (Azure Policy writes its policies as a JSON string inside properties). A rule that reads them finds them empty, and `retrohunt rules lint` says so.\n")
	return b.String()
}

// sources are the documents the verified rows cite.
var sources = []string{
	"AWS_CLOUDTRAIL field mapping reference, \"Event Identifier to Event Type\" table: " + ctFieldMap,
	"Change log for AWS_CLOUDTRAIL: " + ctChangelog,
	"Change log for AZURE_ACTIVITY: " + azChangelog,
	"Google's public YARA-L rules for CloudTrail, which show the values the parser writes (`AMAZON`, `MFAUsed: No`, `Reason: Failed authentication`, `Login to AWS Console succeeded.`, `labels[\"requestParameters.sslPolicy\"]`): github.com/" + ctRules,
}

var deriveDoc = map[Derive]string{
	Copy:           "as is",
	IPOnly:         "the members of a comma-separated list that look like an IP address",
	HostOnly:       "the members of a comma-separated list that do not look like an IP address",
	AWSEventType:   "event-type lookup on eventName",
	AzureEventType: "event type from the operation's last segment",
	ActionFromErr:  "ALLOW without errorCode or with an HTTP 2xx one, BLOCK with any other; a ConsoleLogin result: Success→ALLOW, Failure→BLOCK",
	AzureAction:    "ALLOW for Success/Succeeded, BLOCK for Failure/Failed/Canceled, else UNKNOWN_ACTION",
	UnixSeconds:    "Unix seconds of the time, decimal",
	UnixNanos:      "nanoseconds within the second, decimal",
	InstanceIDs:    "values that name an instance (i-…, mi-…)",
	EmailOnly:      "values that look like an email address",
	ConsoleSummary: "Success→`Login to AWS Console succeeded.`, Failure→`Login to AWS Console failed.`",
	Prefix:         "a constant before the value",
	Subscription:   "subscription id from a resource id, or a bare subscription id",
	Timestamp:      "RFC 3339 in UTC, read from RFC 3339 (0–9 fraction digits), a space for the T (CloudTrail Lake, Athena), no zone (UTC)",
}
