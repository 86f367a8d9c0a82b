package udm

import (
	"bytes"
	"encoding/json"
	"strings"
)

// The tenant-scoped logs that Entra ID and Microsoft Graph diagnostic
// settings archive (docs/sources.md, "Tenant-scoped logs"). Their
// records are laid out as Azure resource logs (time, resourceId,
// operationName, category, properties), so detect sees Azure; the
// category then names the log.
const (
	// AzureADSignIn is Entra ID's sign-in logs, every kind (SecOps' AZURE_AD).
	AzureADSignIn LogType = AzureActivity + 1 + iota
	// AzureADAudit is Entra ID's directory audit log (AZURE_AD_AUDIT).
	AzureADAudit
	// GraphActivity is the Microsoft Graph activity log
	// (MICROSOFT_GRAPH_ACTIVITY_LOGS).
	GraphActivity
)

// tenantTypeNames are the SecOps log type names of the tenant logs.
var tenantTypeNames = map[LogType]string{
	AzureADSignIn: "AZURE_AD",
	AzureADAudit:  "AZURE_AD_AUDIT",
	GraphActivity: "MICROSOFT_GRAPH_ACTIVITY_LOGS",
}

// TenantCategories maps the diagnostic-setting category of a tenant log
// (the record's "category", the container's insights-logs-<category>)
// to its log type. Categories Microsoft documents but no SecOps parser
// maps that we could find (ProvisioningLogs, RiskyUsers, UserRiskEvents,
// RiskyServicePrincipals, ServicePrincipalRiskEvents, ADFSSignInLogs,
// B2CRequestLogs, NetworkAccessTrafficLogs) are listed and pruned by the
// walker but stay unsupported here.
var TenantCategories = map[string]LogType{
	"signinlogs":                          AzureADSignIn,
	"noninteractiveusersigninlogs":        AzureADSignIn,
	"serviceprincipalsigninlogs":          AzureADSignIn,
	"managedidentitysigninlogs":           AzureADSignIn,
	"microsoftserviceprincipalsigninlogs": AzureADSignIn,
	"auditlogs":                           AzureADAudit,
	"microsoftgraphactivitylogs":          GraphActivity,
}

// TenantLogType returns the log type of a tenant-log category, compared
// under Unicode simple folding (as the fast path's bytes.EqualFold), or
// Unknown.
func TenantLogType(category string) LogType {
	for c, t := range TenantCategories {
		if strings.EqualFold(category, c) {
			return t
		}
	}
	return Unknown
}

// The derivations of the tenant logs. They number from 64 so that the
// core table's list can grow without renumbering them.
const (
	SignInAction   Derive = 64 + iota // ALLOW for resultType 0, BLOCK for an error code
	AuditEventType                    // metadata.event_type from an audit activity name
)

const (
	noteRule = "field used by Google's community rules for this product"
	noteName = "; raw field by its documented name"
)

