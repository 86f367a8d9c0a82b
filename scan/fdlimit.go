package scan

import "fmt"

// Descriptors: every connection holds a socket (and, for a local
// archive, an open file), and the process needs some of its own:
// standard streams, the runtime's poller, the output file or the
// lake's part files (up to 16 open), the state file. Without a cap
// that fits, `ulimit -n 64` and the default 64 connections ran out of
// descriptors (EMFILE) half-way through a scan.
const (
	// fdReserve is what is kept for the process besides connections.
	fdReserve = 32
	// fdPerConnection leaves room for a connection being closed while
	// its successor opens, or a socket and a local file at once.
	fdPerConnection = 2
)

// fitConnections returns n, or less when the process's descriptor
// limit cannot serve n connections, with a warning saying so.
func fitConnections(n int, warn func(string)) int {
	limit, ok := descriptorLimit()
	if !ok || limit >= uint64(fdReserve+fdPerConnection*n) {
		return n
	}
	fit := 1
	if limit > fdReserve+fdPerConnection {
		fit = int((limit - fdReserve) / fdPerConnection)
	}
	if warn != nil {
		warn(fmt.Sprintf("--connections %d lowered to %d: the process may open only %d files (ulimit -n); raise the limit for more connections", n, fit, limit))
	}
	return fit
}
