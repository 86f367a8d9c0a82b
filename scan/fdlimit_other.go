//go:build !unix

package scan

// descriptorLimit: no limit to fit on this system.
func descriptorLimit() (uint64, bool) { return 0, false }
