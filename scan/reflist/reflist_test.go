package reflist

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"regexp"
	"strings"
	"testing"
)

func mustParse(t *testing.T, name string, kind Kind, src string) *List {
	t.Helper()
	l, err := Parse(name, kind, []byte(src))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return l
}

// TestStringFileFormat follows the SecOps reference-list page: `//`
// comments on their own line or after a value, a backslash escapes the
// next character to itself (`\/` is "/"), blank lines are skipped.
func TestStringFileFormat(t *testing.T) {
	src := "// admins allowed to touch prod\n" +
		"alice@example.com\n" +
		"bob@example.com   // on call\n" +
		"\n" +
		"   carol@example.com\t\r\n" +
		"https:\\/\\/evil.example\\/x\n" +
		"trail\\ \n" +
		"back\\\\slash\n"
	l := mustParse(t, "admins", String, src)
	want := []string{"alice@example.com", "bob@example.com", "carol@example.com", "https://evil.example/x", "trail ", `back\slash`}
	if got := l.Literals(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("Literals = %q, want %q", got, want)
	}
	if l.Len() != len(want) || l.Name() != "admins" || l.Kind() != String {
		t.Fatalf("Len, Name, Kind = %d %q %v", l.Len(), l.Name(), l.Kind())
	}
	for _, v := range want {
		if !l.Match(v, false) {
			t.Errorf("Match(%q) = false", v)
		}
	}
	for _, v := range []string{"Alice@example.com", "bob@example.com   ", "https:\\/\\/evil.example\\/x", "trail", "// admins allowed to touch prod", ""} {
		if l.Match(v, false) {
			t.Errorf("Match(%q) = true", v)
		}
	}
	if !l.Match("ALICE@EXAMPLE.COM", true) {
		t.Error("nocase Match(ALICE@EXAMPLE.COM) = false")
	}
}

