package cli

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"

	"github.com/bouncewatch/bouncewatch/dnsbl"
	"github.com/bouncewatch/bouncewatch/store"
	"github.com/miekg/dns"
)

// blocklistMonitor builds the [blocklists] checks: our IPs (listed, else
// the relays that are addresses), our domains, the resolver.
func blocklistMonitor(c *serveConfig, st *store.Store, log *slog.Logger) (*dnsbl.Monitor, error) {
	b := c.Blocklists
	var ips []netip.Addr
	list := b.IPs
	if len(list) == 0 {
		list = c.Relays
	}
	for _, s := range list {
		a, err := netip.ParseAddr(strings.Trim(strings.TrimSpace(s), "[]"))
		if err != nil {
			if len(b.IPs) > 0 {
				return nil, fmt.Errorf("ips: %q is not an IP address", s)
			}
			continue // a relay given by name
		}
		ips = append(ips, a)
	}
	for _, z := range b.Zones {
		if z.Name == "" || (z.Kind != dnsbl.IPs && z.Kind != dnsbl.Domains) {
			return nil, fmt.Errorf("zones: each needs zone = NAME and kind = \"ip\" or \"domain\" (got %+v)", z)
		}
	}
	res := b.Resolver
	if res == "" {
		cfg, err := dns.ClientConfigFromFile("/etc/resolv.conf")
		if err != nil || len(cfg.Servers) == 0 {
			return nil, fmt.Errorf("no resolver = HOST:PORT and none in /etc/resolv.conf")
		}
		res = net.JoinHostPort(cfg.Servers[0], cfg.Port)
	}
	if len(ips) == 0 && len(c.Domains) == 0 {
		log.Warn("blocklists: no IP address (ips, or relays given as addresses) and no domain to check")
	}
	return &dnsbl.Monitor{Store: st, Checker: &dnsbl.Checker{Server: res, Zones: b.Zones}, IPs: ips, Domains: c.Domains,
		Every: b.Every, Log: log}, nil
}
