package domaincheck_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"math/big"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/domaincheck"
	"github.com/bouncewatch/bouncewatch/domaincheck/dnstest"
)

// testKeys are generated once per test binary: RSA generation is slow.
var testKeys = sync.OnceValue(func() map[int]string {
	keys := map[int]string{}
	for _, bits := range []int{1024, 2048} {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			panic(err)
		}
		keys[bits] = dkimRecord(&k.PublicKey)
	}
	// Go refuses to generate keys under 1024 bits; a public key is all a
	// DKIM record holds, so a random 768-bit odd modulus serves.
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 767))
	if err != nil {
		panic(err)
	}
	n.SetBit(n, 767, 1).SetBit(n, 0, 1)
	keys[768] = dkimRecord(&rsa.PublicKey{N: n, E: 65537})
	return keys
})

func dkimRecord(pub *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic(err)
	}
	return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
}

// startZone serves testdata/test.zone with generated DKIM keys.
func startZone(t *testing.T) *dnstest.Server {
	t.Helper()
	b, err := os.ReadFile("testdata/test.zone")
	if err != nil {
		t.Fatal(err)
	}
	zone := string(b)
	for bits, rec := range testKeys() {
		zone = strings.ReplaceAll(zone, "{{DKIM"+itoa(bits)+"}}", dnstest.TXT(rec))
	}
	return dnstest.Start(t, zone, "test.")
}

func itoa(n int) string { return big.NewInt(int64(n)).String() }

func codes(r *domaincheck.Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, string(f.Severity)+":"+f.Code)
	}
	return out
}

