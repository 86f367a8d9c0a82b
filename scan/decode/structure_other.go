//go:build !amd64 || purego

package decode

// blocks is the block scanner of structure_amd64.go; without it every
// byte takes the slow path.
func (s *structure) blocks(buf []byte, i int) (end, next int) { return -1, i }
