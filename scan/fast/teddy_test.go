package fast

import (
	"slices"
	"testing"
)

// packLits is the built-in pack's literal set as the filter searches for
// it: a few of the rules' literals, the triggers U+017F and U+212A (2 and
// 3 bytes), the backslash, the watch strings and "eventTime".
var packLits = []Literal{
	{Text: "sendcommand", Fold: true}, {Text: "startsession", Fold: true},
	{Text: "microsoft.compute/virtualmachines/runcommands/write", Fold: true},
	{Text: "microsoft.containerservice/managedclusters/runcommand/action", Fold: true},
	{Text: "microsoft.serialconsole/serialports/connect/action", Fold: true},
	{Text: "other clients", Fold: true}, {Text: "imap4", Fold: true}, {Text: "smtp", Fold: true},
	{Text: "\u017f"}, {Text: "\u212a"}, {Text: `\`},
	{Text: `"CloudTrailEvent"`}, {Text: `"detail-type"`}, {Text: `"message"`}, {Text: `"timestamp"`},
	{Text: `"eventTime"`},
}

// A literal under teddyWidth bytes admits any byte after it, so a bucket
// holding one admits, for every longer literal in it, any position whose
// first bytes fit the bucket's nibbles: with U+017F (C5 BF) beside
// "unco" of a runcommand literal, every "un" in a record was compared.
// Short literals keep to buckets of their own.
func TestTeddyShortLiteralsBucketApart(t *testing.T) {
	for _, lits := range [][]Literal{packLits, matcherLits, manyLits(150)} {
		td := newTeddy(lits)
		for b, bk := range td.buckets {
			short, long := 0, 0
			for _, a := range bk {
				if len(lits[a.id].Text) < teddyWidth {
					short++
				} else {
					long++
				}
			}
			if short > 0 && long > 0 {
				var names []string
				for _, a := range bk {
					names = append(names, lits[a.id].Text)
				}
				t.Errorf("bucket %d holds short and long literals: %q", b, names)
			}
		}
	}
}

// The literals under 3 bytes (the backslash, U+017F) are found by their
// first byte, which the kernel compares apart (up to two such bytes), so
// that they take no bucket from the longer literals; the ones beyond two
// first bytes go to the tables.
func TestTeddyShortLiteralsCompared(t *testing.T) {
	for _, lits := range [][]Literal{packLits, matcherLits, manyLits(150)} {
		td := newTeddy(lits)
		var firsts []byte
		for _, id := range td.short {
			c := lits[id].Text[0]
			if !slices.Contains(firsts, c) {
				firsts = append(firsts, c)
			}
		}
		inTables := map[int32]bool{}
		for _, bk := range td.buckets {
			for _, a := range bk {
				inTables[a.id] = true
			}
		}
		for _, id := range td.short {
			c := lits[id].Text[0]
			compared := slices.Index(firsts, c) < 2
			if compared == inTables[int32(id)] {
				t.Errorf("%q: compared by its first byte %v, in the tables %v", lits[id].Text, compared, inTables[int32(id)])
			}
		}
	}
}

// threeShort has three distinct first bytes of literals under 3 bytes:
// the third goes to the tables.
var threeShort = []Literal{{Text: `\`}, {Text: "\u017f"}, {Text: "\u00e9"}, {Text: "startsession", Fold: true}, {Text: `"eventTime"`}}

func TestTeddyThreeShortFirstBytes(t *testing.T) {
	td := newTeddy(threeShort)
	ac := newACMatcher(threeShort)
	for _, s := range []string{`xx\xx`, "abc\u017fdef", "abc\u00e9def", "...\u00e9", "\u017f", `\`, "0123456789012345678901234567890123456789\u00e9", "StartSession\"eventTime\"\u00e9"} {
		fa, ft := make([]uint64, 1), make([]uint64, 1)
		la, lt := []int{-1}, []int{-1}
		ac.marks(4)
		td.marks(4)
		anyA, anyT := ac.find([]byte(s), fa, la), td.find([]byte(s), ft, lt)
		if anyA != anyT || fa[0] != ft[0] || la[0] != lt[0] {
			t.Errorf("%q: Aho-Corasick %v %b %d, Teddy %v %b %d", s, anyA, fa, la, anyT, ft, lt)
		}
	}
}
