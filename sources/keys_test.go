package sources

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// keySamples are keys of every layout ParseKey knows, spelled as the
// stores spell them (docs/sources.md, "Layouts"), and near misses.
var keySamples = []string{
	"AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/10/111122223333_CloudTrail_us-east-1_20250310T0005Z_q9XAbCdEfGhIjKlM.json.gz",
	"AWSLogs/o-abcdefghij/111122223333/CloudTrail/eu-west-1/2024/02/29/111122223333_CloudTrail_eu-west-1_20240229T2355Z_x.json.gz",
	"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2025/03/11/111122223333_CloudTrail-Digest_us-east-1_management-events_us-east-1_20250311T010016Z.json.gz",
	"AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2025/03/11/111122223333_CloudTrail-Insight_us-east-1_20250311T0037Z_yO3UeSTlyV3ggVaI.json.gz",
	"AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/10/no-time.json.gz",
	"AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/10/",
	"AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/",
	"AWSLogs/111122223333/CloudTrail/us-east-1/",
	"AWSLogs/111122223333/",
	"copy/AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/10/a/b/c.json.gz",
	"insights-activity-logs/resourceId=/SUBSCRIPTIONS/00000000-1111-2222-3333-444444444444/y=2024/m=03/d=01/h=07/m=00/PT1H.json",
	"resourceId=/SUBSCRIPTIONS/s/y=2024/m=02/d=29/h=23/m=00/PT1H.json",
	"resourceId=/SUBSCRIPTIONS/s/y=2024/m=03/d=01/PT1H.json",
	"resourceId=/tenants/t/providers/microsoft.aadiam/y=2024/m=03/d=01/h=10/m=00/PT1H.json",
	"insights-logs-signinlogs/tenantId=72f988bf-86f1-41af-91ab-2d7cd011db47/y=2024/m=03/d=01/h=07/m=00/PT1H.json",
	"resourceId=/SUBSCRIPTIONS/s/RESOURCEGROUPS/rg/PROVIDERS/X/y=2024/m=03/d=01/h=10/m=00/PT1H.json",
	"notes/README.md", "a/.DS_Store", "x", "", "/", "//", "AWSLogs", "AWSLogs/",
}

// mutateKey changes the bytes of a key at random: the dates and names
// the parsers read get signs, spaces, letters, other digits and lost or
// doubled separators.
func mutateKey(rng *rand.Rand, key string) string {
	b := []byte(key)
	alphabet := "0123456789+-_ :TZtz=/.%aM\xff"
	for n := 1 + rng.IntN(3); n > 0 && len(b) > 0; n-- {
		i := rng.IntN(len(b))
		switch rng.IntN(4) {
		case 0:
			b[i] = alphabet[rng.IntN(len(alphabet))]
		case 1:
			b = append(b[:i], b[i+1:]...)
		case 2:
			b = append(b[:i], append([]byte{alphabet[rng.IntN(len(alphabet))]}, b[i:]...)...)
		default:
			if b[i] >= '0' && b[i] <= '9' {
				b[i] = byte('0' + rng.IntN(10))
			}
		}
	}
	return string(b)
}

// TestParseKeyMatchesReference: ParseKey gives the Info the code before
// issue 17's listing work gave (refParseKey, time.Parse for the dates),
// field for field and with == on the times, for the layouts' keys, their
// mutations, every day of the years around the leap rules, every two
// digits of month, day, hour and minute, and keys of many segments.
func TestParseKeyMatchesReference(t *testing.T) {
	check := func(key string) {
		t.Helper()
		if got, want := ParseKey(key), refParseKey(key); got != want {
			t.Errorf("ParseKey(%q) = %+v, reference %+v", key, got, want)
		}
	}
	for _, k := range keySamples {
		check(k)
	}
	for _, y := range []string{"0000", "0001", "1900", "1999", "2000", "2023", "2024", "2100", "2400", "9999", "+202", "-202", " 202", "20 4", "2O24"} {
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				check(fmt.Sprintf("AWSLogs/111122223333/CloudTrail/us-east-1/%s/%02d/%02d/a_%s%02d%02dT0000Z_b.json.gz", y, m, d, y, m, d))
				check(fmt.Sprintf("resourceId=/SUBSCRIPTIONS/s/y=%s/m=%02d/d=%02d/h=00/m=00/PT1H.json", y, m, d))
			}
		}
	}
	for v := 0; v < 100; v++ {
		for _, f := range []string{
			"AWSLogs/111122223333/CloudTrail/r/2024/03/01/a_2024030%dT1200Z_b.json.gz",
			"AWSLogs/111122223333/CloudTrail/r/2024/03/01/a_20240301T%02d00Z_b.json.gz",
			"AWSLogs/111122223333/CloudTrail/r/2024/03/01/a_20240301T12%02dZ_b.json.gz",
			"AWSLogs/111122223333/CloudTrail/r/2024/%02d/01/x.json.gz",
			"AWSLogs/111122223333/CloudTrail/r/2024/02/%02d/x.json.gz",
			"tenantId=t/y=2024/m=02/d=28/h=%02d/m=00/PT1H.json",
		} {
			check(fmt.Sprintf(f, v))
		}
	}
	for _, c := range " +-:TZaz\x00\xff" {
		check("AWSLogs/111122223333/CloudTrail/r/2024/03/01/a_2024030" + string(c) + "T1200Z_b.json.gz")
		check("AWSLogs/111122223333/CloudTrail/r/2024/03/01/a_20240301T" + string(c) + "200Z_b.json.gz")
		check("AWSLogs/111122223333/CloudTrail/r/2024/03/01/a_+0240301T1200Z_b.json.gz")
	}
	check(strings.Repeat("a/", 40) + keySamples[0])
	check(strings.Repeat("/", 40) + keySamples[10])
	rng := rand.New(rand.NewPCG(17, 3))
	for range 20000 {
		check(mutateKey(rng, keySamples[rng.IntN(len(keySamples))]))
	}
}

