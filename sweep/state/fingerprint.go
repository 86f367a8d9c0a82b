package state

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"sort"
)

// Fingerprint identifies a rule set: "sha256:" and the hex SHA-256 of
// each rule's name and text, in name order, each length-prefixed so no
// two sets collide by shifting bytes between entries. Add an entry for
// anything else that changes what a scan finds (e.g. "engine" → a
// version string) to have such a change rescan everything.
func Fingerprint(rules map[string][]byte) string {
	names := make([]string, 0, len(rules))
	for n := range rules {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	var n [8]byte
	for _, name := range names {
		for _, b := range [][]byte{[]byte(name), rules[name]} {
			binary.BigEndian.PutUint64(n[:], uint64(len(b)))
			h.Write(n[:])
			h.Write(b)
		}
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
