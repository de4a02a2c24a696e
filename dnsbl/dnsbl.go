// Package dnsbl checks addresses and domains against DNS blocklists
// (RFC 5782): our outbound IPs and our domain, after a hijack has sent
// spam through them. Queries go to one configured resolver with
// github.com/miekg/dns; answers are cached for their TTL.
package dnsbl

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Kind tells what a zone lists.
type Kind string

// Kinds.
const (
	IPs     Kind = "ip"     // RFC 5782 section 2.1: reversed address labels
	Domains Kind = "domain" // RFC 5782 section 2.2: the name itself
)

// Zone is one blocklist.
type Zone struct {
	Name string `json:"zone" toml:"zone"`
	Kind Kind   `json:"kind" toml:"kind"`
	// Delist is the page where a listed address or domain asks to be
	// removed.
	Delist string `json:"delist" toml:"delist"`
}

// DefaultZones are the lists checked when the configuration names none:
// the ones receivers commonly consult. Spamhaus answers only queries from
// resolvers it does not consider public (see Result.Err).
var DefaultZones = []Zone{
	{Name: "zen.spamhaus.org", Kind: IPs, Delist: "https://check.spamhaus.org/"},
	{Name: "bl.spamcop.net", Kind: IPs, Delist: "https://www.spamcop.net/bl.shtml"},
	{Name: "b.barracudacentral.org", Kind: IPs, Delist: "https://www.barracudacentral.org/rbl/removal-request"},
	{Name: "psbl.surriel.com", Kind: IPs, Delist: "https://psbl.org/remove"},
	{Name: "dbl.spamhaus.org", Kind: Domains, Delist: "https://check.spamhaus.org/"},
	{Name: "multi.surbl.org", Kind: Domains, Delist: "https://surbl.org/surbl-analysis"},
}

// Result is one target's standing on one zone.
type Result struct {
	Target string   `json:"target"`
	Zone   string   `json:"zone"`
	Listed bool     `json:"listed"`
	Codes  []string `json:"codes,omitempty"` // the 127.0.0.x answers
	Reason string   `json:"reason,omitempty"`
	Delist string   `json:"delist,omitempty"`
	// Err is set when the zone gave no usable answer (timeout, SERVFAIL,
	// or a 127.255.255.x "query refused" code): not listed, not clear.
	Err       string    `json:"error,omitempty"`
	CheckedAt time.Time `json:"checked_at"`
}

// Checker queries blocklists through one resolver. Safe for concurrent
// use.
type Checker struct {
	// Server is the resolver, "host:port" (the configured one; tests a
	// loopback server).
	Server string
	Zones  []Zone // default DefaultZones
	// Timeout bounds each query (default 3 s); MinTTL and MaxTTL bound
	// how long an answer is cached (default 5 min and 6 h).
	Timeout        time.Duration
	MinTTL, MaxTTL time.Duration
	Now            func() time.Time

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	r       Result
	expires time.Time
}

// Query is the DNS name checked for target on zone (RFC 5782 section 2).
func Query(target string, z Zone) (string, error) {
	if z.Kind == Domains {
		d := strings.Trim(strings.ToLower(strings.TrimSpace(target)), ".")
		if _, ok := dns.IsDomainName(d); !ok || d == "" {
			return "", fmt.Errorf("dnsbl: %q is not a domain", target)
		}
		return d + "." + z.Name + ".", nil
	}
	a, err := netip.ParseAddr(target)
	if err != nil {
		return "", fmt.Errorf("dnsbl: %q is not an IP address", target)
	}
	a = a.Unmap()
	var labels []string
	if a.Is4() {
		b := a.As4()
		for i := 3; i >= 0; i-- {
			labels = append(labels, fmt.Sprint(b[i]))
		}
	} else {
		b := a.As16()
		for i := 15; i >= 0; i-- {
			labels = append(labels, fmt.Sprintf("%x", b[i]&0xf), fmt.Sprintf("%x", b[i]>>4))
		}
	}
	return strings.Join(labels, ".") + "." + z.Name + ".", nil
}

// Check looks up every IP address on the IP zones and every domain on the
// domain zones, in parallel; the results come sorted by target and zone.
func (c *Checker) Check(ctx context.Context, ips []netip.Addr, domains []string) []Result {
	zones := c.Zones
	if len(zones) == 0 {
		zones = DefaultZones
	}
	type job struct {
		target string
		z      Zone
	}
	var jobs []job
	for _, z := range zones {
		if z.Kind == Domains {
			for _, d := range domains {
				jobs = append(jobs, job{d, z})
			}
			continue
		}
		for _, a := range ips {
			jobs = append(jobs, job{a.Unmap().String(), z})
		}
	}
	out := make([]Result, len(jobs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i] = c.one(ctx, j.target, j.z)
		}()
	}
	wg.Wait()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Target != out[j].Target {
			return out[i].Target < out[j].Target
		}
		return out[i].Zone < out[j].Zone
	})
	return out
}

