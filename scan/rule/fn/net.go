package fn

import (
	"net/netip"
	"strings"
)

var netFuncs = []Func{
	{
		Name:    "net.ip_in_range_cidr",
		Args:    []Arg{{Name: "ipAddress", Kind: String}, {Name: "subnetworkRange", Kind: String, Const: true}},
		Result:  Bool,
		Doc:     "whether the IPv4 or IPv6 address lies in the CIDR range (an IPv4-mapped IPv6 address counts as IPv4)",
		Example: `net.ip_in_range_cidr("192.0.2.17", "192.0.2.0/24") = true`,
		Bind: func(_ Env, c []Value) (Impl, error) {
			cidr := str(constAt(c, 1))
			p, err := netip.ParsePrefix(strings.TrimSpace(cidr))
			if err != nil {
				return nil, argErr("net.ip_in_range_cidr", "subnetworkRange", 1, "invalid CIDR %q", cidr)
			}
			p = p.Masked()
			return func(a []Value) Value { return B(InCIDR(p, str(argAt(a, 0)))) }, nil
		},
	},
}

// InCIDR reports whether ip (text) is an address inside p; an
// IPv4-mapped IPv6 address is tested as the IPv4 address it maps, and a
// zone (fe80::1%eth0) is ignored.
func InCIDR(p netip.Prefix, ip string) bool {
	a, err := netip.ParseAddr(strings.TrimSpace(ip))
	if err != nil {
		return false
	}
	return p.Contains(a.Unmap().WithZone(""))
}
