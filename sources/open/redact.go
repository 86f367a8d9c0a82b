package open

import "github.com/retrohunt/retrohunt/sources/azblob"

// Redact removes SAS tokens, presigned-URL signatures, account keys and
// Authorization values from URL-ish text. The CLI passes every message
// through it.
func Redact(s string) string { return azblob.Redact(s) }
