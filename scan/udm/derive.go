package udm

import "strings"

// derive turns the raw values of a row into UDM values.
func derive(d Derive, vals []string) []string {
	switch d {
	case Copy:
		return vals
	case IPOnly, HostOnly:
		var out []string
		for _, v := range vals {
			if LooksLikeIP(v) == (d == IPOnly) && v != "" {
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
		if len(vals) == 0 || vals[0] == "" {
			return []string{"ALLOW"}
		}
		return []string{"BLOCK"}
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
	case Timestamp:
		if len(vals) != 1 {
			return nil
		}
		t, ok := ParseTime(vals[0])
		if !ok {
			return nil
		}
		return []string{FormatTime(t)}
	case Subscription:
		for _, v := range vals {
			if s := SubscriptionOf(v); s != "" {
				return []string{s}
			}
		}
		return nil
	}
	panic("BUG: unknown derivation")
}

// awsEventType follows the rows of Google's CloudTrail field map that we
// could verify, and calls every other named call USER_RESOURCE_ACCESS.
func awsEventType(name string) string {
	switch {
	case name == "":
		return ""
	case name == "ConsoleLogin":
		return "USER_LOGIN"
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

// ResultOf classifies an AWS errorCode-free outcome or an Azure resultType
// (also status.value and Datadog's evt.outcome) as "success", "failure" or
// "pending": Azure writes Start/Accept records before the final one.
func ResultOf(azureResult string) string {
	switch strings.ToLower(azureResult) {
	case "success", "succeeded":
		return "success"
	case "failure", "failed", "canceled", "cancelled":
		return "failure"
	}
	return "pending"
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
