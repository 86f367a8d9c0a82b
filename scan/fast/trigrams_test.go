package fast

import "testing"

func TestTrigramsParse(t *testing.T) {
	ws, err := parseTrigrams(trigramsTxt)
	if err != nil {
		t.Fatal(err)
	}
	// The generator (bench/gen/trigrams) keeps the 4096 most common.
	if len(ws) != 4096 {
		t.Errorf("trigrams.txt holds %d trigrams, want 4096", len(ws))
	}
	f := func(txt, wantErr string) {
		t.Helper()
		got := ""
		if _, err := parseTrigrams(txt); err != nil {
			got = err.Error()
		}
		if got != wantErr {
			t.Errorf("parseTrigrams(%q) error = %q, want %q", txt, got, wantErr)
		}
	}
	f("# c\n3 \"abc\"\n4 \"abd\"\n", "")
	f("3 \"abd\"\n4 \"abc\"\n", `line 2: trigram "abc" out of order`)
	f("3 \"abc\"\n4 \"abc\"\n", `line 2: trigram "abc" out of order`)
	f("3 \"ab\"\n", `line 1: want a quoted 3-byte trigram: "3 \"ab\""`)
	f("300 \"abc\"\n", `line 1: want a weight (0-255), a space and a quoted trigram: "300 \"abc\""`)
	f("3abc\n", `line 1: want a weight (0-255), a space and a quoted trigram: "3abc"`)
}

// TestTrigramsModel checks the table against counts read by hand off a
// record: in CloudTrail JSON, `"eventname"` (folded) is on every record,
// so its trigrams weigh more than those of a rare API name.
func TestTrigramsModel(t *testing.T) {
	tw := trigrams()
	common := tw.freq('e', 'v', 'e')
	if rare := tw.freq('q', 'z', 'x'); rare != 1 {
		t.Errorf("freq(qzx) = %v, want 1 (unlisted)", rare)
	}
	if common < 1<<10 {
		t.Errorf("freq(eve) = %v, want at least 1024 (every record has eventName)", common)
	}
	if literalFreq("eventname") <= literalFreq("sendsshpublickey") {
		t.Errorf("literalFreq(eventname) = %v <= literalFreq(sendsshpublickey) = %v",
			literalFreq("eventname"), literalFreq("sendsshpublickey"))
	}
}
