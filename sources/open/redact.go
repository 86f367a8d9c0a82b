package open

import "github.com/retrohunt/retrohunt/sources"

// Redact removes SAS tokens, presigned-URL signatures, account keys and
// Authorization values from URL-ish text. The CLI passes every message
// through it; the rules are sources.Redact's, which the backends apply to
// their own errors.
func Redact(s string) string { return sources.Redact(s) }
