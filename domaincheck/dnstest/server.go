// Package dnstest runs an authoritative DNS server on loopback for tests,
// serving a zone given as master-file text (RFC 1035 section 5), so that
// tests of DNS checks never reach the internet.
package dnstest

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"
)

// Server answers authoritatively from its zone over UDP and TCP on the
// same loopback port.
type Server struct {
	// Addr is "127.0.0.1:port", for domaincheck.Resolver.Server.
	Addr string

	mu      sync.Mutex
	records map[string][]dns.RR // by lower-case owner name
	names   map[string]bool     // owners and their ancestors (empty non-terminals)
	queries int
	tcp     int
}

// ParseZone reads master-file text with the given origin.
func ParseZone(zone, origin string) ([]dns.RR, error) {
	zp := dns.NewZoneParser(strings.NewReader(zone), dns.Fqdn(origin), "zone")
	var rrs []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rrs = append(rrs, rr)
	}
	if err := zp.Err(); err != nil {
		return nil, fmt.Errorf("dnstest: %w", err)
	}
	return rrs, nil
}

// Start serves zone (with $ORIGIN origin) until the test ends.
func Start(t testing.TB, zone, origin string) *Server {
	t.Helper()
	rrs, err := ParseZone(zone, origin)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{records: map[string][]dns.RR{}, names: map[string]bool{}}
	for _, rr := range rrs {
		owner := strings.ToLower(rr.Header().Name)
		s.records[owner] = append(s.records[owner], rr)
		for n := owner; ; {
			s.names[n] = true
			i, end := dns.NextLabel(n, 0)
			if end {
				break
			}
			n = n[i:]
		}
	}
	// A free UDP port may be taken for TCP by another test's listener:
	// try a few ports before giving up.
	var (
		pc net.PacketConn
		ln net.Listener
	)
	for try := 0; try < 20; try++ {
		pc, err = net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("dnstest: %v", err)
		}
		ln, err = net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			break
		}
		pc.Close()
	}
	if err != nil {
		t.Fatalf("dnstest: %v", err)
	}
	s.Addr = pc.LocalAddr().String()
	udp := &dns.Server{PacketConn: pc, Handler: s}
	tcp := &dns.Server{Listener: ln, Handler: s}
	var started sync.WaitGroup
	started.Add(2)
	udp.NotifyStartedFunc = started.Done
	tcp.NotifyStartedFunc = started.Done
	go udp.ActivateAndServe()
	go tcp.ActivateAndServe()
	started.Wait()
	t.Cleanup(func() {
		udp.Shutdown()
		tcp.Shutdown()
	})
	return s
}

// Queries returns the number of questions answered so far, and how many
// of them came over TCP.
func (s *Server) Queries() (all, tcp int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries, s.tcp
}

// ServeDNS answers from the zone: records of the type asked, CNAMEs
// followed within the zone, NXDOMAIN for names that do not exist.
func (s *Server) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	if len(req.Question) != 1 {
		m.Rcode = dns.RcodeFormatError
		w.WriteMsg(m)
		return
	}
	s.mu.Lock()
	s.queries++
	if _, ok := w.RemoteAddr().(*net.TCPAddr); ok {
		s.tcp++
	}
	s.mu.Unlock()
	q := req.Question[0]
	name := strings.ToLower(q.Name)
	for hop := 0; hop < 8; hop++ {
		rrs := s.records[name]
		var cname *dns.CNAME
		found := false
		for _, rr := range rrs {
			if rr.Header().Rrtype == q.Qtype || q.Qtype == dns.TypeANY {
				m.Answer = append(m.Answer, rr)
				found = true
			} else if c, ok := rr.(*dns.CNAME); ok {
				cname = c
			}
		}
		if found || cname == nil || q.Qtype == dns.TypeCNAME {
			if !found && !s.names[name] && hop == 0 {
				m.Rcode = dns.RcodeNameError
			}
			break
		}
		m.Answer = append(m.Answer, cname)
		name = strings.ToLower(cname.Target)
	}
	if opt := req.IsEdns0(); opt != nil {
		m.SetEdns0(opt.UDPSize(), false)
	}
	if _, ok := w.RemoteAddr().(*net.UDPAddr); ok {
		size := 512
		if opt := req.IsEdns0(); opt != nil {
			size = int(opt.UDPSize())
		}
		m.Truncate(size)
	}
	w.WriteMsg(m)
}

// TXT formats a TXT record's value as master-file character strings of at
// most 255 bytes each, quoted, for long values such as DKIM keys.
func TXT(value string) string {
	var parts []string
	for len(value) > 255 {
		parts = append(parts, value[:255])
		value = value[255:]
	}
	parts = append(parts, value)
	for i, p := range parts {
		parts[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(p) + `"`
	}
	return strings.Join(parts, " ")
}
