package sources

import (
	"errors"
	"net"
	"syscall"
)

// IsUnreachable reports whether err says the store gave no answer at all:
// the connection was refused, the host is unknown or has no route, or
// dialling timed out. Such an error is not about one object: when every
// request ends this way the store is gone (a dead endpoint, a stopped
// emulator, a network cut), and trying each remaining object in turn
// only waits out every retry. An error the store answered (a status
// code), a body that broke off, or a cancelled context is not one.
// The SDKs keep the network error in their chains (errors.As), which
// TestIsUnreachableThroughSDKs checks against a closed port.
func IsUnreachable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) {
		return true
	}
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}
