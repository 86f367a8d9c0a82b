package reflist

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// Synthetic lists of the sizes the brief names, shaped like real ones:
// user and host names, /24s and /64s scattered over the address space,
// domain patterns (most with a literal, some without).

func benchStringList(b *testing.B, n int) (*List, []string) {
	var src strings.Builder
	for i := range n {
		fmt.Fprintf(&src, "user-%07d@corp.example\n", i*7919%n)
	}
	l, err := Parse("users", String, []byte(src.String()))
	if err != nil {
		b.Fatal(err)
	}
	return l, []string{"user-0424242@corp.example", "USER-0424242@CORP.EXAMPLE", "someone@elsewhere.example", "arn:aws:iam::123456789012:user/alice"}
}

func BenchmarkMatchString1M(b *testing.B) {
	l, probes := benchStringList(b, 1_000_000)
	for _, nocase := range []bool{false, true} {
		b.Run(fmt.Sprintf("nocase=%v", nocase), func(b *testing.B) {
			l.Match("", nocase) // the folded set is built on first use
			b.ReportAllocs()
			b.SetBytes(int64(len(probes[0])))
			for i := 0; b.Loop(); i++ {
				l.Match(probes[i%len(probes)], nocase)
			}
		})
	}
	// Baseline: a plain Go map lookup of the same keys.
	b.Run("stdlib-map", func(b *testing.B) {
		m := map[string]struct{}{}
		for _, v := range l.Literals() {
			m[v] = struct{}{}
		}
		b.ReportAllocs()
		b.SetBytes(int64(len(probes[0])))
		for i := 0; b.Loop(); i++ {
			_ = m[probes[i%len(probes)]]
		}
	})
}

func BenchmarkMatchCIDR100k(b *testing.B) {
	var src strings.Builder
	for i := range 100_000 {
		if i%4 == 3 {
			fmt.Fprintf(&src, "2001:db8:%x:%x::/64\n", i*31%65536, i%65536)
			continue
		}
		x := uint32(i) * 2654435761
		fmt.Fprintf(&src, "%d.%d.%d.0/24\n", x>>24, x>>16&255, x>>8&255)
	}
	l, err := Parse("nets", CIDR, []byte(src.String()))
	if err != nil {
		b.Fatal(err)
	}
	probes := []string{"203.0.113.9", "10.1.2.3", "2001:db8:5:7::1", "2001:db8:ffff::1", "198.51.100.200"}
	b.ReportAllocs()
	b.SetBytes(int64(len(probes[0])))
	for i := 0; b.Loop(); i++ {
		l.Match(probes[i%len(probes)], false)
	}
}

func regexBenchPatterns(n int) []string {
	pats := make([]string, n)
	for i := range pats {
		switch i % 10 {
		case 9: // no literal of 3 bytes: runs in an alternation chunk
			pats[i] = fmt.Sprintf(`^[a-z]{%d}[0-9]+\.x$`, 4+i%7)
		default:
			pats[i] = fmt.Sprintf(`(^|\.)bad-domain-%d\.(com|net)$`, i)
		}
	}
	return pats
}

func BenchmarkMatchRegex10k(b *testing.B) {
	pats := regexBenchPatterns(10_000)
	l, err := Parse("domains", Regex, []byte(strings.Join(pats, "\n")))
	if err != nil {
		b.Fatal(err)
	}
	probes := []string{"www.bad-domain-4242.com", "login.microsoftonline.com", "s3.eu-west-1.amazonaws.com", "ec2.amazonaws.com"}
	for _, nocase := range []bool{false, true} {
		b.Run(fmt.Sprintf("nocase=%v", nocase), func(b *testing.B) {
			l.Match("", nocase)
			b.ReportAllocs()
			b.SetBytes(int64(len(probes[0])))
			for i := 0; b.Loop(); i++ {
				l.Match(probes[i%len(probes)], nocase)
			}
		})
	}
	// Baseline: every pattern, one regexp.MatchString each.
	b.Run("stdlib-each-pattern", func(b *testing.B) {
		res := make([]*regexp.Regexp, len(pats))
		for i, p := range pats {
			res[i] = regexp.MustCompile(p)
		}
		b.ReportAllocs()
		b.SetBytes(int64(len(probes[0])))
		for i := 0; b.Loop(); i++ {
			v := probes[i%len(probes)]
			for _, re := range res {
				if re.MatchString(v) {
					break
				}
			}
		}
	})
}
