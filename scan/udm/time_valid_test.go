package udm

import (
	"fmt"
	"math/rand"
	"testing"
)

// checkIsTime compares IsTimeBytes with ParseTimeBytes, the parser whose
// verdict it gives without building the time.
func checkIsTime(t *testing.T, s string) {
	t.Helper()
	_, want := ParseTimeBytes([]byte(s))
	if got := IsTimeBytes([]byte(s)); got != want {
		t.Fatalf("IsTimeBytes(%q) = %v, ParseTimeBytes says %v", s, got, want)
	}
}

// TestIsTimeBytesMatchesParseTime: IsTimeBytes, which the fast path asks
// of every record's time, says what ParseTimeBytes says: on every day of
// months 0 to 13 of years around the leap-year rules, at the edges of
// each clock field, with fractions of 0 to 10 digits and every zone
// form, and on those strings with bytes replaced or cut.
func TestIsTimeBytesMatchesParseTime(t *testing.T) {
	var cases []string
	for _, y := range []int{0, 1, 4, 100, 400, 1900, 1996, 2000, 2023, 2024, 2100, 9999} {
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				cases = append(cases, fmt.Sprintf("%04d-%02d-%02dT12:30:45Z", y, m, d))
			}
		}
	}
	for _, hms := range []string{"00:00:00", "23:59:59", "24:00:00", "23:60:00", "23:59:60", "99:99:99", "0a:00:00", "00:0:000"} {
		for _, sep := range []string{"T", "t", " ", "_", "TT"} {
			cases = append(cases, "2024-02-29"+sep+hms+"Z")
		}
	}
	fracs := []string{"", ".", ".1", ".12", ".123", ".1234567", ".12345678", ".123456789", ".1234567890", ".12a", "..1"}
	zones := []string{"", "Z", "z", "ZZ", "+00:00", "-00:00", "+23:59", "-23:59", "+24:00", "+23:60", "+1:00", "+0100", "+01:000", "+01-00", "UTC", " Z", "Z "}
	for _, f := range fracs {
		for _, z := range zones {
			cases = append(cases, "2019-01-14T19:31:53"+f+z, "2025-01-13 19:58:59"+f+z)
		}
	}
	cases = append(cases, "", "redacted", "null", "0", "1700000000", "2024-1-01T00:00:00Z", "+024-01-01T00:00:00Z", "2024/01/01 00:00:00", "2024-01-01")
	for _, c := range cases {
		checkIsTime(t, c)
	}
	rng := rand.New(rand.NewSource(12))
	alphabet := "0123456789-:.TtZz +\x00\xff/9"
	for k := 0; k < 200000; k++ {
		b := []byte(cases[rng.Intn(len(cases))])
		for n := rng.Intn(3); n > 0 && len(b) > 0; n-- {
			b[rng.Intn(len(b))] = alphabet[rng.Intn(len(alphabet))]
		}
		if rng.Intn(4) == 0 && len(b) > 0 {
			b = b[:rng.Intn(len(b))]
		}
		checkIsTime(t, string(b))
	}
}

func FuzzIsTimeBytes(f *testing.F) {
	for _, s := range []string{"2024-08-01T12:19:17Z", "2019-01-14T19:31:53.6431339Z", "2025-01-13 19:58:59.000000000", "2024-01-01T01:30:00+01:30", "2024-02-30T00:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkIsTime(t, s) })
}
