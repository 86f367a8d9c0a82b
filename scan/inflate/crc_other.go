//go:build !amd64 || purego

package inflate

import "hash/crc32"

// checksum is crc32.ChecksumIEEE(p); folded is not used.
func checksum(p []byte, folded *[256]byte) uint32 { return crc32.ChecksumIEEE(p) }
