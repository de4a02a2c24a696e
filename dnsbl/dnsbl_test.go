package dnsbl

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/domaincheck/dnstest"
)

// zone: 192.0.2.25 listed on two lists, 2001:db8::25 on one, example.jp
// on the domain list; 192.0.2.99 refused as from a public resolver.
const zone = `
25.2.0.192.zen.test.          300 IN A   127.0.0.4
25.2.0.192.zen.test.          300 IN TXT "Listed by XBL, see https://check.spamhaus.org/"
25.2.0.192.cop.test.          300 IN A   127.0.0.2
5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.test. 300 IN A 127.0.0.3
example.jp.dbl.test.          300 IN A   127.0.1.2
99.2.0.192.zen.test.          300 IN A   127.255.255.254
zen.test.  300 IN SOA ns.test. h.test. 1 3600 600 86400 60
cop.test.  300 IN SOA ns.test. h.test. 1 3600 600 86400 60
dbl.test.  300 IN SOA ns.test. h.test. 1 3600 600 86400 60
`

var zones = []Zone{
	{Name: "zen.test", Kind: IPs, Delist: "https://delist.zen.test/"},
	{Name: "cop.test", Kind: IPs, Delist: "https://delist.cop.test/"},
	{Name: "dbl.test", Kind: Domains, Delist: "https://delist.dbl.test/"},
}

func TestQuery(t *testing.T) {
	tests := []struct{ target, want string }{
		{"192.0.2.25", "25.2.0.192.zen.test."},
		{"::ffff:192.0.2.25", "25.2.0.192.zen.test."},
		{"2001:db8::25", "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.test."},
	}
	for _, tc := range tests {
		t.Run(tc.target, func(t *testing.T) {
			got, err := Query(tc.target, zones[0])
			if err != nil || got != tc.want {
				t.Fatalf("%q %v, want %q", got, err, tc.want)
			}
		})
	}
	if got, _ := Query("Example.JP.", zones[2]); got != "example.jp.dbl.test." {
		t.Errorf("domain: %q", got)
	}
	if _, err := Query("not an ip", zones[0]); err == nil {
		t.Error("a bad address gave no error")
	}
}

func TestCheck(t *testing.T) {
	srv := dnstest.Start(t, zone, ".")
	c := &Checker{Server: srv.Addr, Zones: zones, Timeout: time.Second}
	ips := []netip.Addr{netip.MustParseAddr("192.0.2.25"), netip.MustParseAddr("192.0.2.26"), netip.MustParseAddr("2001:db8::25"), netip.MustParseAddr("192.0.2.99")}
	rs := c.Check(context.Background(), ips, []string{"example.jp", "example.com"})
	if len(rs) != 2*4+2 {
		t.Fatalf("%d results", len(rs))
	}
	got := map[string]Result{}
	for _, r := range rs {
		got[r.Target+"@"+r.Zone] = r
	}
	tests := []struct {
		key    string
		listed bool
		code   string
		err    string
	}{
		{"192.0.2.25@zen.test", true, "127.0.0.4", ""},
		{"192.0.2.25@cop.test", true, "127.0.0.2", ""},
		{"192.0.2.26@zen.test", false, "", ""},
		{"2001:db8::25@zen.test", true, "127.0.0.3", ""},
		{"2001:db8::25@cop.test", false, "", ""},
		{"example.jp@dbl.test", true, "127.0.1.2", ""},
		{"example.com@dbl.test", false, "", ""},
		{"192.0.2.99@zen.test", false, "", "refused the query"},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			r, ok := got[tc.key]
			if !ok {
				t.Fatalf("no result; have %v", rs)
			}
			if r.Listed != tc.listed || (tc.code != "" && (len(r.Codes) != 1 || r.Codes[0] != tc.code)) || !strings.Contains(r.Err, tc.err) || (tc.err == "" && r.Err != "") {
				t.Fatalf("%+v", r)
			}
			if r.Listed && !strings.HasPrefix(r.Delist, "https://delist.") {
				t.Errorf("no delisting page: %+v", r)
			}
		})
	}
	if got["192.0.2.25@zen.test"].Reason != "Listed by XBL, see https://check.spamhaus.org/" {
		t.Errorf("reason: %+v", got["192.0.2.25@zen.test"])
	}
	if n := len(Listed(rs)); n != 4 {
		t.Errorf("%d listed, want 4", n)
	}
	// Cached: a second check asks nothing more (the refused one again).
	before, _ := srv.Queries()
	c.Check(context.Background(), ips, []string{"example.jp", "example.com"})
	after, _ := srv.Queries()
	if after-before != 1 {
		t.Errorf("second check sent %d queries, want 1 (only the uncached error)", after-before)
	}
}

func TestCheckNoServer(t *testing.T) {
	c := &Checker{Server: "127.0.0.1:1", Zones: zones[:1], Timeout: 200 * time.Millisecond}
	rs := c.Check(context.Background(), []netip.Addr{netip.MustParseAddr("192.0.2.25")}, nil)
	if len(rs) != 1 || rs[0].Listed || rs[0].Err == "" {
		t.Fatalf("%+v", rs)
	}
}

func ExampleQuery() {
	q, _ := Query("192.0.2.25", Zone{Name: "zen.spamhaus.org", Kind: IPs})
	fmt.Println(q)
	// Output: 25.2.0.192.zen.spamhaus.org.
}
