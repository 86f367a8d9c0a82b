// Package udm maps raw CloudTrail and Azure Activity records to the
// Chronicle UDM fields that YARA-L rules are written against.
//
// The mapping is one declarative table (Table), not code scattered over
// the decoder: docs/udm.md is generated from it, the rule linter reads it,
// and the fast path in a later stage must agree with it. Each row says
// whether it is verified against Google's own parsers and rules (the
// SecOps parser pages, the public YARA-L rules of chronicle/detection-rules)
// or is our inference; docs/udm.md shows each row's evidence.
package udm

// LogType is the Chronicle log type of a record.
type LogType uint8

const (
	Unknown LogType = iota
	AWSCloudTrail
	AzureActivity
)

// LogTypes lists the log types retrohunt maps.
var LogTypes = []LogType{AWSCloudTrail, AzureActivity}

func (t LogType) String() string {
	switch t {
	case AWSCloudTrail:
		return "AWS_CLOUDTRAIL"
	case AzureActivity:
		return "AZURE_ACTIVITY"
	}
	return tenantName(t)
}

// Evidence says how sure we are of a row.
type Evidence uint8

const (
	// Verified rows are seen in Google SecOps' own parser documentation or
	// public YARA-L rules.
	Verified Evidence = iota
	// Inferred rows are our best judgement; rules that depend on them get
	// a lint note.
	Inferred
)

func (e Evidence) String() string {
	if e == Verified {
		return "verified"
	}
	return "inferred"
}

// Derive names a computed value. Derivations are small pure functions in
// derive.go; the table only names them so the docs can say what happens.
type Derive uint8

const (
	Copy           Derive = iota // the raw values as they are
	IPOnly                       // values that look like an IP address
	HostOnly                     // values that do not look like an IP address
	AWSEventType                 // metadata.event_type from eventName
	AzureEventType               // metadata.event_type from operationName
	ActionFromErr                // ALLOW without an errorCode, BLOCK with one
	AzureAction                  // ALLOW/BLOCK/UNKNOWN_ACTION from resultType
	Subscription                 // the subscription id inside a resourceId
	Timestamp                    // an event time read by ParseTime, written as RFC 3339 in UTC
)

// Row maps one UDM field for one log type.
type Row struct {
	Type LogType
	UDM  string // UDM field path, without the event variable ("principal.ip")
	// From lists raw JSON paths tried in order; the first one present
	// wins. A path segment in [brackets] may contain dots.
	From []string
	// Const is the value for rows without raw paths.
	Const    string
	Derive   Derive
	Evidence Evidence
	Note     string
}

const (
	claimUPN = "identity.claims.[http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn]"
	claimOID = "identity.claims.[http://schemas.microsoft.com/identity/claims/objectidentifier]"
)

