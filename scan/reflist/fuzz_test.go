package reflist

import (
	"net/netip"
	"regexp"
	"strings"
	"testing"
)

// FuzzRegexMatch checks the trigram index and the alternations against
// running every pattern on its own (regexp.MatchString; nocase with a
// (?i) prefix): the index must never lose a match.
func FuzzRegexMatch(f *testing.F) {
	f.Add("evil\\.example$\n^adm\n(?i)root\nab+cd", "www.evil.example", "xxx")
	f.Add("caf\\x{e9}\nk{3}", "CAFÉ", "\u212a\u212ak")
	f.Add("(foo|bar)baz\nqu(ux){2}", "foobaz", "QUUXUX")
	f.Fuzz(func(t *testing.T, pats, v1, v2 string) {
		l, err := Parse("f", Regex, []byte(pats))
		if err != nil {
			return
		}
		var exact, fold []*regexp.Regexp
		splitLines([]byte(pats), false, true, func(ln line) {
			exact = append(exact, regexp.MustCompile(ln.val))
			fold = append(fold, regexp.MustCompile("(?i)"+ln.val))
		})
		for _, v := range []string{v1, v2, v1 + v2} {
			want, wantFold := false, false
			for i := range exact {
				want = want || exact[i].MatchString(v)
				wantFold = wantFold || fold[i].MatchString(v)
			}
			if got := l.Match(v, false); got != want {
				t.Fatalf("patterns %q: Match(%q, false) = %v, oracle %v", pats, v, got, want)
			}
			if got := l.Match(v, true); got != wantFold {
				t.Fatalf("patterns %q: Match(%q, true) = %v, oracle %v", pats, v, got, wantFold)
			}
		}
	})
}

// FuzzCIDRMatch checks the merged ranges against netip.Prefix.Contains
// over every line.
func FuzzCIDRMatch(f *testing.F) {
	f.Add("10.0.0.0/8\n10.128.0.0/9\n192.168.1.1", "10.200.1.1")
	f.Add("2001:db8::/32\n::/0", "2001:db8::1")
	f.Add("::ffff:10.0.0.0/104", "10.1.2.3")
	f.Fuzz(func(t *testing.T, src, v string) {
		l, err := Parse("f", CIDR, []byte(src))
		if err != nil {
			return
		}
		want := false
		if a, err := netip.ParseAddr(v); err == nil {
			a = a.WithZone("").Unmap()
			splitLines([]byte(src), false, false, func(ln line) {
				p, err := parsePrefix(ln.val)
				if err != nil {
					t.Fatalf("line %q parsed in Parse but not here: %v", ln.val, err)
				}
				want = want || p.Contains(a)
			})
		}
		if got := l.Match(v, false); got != want {
			t.Fatalf("list %q: Match(%q) = %v, oracle %v", strings.ReplaceAll(src, "\n", " | "), v, got, want)
		}
	})
}
