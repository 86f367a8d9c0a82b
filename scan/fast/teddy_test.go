package fast

import (
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