// Listed are the results that list a target.
func Listed(rs []Result) []Result {
	var out []Result
	for _, r := range rs {
		if r.Listed {
			out = append(out, r)
		}
	}
	return out
}

func (c *Checker) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Checker) one(ctx context.Context, target string, z Zone) Result {
	r := Result{Target: target, Zone: z.Name, Delist: z.Delist, CheckedAt: c.now()}
	name, err := Query(target, z)
	if err != nil {
		r.Err = err.Error()
		return r
	}
	c.mu.Lock()
	if e, ok := c.cache[name]; ok && c.now().Before(e.expires) {
		c.mu.Unlock()
		return e.r
	}
	c.mu.Unlock()
	ttl, err := c.lookup(ctx, name, &r)
	if err != nil {
		r.Err = err.Error()
		return r // errors are not cached
	}
	minT, maxT := c.MinTTL, c.MaxTTL
	if minT <= 0 {
		minT = 5 * time.Minute
	}
	if maxT <= 0 {
		maxT = 6 * time.Hour
	}
	ttl = min(max(ttl, minT), maxT)
	c.mu.Lock()
	if c.cache == nil {
		c.cache = map[string]cached{}
	}
	c.cache[name] = cached{r: r, expires: c.now().Add(ttl)}
	c.mu.Unlock()
	return r
}

// lookup asks for the A records of name (and, when listed, the TXT
// reason). NXDOMAIN is "not listed".
func (c *Checker) lookup(ctx context.Context, name string, r *Result) (time.Duration, error) {
	m, err := c.exchange(ctx, name, dns.TypeA)
	if err != nil {
		return 0, err
	}
	switch m.Rcode {
	case dns.RcodeNameError:
		ttl := 5 * time.Minute
		for _, rr := range m.Ns {
			if soa, ok := rr.(*dns.SOA); ok {
				ttl = time.Duration(min(soa.Hdr.Ttl, soa.Minttl)) * time.Second
			}
		}
		return ttl, nil
	case dns.RcodeSuccess:
	default:
		return 0, fmt.Errorf("%s: %s", name, dns.RcodeToString[m.Rcode])
	}
	ttl := time.Hour
	for _, rr := range m.Answer {
		a, ok := rr.(*dns.A)
		if !ok {
			continue
		}
		ip := a.A.To4()
		// RFC 5782 section 2.1: listings are in 127.0.0.0/8; Spamhaus
		// answers 127.255.255.x to refuse a query (public resolver,
		// over quota).
		if ip == nil || ip[0] != 127 {
			return 0, fmt.Errorf("%s: answer %s outside 127.0.0.0/8 (a wildcard or a hijacking resolver)", name, a.A)
		}
		if ip[1] == 255 && ip[2] == 255 {
			return 0, fmt.Errorf("%s: the list refused the query (%s): use a resolver of your own, not a public one", name, a.A)
		}
		r.Codes = append(r.Codes, a.A.String())
		ttl = min(ttl, time.Duration(a.Hdr.Ttl)*time.Second)
	}
	r.Listed = len(r.Codes) > 0
	if r.Listed {
		if t, err := c.exchange(ctx, name, dns.TypeTXT); err == nil {
			for _, rr := range t.Answer {
				if txt, ok := rr.(*dns.TXT); ok {
					r.Reason = strings.Join(txt.Txt, "")
					break
				}
			}
		}
	}
	return ttl, nil
}

func (c *Checker) exchange(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	if c.Server == "" {
		return nil, errors.New("dnsbl: no resolver configured")
	}
	server := c.Server
	if _, _, err := net.SplitHostPort(server); err != nil {
		server = net.JoinHostPort(strings.Trim(server, "[]"), "53")
	}
	to := c.Timeout
	if to <= 0 {
		to = 3 * time.Second
	}
	q := new(dns.Msg)
	q.SetQuestion(name, qtype)
	q.RecursionDesired = true
	cl := &dns.Client{Timeout: to}
	m, _, err := cl.ExchangeContext(ctx, q, server)
	if err == nil && m.Truncated {
		cl.Net = "tcp"
		m, _, err = cl.ExchangeContext(ctx, q, server)
	}
	if err != nil {
		return nil, fmt.Errorf("dnsbl: %s via %s: %w", strings.TrimSuffix(name, "."), server, err)
	}
	return m, nil
}
