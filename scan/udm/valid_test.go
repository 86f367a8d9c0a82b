package udm

import (
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// validCases are inputs where JSON's grammar has corners: numbers,
// escapes, control bytes, literals, white space, nesting at and past
// encoding/json's depth limit.
var validCases = []string{
	``, ` `, `{}`, `[]`, `""`, `0`, `-0`, `01`, `-`, `1.`, `.1`, `1.5e`, `1.5e+`, `1.5e+3`, `1E-2`, `-12.50E7`,
	`1e1000`, `+1`, `0x1`, `true`, `tru`, `truex`, `false`, `null`, `nul`, `NaN`,
	`"\u00e9"`, `"\u00g9"`, `"\ud83d\ude00"`, `"\ud83d"`, `"\x"`, `"\/"`, `"\b\f\n\r\t\"\\"`, "\"a\tb\"", "\"a\x7fb\"",
	"\"\xff\xfe\"", `"unterminated`, `"a\"`, `{"a":1,}`, `[1,]`, `[,1]`, `{"a" 1}`, `{"a":}`, `{,}`, `{1:2}`,
	`{"a":1}x`, ` {"a" : [ 1 , 2 ] } `, "\t\r\n[\n]\n", `[1 2]`, `{"a":1 "b":2}`, `[[[]]]`, `[[[]]`, `]`, `}`,
	"\x00", `{"a":"b"}{}`, `"a" "b"`, `[true,false,null]`, `[TRUE]`,
}

func deep(n int, open, close string) string {
	return strings.Repeat(open, n) + strings.Repeat(close, n)
}

// TestValidMatchesEncodingJSON: valid says what json.Valid says, on the
// corner cases, the samples, nesting at 10,000 and 10,001 levels, and
// every sample cut and with bytes changed at random.
func TestValidMatchesEncodingJSON(t *testing.T) {
	cases := append([]string(nil), validCases...)
	cases = append(cases, deep(10000, "[", "]"), deep(10001, "[", "]"), deep(10000, `{"a":`, "}"), deep(10001, `{"a":`, "}"))
	files, _ := filepath.Glob("../../testdata/samples/*.json")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		cases = append(cases, string(b))
	}
	rng := rand.New(rand.NewSource(1))
	const alphabet = " \t\n\r\"\\{}[],:-+.0123456789eEtrufalsn/u\x00\x1f\x7f\xff"
	for _, p := range files {
		b, _ := os.ReadFile(p)
		for range 300 {
			m := []byte(string(b))
			for range 1 + rng.Intn(3) {
				if len(m) == 0 {
					break
				}
				i := rng.Intn(len(m))
				switch rng.Intn(3) {
				case 0:
					m[i] = alphabet[rng.Intn(len(alphabet))]
				case 1:
					m = append(m[:i], m[i+1:]...)
				default:
					m = m[:i]
				}
			}
			cases = append(cases, string(m))
		}
	}
	for _, c := range cases {
		if got, want := valid([]byte(c)), json.Valid([]byte(c)); got != want {
			t.Errorf("valid(%.80q) = %v, json.Valid %v", c, got, want)
		}
	}
}

// FuzzValid: valid is json.Valid on any bytes.
func FuzzValid(f *testing.F) {
	for _, c := range validCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := valid(b), json.Valid(b); got != want {
			t.Fatalf("valid(%q) = %v, json.Valid %v", b, got, want)
		}
	})
}
