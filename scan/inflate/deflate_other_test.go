//go:build !amd64 || purego

package inflate

import "testing"

// checkFastLoops does nothing here: there is only the Go fast loop.
func checkFastLoops(testing.TB) {}
