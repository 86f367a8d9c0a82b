package sources

// PermanentStatus reports whether an HTTP status means retrying the
// request cannot help: the store understood it and refused (3xx
// redirects to another region, 400, 403, 404, 412 …). No answer at all
// (status 0), a timeout (408), throttling (429) and server errors (5xx)
// are worth another try. Backends apply it after their own error codes.
func PermanentStatus(status int) bool {
	switch {
	case status == 0, status == 408, status == 429, status >= 500:
		return false
	}
	return status >= 300
}
