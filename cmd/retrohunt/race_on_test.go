//go:build race

package main

// raceEnabled thins the slowest protocol tests under the race detector,
// which slows every Parquet file and every child process tenfold: the
// detector looks at the goroutines of one run, which the number of
// days or kill points does not change; the full tests run without it.
const raceEnabled = true
