package syslog

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/sendlog"
)

var recv = time.Date(2026, 11, 2, 2, 14, 8, 0, time.UTC)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name, in, want, format string
		fac, sev               int
	}{
		{"rfc3164 with host",
			"<22>Nov  2 02:14:07 mail postfix/smtp[4242]: 4Nq2Zx0abcz9sT: to=<a@remote.test>, status=bounced",
			"Nov  2 02:14:07 mail postfix/smtp[4242]: 4Nq2Zx0abcz9sT: to=<a@remote.test>, status=bounced", "rfc3164", 2, 6},
		{"rfc3164 without host (logger, devices)",
			"<13>Nov 12 02:14:07 postfix/qmgr[7]: 4Nq2Zx0abcz9sT: removed",
			"Nov 12 02:14:07 192.0.2.7 postfix/qmgr[7]: 4Nq2Zx0abcz9sT: removed", "rfc3164", 1, 5},
		{"rsyslog's forward of an RFC 5424 message: tag without colon",
			"<22>Dec  6 13:45:48 vm postfix/smtp[777] 4Nq2Zx0abcz9sT: status=bounced",
			"Dec  6 13:45:48 vm postfix/smtp[777]: 4Nq2Zx0abcz9sT: status=bounced", "rfc3164", 2, 6},
		{"rfc3164 tag without pid",
			"<13>Nov  2 02:14:07 mail sm-mta: x",
			"Nov  2 02:14:07 mail sm-mta: x", "rfc3164", 1, 5},
		{"rsyslog forward format (RFC 3339 stamp)",
			"<22>2026-11-02T02:14:07.123456+09:00 mail postfix/smtpd[9]: connect from x",
			"2026-11-02T02:14:07.123456+09:00 mail postfix/smtpd[9]: connect from x", "rfc3164", 2, 6},
		{"rfc5424",
			"<22>1 2026-11-02T02:14:07.123+09:00 mail postfix/smtp 4242 - - 4Nq2Zx0abcz9sT: status=sent",
			"2026-11-02T02:14:07.123+09:00 mail postfix/smtp[4242]: 4Nq2Zx0abcz9sT: status=sent", "rfc5424", 2, 6},
		{"rfc5424 structured data and BOM",
			"<165>1 2026-11-02T02:14:07Z mail.example.jp postfix/smtpd - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"App]lication\"][x@1 a=\"\\]\"] \ufeffhello",
			"2026-11-02T02:14:07Z mail.example.jp postfix/smtpd: hello", "rfc5424", 20, 5},
		{"rfc5424 nil values",
			"<14>1 - - - - - -",
			"2026-11-02T02:14:08Z 192.0.2.7 syslog: ", "rfc5424", 1, 6},
		{"no PRI (a file line sent as is)",
			"Nov  2 02:14:07 mail postfix/smtp[1]: x",
			"Nov  2 02:14:07 mail postfix/smtp[1]: x", "rfc3164", -1, -1},
		{"multi-line message",
			"<22>Nov  2 02:14:07 mail prog[1]: a\nb\r\n",
			"Nov  2 02:14:07 mail prog[1]: a b", "rfc3164", 2, 6},
		{"garbage kept",
			"<999>hello there",
			"2026-11-02T02:14:08Z 192.0.2.7 syslog: <999>hello there", "unknown", -1, -1},
		{"bad 5424 stamp falls back",
			"<22>1 yesterday mail p 1 - - x",
			"2026-11-02T02:14:08Z 192.0.2.7 syslog: 1 yesterday mail p 1 - - x", "unknown", 2, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := Parse([]byte(tc.in), recv, "192.0.2.7:514")
			if m.Line != tc.want || m.Format != tc.format || m.Facility != tc.fac || m.Severity != tc.sev {
				t.Errorf("Parse(%q)\n got %q %s %d/%d\nwant %q %s %d/%d", tc.in, m.Line, m.Format, m.Facility, m.Severity,
					tc.want, tc.format, tc.fac, tc.sev)
			}
		})
	}
}

