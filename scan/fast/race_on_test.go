//go:build race

package fast

// raceEnabled: the key walk's randomised differential tests
// (walkMutations) run a tenth of their records under -race. They run
// on one goroutine, so the detector has nothing to find in them, and
// its instrumentation made them 87 s of CI's race pass; the full size
// runs in the ordinary pass.
const raceEnabled = true
