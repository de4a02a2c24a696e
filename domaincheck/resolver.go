package domaincheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// ResolvConf is the file the default resolver address is read from.
const ResolvConf = "/etc/resolv.conf"

// Resolver sends the queries of a check to one recursive resolver (or, in
// tests, to an authoritative server) with github.com/miekg/dns, so that the
// server is configurable rather than whatever the system library picks.
type Resolver struct {
	// Server is the resolver's address, "host:port" ("127.0.0.1:5353") or
	// a bare host (port 53). Empty: the first nameserver of ResolvConf.
	Server string
	// Timeout bounds each query (UDP, and TCP when the answer is
	// truncated). Zero means 5 seconds.
	Timeout time.Duration
}

// answer is the outcome of one question: the records of the asked type at
// the end of any CNAME chain, the chain itself, and whether the name does
// not exist. An empty answer without NXDOMAIN is NODATA.
type answer struct {
	rrs      []dns.RR
	cnames   []string // targets followed, in order
	nxdomain bool
}

// empty reports a "void lookup" in the sense of RFC 7208 section 4.6.4:
// NXDOMAIN or no records of the type asked.
func (a answer) empty() bool { return len(a.rrs) == 0 }

// DNSError is a query that got no usable answer: a timeout, a refused
// connection, or a response code other than NOERROR and NXDOMAIN.
type DNSError struct {
	Name   string
	Type   string
	Server string
	Rcode  string // "SERVFAIL", "REFUSED"...; empty for transport errors
	Err    error  // transport error, if any
}

func (e *DNSError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("dns %s %s via %s: %v", e.Type, e.Name, e.Server, e.Err)
	}
	return fmt.Sprintf("dns %s %s via %s: %s", e.Type, e.Name, e.Server, e.Rcode)
}

func (e *DNSError) Unwrap() error { return e.Err }

// server gives the address to query, reading ResolvConf when Server is
// empty.
func (r *Resolver) server() (string, error) {
	s := r.Server
	if s == "" {
		cfg, err := dns.ClientConfigFromFile(ResolvConf)
		if err != nil {
			return "", fmt.Errorf("no resolver given and %s unreadable: %w", ResolvConf, err)
		}
		if len(cfg.Servers) == 0 {
			return "", fmt.Errorf("no resolver given and no nameserver in %s", ResolvConf)
		}
		return net.JoinHostPort(cfg.Servers[0], cfg.Port), nil
	}
	if _, _, err := net.SplitHostPort(s); err != nil {
		// A bare host or IPv6 address without port.
		return net.JoinHostPort(strings.Trim(s, "[]"), "53"), nil
	}
	return s, nil
}

func (r *Resolver) timeout() time.Duration {
	if r.Timeout > 0 {
		return r.Timeout
	}
	return 5 * time.Second
}

// maxCNAME bounds the CNAME chains followed.
const maxCNAME = 8

// lookup asks for records of type qtype at name, following CNAMEs (in the
// answer, or by asking again for the target).
func (r *Resolver) lookup(ctx context.Context, server, name string, qtype uint16) (answer, error) {
	var a answer
	name = dns.Fqdn(name)
	for hop := 0; hop <= maxCNAME; hop++ {
		resp, err := r.exchange(ctx, server, name, qtype)
		if err != nil {
			return a, err
		}
		if resp.Rcode == dns.RcodeNameError {
			a.nxdomain = true
			return a, nil
		}
		// Walk the answer section from name along CNAMEs.
		owner := name
		for range maxCNAME + 1 {
			var next string
			for _, rr := range resp.Answer {
				h := rr.Header()
				if !strings.EqualFold(h.Name, owner) {
					continue
				}
				if h.Rrtype == qtype {
					a.rrs = append(a.rrs, rr)
				} else if c, ok := rr.(*dns.CNAME); ok && qtype != dns.TypeCNAME {
					next = c.Target
				}
			}
			if len(a.rrs) > 0 || next == "" {
				break
			}
			a.cnames = append(a.cnames, next)
			owner = next
		}
		if len(a.rrs) > 0 || owner == name {
			return a, nil
		}
		name = owner // chain leaves the answer: ask for the target
	}
	return a, &DNSError{Name: name, Type: dns.TypeToString[qtype], Server: server, Err: errors.New("CNAME chain too long")}
}

func (r *Resolver) exchange(ctx context.Context, server, name string, qtype uint16) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.RecursionDesired = true
	m.SetEdns0(4096, false)
	c := &dns.Client{Net: "udp", Timeout: r.timeout(), UDPSize: 4096}
	resp, _, err := c.ExchangeContext(ctx, m, server)
	if err == nil && resp.Truncated {
		c.Net = "tcp"
		resp, _, err = c.ExchangeContext(ctx, m, server)
	}
	qt := dns.TypeToString[qtype]
	if err != nil {
		return nil, &DNSError{Name: name, Type: qt, Server: server, Err: err}
	}
	if resp.Rcode != dns.RcodeSuccess && resp.Rcode != dns.RcodeNameError {
		return nil, &DNSError{Name: name, Type: qt, Server: server, Rcode: dns.RcodeToString[resp.Rcode]}
	}
	return resp, nil
}

// txt returns the TXT records at name, each with its strings joined as
// RFC 7208 section 3.3 and RFC 7489 section 6.6.3 say (no separator).
func (r *Resolver) txt(ctx context.Context, server, name string) ([]string, answer, error) {
	a, err := r.lookup(ctx, server, name, dns.TypeTXT)
	if err != nil {
		return nil, a, err
	}
	var out []string
	for _, rr := range a.rrs {
		out = append(out, strings.Join(rr.(*dns.TXT).Txt, ""))
	}
	return out, a, nil
}
