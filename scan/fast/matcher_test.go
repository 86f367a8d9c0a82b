package fast

import (
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/rules"
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
	anyA, anyT := ac.find(buf, fa, nil), td.find(buf, ft, nil)
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

// kernelAlphabet holds the literals' bytes, the short ones' first bytes
// included.
const kernelAlphabet = "\x00sStTaArRmM.cCoO\\\xc5\xbf\xe2\x84\xaa\xc3\xa9\"eventTim"

func TestTeddyKernel(t *testing.T) {
	long := longPackLits()
	// The kernel with two first bytes compared (matcherLits, packLits),
	// one (threeShort's backslash and U+017F, then U+00E9 in the tables),
	// and none.
	oneEq := append([]Literal{{Text: `\`}}, long...)
	rng := rand.New(rand.NewSource(2))
	for _, lits := range [][]Literal{matcherLits, packLits, threeShort, oneEq, long} {
		td := newTeddy(lits)
		for i := 0; i < 3000; i++ {
			// Dense buffers, and sparse ones whose windows are mostly
			// without a candidate.
			p := make([]byte, rng.Intn(300))
			dense := i%2 == 0
			for j := range p {
				p[j] = '_'
				if dense || rng.Intn(40) == 0 {
					p[j] = kernelAlphabet[rng.Intn(len(kernelAlphabet))]
				}
			}
			if len(p) < teddyWindow {
				continue
			}
			for start := 0; start <= len(p); start += 1 + rng.Intn(40) {
				o1, c1 := teddyScanGeneric(&td.masks, p, start)
				o2, c2 := teddyScanNibble(&td.masks, p, start)
				if o1 != o2 || c1 != c2 {
					t.Fatalf("%q from %d: generic %d %b, kernel %d %b", p, start, o1, c1, o2, c2)
				}
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

// manyLits is a rule set's worth of literals that share their first
// bytes (the community AWS rules' Create…, Delete…, arn:aws:…; the
// Sigma rules' event names), where the buckets fill up and each
// candidate position is compared only with the literals anchored on its
// trigram.
func manyLits(n int) []Literal {
	prefixes := []string{"Create", "Delete", "Update", "arn:aws:iam::", "Put", "Get", "Describe", "microsoft.compute/", "Disable", "Enable"}
	names := []string{"AccessKey", "Bucket", "Policy", "Detector", "Trail", "Role", "User", "LoginProfile", "SAMLProvider", "Key", "Distribution", "virtualMachines/write", "aws:policy/AdministratorAccess", "Region", "IPSet"}
	var lits []Literal
	seen := map[Literal]bool{}
	for i := 0; len(lits) < n; i++ {
		text := prefixes[i%len(prefixes)] + names[(i/len(prefixes))%len(names)]
		if i >= len(prefixes)*len(names) {
			text += string(rune('A' + i%26))
		}
		l := Literal{Text: text}
		if i%3 != 0 {
			l = Literal{Text: strings.ToLower(text), Fold: true}
		}
		if !seen[l] {
			seen[l] = true
			lits = append(lits, l)
		}
	}
	return append(lits, Literal{Text: "\u017f"}, Literal{Text: "\u212a"}, Literal{Text: `\`})
}

func TestTeddyMatchesAhoCorasickManyLiterals(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, n := range []int{40, 150, 297} {
		lits := manyLits(n)
		ac, td := newACMatcher(lits), newTeddy(lits)
		words := (len(lits) + 63) / 64
		for i := 0; i < 3000; i++ {
			var b strings.Builder
			for k := rng.Intn(20); k > 0; k-- {
				l := lits[rng.Intn(len(lits))].Text
				switch rng.Intn(4) {
				case 0:
					l = strings.ToUpper(l)
				case 1:
					l = l[:rng.Intn(len(l)+1)] // a prefix shared with others
				}
				b.WriteString(l)
				b.WriteString(`","`[:rng.Intn(4)])
			}
			buf := []byte(b.String())
			fa, ft := make([]uint64, words), make([]uint64, words)
			anyA, anyT := ac.find(buf, fa, nil), td.find(buf, ft, nil)
			if anyA != anyT || !slices.Equal(fa, ft) {
				t.Fatalf("%d literals, %q: Aho-Corasick %v %b, Teddy %v %b", len(lits), buf, anyA, fa, anyT, ft)
			}
		}
	}
}

// Teddy with its second stage outruns Aho-Corasick up to about 300
// literals of real rule sets (docs/fast-path.md, "Many literals"), so
// newMatcher keeps it that far.
func TestMatcherChoiceManyLiterals(t *testing.T) {
	if !teddyAvailable() {
		t.Skip("no Teddy kernel on this CPU")
	}
	for _, n := range []int{40, 150, 250} {
		if _, ok := newMatcher(manyLits(n)).(*teddy); !ok {
			t.Errorf("%d literals: %T, want Teddy", n, newMatcher(manyLits(n)))
		}
	}
	if _, ok := newMatcher(manyLits(400)).(*acMatcher); !ok {
		t.Errorf("400 literals: %T, want Aho-Corasick", newMatcher(manyLits(400)))
	}
}

// The AVX-512 kernel (VPERMI2B over 128-entry tables, 64 positions a
// round, every window with a candidate written out in one call) answers
// as its Go model, teddyBatchGeneric, for every room in the output (a
// full output returns where to go on); and the model admits every
// position where a literal's anchor bytes are (a byte over 0x7f is
// looked up as itself minus 0x80, which can only add candidates).
func TestTeddyKernelWide(t *testing.T) {
	long := longPackLits()
	oneEq := append([]Literal{{Text: `\`}}, long...)
	rng := rand.New(rand.NewSource(5))
	for _, lits := range [][]Literal{matcherLits, packLits, threeShort, oneEq, long} {
		td := newTeddy(lits)
		for i := 0; i < 3000; i++ {
			p := kernelBuffer(rng, teddyWideWindow+rng.Intn(400), i%2 == 0)
			room := 1 + rng.Intn(4)
			for start := 0; start <= len(p); start += 1 + rng.Intn(70) {
				h1 := make([]teddyHit, room)
				c1, n1 := teddyBatchGeneric(&td.masks, p, start, h1)
				if teddyWideAvailable() {
					h2 := make([]teddyHit, room)
					c2, n2 := teddyBatch(&td.masks, p, start, h2)
					if c1 != c2 || n1 != n2 || !slices.Equal(h1[:c1], h2[:c2]) {
						t.Fatalf("%q from %d, room %d: model %d %d %v, kernel %d %d %v", p, start, room, c1, n1, h1[:c1], c2, n2, h2[:c2])
					}
				}
				// Every position where a literal's anchor is, or a
				// compared byte, among those the model looked at (start to
				// next, or to the end when it is len(p)), is a candidate
				// of the model.
				end := min(n1, len(p)-teddyWidth+1)
				var want []int
				for k := start; k < end; k++ {
					if td.eqFirst[p[k]] || anchorAt(td, p, k) {
						want = append(want, k)
					}
				}
				got := map[int]bool{}
				for _, h := range h1[:c1] {
					for j := 0; j < 64; j++ {
						if h.cand&(1<<j) == 0 {
							continue
						}
						if k := int(h.off) + j; k < start || k+teddyWidth > len(p) {
							t.Fatalf("%q from %d: candidate %d out of range", p, start, k)
						}
						got[int(h.off)+j] = true
					}
				}
				for _, k := range want {
					if !got[k] {
						t.Fatalf("%q from %d: a literal's anchor at %d, not a candidate of the model (%v)", p, start, k, h1[:c1])
					}
				}
			}
		}
	}
}

// anchorAt reports whether the anchor of some literal in the tables is
// at p[k:] (its bytes that p holds, ASCII-folded when the literal is).
func anchorAt(td *teddy, p []byte, k int) bool {
	for _, bk := range td.buckets {
		for _, a := range bk {
			l := td.lits[a.id]
			ok := true
			for j := 0; j < teddyWidth && int(a.off)+j < len(l.Text); j++ {
				c, want := p[k+j], l.Text[int(a.off)+j]
				if c != want && !(l.Fold && lower(c) == want) {
					ok = false
					break
				}
			}
			if ok {
				return true
			}
		}
	}
	return false
}

// The wide tables admit at byte k of a position just the bytes that
// some literal of the bucket has there (both cases of a case-insensitive
// letter; any byte past a short literal's end), not the products of
// their nibbles: the AVX-512 kernel looks a byte up whole. With the
// pack's literals, the nibble products let "ntTy" of every CloudTrail
// record's "eventType" through beside the "ntTi" of "eventTime".
func TestTeddyWideTablesExact(t *testing.T) {
	for _, lits := range [][]Literal{packLits, matcherLits, manyLits(150)} {
		td := newTeddy(lits)
		var want [teddyWidth][128]byte
		for b, bk := range td.buckets {
			for _, a := range bk {
				l := lits[a.id]
				for k := 0; k < teddyWidth; k++ {
					if int(a.off)+k >= len(l.Text) {
						for c := range want[k] {
							want[k][c] |= 1 << b
						}
						continue
					}
					c := l.Text[int(a.off)+k]
					want[k][c&0x7f] |= 1 << b
					if l.Fold {
						want[k][upper(c)&0x7f] |= 1 << b
					}
				}
			}
		}
		if td.masks.wide != want {
			for k := range want {
				for c := range want[k] {
					if td.masks.wide[k][c] != want[k][c] {
						t.Errorf("byte %d of a position, %q: buckets %08b, want %08b", k, rune(c), td.masks.wide[k][c], want[k][c])
					}
				}
			}
		}
	}
}

// The batched AVX2 kernel's model admits, on a buffer of bytes under
// 0x80, just the positions whose four bytes are each, at their place,
// among the bytes that one bucket's literals have there (both cases of
// a case-insensitive letter; any byte past a short literal's end), and
// those whose byte is compared: the nibble tables' products (the "ntTy"
// of every "eventType" beside the "ntTi" of "eventTime") are dropped.
func TestTeddyBatchNibbleModelExact(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	const ascii = "_sStTaArRmM.cCoO\\\"eventTimTypeidlrhnp4 :,"
	for _, lits := range [][]Literal{packLits, matcherLits, threeShort, manyLits(150)} {
		td := newTeddy(lits)
		var sets [8][teddyWidth][256]bool
		for b, bk := range td.buckets {
			for _, a := range bk {
				l := lits[a.id]
				for k := 0; k < teddyWidth; k++ {
					if int(a.off)+k >= len(l.Text) {
						for c := range sets[b][k] {
							sets[b][k][c] = true
						}
						continue
					}
					c := l.Text[int(a.off)+k]
					sets[b][k][c] = true
					if l.Fold {
						sets[b][k][upper(c)] = true
					}
				}
			}
		}
		admitted := func(p []byte, k int) bool {
			if td.eqFirst[p[k]] {
				return true
			}
			for b := range td.buckets {
				if len(td.buckets[b]) > 0 && sets[b][0][p[k]] && sets[b][1][p[k+1]] && sets[b][2][p[k+2]] && sets[b][3][p[k+3]] {
					return true
				}
			}
			return false
		}
		for i := 0; i < 500; i++ {
			p := make([]byte, teddyWideWindow+rng.Intn(300))
			for j := range p {
				p[j] = ascii[rng.Intn(len(ascii))]
			}
			if i%3 == 0 {
				copy(p[rng.Intn(len(p)-20):], `"eventType":"eventTime"`[:min(23, len(p))])
			}
			out := make([]teddyHit, len(p)/64+2)
			c, _ := teddyBatchNibbleGeneric(&td.masks, p, 0, out)
			got := map[int]bool{}
			for _, h := range out[:c] {
				for j := 0; j < 64; j++ {
					if h.cand&(1<<j) != 0 {
						got[h.off+j] = true
					}
				}
			}
			for k := 0; k+teddyWidth <= len(p); k++ {
				if want := admitted(p, k); got[k] != want {
					t.Fatalf("%d literals, %q at %d (%q): candidate %v, want %v", len(lits), p, k, p[k:k+teddyWidth], got[k], want)
				}
			}
		}
	}
	// With the built-in pack, the "ntTy" of a CloudTrail record's
	// "eventType" is no candidate, where the nibble tables admit it.
	loaded, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var rs []*rule.Rule
	for _, l := range loaded {
		if l.Rule != nil {
			rs = append(rs, l.Rule)
		}
	}
	f := NewWatching(rs, []string{`"CloudTrailEvent"`, `"detail-type"`, `"message"`, `"timestamp"`})
	td := newTeddy(f.lits)
	rec := []byte(`{"eventVersion":"1.08","eventType":"AwsApiCall","recipientAccountId":"123456789012"}`)
	k := strings.Index(string(rec), "ntTy")
	if td.bucketsAt(rec, k) == 0 {
		t.Fatalf("the nibble tables do not admit the \"ntTy\" of %q: the check below says nothing", rec)
	}
	out := make([]teddyHit, 4)
	c, _ := teddyBatchNibbleGeneric(&td.masks, rec, 0, out)
	for _, h := range out[:c] {
		if k >= h.off && k < h.off+64 && h.cand&(1<<(k-h.off)) != 0 {
			t.Errorf("%q: the \"ntTy\" at %d is a candidate", rec, k)
		}
	}
}

// longPackLits are the pack's literals of teddyMin bytes or more: those
// anchored on their own bytes.
func longPackLits() []Literal {
	var long []Literal
	for _, l := range packLits {
		if len(l.Text) >= teddyMin {
			long = append(long, l)
		}
	}
	return long
}

// kernelBuffer returns n bytes for the kernel tests: every byte drawn
// from kernelAlphabet when dense, else about one in 40 (the rest '_').
func kernelBuffer(rng *rand.Rand, n int, dense bool) []byte {
	p := make([]byte, n)
	for j := range p {
		p[j] = '_'
		if dense || rng.Intn(40) == 0 {
			p[j] = kernelAlphabet[rng.Intn(len(kernelAlphabet))]
		}
	}
	return p
}
