package domaincheck_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/bouncewatch/bouncewatch/domaincheck"
)

func TestParseSPF(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string // canonical String() of the record
		lookups int    // terms that query the DNS
		badTerm string // the term of the first syntax error
	}{
		{name: "minimal", in: "v=spf1", want: "v=spf1"},
		{name: "case and spaces", in: "V=SPF1  MX   -ALL", want: "v=spf1 mx -all", lookups: 1},
		{name: "qualifiers", in: "v=spf1 +a -mx ~ptr ?exists:%{i}.x.test -all", want: "v=spf1 a -mx ~ptr ?exists:%{i}.x.test -all", lookups: 4},
		{name: "ip networks", in: "v=spf1 ip4:192.0.2.0/24 ip4:192.0.2.1 ip6:2001:db8::/32 ip6:::1 -all", want: "v=spf1 ip4:192.0.2.0/24 ip4:192.0.2.1 ip6:2001:db8::/32 ip6:::1 -all"},
		{name: "dual cidr", in: "v=spf1 a/24 mx:mail.x.test//64 a:x.test/24//48 -all", want: "v=spf1 a/24 mx:mail.x.test//64 a:x.test/24//48 -all", lookups: 3},
		{name: "modifiers", in: "v=spf1 include:_spf.x.test redirect=_spf.y.test exp=explain.%{d} custom-mod=v", want: "v=spf1 include:_spf.x.test redirect=_spf.y.test exp=explain.%{d} custom-mod=v", lookups: 2},
		{name: "macro with slash delimiter", in: "v=spf1 a:%{d1/}.x.test/24", want: "v=spf1 a:%{d1/}.x.test/24", lookups: 1},
		{name: "trailing dot", in: "v=spf1 include:x.test. -all", want: "v=spf1 include:x.test. -all", lookups: 1},
		{name: "bad ip4", in: "v=spf1 ip4:300.1.1.1 -all", badTerm: "ip4:300.1.1.1"},
		{name: "ip6 address in ip4", in: "v=spf1 ip4:2001:db8::1", badTerm: "ip4:2001:db8::1"},
		{name: "ip4 address in ip6", in: "v=spf1 ip6:192.0.2.1", badTerm: "ip6:192.0.2.1"},
		{name: "prefix too long", in: "v=spf1 ip4:192.0.2.0/33", badTerm: "ip4:192.0.2.0/33"},
		{name: "prefix with leading zero", in: "v=spf1 a/024", badTerm: "a/024"},
		{name: "unknown mechanism", in: "v=spf1 foo:bar -all", badTerm: "foo:bar"},
		{name: "include without domain", in: "v=spf1 include -all", badTerm: "include"},
		{name: "all with argument", in: "v=spf1 all:x.test", badTerm: "all:x.test"},
		{name: "unqualified domain", in: "v=spf1 include:localhost", badTerm: "include:localhost"},
		{name: "numeric top label", in: "v=spf1 a:192.0.2.1", badTerm: "a:192.0.2.1"},
		{name: "bad macro letter", in: "v=spf1 exists:%{q}.x.test", badTerm: "exists:%{q}.x.test"},
		{name: "exp-only macro outside exp", in: "v=spf1 exists:%{c}.x.test", badTerm: "exists:%{c}.x.test"},
		{name: "unclosed macro", in: "v=spf1 exists:%{i.x.test", badTerm: "exists:%{i.x.test"},
		{name: "redirect twice", in: "v=spf1 redirect=a.test redirect=b.test", badTerm: "redirect=b.test"},
		{name: "double qualifier", in: "v=spf1 --all", badTerm: "--all"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := domaincheck.ParseSPF(tt.in)
			if tt.badTerm != "" {
				var se *domaincheck.SPFSyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("ParseSPF(%q) error = %v, want a syntax error", tt.in, err)
				}
				if se.Term != tt.badTerm {
					t.Errorf("error names term %q, want %q (%v)", se.Term, tt.badTerm, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseSPF(%q): %v", tt.in, err)
			}
			if got := rec.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			n := 0
			for _, term := range rec.Terms {
				if term.QueriesDNS() {
					n++
				}
			}
			if n != tt.lookups {
				t.Errorf("%d DNS-querying terms, want %d", n, tt.lookups)
			}
		})
	}
}

func TestParseSPFAllErrors(t *testing.T) {
	_, err := domaincheck.ParseSPF("v=spf1 ip4:1.2.3 mx foo -all bar:x")
	var terms []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		terms = append(terms, e.(*domaincheck.SPFSyntaxError).Term)
	}
	if got := strings.Join(terms, ","); got != "ip4:1.2.3,foo,bar:x" {
		t.Errorf("bad terms = %s", got)
	}
}

func TestIsSPF(t *testing.T) {
	for in, want := range map[string]bool{
		"v=spf1":           true,
		"v=spf1 -all":      true,
		"V=SPF1 -all":      true,
		"v=spf10 -all":     false,
		"v=spf1-all":       false,
		" v=spf1 -all":     false,
		"v=DMARC1; p=none": false,
		"spf2.0/pra -all":  false,
	} {
		if got := domaincheck.IsSPF(in); got != want {
			t.Errorf("IsSPF(%q) = %v, want %v", in, got, want)
		}
	}
}

func FuzzParseSPF(f *testing.F) {
	for _, s := range []string{
		"v=spf1 -all", "v=spf1 mx a:x.test/24//64 include:_spf.x.test ~all",
		"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 exists:%{ir}.%{v}._spf.%{d2} redirect=x.test",
		"v=spf1 exp=%{c}%%%_%- ptr:x.test ?all", "v=spf1 a:%{d1/}.x.test/24",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rec, err := domaincheck.ParseSPF(s)
		if !domaincheck.IsSPF(s) {
			if err == nil {
				t.Fatalf("ParseSPF(%q) accepted a non-SPF string", s)
			}
			return
		}
		if rec == nil {
			t.Fatalf("ParseSPF(%q) returned no record", s)
		}
		if err != nil {
			return
		}
		// A valid record formats to a valid record with the same terms.
		again, err := domaincheck.ParseSPF(rec.String())
		if err != nil {
			t.Fatalf("ParseSPF(%q) ok, but its String() %q fails: %v", s, rec.String(), err)
		}
		if again.String() != rec.String() {
			t.Fatalf("round trip %q -> %q", rec.String(), again.String())
		}
	})
}

func ExampleParseSPF() {
	rec, err := domaincheck.ParseSPF("v=spf1 mx include:_spf.google.com ptr ~all")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range rec.Terms {
		fmt.Printf("%-26s mechanism=%s qualifier=%s dns=%v\n", t.Raw, t.Mechanism, t.Qualifier, t.QueriesDNS())
	}
	_, err = domaincheck.ParseSPF("v=spf1 ip4:192.0.2.300 -all")
	fmt.Println(err)
	// Output:
	// mx                         mechanism=mx qualifier=+ dns=true
	// include:_spf.google.com    mechanism=include qualifier=+ dns=true
	// ptr                        mechanism=ptr qualifier=+ dns=true
	// ~all                       mechanism=all qualifier=~ dns=false
	// spf: term "ip4:192.0.2.300": invalid IP address "192.0.2.300"
}