// Table is the whole raw→UDM mapping. Order matters only for the docs.
var Table = []Row{
	// AWS CloudTrail.
	{Type: AWSCloudTrail, UDM: "metadata.vendor_name", Const: "AMAZON", Evidence: Verified, Note: `SecOps uses "AMAZON", not "Amazon Web Services"`},
	{Type: AWSCloudTrail, UDM: "metadata.product_name", Const: "AWS CloudTrail", Evidence: Verified},
	{Type: AWSCloudTrail, UDM: "metadata.log_type", Const: "AWS_CLOUDTRAIL", Evidence: Verified},
	{Type: AWSCloudTrail, UDM: "metadata.product_event_type", From: []string{"eventName", "insightDetails.eventName"}, Evidence: Verified, Note: "Insights records carry the name under insightDetails"},
	{Type: AWSCloudTrail, UDM: "metadata.event_type", From: []string{"eventName"}, Derive: AWSEventType, Evidence: Inferred, Note: "verified rows: ConsoleLogin→USER_LOGIN, Get/Describe/List→RESOURCE_READ, Create→RESOURCE_CREATION, Delete→RESOURCE_DELETION; every other call by a principal→USER_RESOURCE_ACCESS is our inference (the SSM and Instance Connect rows are not verified)"},
	{Type: AWSCloudTrail, UDM: "metadata.event_timestamp", From: []string{"eventTime"}, Derive: Timestamp, Evidence: Verified, Note: "a record whose eventTime is absent or not a time is skipped (\"no event time\"); a time without a zone is UTC"},
	{Type: AWSCloudTrail, UDM: "metadata.product_log_id", From: []string{"eventID"}, Evidence: Inferred},
	{Type: AWSCloudTrail, UDM: "metadata.product_version", From: []string{"eventVersion"}, Evidence: Inferred},
	{Type: AWSCloudTrail, UDM: "target.application", From: []string{"eventSource", "insightDetails.eventSource"}, Evidence: Verified},
	{Type: AWSCloudTrail, UDM: "principal.user.userid", From: []string{"userIdentity.arn"}, Evidence: Verified, Note: "anonymous and some AWS-service callers have no arn"},
	{Type: AWSCloudTrail, UDM: "principal.user.user_display_name", From: []string{"userIdentity.userName", "userIdentity.sessionContext.sessionIssuer.userName"}, Evidence: Inferred},
	{Type: AWSCloudTrail, UDM: "principal.user.product_object_id", From: []string{"userIdentity.principalId"}, Evidence: Inferred},
	{Type: AWSCloudTrail, UDM: "principal.ip", From: []string{"sourceIPAddress"}, Derive: IPOnly, Evidence: Verified, Note: "strongly implied by Google's rules; service names such as events.amazonaws.com go to principal.hostname"},
	{Type: AWSCloudTrail, UDM: "principal.hostname", From: []string{"sourceIPAddress"}, Derive: HostOnly, Evidence: Inferred},
	{Type: AWSCloudTrail, UDM: "network.http.user_agent", From: []string{"userAgent"}, Evidence: Inferred},
	{Type: AWSCloudTrail, UDM: "target.resource.name", From: []string{"requestParameters.target", "requestParameters.instanceId", "requestParameters.instanceIds", "requestParameters.sessionId", "requestParameters.documentName"}, Evidence: Inferred, Note: "the instance (or session, or document) the call acts on"},
	{Type: AWSCloudTrail, UDM: "target.cloud.project.id", From: []string{"recipientAccountId", "userIdentity.accountId"}, Evidence: Inferred, Note: "the AWS account"},
	{Type: AWSCloudTrail, UDM: "target.location.name", From: []string{"awsRegion"}, Evidence: Inferred},
	{Type: AWSCloudTrail, UDM: "security_result.action", From: []string{"errorCode"}, Derive: ActionFromErr, Evidence: Inferred},
	{Type: AWSCloudTrail, UDM: "security_result.summary", From: []string{"errorCode"}, Evidence: Inferred},
	{Type: AWSCloudTrail, UDM: "security_result.description", From: []string{"errorMessage"}, Evidence: Inferred},

	// Azure Activity: the blob-export schema first, then the REST API
	// schema (operationName.value, eventTimestamp, caller, status.value)
	// and the Datadog-normalised export (evt.name, evt.outcome), which
	// teams also archive.
	{Type: AzureActivity, UDM: "metadata.vendor_name", Const: "Microsoft", Evidence: Verified},
	{Type: AzureActivity, UDM: "metadata.product_name", Const: "Azure Activity", Evidence: Verified},
	{Type: AzureActivity, UDM: "metadata.log_type", Const: "AZURE_ACTIVITY", Evidence: Verified},
	{Type: AzureActivity, UDM: "metadata.product_event_type", From: []string{"operationName", "operationName.value", "evt.name"}, Evidence: Verified, Note: "casing varies: compare with nocase"},
	{Type: AzureActivity, UDM: "metadata.event_type", From: []string{"operationName", "operationName.value", "evt.name"}, Derive: AzureEventType, Evidence: Inferred, Note: ".../ACTION→USER_RESOURCE_ACCESS, /WRITE→RESOURCE_WRITTEN, /DELETE→RESOURCE_DELETION, /READ→RESOURCE_READ, else GENERIC_EVENT"},
	{Type: AzureActivity, UDM: "metadata.event_timestamp", From: []string{"time", "eventTimestamp"}, Derive: Timestamp, Evidence: Verified, Note: "a record whose time is absent or not a time is skipped (\"no event time\"); a time without a zone is UTC"},
	{Type: AzureActivity, UDM: "metadata.product_log_id", From: []string{"correlationId"}, Evidence: Inferred, Note: "groups the Start/Accept/Success records of one operation"},
	{Type: AzureActivity, UDM: "principal.user.userid", From: []string{claimUPN, "caller", "identity.authorization.evidence.principalId", claimOID}, Evidence: Verified, Note: "UPN claim and evidence.principalId are both mapped by SecOps; the precedence is our inference"},
	{Type: AzureActivity, UDM: "principal.ip", From: []string{"callerIpAddress", "identity.claims.ipaddr", "httpRequest.clientIpAddress"}, Derive: IPOnly, Evidence: Inferred},
	{Type: AzureActivity, UDM: "principal.hostname", From: []string{"callerIpAddress"}, Derive: HostOnly, Evidence: Inferred, Note: "callerIpAddress is not always an IP"},
	{Type: AzureActivity, UDM: "principal.application", From: []string{"identity.claims.appid"}, Evidence: Inferred},
	{Type: AzureActivity, UDM: "target.resource.name", From: []string{"resourceId"}, Evidence: Inferred, Note: "as Google's GCP parsers do with resourceName: the ARM resource id, never an operation name"},
	{Type: AzureActivity, UDM: "target.cloud.project.id", From: []string{"resourceId", "subscriptionId"}, Derive: Subscription, Evidence: Inferred, Note: "the subscription"},
	{Type: AzureActivity, UDM: "target.location.name", From: []string{"location"}, Evidence: Inferred},
	{Type: AzureActivity, UDM: "security_result.action", From: []string{"resultType", "status.value", "evt.outcome"}, Derive: AzureAction, Evidence: Inferred},
	{Type: AzureActivity, UDM: "security_result.summary", From: []string{"resultType", "status.value", "evt.outcome"}, Evidence: Inferred},
	{Type: AzureActivity, UDM: "security_result.description", From: []string{"resultSignature"}, Evidence: Inferred},
}

// Rows returns the table rows for one log type, in table order.
func Rows(t LogType) []Row {
	var rows []Row
	for _, r := range Table {
		if r.Type == t {
			rows = append(rows, r)
		}
	}
	return rows
}

// Known reports whether any log type maps the UDM path.
func Known(path string) bool {
	for _, r := range Table {
		if r.UDM == path {
			return true
		}
	}
	return false
}
