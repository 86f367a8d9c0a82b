package reflist

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"
)

// cidrList holds the ranges as sorted, merged, disjoint intervals, one
// slice per address family; Match is a binary search.
type cidrList struct {
	v4 []range4
	v6 []range6
}

type range4 struct{ lo, hi uint32 }

type u128 struct{ hi, lo uint64 }

func (a u128) cmp(b u128) int {
	if c := cmp.Compare(a.hi, b.hi); c != 0 {
		return c
	}
	return cmp.Compare(a.lo, b.lo)
}

type range6 struct{ lo, hi u128 }

func newCIDRList(name string, lines []line, add func(*Error) bool) *cidrList {
	l := &cidrList{}
	ok := true
	for _, ln := range lines {
		p, err := parsePrefix(ln.val)
		if err != nil {
			if ok {
				ok = add(&Error{List: name, Line: ln.num, Col: ln.col, Msg: "bad CIDR range or IP address: " + err.Error()})
			}
			continue
		}
		if p.Addr().Is4() {
			lo := v4(p.Addr())
			hi := lo | (1<<(32-p.Bits()) - 1)
			if p.Bits() == 0 {
				hi = ^uint32(0)
			}
			l.v4 = append(l.v4, range4{lo, hi})
			continue
		}
		lo := v6(p.Addr())
		hi := lo
		host := 128 - p.Bits()
		switch {
		case host >= 64:
			hi.lo = ^uint64(0)
			if host == 128 {
				hi.hi = ^uint64(0)
			} else {
				hi.hi |= 1<<(host-64) - 1
			}
		case host > 0:
			hi.lo |= 1<<host - 1
		}
		l.v6 = append(l.v6, range6{lo, hi})
	}
	l.v4 = merge4(l.v4)
	l.v6 = merge6(l.v6)
	return l
}

// parsePrefix reads "10.0.0.0/8", "2001:db8::/32" or a bare address; a
// prefix with host bits set ("10.1.2.3/8") is its network. An
// IPv4-mapped IPv6 range is taken as the IPv4 range.
func parsePrefix(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		if a.Zone() != "" {
			a = a.WithZone("")
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

func v4(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func v6(a netip.Addr) u128 {
	b := a.As16()
	var x u128
	for i := 0; i < 8; i++ {
		x.hi = x.hi<<8 | uint64(b[i])
		x.lo = x.lo<<8 | uint64(b[8+i])
	}
	return x
}

func merge4(rs []range4) []range4 {
	slices.SortFunc(rs, func(a, b range4) int { return cmp.Compare(a.lo, b.lo) })
	out := rs[:0]
	for _, r := range rs {
		if n := len(out); n > 0 && (r.lo <= out[n-1].hi || r.lo == out[n-1].hi+1) {
			out[n-1].hi = max(out[n-1].hi, r.hi)
			continue
		}
		out = append(out, r)
	}
	return slices.Clip(out)
}

func merge6(rs []range6) []range6 {
	slices.SortFunc(rs, func(a, b range6) int { return a.lo.cmp(b.lo) })
	out := rs[:0]
	for _, r := range rs {
		if n := len(out); n > 0 && r.lo.cmp(out[n-1].hi) <= 0 {
			if r.hi.cmp(out[n-1].hi) > 0 {
				out[n-1].hi = r.hi
			}
			continue
		}
		out = append(out, r)
	}
	return slices.Clip(out)
}

func (l *cidrList) match(v string) bool {
	a, err := netip.ParseAddr(v)
	if err != nil {
		return false
	}
	a = a.Unmap()
	if a.Is4() {
		x := v4(a)
		// The last range starting at or before x.
		lo, hi := 0, len(l.v4)
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if l.v4[m].lo <= x {
				lo = m + 1
			} else {
				hi = m
			}
		}
		return lo > 0 && x <= l.v4[lo-1].hi
	}
	x := v6(a)
	lo, hi := 0, len(l.v6)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if l.v6[m].lo.cmp(x) <= 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo > 0 && x.cmp(l.v6[lo-1].hi) <= 0
}
