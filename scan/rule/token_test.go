package rule

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestClipKeepsRunes cuts inputs of 1- to 4-byte runes at every length
// around the limit: the result is valid UTF-8 and, without its "...", a
// prefix of the input.
func TestClipKeepsRunes(t *testing.T) {
	for _, r := range []string{"a", "é", "€", "𝄞"} {
		for n := 30; n < 60; n++ {
			in := strings.Repeat("x", n%4) + strings.Repeat(r, n)
			got := clip(in)
			if !utf8.ValidString(got) {
				t.Fatalf("clip(%q) = %q: not valid UTF-8", in, got)
			}
			if !strings.HasPrefix(in, strings.TrimSuffix(got, "...")) {
				t.Fatalf("clip(%q) = %q: not a prefix", in, got)
			}
		}
	}
}
