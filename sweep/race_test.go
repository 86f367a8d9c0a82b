//go:build race

package sweep_test

// killStep thins the kill matrix under the race detector, which slows
// every Parquet file tenfold; the full matrix runs without it.
const killStep = 3
