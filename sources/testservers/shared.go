package testservers

import (
	"os"
	"sync"
	"testing"
)

// One server of each kind per test binary keeps the suite fast: starting
// Azurite costs about a second. Tests isolate themselves by using their
// own bucket or container.
var shared struct {
	mu    sync.Mutex
	s3    *S3Server
	azure *AzureServer
}

// Main runs the package's tests and then stops the shared servers. Use
// it from TestMain when the package calls SharedS3 or SharedAzurite.
func Main(m *testing.M) {
	code := m.Run()
	shared.mu.Lock()
	if shared.s3 != nil {
		shared.s3.stop()
	}
	if shared.azure != nil {
		shared.azure.stop()
	}
	shared.mu.Unlock()
	os.Exit(code)
}

// SharedS3 returns the test binary's versitygw, starting it on first use.
// It lives until Main stops it (or, should the binary die, until the
// kernel kills it with the parent).
func SharedS3(t testing.TB) *S3Server {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.s3 == nil {
		srv, err := startS3(t)
		if err != nil {
			t.Fatal(err)
		}
		shared.s3 = srv
	}
	return shared.s3
}

// SharedAzurite returns the test binary's Azurite, starting it on first
// use; see SharedS3.
func SharedAzurite(t testing.TB) *AzureServer {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.azure == nil {
		srv, err := startAzurite(t)
		if err != nil {
			t.Fatal(err)
		}
		shared.azure = srv
	}
	return shared.azure
}
