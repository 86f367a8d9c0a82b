//go:build !race

package state_test

const killStep = 1
