package fn

import (
	_ "embed"
	"strings"
	"sync"
)

//go:generate sh gen_publicsuffix.sh

// publicSuffixText is the ICANN section of the Public Suffix List. The
// private section (us.com, amazonaws.com...) is left out on purpose:
// strings.extract_domain's page says private domains are not treated as
// public suffixes ("foo.us.com" gives "us.com").
//
//go:embed publicsuffix.txt
var publicSuffixText string

const (
	ruleNormal    = 1
	ruleWildcard  = 2 // "*.ck": every child of ck is a suffix
	ruleException = 4 // "!www.ck": www.ck is not one
)

var suffixRules = sync.OnceValue(func() map[string]uint8 {
	m := make(map[string]uint8, 8192)
	for line := range strings.Lines(publicSuffixText) {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "//"):
		case strings.HasPrefix(line, "*."):
			m[line[2:]] |= ruleWildcard
		case strings.HasPrefix(line, "!"):
			m[line[1:]] |= ruleException
		default:
			m[line] |= ruleNormal
		}
	}
	return m
})

// extractHostname finds the host in a URL or URI the way the documented
// examples of strings.extract_hostname do: whatever follows the first
// "://" (or the whole string without one), up to the first / ? or #,
// after the last @, without a :port; brackets are taken off an IPv6
// literal. A host with a backslash or white space is no host.
func extractHostname(s string) string {
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if strings.HasPrefix(s, "[") {
		if i := strings.IndexByte(s, ']'); i > 0 {
			return s[1:i]
		}
		return ""
	}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	if strings.ContainsAny(s, "\\ \t\r\n") {
		return ""
	}
	return s
}

// extractDomain is the host's public suffix plus the label before it,
// by the Public Suffix List algorithm (the longest matching rule wins, an
// exception beats a wildcard, no match means the last label). It is ""
// for an IP address, a host that is itself a public suffix, and a host
// without a dot.
func extractDomain(s string) string {
	host := strings.TrimSuffix(extractHostname(s), ".")
	if host == "" || !strings.Contains(host, ".") {
		return ""
	}
	// An IP address has no domain: IPv6 has colons, IPv4 a numeric last
	// label (no top-level domain is numeric).
	if strings.ContainsRune(host, ':') || isDigits(host[strings.LastIndexByte(host, '.')+1:]) {
		return ""
	}
	lower := strings.ToLower(host)
	if strings.HasPrefix(lower, ".") || strings.Contains(lower, "..") {
		return ""
	}
	// starts[k] is where the k-th label from the end begins; the suffixes
	// are substrings of lower, so the lookups allocate nothing.
	var buf [16]int
	starts := buf[:0]
	for i := len(lower); i > 0; {
		j := strings.LastIndexByte(lower[:i], '.')
		starts = append(starts, j+1)
		i = j
		if j < 0 {
			break
		}
	}
	n := len(starts)
	rules := suffixRules()
	suffix := 1 // labels in the public suffix; the implicit rule is "*"
	for k := 1; k <= n; k++ {
		r := rules[lower[starts[k-1]:]]
		if r&ruleException != 0 {
			suffix = k - 1
			break
		}
		if r&ruleNormal != 0 {
			suffix = max(suffix, k)
		}
		if r&ruleWildcard != 0 && k < n {
			suffix = max(suffix, k+1)
		}
	}
	if suffix >= n {
		return ""
	}
	// The host's own spelling; ToLower keeps ASCII offsets, and a host
	// whose lower-casing changed its length is matched but cut from lower.
	if len(lower) == len(host) {
		return host[starts[suffix]:]
	}
	return lower[starts[suffix]:]
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