// TestStringMatchOracle compares Match with a scan of every value by ==
// and strings.EqualFold, over values that fold in Unicode's odd ways
// (Kelvin sign, long s, the three sigmas, dotted and dotless i).
func TestStringMatchOracle(t *testing.T) {
	alphabet := []string{"a", "A", "k", "K", "\u212a", "s", "S", "\u017f", "\u03c3", "\u03a3", "\u03c2", "i", "I", "\u0130", "\u0131", "\u00df", "x", "-", "\xff"}
	r := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		var b strings.Builder
		for n := r.IntN(4) + 1; n > 0; n-- {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	var values []string
	var src strings.Builder
	for range 200 {
		w := word()
		values = append(values, w)
		src.WriteString(w + "\n")
	}
	l := mustParse(t, "w", String, src.String())
	for range 5000 {
		v := word()
		exact, fold := false, false
		for _, x := range values {
			exact = exact || x == v
			fold = fold || strings.EqualFold(x, v)
		}
		if got := l.Match(v, false); got != exact {
			t.Errorf("Match(%q, false) = %v, oracle %v", v, got, exact)
		}
		if got := l.Match(v, true); got != fold && !strings.Contains(v, "\xff") {
			t.Errorf("Match(%q, true) = %v, oracle %v", v, got, fold)
		}
	}
}

func TestRegexMatchOracle(t *testing.T) {
	// Patterns with and without a required literal, anchors, groups,
	// flags, repetitions, alternations.
	pats := []string{
		`evil\.example$`, `^admin`, `(?i)root`, `a.c`, `[0-9]{3}-ops`, `(foo|bar)baz`, `x+yz+`,
		`^$`, `qu(ux){2}`, `(?:abc)?def`, `k`, `prod-[a-z]+-db`, `\bcorp\b`, `caf\x{e9}`, `https?://`,
		`(?s)first.line`, `Ab(?i:cd)ef`, `\.onion`, `z{0}zzz`, `[^a]bcd`,
	}
	src := strings.Join(pats, "\n")
	l := mustParse(t, "r", Regex, src)
	if l.Len() != len(pats) || l.Literals() != nil {
		t.Fatalf("Len = %d, Literals = %v", l.Len(), l.Literals())
	}
	res := make([]*regexp.Regexp, len(pats))
	fold := make([]*regexp.Regexp, len(pats))
	for i, p := range pats {
		res[i] = regexp.MustCompile(p)
		fold[i] = regexp.MustCompile("(?i)" + p)
	}
	pieces := []string{"evil", ".example", "admin", "ROOT", "abc", "a-c", "123-ops", "foo", "BAZ", "baz", "xyz", "xxyzz", "quuxux", "def", "K", "\u212a", "prod-a-db", " corp ", "café", "CAFÉ", "https://", "first\nline", "AbCDef", "abcdef", "x.onion", "zzz", "bcd", "", "\n"}
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		var b strings.Builder
		for n := r.IntN(4); n > 0; n-- {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		v := b.String()
		wantExact, wantFold := false, false
		for i := range pats {
			wantExact = wantExact || res[i].MatchString(v)
			wantFold = wantFold || fold[i].MatchString(v)
		}
		if got := l.Match(v, false); got != wantExact {
			t.Fatalf("Match(%q, false) = %v, oracle %v", v, got, wantExact)
		}
		if got := l.Match(v, true); got != wantFold {
			t.Fatalf("Match(%q, true) = %v, oracle %v", v, got, wantFold)
		}
	}
}

// TestRegexManyPatterns checks the index against the oracle with more
// patterns than one alternation chunk holds.
func TestRegexManyPatterns(t *testing.T) {
	var pats []string
	for i := range 500 {
		switch i % 3 {
		case 0:
			pats = append(pats, fmt.Sprintf(`^host-%d\.corp$`, i))
		case 1:
			pats = append(pats, fmt.Sprintf(`[a-c]%d`, i))
		default:
			pats = append(pats, fmt.Sprintf(`(?i)user%dx`, i))
		}
	}
	l := mustParse(t, "many", Regex, strings.Join(pats, "\n"))
	var res, fold []*regexp.Regexp
	for _, p := range pats {
		res = append(res, regexp.MustCompile(p))
		fold = append(fold, regexp.MustCompile("(?i)"+p))
	}
	for i := range 520 {
		for _, v := range []string{fmt.Sprintf("host-%d.corp", i), fmt.Sprintf("zz b%d", i), fmt.Sprintf("USER%dX", i), fmt.Sprintf("HOST-%d.CORP", i)} {
			want, wantFold := false, false
			for i := range pats {
				want = want || res[i].MatchString(v)
				wantFold = wantFold || fold[i].MatchString(v)
			}
			if got := l.Match(v, false); got != want {
				t.Fatalf("Match(%q, false) = %v, oracle %v", v, got, want)
			}
			if got := l.Match(v, true); got != wantFold {
				t.Fatalf("Match(%q, true) = %v, oracle %v", v, got, wantFold)
			}
		}
	}
}

func TestRegexComments(t *testing.T) {
	l := mustParse(t, "urls", Regex, "// kind: regex\nhttps?:\\/\\/evil\\.example // a comment\n^ftp:\n")
	if l.Len() != 2 {
		t.Fatalf("Len = %d, want 2", l.Len())
	}
	if !l.Match("see https://evil.example/x", false) || !l.Match("ftp://a", false) || l.Match("https://good.example", false) {
		t.Fatal("the patterns read from the file are wrong")
	}
}

func TestCIDRMatchOracle(t *testing.T) {
	lines := []string{
		"10.0.0.0/8", "192.168.1.0/24", "192.168.1.128/25", "172.16.5.4", "203.0.113.7/32", "100.64.0.0/10",
		"198.51.100.77/24", // host bits set: the network
		"2001:db8::/32", "2001:db8:1::/48", "fe80::/10", "::1", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
		"::ffff:198.18.0.0/111", // IPv4-mapped: 198.18.0.0/15
		"0.0.0.0/0",
	}
	var prefixes []netip.Prefix
	for _, s := range lines {
		p, err := parsePrefix(s)
		if err != nil {
			t.Fatal(err)
		}
		prefixes = append(prefixes, p)
	}
	// The list without 0.0.0.0/0, or every IPv4 address matches.
	l := mustParse(t, "nets", CIDR, strings.Join(lines[:len(lines)-1], "\n"))
	all := mustParse(t, "all", CIDR, strings.Join(lines, "\n"))
	// Oracle: Prefix.Contains over prefixes parsed by hand above;
	// 198.18.0.0/15 written out as IPv4 by hand.
	hand := append(prefixes[:len(prefixes)-2:len(prefixes)-2], netip.MustParsePrefix("198.18.0.0/15"))
	r := rand.New(rand.NewPCG(5, 6))
	probe := []string{"10.0.0.0", "9.255.255.255", "10.255.255.255", "11.0.0.0", "192.168.1.255", "192.168.2.0", "172.16.5.4", "172.16.5.5",
		"198.51.100.1", "198.18.3.4", "198.20.0.0", "::ffff:10.1.2.3", "2001:db8::", "2001:db9::", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff",
		"fe80::1%eth0", "febf:ffff::", "fec0::", "::1", "::2", "not an ip", "", "10.0.0.1/8"}
	for range 20000 {
		var a netip.Addr
		if r.IntN(2) == 0 {
			base := prefixes[r.IntN(len(prefixes)-1)].Addr().As16()
			base[15] += byte(r.IntN(5) - 2)
			base[r.IntN(16)] ^= byte(1 << r.IntN(8))
			a = netip.AddrFrom16(base)
			if prefixes[0].Addr().Is4() && r.IntN(2) == 0 {
				a = a.Unmap()
			}
		} else {
			var b [4]byte
			for i := range b {
				b[i] = byte(r.IntN(256))
			}
			a = netip.AddrFrom4(b)
		}
		probe = append(probe, a.String())
	}
	for _, v := range probe {
		want := false
		if a, err := netip.ParseAddr(v); err == nil {
			a = a.WithZone("").Unmap()
			for _, p := range hand {
				want = want || p.Contains(a)
			}
		}
		if got := l.Match(v, false); got != want {
			t.Errorf("Match(%q) = %v, oracle %v", v, got, want)
		}
		if a, err := netip.ParseAddr(v); err == nil && a.Unmap().Is4() && !all.Match(v, false) {
			t.Errorf("0.0.0.0/0: Match(%q) = false", v)
		}
	}
}

// TestErrorsAllAtOnce: every bad line, name:line:col, in one error.
func TestErrorsAllAtOnce(t *testing.T) {
	_, err := Parse("bad_nets", CIDR, []byte("10.0.0.0/8\n  10.0.0.300\n// fine\n2001:db8::/129\nok\nfe80::/10\n"))
	var el ErrorList
	if !errors.As(err, &el) {
		t.Fatalf("err = %v, want an ErrorList", err)
	}
	var got []string
	for _, e := range el {
		got = append(got, fmt.Sprintf("%s:%d:%d", e.List, e.Line, e.Col))
	}
	if want := "bad_nets:2:3 bad_nets:4:1 bad_nets:5:1"; strings.Join(got, " ") != want {
		t.Errorf("errors at %v, want %s\n%v", got, want, err)
	}
	_, err = Parse("bad_re", Regex, []byte("ok\n(unclosed\n[z-a]\n\\p{Nope}\n"))
	if !errors.As(err, &el) || len(el) != 3 || el[0].Line != 2 || el[2].Line != 4 {
		t.Errorf("regex errors = %v", err)
	}
	if !strings.HasPrefix(err.Error(), "bad_re:2:1: bad regular expression: ") {
		t.Errorf("regex error text = %q", err)
	}
}

func TestTooLarge(t *testing.T) {
	_, err := Parse("big", String, make([]byte, MaxBytes+1))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

func TestKindOf(t *testing.T) {
	f := func(name, src string, want Kind) {
		t.Helper()
		if got := KindOf(name, []byte(src)); got != want {
			t.Errorf("KindOf(%q, %q) = %v, want %v", name, src, got, want)
		}
	}
	f("admins.txt", "alice\n", String)
	f("admins", "alice\n", String)
	f("bad_domains.regex", "evil\n", Regex)
	f("bad_domains.re", "evil\n", Regex)
	f("tor_exits.cidr", "10.0.0.0/8\n", CIDR)
	f("tor_exits.CIDR", "10.0.0.0/8\n", CIDR)
	f("tor_exits.txt", "\n  // kind: cidr\n10.0.0.0/8\n", CIDR)
	f("x.cidr", "//KIND:Regex\nevil\n", Regex)
	f("x.cidr", "// kind: string\n", String)
	f("x.txt", "// a comment first\n// kind: cidr\n", String)
	f("x.txt", "// kind: table\n", String)
	if String.String() != "string" || Regex.String() != "regex" || CIDR.String() != "cidr" {
		t.Error("Kind.String")
	}
}

// TestMatchDoesNotAllocate: string (both modes) and CIDR lists.
func TestMatchDoesNotAllocate(t *testing.T) {
	s := mustParse(t, "s", String, "alice\nBob\n\u212aelvin\n")
	c := mustParse(t, "c", CIDR, "10.0.0.0/8\n2001:db8::/32\n")
	s.Match("x", true) // builds the folded set
	for _, tc := range []struct {
		name string
		fn   func()
	}{
		{"string", func() { s.Match("alice", false) }},
		{"string nocase", func() { s.Match("KELVIN", true) }},
		{"cidr v4", func() { c.Match("10.1.2.3", false) }},
		{"cidr v6", func() { c.Match("2001:db8::1", false) }},
	} {
		if n := testing.AllocsPerRun(100, tc.fn); n != 0 {
			t.Errorf("%s: %v allocs per Match", tc.name, n)
		}
	}
}

// TestConcurrentFirstNocase: the folded set and the nocase regex index
// are built on first use; many goroutines racing to be first must all
// see them whole (run with -race).
func TestConcurrentFirstNocase(t *testing.T) {
	s := mustParse(t, "s", String, "Alice\nBob\n")
	r := mustParse(t, "r", Regex, "^adm[a-z]+$\nevil\\.example\n")
	done := make(chan bool)
	for range 8 {
		go func() {
			done <- s.Match("ALICE", true) && r.Match("EVIL.EXAMPLE", true) && !s.Match("carol", true)
		}()
	}
	for range 8 {
		if !<-done {
			t.Error("a concurrent first nocase Match was wrong")
		}
	}
}
