package dmarcrpt

import (
	"net/netip"
	"strings"
)

// OurSources returns the test for "one of our relays" from a list of IP
// addresses and CIDR prefixes (serve's relays setting); host names in
// the list are skipped (a report names addresses only).
func OurSources(list []string) func(netip.Addr) bool {
	var pfx []netip.Prefix
	for _, s := range list {
		s = strings.Trim(strings.TrimSpace(s), "[]")
		if p, err := netip.ParsePrefix(s); err == nil {
			pfx = append(pfx, p.Masked())
		} else if a, err := netip.ParseAddr(s); err == nil {
			pfx = append(pfx, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		}
	}
	return func(a netip.Addr) bool {
		a = a.Unmap()
		for _, p := range pfx {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
}
