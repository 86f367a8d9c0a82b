package report

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/retrohunt/retrohunt/output"
)

// TestTextEscapesAndClipsTheData: a principal and a rule name are
// attacker-controlled text; the tables show them escaped, clipped
// between runes.
func TestTextEscapesAndClipsTheData(t *testing.T) {
	who := "arn:aws:sts::111122223333:assumed-role/Админ/" + strings.Repeat("é", 60) + "\x1b[2J"
	s := NewSet()
	h := hit("r\x1b]0;x\x07", who, march(1, 10), 0)
	h.PrincipalIP = "198.51.100.7"
	s.add([]output.Hit{h})
	var b strings.Builder
	if err := WriteText(&b, s.Report(), 0); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !utf8.ValidString(out) {
		t.Errorf("output is not UTF-8:\n%s", out)
	}
	for i := 0; i < len(out); i++ {
		if c := out[i]; c < 0x20 && c != '\n' || c == 0x7f {
			t.Fatalf("control byte %#x at %d:\n%s", c, i, out)
		}
	}
	if !strings.Contains(out, "  r\\x1b]0;x\\x07 ") {
		t.Errorf("rule name not escaped:\n%s", out)
	}
	// 80 columns: the first 39 runes ("arn:aws:sts::111122223333:assumed-role/"
	// is 39), "…", and the last 40: 33 é and the 7 of the escaped \x1b[2J.
	want := "arn:aws:sts::111122223333:assumed-role/…" + strings.Repeat("é", 33) + `\x1b[2J`
	if !strings.Contains(out, "  "+want+"  ") {
		t.Errorf("principal not clipped to %q:\n%s", want, out)
	}
}