// entraRows are the rows of the tenant logs. Sources: the change logs
// of SecOps' parsers ("AZURE_AD changelog <date>": cloud.google.com/
// chronicle/docs/ingestion/parser-list/azure-ad-changelog, and
// azure-ad-audit-changelog, microsoft-graph-activity-logs-changelog),
// Google's community rules under rules/community/microsoft/{entra_id,
// graph_activity} of chronicle/detection-rules ("community rules"), and
// Microsoft's schemas of the storage export (SigninLogs, AuditLogs,
// MicrosoftGraphActivityLogs tables; raw names as those documents spell
// them).
var entraRows = []Row{
	// Entra ID sign-ins (interactive, non-interactive, service
	// principal, managed identity: one schema).
	{Type: AzureADSignIn, UDM: "metadata.vendor_name", Const: "Microsoft", Evidence: Verified, Note: "community rules: entra_id_login_activity_to_azure_ad_powershell_app"},
	{Type: AzureADSignIn, UDM: "metadata.product_name", Const: "Azure AD", Evidence: Verified, Note: "community rules: entra_id_login_activity_*"},
	{Type: AzureADSignIn, UDM: "metadata.log_type", Const: "AZURE_AD", Evidence: Verified, Note: "SecOps parser list"},
	{Type: AzureADSignIn, UDM: "metadata.product_event_type", From: []string{"operationName"}, Evidence: Verified, Note: `"Sign-in activity" (community rules: entra_id_expired_refresh_token_use)`},
	{Type: AzureADSignIn, UDM: "metadata.event_type", Const: "USER_LOGIN", Evidence: Verified, Note: "community rules: every sign-in rule"},
	{Type: AzureADSignIn, UDM: "metadata.event_timestamp", From: []string{"time"}, Derive: Timestamp, Evidence: Inferred, Note: "the export's record time; a record without one is skipped (\"no event time\")"},
	{Type: AzureADSignIn, UDM: "metadata.product_log_id", From: []string{"properties.id"}, Evidence: Inferred, Note: "the sign-in's id"},
	{Type: AzureADSignIn, UDM: "metadata.product_deployment_id", From: []string{"tenantId", "properties.tenantId"}, Evidence: Inferred, Note: "the tenant, as AZURE_AD_AUDIT maps AADTenantId"},
	{Type: AzureADSignIn, UDM: "target.user.userid", From: []string{"properties.userPrincipalName", "properties.servicePrincipalName"}, Evidence: Verified, Note: "AZURE_AD changelog 2024-05-13 (userPrincipalName); the service principal's name for service-principal and managed-identity sign-ins is our inference"},
	{Type: AzureADSignIn, UDM: "target.user.user_display_name", From: []string{"properties.userDisplayName"}, Evidence: Inferred},
	{Type: AzureADSignIn, UDM: "target.user.product_object_id", From: []string{"properties.userId", "properties.servicePrincipalId"}, Evidence: Inferred},
	{Type: AzureADSignIn, UDM: "target.application", From: []string{"properties.appDisplayName"}, Evidence: Verified, Note: `community rules: "Azure Active Directory PowerShell" is an appDisplayName`},
	{Type: AzureADSignIn, UDM: `target.resource.attribute.labels["App Id"]`, From: []string{"properties.appId"}, Evidence: Verified, Note: noteRule + noteName},
	{Type: AzureADSignIn, UDM: "target.resource.name", From: []string{"properties.resourceDisplayName"}, Evidence: Inferred, Note: "the resource signed in to (Microsoft Graph, Azure Resource Manager...)"},
	{Type: AzureADSignIn, UDM: "principal.ip", From: []string{"properties.ipAddress", "callerIpAddress"}, Derive: IPOnly, Evidence: Verified, Note: noteRule + noteName},
	{Type: AzureADSignIn, UDM: "principal.location.city", From: []string{"properties.location.city"}, Evidence: Verified, Note: noteRule + noteName},
	{Type: AzureADSignIn, UDM: "principal.location.state", From: []string{"properties.location.state"}, Evidence: Verified, Note: noteRule + noteName},
	{Type: AzureADSignIn, UDM: "principal.location.country_or_region", From: []string{"properties.location.countryOrRegion"}, Evidence: Verified, Note: noteRule + noteName},
	{Type: AzureADSignIn, UDM: "principal.application", From: []string{"properties.clientAppUsed"}, Evidence: Inferred, Note: "the client app (Browser, IMAP4, Exchange ActiveSync...), which tells legacy authentication"},
	{Type: AzureADSignIn, UDM: "network.http.user_agent", From: []string{"properties.userAgent"}, Evidence: Verified, Note: "AZURE_AD changelog 2024-05-10"},
	{Type: AzureADSignIn, UDM: "network.session_id", From: []string{"properties.sessionId"}, Evidence: Verified, Note: "AZURE_AD changelog 2025-08-24"},
	{Type: AzureADSignIn, UDM: "security_result.action", From: []string{"resultType", "properties.status.errorCode"}, Derive: SignInAction, Evidence: Inferred, Note: "community rules compare ALLOW and BLOCK; error code 0 is success (Microsoft's sign-in error codes)"},
	{Type: AzureADSignIn, UDM: "security_result.rule_id", From: []string{"resultType", "properties.status.errorCode"}, Evidence: Verified, Note: "community rules: entra_id_devicecode_phishing_attack compares error codes"},
	{Type: AzureADSignIn, UDM: "security_result.summary", From: []string{"properties.status.failureReason", "resultDescription"}, Evidence: Inferred},
	{Type: AzureADSignIn, UDM: "security_result.severity_details", From: []string{"properties.riskLevelDuringSignIn"}, Evidence: Inferred, Note: "Identity Protection's risk of the sign-in: none, low, medium, high, hidden"},
	{Type: AzureADSignIn, UDM: "security_result.threat_status", From: []string{"properties.riskState"}, Evidence: Inferred, Note: "atRisk, confirmedCompromised, remediated, dismissed, none"},

	// Entra ID directory audit.
	{Type: AzureADAudit, UDM: "metadata.vendor_name", Const: "Microsoft", Evidence: Verified, Note: "community rules: entra_id_secret_added_to_app"},
	{Type: AzureADAudit, UDM: "metadata.product_name", Const: "Azure AD Directory Audit", Evidence: Verified, Note: "community rules: entra_id_*"},
	{Type: AzureADAudit, UDM: "metadata.log_type", Const: "AZURE_AD_AUDIT", Evidence: Verified, Note: "SecOps parser list"},
	{Type: AzureADAudit, UDM: "metadata.product_event_type", From: []string{"operationName", "properties.activityDisplayName"}, Evidence: Verified, Note: `the activity ("Add member to role"), community rules: entra_id_*`},
	{Type: AzureADAudit, UDM: "metadata.event_type", From: []string{"operationName", "properties.activityDisplayName"}, Derive: AuditEventType, Evidence: Verified, Note: "the activities Google's rules name (see derivation); any other activity USER_UNCATEGORIZED (AZURE_AD_AUDIT changelog 2025-11-05)"},
	{Type: AzureADAudit, UDM: "metadata.event_timestamp", From: []string{"time", "properties.activityDateTime"}, Derive: Timestamp, Evidence: Inferred},
	{Type: AzureADAudit, UDM: "metadata.product_log_id", From: []string{"properties.id"}, Evidence: Verified, Note: "AZURE_AD_AUDIT changelog 2025-11-05 (Id)"},
	{Type: AzureADAudit, UDM: "metadata.product_deployment_id", From: []string{"tenantId", "properties.tenantId"}, Evidence: Verified, Note: "AZURE_AD_AUDIT changelog 2025-11-05 (AADTenantId)"},
	{Type: AzureADAudit, UDM: "principal.user.userid", From: []string{"properties.initiatedBy.user.userPrincipalName"}, Evidence: Verified, Note: noteRule + noteName},
	{Type: AzureADAudit, UDM: "principal.user.product_object_id", From: []string{"properties.initiatedBy.user.id", "properties.initiatedBy.app.servicePrincipalId"}, Evidence: Inferred},
	{Type: AzureADAudit, UDM: "principal.application", From: []string{"properties.initiatedBy.app.displayName"}, Evidence: Inferred, Note: "an app acting on its own"},
	{Type: AzureADAudit, UDM: "principal.ip", From: []string{"properties.initiatedBy.user.ipAddress", "callerIpAddress"}, Derive: IPOnly, Evidence: Verified, Note: noteRule + noteName},
	{Type: AzureADAudit, UDM: "target.application", From: []string{"properties.loggedByService"}, Evidence: Inferred, Note: "Core Directory, PIM, Self-service Password Management..."},
	{Type: AzureADAudit, UDM: "target.resource.name", From: []string{"properties.targetResources.[*].displayName"}, Evidence: Verified, Note: "every target; " + noteRule + noteName},
	{Type: AzureADAudit, UDM: "target.resource.product_object_id", From: []string{"properties.targetResources.[*].id"}, Evidence: Verified, Note: noteRule + noteName},
	{Type: AzureADAudit, UDM: "target.user.userid", From: []string{"properties.targetResources.[*].userPrincipalName"}, Evidence: Verified, Note: "the user acted on; " + noteRule + noteName},
	{Type: AzureADAudit, UDM: "security_result.action", From: []string{"properties.result"}, Derive: AzureAction, Evidence: Verified, Note: "community rules: ALLOW; result is success or failure"},
	{Type: AzureADAudit, UDM: "security_result.summary", From: []string{"properties.result"}, Evidence: Inferred, Note: "the result, as for Azure Activity (the hit's result column)"},
	{Type: AzureADAudit, UDM: "security_result.description", From: []string{"properties.resultReason"}, Evidence: Inferred},
	{Type: AzureADAudit, UDM: "security_result.category_details", From: []string{"properties.category"}, Evidence: Verified, Note: "AZURE_AD_AUDIT changelog 2025-11-05 (Category)"},

	// Microsoft Graph activity.
	{Type: GraphActivity, UDM: "metadata.vendor_name", Const: "Microsoft", Evidence: Verified, Note: "MICROSOFT_GRAPH_ACTIVITY_LOGS changelog 2024-05-27"},
	{Type: GraphActivity, UDM: "metadata.product_name", Const: "Microsoft Graph", Evidence: Verified, Note: "MICROSOFT_GRAPH_ACTIVITY_LOGS changelog 2024-05-27"},
	{Type: GraphActivity, UDM: "metadata.log_type", Const: "MICROSOFT_GRAPH_ACTIVITY_LOGS", Evidence: Verified, Note: "SecOps parser list"},
	{Type: GraphActivity, UDM: "metadata.product_event_type", From: []string{"operationName"}, Evidence: Verified, Note: `"Microsoft Graph Activity", community rules: ms_graph_*`},
	{Type: GraphActivity, UDM: "metadata.event_type", Const: "NETWORK_HTTP", Evidence: Verified, Note: "community rules: ms_graph_*"},
	{Type: GraphActivity, UDM: "metadata.event_timestamp", From: []string{"time"}, Derive: Timestamp, Evidence: Inferred},
	{Type: GraphActivity, UDM: "metadata.product_log_id", From: []string{"properties.requestId"}, Evidence: Inferred},
	{Type: GraphActivity, UDM: "metadata.product_deployment_id", From: []string{"tenantId", "properties.tenantId"}, Evidence: Inferred, Note: "the tenant"},
	{Type: GraphActivity, UDM: "target.url", From: []string{"properties.requestUri"}, Evidence: Verified, Note: "MICROSOFT_GRAPH_ACTIVITY_LOGS changelog 2024-10-08"},
	{Type: GraphActivity, UDM: "network.http.method", From: []string{"properties.requestMethod"}, Evidence: Verified, Note: noteRule + noteName},
	{Type: GraphActivity, UDM: "network.http.response_code", From: []string{"properties.responseStatusCode"}, Evidence: Verified, Note: noteRule + noteName},
	{Type: GraphActivity, UDM: "network.http.user_agent", From: []string{"properties.userAgent"}, Evidence: Verified, Note: noteRule + noteName},
	{Type: GraphActivity, UDM: "network.session_id", From: []string{"properties.sessionId", "properties.C_Sid"}, Evidence: Verified, Note: noteRule + noteName},
	{Type: GraphActivity, UDM: "principal.ip", From: []string{"properties.ipAddress"}, Derive: IPOnly, Evidence: Verified, Note: "community rules; callerIpAddress is not mapped (MICROSOFT_GRAPH_ACTIVITY_LOGS changelog 2024-09-05)"},
	{Type: GraphActivity, UDM: "principal.user.product_object_id", From: []string{"properties.userId", "properties.servicePrincipalId"}, Evidence: Verified, Note: "MICROSOFT_GRAPH_ACTIVITY_LOGS changelog 2024-09-05"},
	{Type: GraphActivity, UDM: "principal.resource.product_object_id", From: []string{"properties.appId"}, Evidence: Verified, Note: "MICROSOFT_GRAPH_ACTIVITY_LOGS changelog 2024-09-05"},
	{Type: GraphActivity, UDM: "principal.location.name", From: []string{"properties.location", "location"}, Evidence: Inferred, Note: "the region that served the request"},
}

