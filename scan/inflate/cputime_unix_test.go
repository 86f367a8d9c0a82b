//go:build unix

package inflate

import (
	"syscall"
	"time"
)

// cpuTime is the process's user+system CPU time: on a shared machine
// it counts the work done where wall time also counts the waiting.
func cpuTime() time.Duration {
	var r syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &r) != nil {
		return 0
	}
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}
