//go:build !amd64 || purego

package structure

// blocks is the block scanner of scanner_amd64.go; without it every
// byte takes the slow path.
func (s *Scanner) blocks(buf []byte, i int) (end, next int) { return -1, i }