// tenantDeriveDoc says what the tenant derivations do, for docs/udm.md.
var tenantDeriveDoc = map[Derive]string{
	SignInAction:   "ALLOW for 0, BLOCK for any other error code",
	AuditEventType: "Add application, Restore application→SERVICE_CREATION; Update application…→SERVICE_MODIFICATION; Delete application, Hard Delete application→SETTING_DELETION; Add member to role→USER_CHANGE_PERMISSIONS; Add user→USER_CREATION; Delete group→GROUP_DELETION; else USER_UNCATEGORIZED",
}

func init() {
	Table = append(Table, entraRows...)
	LogTypes = append(LogTypes, AzureADSignIn, AzureADAudit, GraphActivity)
	for d, s := range tenantDeriveDoc {
		deriveDoc[d] = s
	}
}

// tenantName is LogType.String for the tenant logs.
func tenantName(t LogType) string {
	if s, ok := tenantTypeNames[t]; ok {
		return s
	}
	return "UNKNOWN"
}

// deriveAny is derive for every derivation, the tenant logs' included.
func deriveAny(r *Row, vals []string) []string {
	switch r.Derive {
	case SignInAction:
		if len(vals) == 0 || vals[0] == "" {
			return nil
		}
		if vals[0] == "0" {
			return []string{"ALLOW"}
		}
		return []string{"BLOCK"}
	case AuditEventType:
		if len(vals) == 0 {
			return nil
		}
		return []string{auditEventType(vals[0])}
	}
	return derive(r, vals)
}