func TestCheck(t *testing.T) {
	srv := startZone(t)
	tests := []struct {
		name      string
		domain    string
		selectors []string
		want      []string // "severity:code" that must be present
		not       []string // codes that must be absent
		check     func(t *testing.T, r *domaincheck.Report)
	}{
		{
			name: "good domain", domain: "good.test", selectors: []string{"s1"},
			want: []string{"ok:spf.all_fail", "ok:spf.lookups", "ok:dmarc.policy_reject", "ok:dkim.key", "ok:mx.ok", "info:dmarc.alignment"},
			check: func(t *testing.T, r *domaincheck.Report) {
				if r.Worst() != domaincheck.Info {
					t.Errorf("Worst() = %s, want info; findings %v", r.Worst(), codes(r))
				}
				if r.SPF.Lookups != 2 {
					t.Errorf("SPF lookups = %d, want 2 (mx, include)", r.SPF.Lookups)
				}
				if len(r.DKIM) != 1 || r.DKIM[0].Key == nil || r.DKIM[0].Key.Bits != 2048 {
					t.Errorf("DKIM = %+v, want one 2048-bit key", r.DKIM)
				}
				if len(r.MX.Hosts) != 1 || len(r.MX.Hosts[0].Addrs) != 2 {
					t.Errorf("MX = %+v, want one host with an A and an AAAA", r.MX)
				}
				if r.DMARC.Parsed.ADKIM != "s" || r.DMARC.Parsed.ASPF != "r" {
					t.Errorf("alignment = %s/%s, want s/r", r.DMARC.Parsed.ADKIM, r.DMARC.Parsed.ASPF)
				}
				if len(r.Proposals) != 0 {
					t.Errorf("proposals for a good domain: %+v", r.Proposals)
				}
			},
		},
		{
			name: "common selectors find the key", domain: "good.test",
			want: []string{"ok:dkim.key"}, not: []string{"dkim.none", "dkim.selector_missing"},
			check: func(t *testing.T, r *domaincheck.Report) {
				if len(r.DKIM) != 1 || r.DKIM[0].Selector != "s1" {
					t.Errorf("DKIM = %+v, want only s1", r.DKIM)
				}
				if len(r.DKIMTried) != len(domaincheck.CommonSelectors) {
					t.Errorf("tried %d selectors, want %d", len(r.DKIMTried), len(domaincheck.CommonSelectors))
				}
			},
		},
		{
			name: "eleven lookups through an include chain", domain: "chain.test",
			want: []string{"error:spf.lookups_exceeded"},
			check: func(t *testing.T, r *domaincheck.Report) {
				if r.SPF.Lookups != 11 {
					t.Errorf("lookups = %d, want 11", r.SPF.Lookups)
				}
				if n := len(r.SPF.Tree); n != 12 {
					t.Errorf("tree has %d records, want 12", n)
				}
				if last := r.SPF.Tree[len(r.SPF.Tree)-1]; last.Domain != "c11.chain.test" || last.Depth != 11 {
					t.Errorf("deepest = %+v", last)
				}
			},
		},
		{
			name: "include loop", domain: "loop.test",
			want: []string{"error:spf.loop"}, not: []string{"spf.no_all"},
		},
		{
			name: "two SPF records", domain: "two.test",
			want: []string{"error:spf.multiple"},
			check: func(t *testing.T, r *domaincheck.Report) {
				p := proposal(r, "two.test")
				if p == nil || p.Value != "v=spf1 mx include:_spf.provider.test -all" {
					t.Errorf("merged SPF proposal = %+v", p)
				}
			},
		},
		{
			name: "+all", domain: "plusall.test",
			want: []string{"error:spf.all_pass"},
			check: func(t *testing.T, r *domaincheck.Report) {
				if p := proposal(r, "plusall.test"); p == nil || p.Value != "v=spf1 mx -all" || p.Replaces != "v=spf1 mx +all" {
					t.Errorf("SPF proposal = %+v", p)
				}
			},
		},
		{
			name: "no DMARC", domain: "nodmarc.test",
			want: []string{"error:dmarc.missing", "warn:dkim.none"},
			check: func(t *testing.T, r *domaincheck.Report) {
				p := proposal(r, "_dmarc.nodmarc.test")
				if p == nil || p.Value != "v=DMARC1; p=quarantine; rua=mailto:dmarc@nodmarc.test; adkim=r; aspf=r" {
					t.Errorf("DMARC proposal = %+v", p)
				}
				var reject bool
				for _, p := range r.Proposals {
					reject = reject || strings.Contains(p.Value, "p=reject")
				}
				if !reject {
					t.Error("no step-2 p=reject proposal")
				}
				if p := proposal(r, "SELECTOR._domainkey.nodmarc.test"); p == nil || !p.Template {
					t.Errorf("DKIM template proposal = %+v", p)
				}
			},
		},
		{
			name: "DMARC monitoring only at half", domain: "monitor.test",
			want: []string{"warn:dmarc.policy_none", "warn:dmarc.pct_partial", "warn:dmarc.rua_missing", "warn:spf.all_softfail"},
			not:  []string{"dmarc.missing"},
			check: func(t *testing.T, r *domaincheck.Report) {
				if r.DMARC.Parsed.Percent != 50 {
					t.Errorf("pct = %d", r.DMARC.Parsed.Percent)
				}
				if p := proposal(r, "monitor.test"); p == nil || p.Value != "v=spf1 mx -all" {
					t.Errorf("SPF proposal = %+v", p)
				}
			},
		},
		{
			name: "organisational domain DMARC", domain: "sub.org.test",
			want: []string{"info:dmarc.inherited", "info:dmarc.policy_quarantine"},
			check: func(t *testing.T, r *domaincheck.Report) {
				if !r.DMARC.Inherited || r.DMARC.Name != "_dmarc.org.test" || r.DMARC.Policy != "quarantine" || r.DMARC.OrgDomain != "org.test" {
					t.Errorf("DMARC = %+v", r.DMARC)
				}
			},
		},
		{
			name: "weak, revoked and too short DKIM keys", domain: "weak.test", selectors: []string{"k1", "old", "tiny", "absent"},
			want: []string{"warn:dkim.key_weak", "info:dkim.revoked", "error:dkim.key_too_short", "warn:dkim.selector_missing"},
			not:  []string{"dkim.none"},
			check: func(t *testing.T, r *domaincheck.Report) {
				bits := map[string]int{}
				for _, d := range r.DKIM {
					if d.Key != nil {
						bits[d.Selector] = d.Key.Bits
					}
				}
				if bits["k1"] != 1024 || bits["tiny"] != 768 || bits["old"] != 0 {
					t.Errorf("bits = %v", bits)
				}
			},
		},
		{
			name: "null MX", domain: "nullmx.test",
			want: []string{"info:mx.null", "ok:spf.all_fail"}, not: []string{"mx.none", "dkim.none"},
			check: func(t *testing.T, r *domaincheck.Report) {
				if !r.MX.Null || len(r.MX.Hosts) != 0 {
					t.Errorf("MX = %+v", r.MX)
				}
			},
		},
		{
			name: "MX is a CNAME", domain: "mxcname.test",
			want: []string{"warn:mx.cname"}, not: []string{"mx.ok", "mx.no_address"},
			check: func(t *testing.T, r *domaincheck.Report) {
				h := r.MX.Hosts[0]
				if h.CNAME != "real.mxcname.test." || len(h.Addrs) != 1 || h.Addrs[0].String() != "192.0.2.20" {
					t.Errorf("MX host = %+v", h)
				}
			},
		},
		{
			name: "MX is an IP literal and a host without address", domain: "mxip.test",
			want: []string{"error:mx.ip_literal", "error:mx.no_address"},
		},
		{
			name: "ptr, void lookups and soft fail", domain: "voids.test",
			want: []string{"warn:spf.ptr", "error:spf.void_lookups_exceeded", "warn:spf.all_softfail"},
			check: func(t *testing.T, r *domaincheck.Report) {
				if r.SPF.VoidLookups != 3 || r.SPF.Lookups != 4 {
					t.Errorf("void %d lookups %d, want 3 and 4", r.SPF.VoidLookups, r.SPF.Lookups)
				}
				if p := proposal(r, "voids.test"); p == nil || strings.Contains(p.Value, "ptr") || !strings.HasSuffix(p.Value, " -all") {
					t.Errorf("SPF proposal = %+v", p)
				}
			},
		},
		{
			name: "all through redirect", domain: "redirect.test",
			want: []string{"ok:spf.all_fail"}, not: []string{"spf.no_all"},
			check: func(t *testing.T, r *domaincheck.Report) {
				if r.SPF.All != "-all" || r.SPF.Lookups != 1 {
					t.Errorf("all %q lookups %d", r.SPF.All, r.SPF.Lookups)
				}
			},
		},
		{
			name: "syntax errors", domain: "syntax.test",
			want: []string{"error:spf.syntax", "error:dmarc.syntax"},
			check: func(t *testing.T, r *domaincheck.Report) {
				n := 0
				for _, f := range r.Findings {
					if f.Code == "spf.syntax" {
						n++
					}
				}
				if n != 2 {
					t.Errorf("%d spf.syntax findings, want 2 (ip4:300.1.1.1, foo:bar)", n)
				}
			},
		},
		{
			name: "no SPF, report address not authorised", domain: "nospf.test",
			want: []string{"error:spf.missing", "warn:dmarc.report_unauthorized"},
			check: func(t *testing.T, r *domaincheck.Report) {
				if p := proposal(r, "nospf.test"); p == nil || p.Value != "v=spf1 mx -all" {
					t.Errorf("SPF proposal = %+v", p)
				}
				n := 0
				for _, f := range r.Findings {
					if f.Code == "dmarc.report_unauthorized" {
						n++
						if !strings.Contains(f.Message.En, "collector.test") {
							t.Errorf("unauthorised report finding names %q", f.Message.En)
						}
					}
				}
				if n != 1 {
					t.Errorf("%d report_unauthorized findings, want 1 (good.test authorises)", n)
				}
			},
		},
		{
			name: "domain that does not exist", domain: "missing.test",
			want: []string{"error:mx.nxdomain", "error:spf.missing", "error:dmarc.missing"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			r, err := domaincheck.Check(ctx, tt.domain, domaincheck.Options{
				Resolver:  domaincheck.Resolver{Server: srv.Addr, Timeout: 2 * time.Second},
				Selectors: tt.selectors,
			})
			if err != nil {
				t.Fatalf("Check(%s): %v", tt.domain, err)
			}
			got := codes(r)
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("missing finding %s; got %v", w, got)
				}
			}
			for _, n := range tt.not {
				if r.Has(n) {
					t.Errorf("unexpected finding %s; got %v", n, got)
				}
			}
			for _, f := range r.Findings {
				if f.Message.En == "" || f.Message.Ja == "" || strings.Contains(f.Message.En+f.Message.Ja, "%!") {
					t.Errorf("finding %s has a bad message: %+v", f.Code, f.Message)
				}
			}
			for _, p := range r.Proposals {
				if p.Why.En == "" || p.Why.Ja == "" || strings.Contains(p.Why.En+p.Why.Ja, "%!") {
					t.Errorf("proposal %s has a bad explanation: %+v", p.Name, p.Why)
				}
				if p.Type == "TXT" && strings.HasPrefix(p.Value, "v=spf1") {
					if _, err := domaincheck.ParseSPF(p.Value); err != nil {
						t.Errorf("proposed SPF %q does not parse: %v", p.Value, err)
					}
				}
				if strings.HasPrefix(p.Value, "v=DMARC1") {
					if _, err := domaincheck.ParseDMARC(p.Value); err != nil {
						t.Errorf("proposed DMARC %q does not parse: %v", p.Value, err)
					}
				}
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

func proposal(r *domaincheck.Report, name string) *domaincheck.Record {
	for i, p := range r.Proposals {
		if p.Name == name {
			return &r.Proposals[i]
		}
	}
	return nil
}

func TestCheckInvalidDomain(t *testing.T) {
	for _, d := range []string{"", "localhost", "a b.test", "user@example.com", "http://x.test/"} {
		_, err := domaincheck.Check(context.Background(), d, domaincheck.Options{Resolver: domaincheck.Resolver{Server: "127.0.0.1:1"}})
		if !errors.Is(err, domaincheck.ErrInvalidDomain) {
			t.Errorf("Check(%q) error = %v, want ErrInvalidDomain", d, err)
		}
	}
}

func TestCheckResolverUnreachable(t *testing.T) {
	// A loopback UDP port with nobody listening: the first query fails.
	_, err := domaincheck.Check(context.Background(), "good.test", domaincheck.Options{
		Resolver: domaincheck.Resolver{Server: "127.0.0.1:1", Timeout: 300 * time.Millisecond},
	})
	var de *domaincheck.DNSError
	if !errors.As(err, &de) {
		t.Fatalf("error = %v, want a *DNSError", err)
	}
}

func TestCheckLongRecordsOverTCP(t *testing.T) {
	// An SPF record of 4,500 bytes does not fit the 4,096-byte UDP answer
	// the resolver asks for; the server truncates and the resolver retries
	// over TCP.
	long := "v=spf1 " + strings.Repeat("ip4:192.0.2.1 ", 320) + "-all"
	srv := dnstest.Start(t, "$TTL 60\nbig MX 10 big\nbig A 192.0.2.1\nbig TXT "+dnstest.TXT(long)+"\n"+
		"x._domainkey.big TXT "+dnstest.TXT(testKeys()[2048])+"\n", "test.")
	r, err := domaincheck.Check(context.Background(), "big.test", domaincheck.Options{
		Resolver: domaincheck.Resolver{Server: srv.Addr}, Selectors: []string{"x"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.SPF.Record != long {
		t.Errorf("SPF record of %d bytes, want %d", len(r.SPF.Record), len(long))
	}
	if len(r.DKIM) != 1 || r.DKIM[0].Key == nil || r.DKIM[0].Key.Bits != 2048 {
		t.Errorf("DKIM = %+v", r.DKIM)
	}
	if _, tcp := srv.Queries(); tcp == 0 {
		t.Error("no query came over TCP")
	}
}
