package domaincheck_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/bouncewatch/bouncewatch/domaincheck"
)

func TestParseDMARC(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr bool
		check   func(t *testing.T, r *domaincheck.DMARCRecord)
	}{
		{name: "defaults", in: "v=DMARC1; p=none", check: func(t *testing.T, r *domaincheck.DMARCRecord) {
			if r.Policy != "none" || r.Percent != 100 || r.ADKIM != "r" || r.ASPF != "r" || r.SubdomainPolicy != "" || len(r.RUA) != 0 {
				t.Errorf("%+v", r)
			}
		}},
		{name: "all tags", in: "v=DMARC1; p=reject; sp=quarantine; pct=25; rua=mailto:a@x.test,mailto:b@y.test!10m; ruf=mailto:f@x.test; adkim=s; aspf=s; fo=1:d; rf=afrf; ri=3600",
			check: func(t *testing.T, r *domaincheck.DMARCRecord) {
				if r.Policy != "reject" || r.SubdomainPolicy != "quarantine" || r.Percent != 25 || r.ADKIM != "s" || r.ASPF != "s" || r.FO != "1:d" {
					t.Errorf("%+v", r)
				}
				if strings.Join(r.RUA, " ") != "mailto:a@x.test mailto:b@y.test!10m" || len(r.RUF) != 1 {
					t.Errorf("rua %v ruf %v", r.RUA, r.RUF)
				}
			}},
		{name: "spaces and trailing semicolon", in: " v = DMARC1 ;p = quarantine ; ", check: func(t *testing.T, r *domaincheck.DMARCRecord) {
			if r.Policy != "quarantine" {
				t.Errorf("%+v", r)
			}
		}},
		{name: "unknown tag kept", in: "v=DMARC1; p=none; pc=100", check: func(t *testing.T, r *domaincheck.DMARCRecord) {
			if len(r.Unknown) != 1 || r.Unknown[0] != "pc" {
				t.Errorf("unknown = %v", r.Unknown)
			}
		}},
		{name: "v not first", in: "p=reject; v=DMARC1", wantErr: true},
		{name: "wrong version", in: "v=DMARC2; p=reject", wantErr: true},
		{name: "missing p", in: "v=DMARC1; rua=mailto:a@x.test", wantErr: true},
		{name: "bad policy", in: "v=DMARC1; p=maybe", wantErr: true},
		{name: "pct out of range", in: "v=DMARC1; p=none; pct=101", wantErr: true},
		{name: "bad alignment", in: "v=DMARC1; p=none; adkim=x", wantErr: true},
		{name: "duplicate tag", in: "v=DMARC1; p=none; p=reject", wantErr: true},
		{name: "not tag=value", in: "v=DMARC1; p=none; garbage", wantErr: true},
		{name: "empty", in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := domaincheck.ParseDMARC(tt.in)
			if tt.wantErr {
				var se *domaincheck.DMARCSyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("ParseDMARC(%q) = %+v, %v; want a *DMARCSyntaxError", tt.in, r, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDMARC(%q): %v", tt.in, err)
			}
			tt.check(t, r)
		})
	}
}

func TestReportAddress(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "mailto:dmarc@Example.JP", want: "example.jp"},
		{in: "mailto:dmarc@x.test!10m", want: "x.test"},
		{in: "https://reports.x.test/dmarc", want: "reports.x.test"},
		{in: "dmarc@x.test", wantErr: true},
		{in: "mailto:not-an-address", wantErr: true},
		{in: "ftp://x.test/", wantErr: true},
	}
	for _, tt := range tests {
		got, err := domaincheck.ReportAddress(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ReportAddress(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func FuzzParseDMARC(f *testing.F) {
	for _, s := range []string{
		"v=DMARC1; p=none", "v=DMARC1; p=reject; sp=none; pct=50; rua=mailto:a@x.test; adkim=s; aspf=r; fo=1",
		"v=DMARC1;p=quarantine;;", "p=none; v=DMARC1", "v=DMARC1; p=none; pct=-1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := domaincheck.ParseDMARC(s)
		if err != nil {
			if r != nil {
				t.Fatalf("ParseDMARC(%q) returned a record and an error", s)
			}
			return
		}
		switch r.Policy {
		case "none", "quarantine", "reject":
		default:
			t.Fatalf("ParseDMARC(%q): policy %q", s, r.Policy)
		}
		if r.Percent < 0 || r.Percent > 100 {
			t.Fatalf("ParseDMARC(%q): pct %d", s, r.Percent)
		}
		if (r.ADKIM != "r" && r.ADKIM != "s") || (r.ASPF != "r" && r.ASPF != "s") {
			t.Fatalf("ParseDMARC(%q): alignment %q/%q", s, r.ADKIM, r.ASPF)
		}
		if !domaincheck.IsDMARC(s) {
			t.Fatalf("ParseDMARC(%q) accepted what IsDMARC rejects", s)
		}
	})
}

func ExampleParseDMARC() {
	r, err := domaincheck.ParseDMARC("v=DMARC1; p=none; pct=50; rua=mailto:dmarc@example.jp")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Policy, r.Percent, r.RUA, r.ADKIM, r.ASPF)
	_, err = domaincheck.ParseDMARC("v=DMARC1; p=maybe")
	fmt.Println(err)
	// Output:
	// none 50 [mailto:dmarc@example.jp] r r
	// dmarc: invalid policy for parameter 'p'
}
