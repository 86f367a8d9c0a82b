package sources

import (
	"regexp"
	"strings"
)

var (
	// A URL and, separately, its query string.
	urlQuery = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]*://[^\s"'<>?]*\?[^\s"'<>]*`)
	// Query parameters that are credentials wherever they appear: SAS
	// signatures, presigned S3 URLs.
	secretParam = regexp.MustCompile(`(?i)\b(sig|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|AWSAccessKeyId|Signature)=[^&;\s"'<>]+`)
	// Connection-string fields; a SAS inside one runs to the next ";".
	secretField = regexp.MustCompile(`(?i)\b(AccountKey|SharedAccessSignature|SharedAccessKey)=[^;\s"'<>]+`)
	// The userinfo of a URL (http://user:password@host): the whole of
	// it, since a user name can be an access key id.
	userinfo = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://)[^/\s"'<>@?#]+@`)
	// Authorization header values.
	authHeader = regexp.MustCompile(`(?i)\b(SharedKey(?:Lite)?\s+[^:\s]+:|Bearer\s+)[A-Za-z0-9._~+/=-]+`)
)

// Redacted replaces credentials in text.
const Redacted = "REDACTED"

// Redact removes credentials from URL-ish text: the query string of every
// URL (where SAS tokens and presigned signatures live), the userinfo of
// every URL (user:password@), sig=, AccountKey=
// and similar pairs anywhere, and Authorization header values. The SDKs
// embed request URLs in their errors, so every message that may hold one
// goes through here before it is shown or logged.
func Redact(s string) string {
	if !strings.ContainsAny(s, "=:") {
		return s // Fast path: nothing that could hold a secret.
	}
	s = userinfo.ReplaceAllString(s, "${1}"+Redacted+"@")
	s = urlQuery.ReplaceAllStringFunc(s, func(u string) string {
		return u[:strings.IndexByte(u, '?')] + "?" + Redacted
	})
	s = secretField.ReplaceAllString(s, "${1}="+Redacted)
	s = secretParam.ReplaceAllString(s, "${1}="+Redacted)
	return authHeader.ReplaceAllString(s, "${1}"+Redacted)
}
