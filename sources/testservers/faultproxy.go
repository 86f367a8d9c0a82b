package testservers

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fault is what the proxy does to an object download.
type Fault int

const (
	FaultNone     Fault = iota
	FaultSlowDown       // 503 SlowDown / ServerBusy: the store throttles
	FaultInternal       // 500
	FaultTooMany        // 429
	FaultReset          // headers and half the body, then the connection dies
	FaultTruncate       // the full Content-Length announced, half the body sent
)

func (f Fault) String() string {
	return [...]string{"none", "503", "500", "429", "reset", "truncate"}[f]
}

// FaultPolicy says which object downloads fail and how. Listings are
// never touched, so every test starts from the same object list.
type FaultPolicy struct {
	Fault Fault
	// Times is how many downloads of each object fail before one goes
	// through; 0 means every download fails (a permanent fault).
	Times int
	// Match picks the object keys the fault applies to (nil: all).
	Match func(key string) bool
	// Latency is added before every request, listings included.
	Latency time.Duration
	// ObjectLatency is added before object downloads only.
	ObjectLatency time.Duration
}

// FaultProxy is a loopback reverse proxy in front of versitygw or Azurite
// that injects faults into object downloads.
type FaultProxy struct {
	URL string // "http://127.0.0.1:PORT", plus the path of the target's URL

	target *url.URL
	policy FaultPolicy
	srv    *http.Server

	mu       sync.Mutex
	attempts map[string]int
	injected int

	held     chan struct{} // closed when ObjectLatency first holds a download
	heldOnce sync.Once
}

// StartFaultProxy proxies to target (an S3 endpoint or an Azurite service
// URL) until t ends.
func StartFaultProxy(t testing.TB, target string, p FaultPolicy) *FaultProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fp := &FaultProxy{target: u, policy: p, attempts: map[string]int{}, held: make(chan struct{})}
	rp := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(&url.URL{Scheme: u.Scheme, Host: u.Host})
		// SigV4 signs the Host the client used: keep it.
		r.Out.Host = r.In.Host
	}, Transport: shortIdle()}
	fp.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fp.serve(w, r, rp)
	})}
	go fp.srv.Serve(ln)
	t.Cleanup(func() { fp.srv.Close() })
	fp.URL = "http://" + ln.Addr().String() + strings.TrimSuffix(u.Path, "/")
	return fp
}

// Injected is the number of faults injected so far.
func (fp *FaultProxy) Injected() int {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	return fp.injected
}

// Attempts returns how many downloads of each key the fault applied to
// reached the proxy, the one that finally went through included.
func (fp *FaultProxy) Attempts() map[string]int {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	out := make(map[string]int, len(fp.attempts))
	for k, n := range fp.attempts {
		out[k] = n
	}
	return out
}

// Holding is closed once ObjectLatency holds a first object download: a
// client is then in the middle of its downloads.
func (fp *FaultProxy) Holding() <-chan struct{} { return fp.held }

func (fp *FaultProxy) serve(w http.ResponseWriter, r *http.Request, rp *httputil.ReverseProxy) {
	if fp.policy.Latency > 0 {
		time.Sleep(fp.policy.Latency)
	}
	if fp.policy.ObjectLatency > 0 && fp.isObjectGet(r) {
		fp.heldOnce.Do(func() { close(fp.held) })
		select {
		case <-time.After(fp.policy.ObjectLatency):
		case <-r.Context().Done():
			return
		}
	}
	f := fp.decide(r)
	switch f {
	case FaultNone:
		rp.ServeHTTP(w, r)
	case FaultSlowDown:
		http.Error(w, "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>", http.StatusServiceUnavailable)
	case FaultInternal:
		http.Error(w, "<Error><Code>InternalError</Code><Message>injected</Message></Error>", http.StatusInternalServerError)
	case FaultTooMany:
		http.Error(w, "<Error><Code>TooManyRequests</Code><Message>injected</Message></Error>", http.StatusTooManyRequests)
	case FaultReset, FaultTruncate:
		rec := &recorder{header: http.Header{}}
		rp.ServeHTTP(rec, r)
		body := rec.body.Bytes()
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.status)
		w.Write(body[:len(body)/2])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		if f == FaultReset {
			panic(http.ErrAbortHandler) // the server drops the connection
		}
		// FaultTruncate: returning short of Content-Length makes the
		// server close the connection after what was written.
	}
}

// decide picks the fault for one request: only object GETs are faulted,
// each key Times times (or always).
func (fp *FaultProxy) decide(r *http.Request) Fault {
	if fp.policy.Fault == FaultNone || !fp.isObjectGet(r) {
		return FaultNone
	}
	key := objectKey(r.URL.Path, fp.target.Path)
	if fp.policy.Match != nil && !fp.policy.Match(key) {
		return FaultNone
	}
	fp.mu.Lock()
	defer fp.mu.Unlock()
	fp.attempts[key]++
	if fp.policy.Times > 0 && fp.attempts[key] > fp.policy.Times {
		return FaultNone
	}
	fp.injected++
	return fp.policy.Fault
}

// isObjectGet tells an object download from a listing.
func (fp *FaultProxy) isObjectGet(r *http.Request) bool {
	if r.Method != http.MethodGet {
		return false
	}
	q := r.URL.Query()
	if q.Has("list-type") || q.Get("comp") == "list" || q.Has("restype") || q.Has("delimiter") || q.Has("prefix") {
		return false
	}
	return objectKey(r.URL.Path, fp.target.Path) != ""
}

// objectKey strips "/[account/]bucket-or-container/" from a request path.
func objectKey(path, base string) string {
	p := strings.TrimPrefix(path, strings.TrimSuffix(base, "/"))
	p = strings.TrimPrefix(p, "/")
	_, key, ok := strings.Cut(p, "/")
	if !ok {
		return ""
	}
	if k, err := url.PathUnescape(key); err == nil {
		key = k
	}
	return key
}

// recorder buffers a proxied response so a fault can cut it.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(p)
}

var _ io.Writer = (*recorder)(nil)
