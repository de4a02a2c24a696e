package attrib

import "testing"

// The fast paths of canonIP, normDomain, normMessageID and isSubdomain give what the
// plain forms gave.
func TestNames(t *testing.T) {
	ips := []struct{ name, in, want string }{
		{"IPv4", "192.0.2.1", "192.0.2.1"},
		{"IPv4 in brackets", "[192.0.2.1]", "192.0.2.1"},
		{"IPv4 with spaces", " 192.0.2.1 ", "192.0.2.1"},
		{"IPv4 leading zero is not an address", "192.0.2.01", ""},
		{"IPv6 literal", "[IPv6:2001:DB8::1]", "2001:db8::1"},
		{"IPv4-mapped IPv6", "::ffff:192.0.2.1", "192.0.2.1"},
		{"zone dropped", "fe80::1%eth0", "fe80::1"},
		{"host name", "mail.example.jp", ""},
		{"host name starting with a digit", "1mail.example.jp", ""},
		{"host name with a colon", "mail:25", ""},
		{"empty", "", ""},
		{"brackets only", "[]", ""},
	}
	for _, c := range ips {
		if got := canonIP(c.in); got != c.want {
			t.Errorf("%s: canonIP(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
	domains := []struct{ name, in, want string }{
		{"plain", "example.jp", "example.jp"},
		{"upper case", "Mail.Example.JP", "mail.example.jp"},
		{"trailing dot", "example.jp.", "example.jp"},
		{"brackets", "[mail.example.jp]", "mail.example.jp"},
		{"spaces", "  example.jp ", "example.jp"},
		{"empty", "", ""},
	}
	for _, c := range domains {
		if got := normDomain(c.in); got != c.want {
			t.Errorf("%s: normDomain(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
	ids := []struct{ name, in, want string }{
		{"bracketed", "<abc@Mail.Example.JP>", "abc@mail.example.jp"},
		{"local part kept", "<ABC@example.jp>", "ABC@example.jp"},
		{"already lower", " <x.1@example.jp> ", "x.1@example.jp"},
		{"no @", "<token>", "token"},
	}
	for _, c := range ids {
		if got := normMessageID(c.in); got != c.want {
			t.Errorf("%s: normMessageID(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
	subs := []struct {
		d, o string
		want bool
	}{
		{"example.jp", "example.jp", true},
		{"mx.example.jp", "example.jp", true},
		{"badexample.jp", "example.jp", false},
		{"example.jp", "mx.example.jp", false},
		{".example.jp", "example.jp", true},
		{"jp", "example.jp", false},
	}
	for _, c := range subs {
		if got := isSubdomain(c.d, c.o); got != c.want {
			t.Errorf("isSubdomain(%q, %q) = %v, want %v", c.d, c.o, got, c.want)
		}
	}
}
