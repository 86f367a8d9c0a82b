package fast

import (
	"math/rand"
	"strings"
	"testing"
)

// The Teddy matcher (and its kernel) must find exactly what the
// Aho-Corasick automaton finds.

var matcherLits = []Literal{
	{Text: "startsession", Fold: true}, {Text: "ssm.amazonaws.com", Fold: true}, {Text: "SendCommand"},
	{Text: "microsoft.compute/virtualmachines/runcommand/action", Fold: true}, {Text: "abc", Fold: true},
	{Text: "aaa"}, {Text: "zoë"}, {Text: "\u017f"}, {Text: "\u212a"}, {Text: `\\`}, {Text: "xyz", Fold: true}, {Text: "1.08"},
	{Text: "0000-1111"}, {Text: "runcommand", Fold: true}, {Text: "action", Fold: true}, {Text: "write", Fold: true},
}

var (
	testAC    = newACMatcher(matcherLits)
	testTeddy = newTeddy(matcherLits)
)

func sameFinds(t *testing.T, lits []Literal, buf []byte) {
	t.Helper()
	ac, td := testAC, testTeddy
	n := (len(lits) + 63) / 64
	fa, ft := make([]uint64, n), make([]uint64, n)
	anyA, anyT := ac.find(buf, fa), td.find(buf, ft)
	if anyA != anyT || fa[0] != ft[0] {
		t.Fatalf("%q: Aho-Corasick %v %b, Teddy %v %b", buf, anyA, fa, anyT, ft)
	}
}

func TestTeddyMatchesAhoCorasick(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	alphabet := "aAbBcCsStTxXyYzZ.-/\"\\:1080 \u017f\u212aë"
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		for n := rng.Intn(200); n > 0; n-- {
			if rng.Intn(10) == 0 {
				l := matcherLits[rng.Intn(len(matcherLits))].Text
				if rng.Intn(2) == 0 {
					l = strings.ToUpper(l)
				}
				b.WriteString(l)
				continue
			}
			b.WriteByte(alphabet[rng.Intn(len(alphabet))])
		}
		sameFinds(t, matcherLits, []byte(b.String()))
	}
}

func TestTeddyKernel(t *testing.T) {
	td := testTeddy
	rng := rand.New(rand.NewSource(2))
	for i := 0; i < 5000; i++ {
		p := make([]byte, rng.Intn(300))
		for j := range p {
			p[j] = "sStTaArRmM.cCoO"[rng.Intn(15)]
		}
		if len(p) < teddyWindow {
			continue
		}
		for start := 0; start <= len(p); start += 1 + rng.Intn(40) {
			o1, c1 := teddyScanGeneric(&td.masks, p, start)
			o2, c2 := teddyScan(&td.masks, p, start)
			if o1 != o2 || c1 != c2 {
				t.Fatalf("%q from %d: generic %d %b, kernel %d %b", p, start, o1, c1, o2, c2)
			}
		}
	}
}

func FuzzMatcher(f *testing.F) {
	f.Add([]byte("xxStartSessionxxSSM.AMAZONAWS.COMxx\u017fxx"))
	f.Fuzz(func(t *testing.T, buf []byte) {
		sameFinds(t, matcherLits, buf)
	})
}
