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

import "strings"

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
	IPOnly                       // the members of an address list that look like an IP address
	HostOnly                     // the members of an address list that do not look like an IP address
	AWSEventType                 // metadata.event_type from eventName
	AzureEventType               // metadata.event_type from operationName
	ActionFromErr                // ALLOW/BLOCK from an errorCode or a ConsoleLogin result
	AzureAction                  // ALLOW/BLOCK/UNKNOWN_ACTION from resultType
	Subscription                 // the subscription id inside a resourceId
	Timestamp                    // an event time read by ParseTime, written as RFC 3339 in UTC
	UnixSeconds                  // an event time read by ParseTime, as decimal Unix seconds
	UnixNanos                    // an event time read by ParseTime, as the decimal nanoseconds within its second
	InstanceIDs                  // the values that name an EC2 or SSM managed instance
	EmailOnly                    // the values that look like an email address
	ConsoleSummary               // SecOps' sentence for a ConsoleLogin result
	Prefix                       // Const, then the raw value
)

// copies reports whether every value the derivation yields is a raw
// value or a part of one, so that a literal a value must equal or
// contain is in the record's decoded text: the prefilter's condition
// (scan/fast/require.go).
func (d Derive) copies() bool {
	switch d {
	case Copy, IPOnly, HostOnly, Subscription, InstanceIDs, EmailOnly:
		return true
	}
	return false
}

// Row maps one UDM field for one log type. Several rows may map one
// field: they are tried in table order, and the first that yields a
// value wins.
type Row struct {
	Type LogType
	UDM  string // UDM field path, without the event variable ("principal.ip")
	// From lists raw JSON paths tried in order; the first one that
	// yields a non-empty value wins. A path segment in [brackets] may
	// contain dots. A segment that meets an array goes through each of
	// its elements.
	From []string
	// Const is the value for rows without raw paths, and the text
	// Prefix puts before the raw value.
	Const  string
	Derive Derive
	// Event limits a CloudTrail row to the records of one eventName.
	Event string
	// Keys makes the row a map: every string, number or boolean under
	// each From object is mapped to UDM["<its raw dotted path>"]
	// (requestParameters.sslPolicy → UDM["requestParameters.sslPolicy"]).
	Keys bool
	// Raw makes the row SecOps' view of the raw log: UDM["<raw dotted
	// path>"] is that path of the record, read when a rule asks
	// (Event.Values), never listed in Event.Fields.
	Raw      bool
	Evidence Evidence
	Note     string
}

func (d Derive) isTime() bool { return d == Timestamp || d == UnixSeconds || d == UnixNanos }

// Serves reports whether the row maps the UDM path: its field, or for a
// Keys row a key under one of its raw objects.
func (r *Row) Serves(path string) bool {
	if r.Raw {
		return strings.HasPrefix(path, r.UDM+`["`) && strings.HasSuffix(path, `"]`) && len(path) > len(r.UDM)+4
	}
	if !r.Keys {
		return r.UDM == path
	}
	rest, ok := strings.CutPrefix(path, r.UDM+`["`)
	if !ok || !strings.HasSuffix(rest, `"]`) {
		return false
	}
	key := rest[:len(rest)-2]
	for _, p := range r.From {
		if strings.HasPrefix(key, p+".") {
			return true
		}
	}
	return false
}

// Copies reports whether every value the row yields is a raw value or a
// part of one (see Derive).
func (r *Row) Copies() bool { return (len(r.From) > 0 || r.Raw) && r.Derive.copies() }

// Constant reports whether the row maps its field to Const alone.
func (r *Row) Constant() bool { return len(r.From) == 0 && !r.Raw }

const (
	claimUPN     = "identity.claims.[http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn]"
	claimOID     = "identity.claims.[http://schemas.microsoft.com/identity/claims/objectidentifier]"
	restClaimUPN = "claims.[http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn]"
	restClaimOID = "claims.[http://schemas.microsoft.com/identity/claims/objectidentifier]"
)

