package decode

import (
	"math/rand"
	"strconv"
	"strings"
	"testing"
)

// scanBoth scans v with the block scanner and with the byte loop alone,
// fed in pieces cut at cuts, and reports both results.
func scanBoth(v []byte, maxDepth int, cuts []int) (fast, slow string) {
	run := func(bytesOnly bool) string {
		s := structure{maxDepth: maxDepth}
		prev := 0
		for _, c := range append(cuts, len(v)) {
			if c <= prev || c > len(v) {
				continue
			}
			var end int
			if bytesOnly {
				end = s.scanBytes(v[:c], prev)
			} else {
				end = s.scan(v[:c], prev)
			}
			if end >= 0 {
				return strings.Join([]string{"end", strconv.Itoa(end), "deep", boolS(s.tooDeep)}, " ")
			}
			prev = c
		}
		return strings.Join([]string{"open", strconv.Itoa(s.depth), boolS(s.inString), boolS(s.escaped), boolS(s.tooDeep)}, " ")
	}
	return run(false), run(true)
}

func boolS(b bool) string {
	if b {
		return "t"
	}
	return "f"
}

func TestStructureBlocksMatchBytes(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	pieces := []string{`{`, `}`, `[`, `]`, `"`, `\`, `\\`, `\"`, `"a":`, `,`, ` `, `"{[}]"`, strings.Repeat("x", 70), `1`, `"k":"v"`, `\u0041`}
	for i := 0; i < 200000; i++ {
		var b strings.Builder
		b.WriteString("{")
		for n := rng.Intn(60); n > 0; n-- {
			b.WriteString(pieces[rng.Intn(len(pieces))])
		}
		v := []byte(b.String())
		var cuts []int
		for n := rng.Intn(4); n > 0; n-- {
			cuts = append(cuts, rng.Intn(len(v)+1))
		}
		sortInts(cuts)
		maxDepth := 1 + rng.Intn(6)
		if fast, slow := scanBoth(v, maxDepth, cuts); fast != slow {
			t.Fatalf("%q cuts %v max %d: blocks %s, bytes %s", v, cuts, maxDepth, fast, slow)
		}
	}
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

func FuzzStructure(f *testing.F) {
	f.Add([]byte(`{"a":"`+strings.Repeat(`x\"`, 40)+`","b":[{"c":"]"}]}`), uint8(3), uint16(70))
	f.Fuzz(func(t *testing.T, v []byte, maxDepth uint8, cut uint16) {
		v = append([]byte{'{'}, v...)
		if fast, slow := scanBoth(v, 1+int(maxDepth%8), []int{int(cut)}); fast != slow {
			t.Fatalf("%q cut %d: blocks %s, bytes %s", v, cut, fast, slow)
		}
	})
}
