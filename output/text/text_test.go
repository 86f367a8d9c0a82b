package text

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// inputs mix one-, two-, three- and four-byte runes, so that a byte cut
// would land inside a rune at most lengths.
var inputs = []string{
	"",
	"a",
	"héllo wörld",
	"日本語のテキストです",
	"arn:aws:sts::111122223333:assumed-role/Админ/αλίκη",
	"😀a😀bc😀😀d",
	"ﬁ€𝄞x𝄞€ﬁ",
}

// TestClipBruteForce cuts every input at every length and checks what a
// clip must be, whatever rune it cuts next to: valid UTF-8, no wider
// than asked, and the input's first runes followed by "…" when cut, or
// the input itself when it fits.
func TestClipBruteForce(t *testing.T) {
	for _, in := range inputs {
		runes := []rune(in)
		for n := 0; n <= len(runes)+2; n++ {
			got := Clip(in, n)
			if !utf8.ValidString(got) {
				t.Fatalf("Clip(%q, %d) = %q: not UTF-8", in, n, got)
			}
			if c := utf8.RuneCountInString(got); c > n {
				t.Fatalf("Clip(%q, %d) = %q: %d runes", in, n, got, c)
			}
			if len(runes) <= n {
				if got != in {
					t.Fatalf("Clip(%q, %d) = %q, want it unchanged", in, n, got)
				}
				continue
			}
			if n == 0 {
				if got != "" {
					t.Fatalf("Clip(%q, 0) = %q", in, got)
				}
				continue
			}
			kept, ok := strings.CutSuffix(got, "…")
			if !ok || kept != string(runes[:n-1]) {
				t.Fatalf("Clip(%q, %d) = %q, want %q…", in, n, got, string(runes[:n-1]))
			}
		}
	}
}

func TestClipMiddleBruteForce(t *testing.T) {
	for _, in := range inputs {
		runes := []rune(in)
		for n := 0; n <= len(runes)+2; n++ {
			got := ClipMiddle(in, n)
			if !utf8.ValidString(got) {
				t.Fatalf("ClipMiddle(%q, %d) = %q: not UTF-8", in, n, got)
			}
			if len(runes) <= n {
				if got != in {
					t.Fatalf("ClipMiddle(%q, %d) = %q, want it unchanged", in, n, got)
				}
				continue
			}
			if n == 0 {
				if got != "" {
					t.Fatalf("ClipMiddle(%q, 0) = %q", in, got)
				}
				continue
			}
			head, tail := (n-1)/2, n-1-(n-1)/2
			want := string(runes[:head]) + "…" + string(runes[len(runes)-tail:])
			if got != want {
				t.Fatalf("ClipMiddle(%q, %d) = %q, want %q", in, n, got, want)
			}
		}
	}
}

// TestEscape: what a terminal acts on is written out, the rest is kept.
func TestEscape(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
		if got := Escape(in); !utf8.ValidString(got) {
			t.Errorf("Escape(%q) = %q: not UTF-8", in, got)
		}
	}
	f("plain", "plain")
	f("héllo 日本", "héllo 日本")
	f("a\x1b[2Jb", `a\x1b[2Jb`)                         // clear screen
	f("title\x1b]0;pwned\x07", `title\x1b]0;pwned\x07`) // set window title
	f("line\nbreak\ttab\r", `line\x0abreak\x09tab\x0d`)
	f("del\x7f", `del\x7f`)
	f("c1\u0085\u009b", `c1\x85\x9b`)
	f("user\u202eexe.txt", `user\u202eexe.txt`) // right-to-left override
	f("sep\u2028x", `sep\u2028x`)
	f("bad\xffutf8\xc3", `bad\xffutf8\xc3`)
	// Clip never splits an escape: it is one unit of the display.
	if got := Clip("ab\x1bcd", 4); got != "ab…" {
		t.Errorf("Clip of an escape: %q", got)
	}
	if got := Clip("ab\x1bcd", 7); got != `ab\x1b…` {
		t.Errorf("Clip of an escape: %q", got)
	}
}

func TestWriteAlignedEscapes(t *testing.T) {
	var b bytes.Buffer
	WriteAligned(&b, "  ", "lr", []string{"NAME", "HITS"}, [][]string{{"évé\x1b[31m", "3"}, {"bob", "12"}})
	// "évé\x1b[31m" is 11 columns once escaped: NAME is padded by 7,
	// bob by 8, then two spaces and the right-aligned 4-wide HITS.
	want := "  NAME" + strings.Repeat(" ", 7+2) + "HITS\n" +
		"  évé\\x1b[31m" + "  " + "   3\n" +
		"  bob" + strings.Repeat(" ", 8+2) + "  12\n"
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestNumbers(t *testing.T) {
	f := func(got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	f(Count(0), "0")
	f(Count(999), "999")
	f(Count(1000), "1,000")
	f(Count(-1234567), "-1,234,567")
	f(Dur(850*time.Millisecond), "850ms")
	f(Dur(12*time.Second), "12s")
	f(Dur(184*time.Second), "3m04s")
	f(Dur(62*time.Minute), "1h02m")
	f(MB(512), "512 B")
	f(MB(1_180_000_000), "1.18 GB")
	f(ClipMiddle("arn:aws:sts::1:assumed-role/R/alice", 20), "arn:aws:s…le/R/alice")
	f(ClipMiddle("short", 20), "short")
	f(Dash(""), "-")
	f(Dash("x"), "x")
}
