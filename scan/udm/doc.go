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
	b.WriteString("Raw paths are tried in order; the first one present wins. A segment in `[brackets]` is one JSON key that contains dots. ")
	b.WriteString("An array yields one value per element (a repeated field: a comparison is true if any value satisfies it).\n")
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
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", r.UDM, from, deriveDoc[r.Derive], r.Evidence, r.Note)
		}
	}
	return b.String()
}

var deriveDoc = map[Derive]string{
	Copy:           "as is",
	IPOnly:         "values that look like an IP address",
	HostOnly:       "values that do not look like an IP address",
	AWSEventType:   "event-type lookup on eventName",
	AzureEventType: "event type from the operation's last segment",
	ActionFromErr:  "ALLOW without errorCode, BLOCK with one",
	AzureAction:    "ALLOW for Success/Succeeded, BLOCK for Failure/Failed, else UNKNOWN_ACTION",
	Subscription:   "subscription id from the resource id",
	Timestamp:      "RFC 3339 in UTC, read from RFC 3339 (0–9 fraction digits), a space for the T (CloudTrail Lake, Athena), no zone (UTC)",
}
