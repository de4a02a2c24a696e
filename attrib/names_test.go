package attrib

import "testing"

// The fast paths of canonIP, normDomain, normMessageID and isSubdomain
// give what the plain forms gave.
func TestNames(t *testing.T) {
	funcs := map[string]func(string) string{"canonIP": canonIP, "normDomain": normDomain, "normMessageID": normMessageID}
	cases := []struct{ fn, name, in, want string }{
		{"canonIP", "IPv4", "192.0.2.1", "192.0.2.1"},
		{"canonIP", "IPv4 in brackets", "[192.0.2.1]", "192.0.2.1"},
		{"canonIP", "IPv4 with spaces", " 192.0.2.1 ", "192.0.2.1"},
		{"canonIP", "IPv4 leading zero is not an address", "192.0.2.01", ""},
		{"canonIP", "IPv6 literal", "[IPv6:2001:DB8::1]", "2001:db8::1"},
		{"canonIP", "IPv4-mapped IPv6", "::ffff:192.0.2.1", "192.0.2.1"},
		{"canonIP", "zone dropped", "fe80::1%eth0", "fe80::1"},
		{"canonIP", "host name", "mail.example.jp", ""},
		{"canonIP", "host name starting with a digit", "1mail.example.jp", ""},
		{"canonIP", "host name with a colon", "mail:25", ""},
		{"canonIP", "empty", "", ""},
		{"canonIP", "brackets only", "[]", ""},
		{"normDomain", "plain", "example.jp", "example.jp"},
		{"normDomain", "upper case", "Mail.Example.JP", "mail.example.jp"},
		{"normDomain", "trailing dot", "example.jp.", "example.jp"},
		{"normDomain", "brackets", "[mail.example.jp]", "mail.example.jp"},
		{"normDomain", "spaces", "  example.jp ", "example.jp"},
		{"normDomain", "empty", "", ""},
		{"normMessageID", "bracketed", "<abc@Mail.Example.JP>", "abc@mail.example.jp"},
		{"normMessageID", "local part kept", "<ABC@example.jp>", "ABC@example.jp"},
		{"normMessageID", "already lower", " <x.1@example.jp> ", "x.1@example.jp"},
		{"normMessageID", "no @", "<token>", "token"},
	}
	for _, c := range cases {
		if got := funcs[c.fn](c.in); got != c.want {
			t.Errorf("%s: %s(%q) = %q, want %q", c.name, c.fn, c.in, got, c.want)
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