// The sources of the verified rows.
const (
	ctFieldMap  = "https://cloud.google.com/chronicle/docs/reference/aws-cloudtrail-field-map"
	ctChangelog = "https://cloud.google.com/chronicle/docs/ingestion/parser-list/aws-cloudtrail-changelog"
	azChangelog = "https://cloud.google.com/chronicle/docs/ingestion/parser-list/azure-activity-changelog"
	ctRules     = "chronicle/detection-rules rules/community/aws/cloudtrail/"
)

// Table is the whole raw→UDM mapping. Order matters for rows that map
// the same field (the first that yields a value wins) and for the docs.
var Table = []Row{
	// AWS CloudTrail.
	{Type: AWSCloudTrail, UDM: "metadata.vendor_name", Const: "AMAZON", Evidence: Verified, Note: `SecOps uses "AMAZON", not "Amazon Web Services": every rule of ` + ctRules},
	{Type: AWSCloudTrail, UDM: "metadata.product_name", Const: "AWS CloudTrail", Evidence: Verified, Note: "every rule of " + ctRules},
	{Type: AWSCloudTrail, UDM: "metadata.log_type", Const: "AWS_CLOUDTRAIL", Evidence: Verified},
	{Type: AWSCloudTrail, UDM: "metadata.product_event_type", From: []string{"eventName", "insightDetails.eventName"}, Evidence: Verified, Note: "Insights records carry the name under insightDetails; " + ctRules},
	{Type: AWSCloudTrail, UDM: "metadata.event_type", From: []string{"eventName"}, Derive: AWSEventType, Evidence: Inferred, Note: "verified rows (" + ctFieldMap + "): ConsoleLogin→USER_LOGIN, Get/Describe/List→RESOURCE_READ, Create→RESOURCE_CREATION, Delete→RESOURCE_DELETION, and the named rows AttachInstances and AttachLoadBalancerTargetGroups→RESOURCE_PERMISSIONS_CHANGE, CompleteLifecycleAction→STATUS_UPDATE, DeregisterScalableTarget→RESOURCE_DELETION; every other call by a principal→USER_RESOURCE_ACCESS is our inference (the SSM and Instance Connect rows are not verified)"},
	{Type: AWSCloudTrail, UDM: "metadata.event_timestamp", From: []string{"eventTime"}, Derive: Timestamp, Evidence: Verified, Note: "a record whose eventTime is absent or not a time is skipped (\"no event time\"); a time without a zone is UTC"},
	{Type: AWSCloudTrail, UDM: "metadata.event_timestamp.seconds", From: []string{"eventTime"}, Derive: UnixSeconds, Evidence: Verified, Note: ctRules + "aws_successful_login_after_multiple_failed_attempts.yaral compares it"},
	{Type: AWSCloudTrail, UDM: "metadata.event_timestamp.nanos", From: []string{"eventTime"}, Derive: UnixNanos, Evidence: Inferred, Note: "the UDM Timestamp's nanos"},
	{Type: AWSCloudTrail, UDM: "metadata.product_log_id", From: []string{"eventID"}, Evidence: Inferred},
	{Type: AWSCloudTrail, UDM: "metadata.product_version", From: []string{"eventVersion"}, Evidence: Inferred},
	{Type: AWSCloudTrail, UDM: "target.application", From: []string{"eventSource", "insightDetails.eventSource"}, Evidence: Verified, Note: ctRules + "aws_iam_activity_from_ec2_instance.yaral"},
	{Type: AWSCloudTrail, UDM: "principal.user.userid", From: []string{"userIdentity.arn", "userIdentity.userName", "userIdentity.onBehalfOf.userId", "userIdentity.principalId", "userIdentity.invokedBy", "userIdentity.accountId"}, Evidence: Verified, Note: "the arn is verified (" + ctRules + "aws_iam_activity_from_ec2_instance.yaral reads the assumed-role arn); for callers without one (SAMLUser, WebIdentityUser: userName; IdentityCenterUser: onBehalfOf.userId; AWSAccount: principalId, else accountId; AWSService: invokedBy) the order is our inference"},
	{Type: AWSCloudTrail, UDM: "principal.user.user_display_name", From: []string{"userIdentity.userName", "userIdentity.sessionContext.sessionIssuer.userName"}, Evidence: Verified, Note: ctRules + "aws_privilege_escalation_using_iam_access_key.yaral compares it with target.user.userid (an IAM user name); the session issuer for roles is our inference"},
	{Type: AWSCloudTrail, UDM: "principal.user.product_object_id", From: []string{"userIdentity.principalId"}, Evidence: Inferred},
	{Type: AWSCloudTrail, UDM: "principal.resource.type", From: []string{"userIdentity.type"}, Evidence: Verified, Note: ctRules + `aws_iam_activity_from_ec2_instance.yaral ("AssumedRole")`},
	{Type: AWSCloudTrail, UDM: `principal.user.attribute.labels["mfaAuthenticated"]`, From: []string{"userIdentity.sessionContext.attributes.mfaAuthenticated"}, Evidence: Verified, Note: ctRules + "aws_privilege_escalation_using_iam_access_key.yaral"},
	{Type: AWSCloudTrail, UDM: `additional.fields["accessKeyId"]`, From: []string{"userIdentity.accessKeyId"}, Evidence: Verified, Note: ctRules + "aws_privilege_escalation_using_iam_access_key.yaral"},
	{Type: AWSCloudTrail, UDM: `additional.fields["recipientAccountId"]`, From: []string{"recipientAccountId"}, Evidence: Verified, Note: ctRules + "aws_console_login_without_mfa.yaral"},
	{Type: AWSCloudTrail, UDM: "principal.ip", From: []string{"sourceIPAddress"}, Derive: IPOnly, Evidence: Verified, Note: "a list (\"81.2.69.142, 192.168.10.10\", a forwarded request) gives each address; service names such as events.amazonaws.com go to principal.hostname"},
	{Type: AWSCloudTrail, UDM: "principal.hostname", From: []string{"sourceIPAddress"}, Derive: HostOnly, Evidence: Inferred},
	{Type: AWSCloudTrail, UDM: "principal.location.name", From: []string{"awsRegion"}, Evidence: Verified, Note: ctRules + "aws_console_login_without_mfa.yaral and most others read the region here"},
	{Type: AWSCloudTrail, UDM: "network.http.user_agent", From: []string{"userAgent"}, Evidence: Verified, Note: ctRules + "aws_unusual_number_of_failed_authentications_from_the_same_ip.yaral"},
	{Type: AWSCloudTrail, UDM: "target.resource.name", From: []string{"requestParameters.target", "requestParameters.instanceId", "requestParameters.instanceIds", "requestParameters.instancesSet.items.instanceId"}, Evidence: Inferred, Note: "the instance the call acts on (EC2's Start/Stop/TerminateInstances list theirs under instancesSet.items)"},
	{Type: AWSCloudTrail, UDM: "target.resource.name", From: []string{"requestParameters.targets.values"}, Derive: InstanceIDs, Evidence: Inferred, Note: "SendCommand with targets (Key=InstanceIds): the instances, never a tag's values"},
	{Type: AWSCloudTrail, UDM: "target.resource.name", From: []string{"requestParameters.sessionId", "requestParameters.documentName", "requestParameters.policyArn", "requestParameters.logGroupName", "requestParameters.bucketName"}, Evidence: Inferred, Note: "else the session, document, policy (GetPolicy, " + ctChangelog + " 2026-07-24), log group (DeleteLogGroup, 2026-07-09) or bucket"},
	{Type: AWSCloudTrail, UDM: "target.resource.product_object_id", From: []string{"responseElements.accessKey.accessKeyId"}, Evidence: Verified, Note: ctRules + "aws_privilege_escalation_using_iam_access_key.yaral: CreateAccessKey's new key"},
	{Type: AWSCloudTrail, UDM: "target.resource.product_object_id", From: []string{"resources.ARN"}, Evidence: Inferred, Note: "else the ARNs of the resources CloudTrail lists for the call"},
	{Type: AWSCloudTrail, UDM: "principal.user.email_addresses", From: []string{"userIdentity.userName", "additionalEventData.UserName"}, Derive: EmailOnly, Evidence: Inferred, Note: "a user name that is an address (SAML and Identity Center users, IAM users named by mail)"},
	{Type: AWSCloudTrail, UDM: "target.user.userid", From: []string{"requestParameters.userName"}, Evidence: Verified, Note: ctRules + "aws_privilege_escalation_using_iam_login_profile.yaral (CreateLoginProfile, CreateAccessKey)"},
	{Type: AWSCloudTrail, UDM: "target.user.user_display_name", Event: "ConsoleLogin", From: []string{"userIdentity.userName"}, Evidence: Verified, Note: ctRules + "aws_successful_login_after_multiple_failed_attempts.yaral: the user signing in"},
	{Type: AWSCloudTrail, UDM: "target.url", Event: "ConsoleLogin", From: []string{"additionalEventData.LoginTo"}, Evidence: Inferred, Note: "where the sign-in leads"},
	{Type: AWSCloudTrail, UDM: "network.session_id", From: []string{"responseElements.sessionId", "requestParameters.sessionId"}, Evidence: Inferred, Note: "Session Manager sessions"},
	{Type: AWSCloudTrail, UDM: "extensions.auth.auth_details", Event: "ConsoleLogin", From: []string{"additionalEventData.MFAUsed"}, Derive: Prefix, Const: "MFAUsed: ", Evidence: Verified, Note: ctRules + `aws_console_login_without_mfa.yaral ("MFAUsed: No")`},
	{Type: AWSCloudTrail, UDM: "target.resource.attribute.labels", From: []string{"requestParameters", "responseElements"}, Keys: true, Evidence: Inferred, Note: ctRules + ` read labels["requestParameters.sslPolicy"] and labels["requestParameters.distributionConfig.viewerCertificate.minimumProtocolVersion"]: every value under requestParameters and responseElements by its dotted path (an array's elements share their key)`},
	{Type: AWSCloudTrail, UDM: `target.resource.attribute.labels["sessionCredentialFromConsole"]`, From: []string{"sessionCredentialFromConsole"}, Evidence: Verified, Note: ctChangelog + " 2024-03-04"},
	{Type: AWSCloudTrail, UDM: `target.resource.attribute.labels["eventCategory"]`, From: []string{"eventCategory"}, Evidence: Inferred},
	{Type: AWSCloudTrail, UDM: `target.resource.attribute.labels["enable"]`, Event: "UpdateDetector", From: []string{"requestParameters.enable"}, Evidence: Verified, Note: ctRules + `aws_guardduty_disabled.yaral reads labels["enable"] = "false" on GuardDuty's UpdateDetector: the request's enable, a JSON boolean, as its text`},
	{Type: AWSCloudTrail, UDM: `target.resource.attribute.labels["activate"]`, Event: "UpdateIPSet", From: []string{"requestParameters.activate"}, Evidence: Verified, Note: ctRules + `aws_guardduty_trusted_or_threat_ip_lists_tampered.yaral reads labels["activate"] = "false" on UpdateIPSet and UpdateThreatIntelSet: the request's activate, a JSON boolean, as its text`},
	{Type: AWSCloudTrail, UDM: `target.resource.attribute.labels["activate"]`, Event: "UpdateThreatIntelSet", From: []string{"requestParameters.activate"}, Evidence: Verified, Note: "as for UpdateIPSet"},
	{Type: AWSCloudTrail, UDM: "extracted.fields", Raw: true, Evidence: Verified, Note: "SecOps' view of the raw log, as rules read it (extracted.fields[\"requestParameters.bucketName\"]); the path goes through arrays"},
	{Type: AWSCloudTrail, UDM: "target.cloud.project.id", From: []string{"recipientAccountId", "userIdentity.accountId"}, Evidence: Inferred, Note: "the AWS account"},
	{Type: AWSCloudTrail, UDM: "target.location.name", From: []string{"awsRegion"}, Evidence: Inferred},
	{Type: AWSCloudTrail, UDM: "security_result.action", From: []string{"errorCode", "responseElements.ConsoleLogin", "responseElements.CheckMfa", "responseElements.SwitchRole", "serviceEventDetails.CredentialVerification", "serviceEventDetails.UserAuthentication"}, Derive: ActionFromErr, Evidence: Verified, Note: "ALLOW/BLOCK verified (" + ctRules + "); an errorCode that is an HTTP 2xx status (\"200\") is no error, our reading of the userguide (errorCode: the service's error); a sign-in event without errorCode takes its Success/Failure (ConsoleLogin's verified by the rules, the other sign-in events' our inference)"},
	{Type: AWSCloudTrail, UDM: "security_result.summary", From: []string{"errorCode"}, Evidence: Inferred},
	{Type: AWSCloudTrail, UDM: "security_result.summary", Event: "ConsoleLogin", From: []string{"responseElements.ConsoleLogin"}, Derive: ConsoleSummary, Evidence: Verified, Note: ctRules + `aws_successful_login_after_multiple_failed_attempts.yaral ("Login to AWS Console succeeded."); the failure sentence is our inference`},
	{Type: AWSCloudTrail, UDM: "security_result.description", From: []string{"errorMessage"}, Derive: Prefix, Const: "Reason: ", Evidence: Verified, Note: ctRules + `aws_successful_login_after_multiple_failed_attempts.yaral ("Reason: Failed authentication"); for calls other than ConsoleLogin our inference`},

	// Azure Activity: the blob-export schema first, then the REST API
	// schema (operationName.value, eventTimestamp, caller, status.value,
	// top-level claims) and the Datadog-normalised export (evt.name,
	// evt.outcome), which teams also archive.
	{Type: AzureActivity, UDM: "metadata.vendor_name", Const: "Microsoft", Evidence: Verified},
	{Type: AzureActivity, UDM: "metadata.product_name", Const: "Azure Activity", Evidence: Verified},
	{Type: AzureActivity, UDM: "metadata.log_type", Const: "AZURE_ACTIVITY", Evidence: Verified},
	{Type: AzureActivity, UDM: "metadata.product_event_type", From: []string{"operationName", "operationName.value", "evt.name"}, Evidence: Verified, Note: "casing varies: compare with nocase"},
	{Type: AzureActivity, UDM: "metadata.event_type", From: []string{"operationName", "operationName.value", "evt.name"}, Derive: AzureEventType, Evidence: Inferred, Note: ".../ACTION→USER_RESOURCE_ACCESS, /WRITE→RESOURCE_WRITTEN, /DELETE→RESOURCE_DELETION, /READ→RESOURCE_READ, else GENERIC_EVENT"},
	{Type: AzureActivity, UDM: "metadata.event_timestamp", From: []string{"time", "eventTimestamp"}, Derive: Timestamp, Evidence: Verified, Note: "a record whose time is absent or not a time is skipped (\"no event time\"); a time without a zone is UTC"},
	{Type: AzureActivity, UDM: "metadata.event_timestamp.seconds", From: []string{"time", "eventTimestamp"}, Derive: UnixSeconds, Evidence: Inferred, Note: "the UDM Timestamp's seconds"},
	{Type: AzureActivity, UDM: "metadata.event_timestamp.nanos", From: []string{"time", "eventTimestamp"}, Derive: UnixNanos, Evidence: Inferred, Note: "the UDM Timestamp's nanos"},
	{Type: AzureActivity, UDM: "metadata.product_log_id", From: []string{"correlationId"}, Evidence: Inferred, Note: "groups the Start/Accept/Success records of one operation"},
	{Type: AzureActivity, UDM: "principal.user.userid", From: []string{claimUPN, restClaimUPN, "caller", "identity.authorization.evidence.principalId", claimOID, restClaimOID}, Evidence: Verified, Note: "UPN claim and evidence.principalId are both mapped by SecOps (" + azChangelog + " 2024-09-25, 2024-08-21); the precedence, and the REST shape's top-level claims, are our inference"},
	{Type: AzureActivity, UDM: "principal.user.product_object_id", From: []string{claimOID, restClaimOID, "identity.authorization.evidence.principalId"}, Evidence: Verified, Note: azChangelog + " 2024-09-25 (the object id claim), 2024-07-10 (evidence.principalId of a User or ServicePrincipal; a Group's is no user's, our reading gives it too)"},
	{Type: AzureActivity, UDM: "principal.user.email_addresses", From: []string{claimUPN, restClaimUPN, "caller"}, Derive: EmailOnly, Evidence: Inferred, Note: "a UPN or caller that is an address"},
	{Type: AzureActivity, UDM: "principal.ip", From: []string{"callerIpAddress", "identity.claims.ipaddr", "claims.ipaddr", "httpRequest.clientIpAddress"}, Derive: IPOnly, Evidence: Inferred},
	{Type: AzureActivity, UDM: "principal.hostname", From: []string{"callerIpAddress"}, Derive: HostOnly, Evidence: Inferred, Note: "callerIpAddress is not always an IP"},
	{Type: AzureActivity, UDM: "principal.application", From: []string{"identity.claims.appid", "claims.appid"}, Evidence: Inferred},
	{Type: AzureActivity, UDM: "network.http.method", From: []string{"httpRequest.method"}, Evidence: Inferred},
	{Type: AzureActivity, UDM: "target.resource.name", From: []string{"resourceId", "resourceUri"}, Evidence: Inferred, Note: "as Google's GCP parsers do with resourceName: the ARM resource id, never an operation name; REST records may carry only resourceUri"},
	{Type: AzureActivity, UDM: "target.cloud.project.id", From: []string{"resourceId", "resourceUri", "subscriptionId"}, Derive: Subscription, Evidence: Inferred, Note: "the subscription; a tenant-level resourceId (/providers/...) names none, and the REST shape's subscriptionId is tried"},
	{Type: AzureActivity, UDM: "target.location.name", From: []string{"location"}, Evidence: Inferred},
	{Type: AzureActivity, UDM: "security_result.category_details", From: []string{"category", "category.value"}, Evidence: Verified, Note: "the log category: chronicle/detection-rules rules/community/microsoft/o365/suspicious_entra_id_sign_in_external_call.yaral reads it on AZURE_ACTIVITY"},
	{Type: AzureActivity, UDM: "security_result.severity", From: []string{"properties.severity", "properties.Severity"}, Evidence: Verified, Note: azChangelog + " 2024-07-08 (properties.severity; the Security category's sample writes Severity, our addition)"},
	{Type: AzureActivity, UDM: `target.resource.attribute.labels["compromisedEntity"]`, From: []string{"properties.compromisedEntity"}, Evidence: Verified, Note: azChangelog + " 2024-07-08; the key is our choice"},
	{Type: AzureActivity, UDM: `target.resource.attribute.labels["attackedResourceType"]`, From: []string{"properties.attackedResourceType"}, Evidence: Verified, Note: azChangelog + " 2024-07-08; the key is our choice"},
	{Type: AzureActivity, UDM: `target.resource.attribute.labels["intent"]`, From: []string{"properties.intent"}, Evidence: Verified, Note: azChangelog + " 2024-07-08; the key is our choice"},
	{Type: AzureActivity, UDM: "extracted.fields", Raw: true, Evidence: Verified, Note: "SecOps' view of the raw log (extracted.fields[\"properties.eventCategory\"])"},
	{Type: AzureActivity, UDM: "security_result.action", From: []string{"resultType", "status.value", "evt.outcome"}, Derive: AzureAction, Evidence: Inferred},
	{Type: AzureActivity, UDM: "security_result.summary", From: []string{"resultType", "status.value", "evt.outcome"}, Evidence: Inferred},
	{Type: AzureActivity, UDM: "security_result.description", From: []string{"resultSignature", "subStatus.value"}, Evidence: Inferred},
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
	for i := range Table {
		if Table[i].Serves(path) {
			return true
		}
	}
	return false
}
