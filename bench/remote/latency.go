// Package remote measures how the S3 and Azure Blob sources behave when
// every request costs a network round trip: a latency-injecting
// transport in front of local servers, a generator of CloudTrail-layout
// objects, and the download and listing measurements that
// bench/cmd/remotebench prints.
package remote

import (
	"net/http"
	"sync/atomic"
	"time"
)

// Latency is an http.RoundTripper that waits Delay before each request,
// as a client far from its store waits for a round trip. Loopback servers
// answer in a millisecond or two, which hides the cost of sequential
// requests; 20–50 ms is typical for a scanner outside the bucket's region.
type Latency struct {
	Next  http.RoundTripper
	Delay time.Duration

	requests atomic.Int64
}

// RoundTrip implements http.RoundTripper.
func (l *Latency) RoundTrip(req *http.Request) (*http.Response, error) {
	l.requests.Add(1)
	t := time.NewTimer(l.Delay)
	select {
	case <-t.C:
	case <-req.Context().Done():
		t.Stop()
		return nil, req.Context().Err()
	}
	return l.Next.RoundTrip(req)
}

// Requests returns the number of requests sent so far.
func (l *Latency) Requests() int64 { return l.requests.Load() }

// NewClient returns an HTTP client whose requests each wait delay, with
// an idle pool sized for conns requests in flight.
func NewClient(delay time.Duration, conns int) (*http.Client, *Latency) {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 2 * conns
	t.MaxIdleConnsPerHost = conns
	l := &Latency{Next: t, Delay: delay}
	return &http.Client{Transport: l}, l
}
