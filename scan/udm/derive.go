package udm

import (
	"strconv"
	"strings"
)

// derive turns the raw values of a row into UDM values.
func derive(r *Row, vals []string) []string {
	switch r.Derive {
	case Copy:
		return vals
	case IPOnly, HostOnly:
		var out []string
		for _, v := range vals {
			for _, a := range addressList(v) {
				if LooksLikeIP(a) == (r.Derive == IPOnly) {
					out = append(out, a)
				}
			}
		}
		return out
	case InstanceIDs:
		var out []string
		for _, v := range vals {
			if looksLikeInstanceID(v) {
				out = append(out, v)
			}
		}
		return out
	case EmailOnly:
		var out []string
		for _, v := range vals {
			if i := strings.IndexByte(v, '@'); i > 0 && i < len(v)-1 {
				out = append(out, v)
			}
		}
		return out
	case AWSEventType:
		if len(vals) == 0 {
			return nil
		}
		return []string{awsEventType(vals[0])}
	case AzureEventType:
		if len(vals) == 0 {
			return nil
		}
		return []string{azureEventType(vals[0])}
	case ActionFromErr:
		if len(vals) == 0 {
			return nil
		}
		return []string{awsAction(vals[0])}
	case ConsoleSummary:
		if len(vals) == 0 {
			return nil
		}
		switch strings.ToLower(vals[0]) {
		case "success":
			return []string{"Login to AWS Console succeeded."}
		case "failure":
			return []string{"Login to AWS Console failed."}
		}
		return nil
	case Prefix:
		out := make([]string, len(vals))
		for i, v := range vals {
			out[i] = r.Const + v
		}
		return out
	case AzureAction:
		if len(vals) == 0 {
			return nil
		}
		switch ResultOf(vals[0]) {
		case "success":
			return []string{"ALLOW"}
		case "failure":
			return []string{"BLOCK"}
		}
		return []string{"UNKNOWN_ACTION"}
	case Timestamp, UnixSeconds, UnixNanos:
		if len(vals) != 1 {
			return nil
		}
		t, ok := ParseTime(vals[0])
		if !ok {
			return nil
		}
		switch r.Derive {
		case UnixSeconds:
			return []string{strconv.FormatInt(t.Unix(), 10)}
		case UnixNanos:
			return []string{strconv.Itoa(t.Nanosecond())}
		}
		return []string{FormatTime(t)}
	case Subscription:
		for _, v := range vals {
			if s := SubscriptionOf(v); s != "" {
				return []string{s}
			}
			if !strings.Contains(v, "/") {
				return []string{v} // a bare subscription id (the REST shape's subscriptionId)
			}
		}
		return nil
	}
	panic("BUG: unknown derivation")
}

