package bounce

import (
	"net/mail"
	"strings"
	"testing"
	"time"
)

func TestParseReceived(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Received
	}{
		{
			name: "postfix ESMTPSA",
			in:   "from pc01 (unknown [198.51.100.7]) (Authenticated sender: shop@example.jp) by mail.example.jp (Postfix) with ESMTPSA id 4B2C81A0042 for <tanaka@example.com>; Mon,  2 Nov 2026 02:14:07 +0900 (JST)",
			want: Received{From: "pc01", By: "mail.example.jp", IP: "198.51.100.7", With: "ESMTPSA", ID: "4B2C81A0042", For: "tanaka@example.com"},
		},
		{
			name: "qmail from network",
			in:   "from relay13.example.co.jp (HELO rr41.out.example.co.jp) (192.0.2.4) by mx4s.example.jp with SMTP; 24 Apr 2013 00:00:00 +0900",
			want: Received{From: "relay13.example.co.jp", By: "mx4s.example.jp", IP: "192.0.2.4", With: "SMTP"},
		},
		{
			name: "IPv6 literal",
			in:   "from mx.example.org (mx.example.org [IPv6:2001:db8::25]) by mail.example.jp with ESMTPS id abc; Tue, 3 Nov 2026 10:00:00 +0000",
			want: Received{From: "mx.example.org", By: "mail.example.jp", IP: "2001:db8::25", With: "ESMTPS", ID: "abc"},
		},
		{
			name: "by only",
			in:   "by mail.example.jp (Postfix) id 00000000000; Thu, 29 Apr 2013 23:45:32 +0900 (JST)",
			want: Received{By: "mail.example.jp", ID: "00000000000"},
		},
		{
			name: "IP of by clause not taken for the client",
			in:   "from localhost by mx.example.jp [192.0.2.9] with LMTP; Tue, 3 Nov 2026 10:00:00 +0000",
			want: Received{From: "localhost", By: "mx.example.jp", With: "LMTP"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := parseReceived(tc.in)
			got.Raw, got.Date = "", time.Time{}
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	want := time.Date(2013, 4, 29, 23, 45, 32, 0, time.FixedZone("", 9*3600))
	for _, in := range []string{
		"Thu, 29 Apr 2013 23:45:32 +0900 (JST)",
		"Thu, 29 Apr 2013 23:45:32 +0900",
		"29 Apr 2013 23:45:32 +0900",
		"Thu,  29 Apr 2013 23:45:32 +0900",
	} {
		if got := parseDate(in); !got.Equal(want) {
			t.Errorf("parseDate(%q) = %v, want %v", in, got, want)
		}
	}
	if got := parseDate("not a date"); !got.IsZero() {
		t.Errorf("garbage gave %v", got)
	}
}

func TestParseHeader(t *testing.T) {
	h, rest := parseHeader([]byte("From MAILER-DAEMON Sun Sep  7 21:40:07 2008\nSubject: a\n  folded\nX-Broken line\nTo: b@example.jp\n\nbody\n"))
	if got := h.get("subject"); got != "a folded" {
		t.Errorf("subject %q", got)
	}
	if got := h.get("TO"); got != "b@example.jp" {
		t.Errorf("to %q", got)
	}
	if string(rest) != "body\n" {
		t.Errorf("rest %q", rest)
	}
	ct, params := mediaType(`multipart/report; report-type=delivery-status; boundary="a;b" ; charset=x`)
	if ct != "multipart/report" || params["boundary"] != "a;b" || params["report-type"] != "delivery-status" {
		t.Errorf("mediaType: %q %v", ct, params)
	}
}

func TestNextAddress(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<user@example.com>:", "user@example.com"},
		{"mailto:a.b+c@sub.example.co.jp.", "a.b+c@sub.example.co.jp"},
		{"no address here @ all", ""},
		{"user@localhost then x@y.example", "x@y.example"},
		{"...@example.com", ""},
	}
	for _, tc := range tests {
		if got := findAddress(tc.in); got != tc.want {
			t.Errorf("findAddress(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseDateFast(t *testing.T) {
	tests := []string{
		"Mon, 2 Nov 2026 02:14:07 +0900",
		"2 Nov 2026 02:14:07 +0900",
		"Tue, 10 Mar 2026 23:59:59 -0500",
		"Sun,  1 Feb 2026 00:00 +0000",
		"Thu, 29 Feb 2024 12:00:00 +0100",
		"Wed, 31 Apr 2026 12:00:00 +0900", // no such day: both refuse
		"Mon, 2 Nov 26 02:14:07 +0900",    // two-digit year: the slow path
		"Mon, 2 Nov 2026 02:14:07 JST",    // named zone: the slow path
		"Mon, 2 Nov 2026 25:14:07 +0900",
		"2 nov 2026 02:14:07 +0900",
		"Xyz, 2 Nov 2026 02:14:07 +0900", // no such day name: both refuse
		"mon, 2 Nov 2026 02:14:07 +0900",
		"Mon, 2 Nov 2026 02:14:07 +9959", // an offset past 24 hours: both refuse
		"Mon, 2 Nov 2026 02:14:07 -2400",
		"Mon, 2 Nov 2026 02:14:07 +2460", // time.Parse takes 60 minutes
		"garbage",
	}
	for _, s := range tests {
		want, werr := mail.ParseDate(s)
		got, ok := parseDateFast(s)
		if ok && (werr != nil || !got.Equal(want) || got.Format(time.RFC3339) != want.Format(time.RFC3339)) {
			t.Errorf("parseDateFast(%q) = %v, net/mail says %v, %v", s, got, want, werr)
		}
		if !ok && werr == nil && strings.Count(s, ":") == 2 && strings.ContainsAny(s, "+-") && !strings.Contains(s, " 26 ") && !strings.HasSuffix(s, "60") {
			t.Errorf("parseDateFast(%q) refused a plain RFC 5322 date", s)
		}
		if pd := parseDate(s); werr == nil && !pd.Equal(want) {
			t.Errorf("parseDate(%q) = %v, want %v", s, pd, want)
		}
		if got, err := ParseMailDate(s); (err == nil) != (werr == nil) || !got.Equal(want) || got.Format(time.RFC3339) != want.Format(time.RFC3339) {
			t.Errorf("ParseMailDate(%q) = %v, %v; net/mail says %v, %v", s, got, err, want, werr)
		}
	}
}