// TestNotArchiveMatchesReference: notArchive says what the lower-casing
// version said for base names ending in every rune (strings.ToLower maps
// some runes outside ASCII to ASCII letters, and invalid bytes to
// U+FFFD), in ".md" spelled every way, and in mutated keys.
func TestNotArchiveMatchesReference(t *testing.T) {
	check := func(key string) {
		t.Helper()
		if got, want := notArchive(key), refNotArchive(key); got != want {
			t.Errorf("notArchive(%q) = %v, reference %v", key, got, want)
		}
	}
	for r := rune(0); r <= utf8.MaxRune; r++ {
		s := string(r)
		check("a/x." + s + "d")
		check("a/x.m" + s)
		check("a/x" + s + "md")
		check(s + ".md")
		check("a/" + s)
	}
	for c := 0; c < 256; c++ {
		s := string([]byte{byte(c)})
		check("x." + s + "d")
		check("x.m" + s)
		check("x" + s + "md")
		check("x.md" + s)
	}
	for _, k := range []string{".md", "md", "d", "", "/", "a/", ".", "a/.", "x.MD", "x.Md", "x.mD", "a/b.md/c", "README.MD", "a/.hidden.json.gz", "dir.md/x.json.gz"} {
		check(k)
	}
	rng := rand.New(rand.NewPCG(5, 8))
	for range 20000 {
		check(mutateKey(rng, keySamples[rng.IntN(len(keySamples))]))
	}
}

// TestKeyParsingAllocations: classifying a listed key allocates nothing
// (the walk does it once per object).
func TestKeyParsingAllocations(t *testing.T) {
	for _, key := range keySamples[:4] {
		if n := testing.AllocsPerRun(100, func() { _ = ParseKey(key) }); n != 0 {
			t.Errorf("ParseKey(%q): %.0f allocations, want 0", key, n)
		}
		if n := testing.AllocsPerRun(100, func() { _ = notArchive(key) }); n != 0 {
			t.Errorf("notArchive(%q): %.0f allocations, want 0", key, n)
		}
	}
}

// FuzzParseKey compares ParseKey and notArchive with the code before
// issue 17's listing work on any key.
func FuzzParseKey(f *testing.F) {
	for _, k := range keySamples {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if got, want := ParseKey(key), refParseKey(key); got != want {
			t.Errorf("ParseKey(%q) = %+v, reference %+v", key, got, want)
		}
		if got, want := notArchive(key), refNotArchive(key); got != want {
			t.Errorf("notArchive(%q) = %v, reference %v", key, got, want)
		}
	})
}

// TestLastSlashMatchesStdlib: lastSlash is strings.LastIndexByte(s, '/')
// on strings of every length up to 40, with slashes at every place and
// the bytes that differ from '/' in one bit.
func TestLastSlashMatchesStdlib(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 47))
	alphabet := []byte{'/', 'a', 0xaf, 0x2e, 0x0f, 0x3f, 0x6f, 0x2d, 0x27, 0x00, 0xff, 0x7f, 0x80}
	for n := 0; n <= 40; n++ {
		for range 2000 {
			b := make([]byte, n)
			for i := range b {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			}
			if got, want := lastSlash(string(b)), strings.LastIndexByte(string(b), '/'); got != want {
				t.Fatalf("lastSlash(%q) = %d, strings.LastIndexByte: %d", b, got, want)
			}
		}
	}
}