// addressList splits a sourceIPAddress that lists several addresses
// ("81.2.69.142, 192.168.10.10": a request forwarded through a proxy)
// into its members, each trimmed of spaces. A value without a comma is
// itself, so service names and "AWS Internal" stay whole.
func addressList(v string) []string {
	if !strings.Contains(v, ",") {
		if v == "" {
			return nil
		}
		return []string{v}
	}
	var out []string
	for _, a := range strings.Split(v, ",") {
		if a = strings.Trim(a, " "); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// looksLikeInstanceID reports whether v names an EC2 instance ("i-" and
// 8 or 17 hex digits) or an SSM managed instance ("mi-" and 17): the
// values of SendCommand's targets with Key=InstanceIds, not the values
// of a tag target.
func looksLikeInstanceID(v string) bool {
	var hex string
	switch {
	case strings.HasPrefix(v, "i-"):
		hex = v[2:]
	case strings.HasPrefix(v, "mi-"):
		hex = v[3:]
	default:
		return false
	}
	if len(hex) != 8 && len(hex) != 17 {
		return false
	}
	for i := 0; i < len(hex); i++ {
		if c := hex[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// awsAction is security_result.action from an errorCode or from a
// ConsoleLogin's responseElements.ConsoleLogin. Any errorCode is a
// failure except one that is an HTTP 2xx status: CloudTrail writes
// errorCode only when the service returned an error (the userguide's
// record contents), yet some services' records carry "200" there for a
// call that succeeded.
func awsAction(v string) string {
	switch {
	case strings.EqualFold(v, "Success"):
		return "ALLOW"
	case strings.EqualFold(v, "Failure"):
		return "BLOCK"
	case v == "" || isHTTPSuccess(v):
		return "ALLOW"
	}
	return "BLOCK"
}

func isHTTPSuccess(v string) bool {
	return len(v) == 3 && v[0] == '2' && v[1] >= '0' && v[1] <= '9' && v[2] >= '0' && v[2] <= '9'
}

// awsEventTypes are rows of Google's CloudTrail field map (the "Event
// Identifier to Event Type" table of the AWS_CLOUDTRAIL field mapping
// reference) whose type the prefix rules below would not give.
var awsEventTypes = map[string]string{
	"ConsoleLogin":                   "USER_LOGIN",
	"AttachInstances":                "RESOURCE_PERMISSIONS_CHANGE",
	"AttachLoadBalancerTargetGroups": "RESOURCE_PERMISSIONS_CHANGE",
	"CompleteLifecycleAction":        "STATUS_UPDATE",
	"DeregisterScalableTarget":       "RESOURCE_DELETION",
}

// awsEventType follows the rows of Google's CloudTrail field map that we
// could verify, and calls every other named call USER_RESOURCE_ACCESS.
func awsEventType(name string) string {
	if t, ok := awsEventTypes[name]; ok {
		return t
	}
	switch {
	case name == "":
		return ""
	case strings.HasPrefix(name, "Get"), strings.HasPrefix(name, "Describe"), strings.HasPrefix(name, "List"):
		return "RESOURCE_READ"
	case strings.HasPrefix(name, "Create"):
		return "RESOURCE_CREATION"
	case strings.HasPrefix(name, "Delete"):
		return "RESOURCE_DELETION"
	}
	return "USER_RESOURCE_ACCESS"
}

func azureEventType(op string) string {
	i := strings.LastIndexByte(op, '/')
	switch strings.ToUpper(op[i+1:]) {
	case "ACTION":
		return "USER_RESOURCE_ACCESS"
	case "WRITE":
		return "RESOURCE_WRITTEN"
	case "DELETE":
		return "RESOURCE_DELETION"
	case "READ":
		return "RESOURCE_READ"
	}
	return "GENERIC_EVENT"
}

// ResultOf classifies an Azure resultType (also status.value and
// Datadog's evt.outcome) as "success", "failure", "pending" or "" (no
// outcome). Azure writes Start/Accept records of an operation before its
// final one: those are pending. The statuses of health and alert events
// (Active, Resolved, Updated, In Progress) and a missing resultType say
// nothing about an operation's outcome: "".
func ResultOf(azureResult string) string {
	switch strings.ToLower(azureResult) {
	case "success", "succeeded":
		return "success"
	case "failure", "failed", "canceled", "cancelled":
		return "failure"
	case "start", "started", "accept", "accepted":
		return "pending"
	}
	return ""
}

// SubscriptionOf returns the subscription id in an ARM resource id
// ("/SUBSCRIPTIONS/<id>/..."), in any casing, or "".
func SubscriptionOf(resourceID string) string {
	const p = "/subscriptions/"
	if len(resourceID) < len(p) || !strings.EqualFold(resourceID[:len(p)], p) {
		return ""
	}
	rest := resourceID[len(p):]
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// LooksLikeIP is a loose check: real archives hold anonymised addresses
// with leading zeros ("253.252.51.07") that strict parsers reject, and
// service names ("events.amazonaws.com") where an address would be.
func LooksLikeIP(s string) bool {
	if s == "" {
		return false
	}
	digits, dots, colons := 0, 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			dots++
		case c == ':':
			colons++
		case c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
			if colons == 0 && dots > 0 {
				return false
			}
		case c == '%' && colons > 0: // IPv6 zone
			return true
		default:
			return false
		}
	}
	if colons >= 2 {
		return true
	}
	return colons == 0 && dots == 3 && digits >= 4
}