// auditEventType follows the activities whose event types Google's
// community rules compare (rules/community/microsoft/entra_id).
func auditEventType(activity string) string {
	a := strings.TrimSpace(activity)
	switch {
	case a == "Add application", a == "Restore application":
		return "SERVICE_CREATION"
	case strings.HasPrefix(a, "Update application"):
		return "SERVICE_MODIFICATION"
	case a == "Delete application", a == "Hard Delete application":
		return "SETTING_DELETION"
	case a == "Add member to role":
		return "USER_CHANGE_PERMISSIONS"
	case a == "Add user":
		return "USER_CREATION"
	case a == "Delete group":
		return "GROUP_DELETION"
	}
	return "USER_UNCATEGORIZED"
}

// tenantType is the log type a record laid out as Azure names by its
// top-level "category" (a plain string), or Unknown.
func tenantType(v span) LogType {
	if len(v) == 0 || v[0] != '"' {
		return Unknown
	}
	c, ok := scalar(v)
	if !ok {
		return Unknown
	}
	return TenantLogType(c)
}

// lookupEach resolves a path with an "[*]" segment: the values of the
// rest of the path in each element of the array the part before it
// names, in order. A row uses it where a log holds a list of objects
// (an audit record's targetResources).
func lookupEach(objects map[string]members, path string) ([]string, bool) {
	head, rest, ok := strings.Cut(path, ".[*].")
	if !ok {
		return nil, false
	}
	segs := splitPath(head)
	cur := objects[""]
	for _, seg := range segs[:len(segs)-1] {
		m, ok := object(cur.at(seg))
		if !ok {
			return nil, false
		}
		cur = m
	}
	arr := cur.at(segs[len(segs)-1])
	if len(arr) == 0 || arr[0] != '[' {
		return nil, false
	}
	var out []string
	dec := json.NewDecoder(bytes.NewReader(arr))
	if _, err := dec.Token(); err != nil {
		return nil, false
	}
	for dec.More() {
		var e span
		if dec.Decode(&e) != nil {
			break
		}
		m, ok := object(append(span(nil), e...))
		if !ok {
			continue
		}
		if vals, ok := lookup(map[string]members{"": m}, rest); ok {
			out = append(out, vals...)
		}
	}
	return out, len(out) > 0
}