// The lines the listener makes are read by the same parser as log files.
func TestParsedLinesReadBySendlog(t *testing.T) {
	msgs := []string{
		"<22>Nov  2 02:14:07 mail postfix/smtpd[100]: 4Nq2Zx0abcz9sT: client=unknown[192.0.2.9], sasl_method=PLAIN, sasl_username=shop@example.jp",
		"<22>1 2026-11-02T02:14:07+09:00 mail postfix/cleanup 101 - - 4Nq2Zx0abcz9sT: message-id=<20261101171408.ABC@example.jp>",
		"<22>Nov  2 02:14:07 mail postfix/qmgr[102]: 4Nq2Zx0abcz9sT: from=<shop@example.jp>, size=1234, nrcpt=1 (queue active)",
		"<22>1 2026-11-02T02:14:08+09:00 mail postfix/smtp 103 - - 4Nq2Zx0abcz9sT: to=<nobody@remote.test>, relay=127.0.0.1[127.0.0.1]:2525, delay=0.1, delays=0/0/0/0, dsn=5.1.1, status=bounced (host 127.0.0.1[127.0.0.1] said: 550 5.1.1 unknown (in reply to RCPT TO command))",
	}
	var lines []string
	for _, m := range msgs {
		lines = append(lines, Parse([]byte(m), recv, "127.0.0.1:1").Line)
	}
	var events []sendlog.Event
	st, err := sendlog.Read(context.Background(), strings.NewReader(strings.Join(lines, "\n")+"\n"), "syslog",
		sendlog.Options{Reference: recv, Location: time.FixedZone("JST", 9*3600)}, func(ev sendlog.Event) error {
			events = append(events, ev)
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if st.Unknown != 0 || st.Events < 4 {
		t.Fatalf("sendlog read %d events, %d unknown lines (%v) from:\n%s", st.Events, st.Unknown, st.Samples, strings.Join(lines, "\n"))
	}
	var j sendlog.Joiner
	for _, ev := range events {
		j.Add(ev)
	}
	ms := j.Flush()
	if len(ms) != 1 || ms[0].SASLUser != "shop@example.jp" || len(ms[0].Recipients) != 1 || ms[0].Recipients[0].Status != "bounced" {
		t.Errorf("joined %+v", ms)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"<22>Nov  2 02:14:07 mail postfix/smtp[4242]: x",
		"<22>1 2026-11-02T02:14:07.123+09:00 mail postfix/smtp 4242 - [a b=\"]\"] x",
		"<13>2026-11-02T02:14:07Z h t: x",
		"<1>1 - - - - -",
		"Nov 12 02:14:07 p[1]: x",
		"",
		"<",
		"<191>1 ",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m := Parse(b, recv, "127.0.0.1:9")
		if strings.ContainsAny(m.Line, "\n\r\x00") {
			t.Fatalf("line %q has a line end or NUL", m.Line)
		}
		if m.Line == "" || m.Format == "" {
			t.Fatalf("empty result for %q", b)
		}
		if m.Facility > 23 || m.Severity > 7 {
			t.Fatalf("facility %d severity %d", m.Facility, m.Severity)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	msgs := [][]byte{
		[]byte("<22>Nov  2 02:14:07 mail postfix/smtp[4242]: 4Nq2Zx0abcz9sT: to=<nobody@remote.test>, relay=127.0.0.1[127.0.0.1]:2525, delay=0.1, delays=0/0/0/0, dsn=5.1.1, status=bounced (host said: 550 5.1.1 unknown)"),
		[]byte("<22>1 2026-11-02T02:14:07.123+09:00 mail postfix/smtp 4242 - - 4Nq2Zx0abcz9sT: to=<nobody@remote.test>, relay=127.0.0.1[127.0.0.1]:2525, dsn=5.1.1, status=bounced"),
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Parse(msgs[i%2], recv, "127.0.0.1:1")
	}
}
