package sources

import "testing"

// The statuses of RFC 9110 and the stores' documented throttling
// answers: a request refused for what it is stays refused; one that got
// no answer, timed out, was throttled or hit a server fault may pass.
func TestPermanentStatus(t *testing.T) {
	f := func(status int, want bool) {
		t.Helper()
		if got := PermanentStatus(status); got != want {
			t.Errorf("PermanentStatus(%d) = %v, want %v", status, got, want)
		}
	}
	f(0, false)   // no response: network failure, timeout
	f(200, false) // not an error status
	f(206, false)
	f(301, true) // S3: the bucket is in another region
	f(304, true)
	f(400, true)
	f(403, true)
	f(404, true)
	f(408, false) // Request Timeout
	f(409, true)
	f(412, true)
	f(429, false) // Too Many Requests
	f(500, false)
	f(503, false) // S3 SlowDown, Azure ServerBusy
	f(504, false)
}
