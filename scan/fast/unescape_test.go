package fast

import (
	"encoding/json"
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestUnescapeMatchesEncodingJSON compares appendUnescaped with what
// encoding/json decodes, on strings built from escapes, surrogates
// (paired, lone, reversed), multi-byte UTF-8 and plain text.
func TestUnescapeMatchesEncodingJSON(t *testing.T) {
	pieces := []string{`a`, `Z`, ` `, `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`,
		`\u0053`, `\u00e9`, `\u017F`, `\u212a`, `\ud83d\ude00`, `\ud83d`, `\ude00`, `\ude00\ud83d`,
		`\ud83dx`, `\ud83d\u0041`, `é`, `ſ`, `K`, `😀`, `\u0000`, `\uFFFD`}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		b.WriteByte('"')
		for n := rng.Intn(8); n > 0; n-- {
			b.WriteString(pieces[rng.Intn(len(pieces))])
		}
		b.WriteByte('"')
		raw := b.String()
		check(t, raw)
	}
}

func check(t *testing.T, raw string) {
	t.Helper()
	var want string
	if err := json.Unmarshal([]byte(raw), &want); err != nil {
		return
	}
	got := string(appendUnescaped(nil, []byte(raw)))
	if !utf8.ValidString(raw) {
		// encoding/json replaces invalid bytes; appendUnescaped keeps
		// them. Only the valid parts must agree.
		got = coerce(got)
	}
	if got != `"`+want+`"` {
		t.Fatalf("%s: got %q, want %q", raw, got, `"`+want+`"`)
	}
}

// coerce replaces each invalid byte by U+FFFD, as encoding/json does.
func coerce(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(r)
	}
	return b.String()
}

func FuzzUnescape(f *testing.F) {
	f.Add(`"\u0053tart\/x\ud83d\ude00"`)
	f.Fuzz(func(t *testing.T, s string) {
		check(t, `"`+strings.ReplaceAll(s, `"`, `\"`)+`"`)
	})
}
