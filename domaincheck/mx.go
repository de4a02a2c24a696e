package domaincheck

import (
	"net/netip"
	"sort"
	"strings"

	"github.com/miekg/dns"
)

// MXResult is the domain's mail exchangers.
type MXResult struct {
	Hosts []MXHost `json:"hosts"`
	// Null is a null MX (RFC 7505: a single "0 ."): the domain accepts
	// no mail.
	Null bool `json:"null"`
	// Implicit is set when there is no MX record: senders then deliver
	// to the domain's own address (RFC 5321 section 5.1).
	Implicit bool `json:"implicit"`
}

// MXHost is one mail exchanger.
type MXHost struct {
	Host       string       `json:"host"`
	Preference uint16       `json:"preference"`
	CNAME      string       `json:"cname,omitempty"`
	Addrs      []netip.Addr `json:"addrs"`
}

// checkMX looks up the MX records and the addresses of each host. The
// error is the MX query's; address lookups failing become findings.
func (c *checker) checkMX() (MXResult, error) {
	res := MXResult{Hosts: []MXHost{}}
	a, err := c.r.lookup(c.ctx, c.server, c.domain, dns.TypeMX)
	if err != nil {
		return res, err
	}
	for _, rr := range a.rrs {
		mx := rr.(*dns.MX)
		res.Hosts = append(res.Hosts, MXHost{Host: mx.Mx, Preference: mx.Preference, Addrs: []netip.Addr{}})
	}
	sort.SliceStable(res.Hosts, func(i, j int) bool { return res.Hosts[i].Preference < res.Hosts[j].Preference })
	if len(res.Hosts) == 0 {
		res.Implicit = true
		if a.nxdomain {
			c.add(Error, "mx.nxdomain", tr(
				"The domain %s does not exist in the DNS.",
				"ドメイン %s は DNS に存在しません。", c.domain))
			return res, nil
		}
		c.add(Warn, "mx.none", tr(
			"No MX record: senders deliver to the address of %s itself, if any. Publish MX records, or a null MX (\"0 .\") if the domain receives no mail.",
			"MX レコードがありません。送信側は %s 自体のアドレスに配送しようとします。MX レコードを登録するか、メールを受け取らないドメインならヌル MX (\"0 .\") を登録してください。",
			c.domain))
		return res, nil
	}
	for _, h := range res.Hosts {
		if h.Host == "." {
			res.Null = true
		}
	}
	if res.Null {
		if len(res.Hosts) > 1 {
			c.add(Error, "mx.null_mixed", tr(
				"A null MX (\"0 .\") is published together with other MX records; RFC 7505 forbids this. Keep either the null MX or the real servers.",
				"ヌル MX (\"0 .\") が他の MX レコードと一緒に登録されています。RFC 7505 で禁止されています。ヌル MX か実際のサーバーか、どちらか一方にしてください。"))
		} else {
			c.add(Info, "mx.null", tr(
				"Null MX: %s says it receives no mail (RFC 7505). If it sends none either, publish \"v=spf1 -all\" and a DMARC p=reject so that no one can use its name.",
				"ヌル MX: %s はメールを受け取らないと宣言しています (RFC 7505)。送信もしないなら \"v=spf1 -all\" と DMARC p=reject を登録し、名前を悪用されないようにしてください。",
				c.domain))
			res.Hosts = res.Hosts[:0]
			return res, nil
		}
	}
	ok := true
	for i := range res.Hosts {
		h := &res.Hosts[i]
		if h.Host == "." {
			continue
		}
		name := strings.TrimSuffix(h.Host, ".")
		if ip, err := netip.ParseAddr(strings.Trim(name, "[]")); err == nil {
			ok = false
			c.add(Error, "mx.ip_literal", tr(
				"MX %s is an IP address; an MX must name a host (RFC 5321 section 5.1). Many senders cannot deliver to it. Publish a host name with an A record for %s.",
				"MX %s は IP アドレスですが、MX にはホスト名を指定する必要があります (RFC 5321 5.1)。多くの送信側が配送できません。%s を指す A レコードを持つホスト名にしてください。",
				h.Host, ip))
			continue
		}
		for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA} {
			a, err := c.r.lookup(c.ctx, c.server, h.Host, qt)
			if err != nil {
				c.dnsFailure(err)
				continue
			}
			if len(a.cnames) > 0 && h.CNAME == "" {
				h.CNAME = strings.Join(a.cnames, " → ")
			}
			for _, rr := range a.rrs {
				switch r := rr.(type) {
				case *dns.A:
					if ip, ok := netip.AddrFromSlice(r.A.To4()); ok {
						h.Addrs = append(h.Addrs, ip)
					}
				case *dns.AAAA:
					if ip, ok := netip.AddrFromSlice(r.AAAA); ok {
						h.Addrs = append(h.Addrs, ip)
					}
				}
			}
		}
		if h.CNAME != "" {
			ok = false
			c.add(Warn, "mx.cname", tr(
				"MX %s is an alias (CNAME to %s); RFC 5321 section 5.1 and RFC 2181 section 10.3 forbid this and some senders refuse to deliver. Point the MX at the real host name.",
				"MX %s は別名 (%s への CNAME) です。RFC 5321 5.1 と RFC 2181 10.3 で禁止されており、配送を拒む送信側もあります。MX には本来のホスト名を指定してください。",
				h.Host, h.CNAME))
		}
		if len(h.Addrs) == 0 {
			ok = false
			c.add(Error, "mx.no_address", tr(
				"MX %s has no IPv4 or IPv6 address; mail cannot be delivered to it.",
				"MX %s に IPv4・IPv6 アドレスがなく、このサーバーには配送できません。", h.Host))
		}
	}
	if ok {
		c.add(OK, "mx.ok", tr(
			"%d mail server(s), each with an address.",
			"メールサーバー %d 台、すべてアドレスがあります。", len(res.Hosts)))
	}
	return res, nil
}
