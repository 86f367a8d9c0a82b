//go:build !amd64 || purego

package fast

// Without the AVX2 kernel, the Aho-Corasick automaton is faster than the
// Teddy lookup done one position at a time.
func newMatcher(lits []Literal) matcher { return newACMatcher(lits) }

func teddyAvailable() bool { return false }

func teddyWideAvailable() bool { return false }

func teddyBatchAvailable() bool { return false }

func teddyScanNibble(m *teddyMasks, p []byte, start int) (int, uint32) {
	return teddyScanGeneric(m, p, start)
}

func teddyBatch(m *teddyMasks, p []byte, start int, out []teddyHit) (count, next int) {
	return teddyBatchGeneric(m, p, start, out)
}

func teddyScan(m *teddyMasks, p []byte, start int) (int, uint32) {
	return teddyScanGeneric(m, p, start)
}
