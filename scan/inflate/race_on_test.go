//go:build race

package inflate

// raceEnabled: the large differential tests (TestDifferentialBitFlips,
// TestFastLoopBMI2MatchesGo) run their -short size under -race. They
// run on one goroutine, so the detector has nothing to find in them,
// and its instrumentation of the Go reference loop made them 170 s of
// CI's race pass; the full size runs in the ordinary pass.
const raceEnabled = true
