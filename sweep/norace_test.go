//go:build !race

package sweep_test

const killStep = 1
