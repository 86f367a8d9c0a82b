//go:build unix

package scan

import "syscall"

// descriptorLimit returns the soft limit on open files (RLIMIT_NOFILE),
// which the Go runtime has already raised to the hard limit at start.
func descriptorLimit() (uint64, bool) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, false
	}
	return uint64(lim.Cur), true
}
