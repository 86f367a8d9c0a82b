package structure

import (
	"bytes"
	"math/rand"
	"strconv"
	"strings"
	"testing"
)

// naiveEnd is naive's end of the first value, as StringEnd and ValueEnd
// report it: the index past it, or -1.
func naiveEnd(v []byte) int {
	end, ok := strings.CutPrefix(naive(v, 1<<30), "end ")
	if !ok {
		return -1
	}
	n, _ := strconv.Atoi(strings.Fields(end)[0])
	return n
}

// checkStateless compares StringEnd on the string body v[1:] and ValueEnd
// on v with the one-byte-at-a-time oracles, from offset 0 and from a
// few bytes in (the functions take an index into a larger buffer).
func checkStateless(t *testing.T, v []byte) {
	t.Helper()
	for _, pad := range []int{0, 3} {
		buf := append(bytes.Repeat([]byte{'x'}, pad), v...)
		body := v[1:]
		end, esc := StringEnd(buf, pad+1)
		want := naiveString(body)
		wantEsc := false
		if want >= 0 {
			want += pad + 1
			wantEsc = bytes.IndexByte(body[:want-pad-2], '\\') >= 0
		}
		if end != want || end >= 0 && esc != wantEsc {
			t.Fatalf("StringEnd(%q, %d) = %d %v, one byte at a time %d %v", buf, pad+1, end, esc, want, wantEsc)
		}
		if v[0] != '{' && v[0] != '[' {
			continue
		}
		got, want := ValueEnd(buf, pad), naiveEnd(v)
		if want >= 0 {
			want += pad
		}
		if got != want {
			t.Fatalf("ValueEnd(%q, %d) = %d, one byte at a time %d", buf, pad, got, want)
		}
	}
}

// TestStatelessMatchBytes: StringEnd and ValueEnd, which the fast path's
// key walk calls for every key and value, end strings and values where
// the plain one-byte-at-a-time scanner does, and StringEnd says whether
// the body held a backslash.
func TestStatelessMatchBytes(t *testing.T) {
	for _, v := range []string{
		`""`, `"a"`, `"abcdefg"`, `"abcdefgh"`, `"abcdefghijklmnop"`, `"` + strings.Repeat("y", 100) + `"`,
		`"\""`, `"\\"`, `"\\\"x"`, `"ab\`, `"abc`, `"`, `"` + strings.Repeat("y", 40) + `\"` + strings.Repeat("z", 40) + `"`,
		`{}`, `[]`, `{"a":"}"}`, `[1,[2,{"b":"]\"["}],3]`, `{"a":{"b":{"c":[]}}`, `{"a":"\\"}`, `[` + strings.Repeat(`"x",`, 50) + `{}]`,
		`{"k":"v"}}`, `[}]]`,
	} {
		checkStateless(t, []byte(v))
	}
	rng := rand.New(rand.NewSource(2))
	pieces := []string{`{`, `}`, `[`, `]`, `"`, `\`, `\\`, `\"`, `"a":`, `,`, ` `, `"{[}]"`, strings.Repeat("x", 70), `1`, `"k":"v"`, `\u0041`, "abcdefg"}
	for i := 0; i < 100000; i++ {
		var b strings.Builder
		b.WriteString([]string{`{`, `[`, `"`}[rng.Intn(3)])
		for n := rng.Intn(40); n > 0; n-- {
			b.WriteString(pieces[rng.Intn(len(pieces))])
		}
		checkStateless(t, []byte(b.String()))
	}
}
