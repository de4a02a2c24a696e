package sendlog

import (
	"context"
	"strings"
	"testing"
	"time"
)

// fuzzRead reads data in the given format and checks the invariants: no
// panic, every line counted, events carry their origin, the Joiner copes.
func fuzzRead(t *testing.T, f Format, data string) {
	var j Joiner
	st, err := Read(context.Background(), strings.NewReader(data), "fuzz", Options{Format: f, Reference: time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC), Location: time.UTC}, func(e Event) error {
		if e.Line < 1 || e.Kind == 0 || !strings.HasPrefix(e.Source, "fuzz:") {
			t.Fatalf("bad event %+v", e)
		}
		j.Add(e)
		return nil
	})
	if err != nil { // a corrupt gzip or bzip2 stream, an unreadable CSV header
		return
	}
	if f != CSV && !strings.HasPrefix(data, "\x1f\x8b") && !strings.HasPrefix(data, "BZh") {
		want := strings.Count(data, "\n")
		if data != "" && !strings.HasSuffix(data, "\n") {
			want++
		}
		if st.Lines != want || st.Ignored+st.Unknown > st.Lines {
			t.Fatalf("stats %+v, want %d lines", st, want)
		}
	}
	j.Flush()
}

func FuzzPostfixLine(f *testing.F) {
	for _, s := range []string{
		"Nov  2 02:14:07 mail postfix/smtpd[1234]: 4B2C81A0042: client=pc01[198.51.100.7], sasl_method=PLAIN, sasl_username=shop@example.jp",
		"2026-11-02T02:14:07.123456+09:00 mail postfix/smtp[1]: 4B2C81A0042: to=<a@b>, orig_to=<c@d>, relay=x[1.2.3.4]:25, delay=1, dsn=5.1.1, status=bounced (550 5.1.1 x)",
		"<22>1 2026-11-02T02:14:07Z mail postfix/qmgr 1 - [a b=\"]\"] 4B2C81A0042: from=<>, size=1, nrcpt=1 (queue active)",
		"Nov  2 02:14:07 mail postfix/smtpd[1]: NOQUEUE: reject: RCPT from u[1.2.3.4]: 554 5.7.1 <x>: Relay access denied; from=<a> to=<b> proto=ESMTP helo=<h>",
		"Nov  2 02:14:07 mail postfix/cleanup[1]: 4B2C81A0045: reject: header S: x from p[1.2.3.4]; from=<a> to=<b> proto=ESMTP helo=<p>: 5.7.1 spam",
		"Nov  2 02:14:07 mail postfix/smtpd[1]: warning: u[1.2.3.4]: SASL LOGIN authentication failed: x, sasl_username=y",
		"Nov  2 02:14:07 mail postfix/bounce[1]: 4B2C81A0042: sender non-delivery notification: 5D3E91A0050",
		"Nov  2 02:14:07 mail postfix/qmgr[1]: 4B2C81A0042: from=<a>, status=expired, returned to sender",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) { fuzzRead(t, Postfix, line) })
}

func FuzzEximLine(f *testing.F) {
	for _, s := range []string{
		`2026-11-02 02:14:07 1vXk2O-0004aR-Uj <= shop@example.jp H=(pc01) [198.51.100.7]:1 P=esmtpsa A=dovecot_plain:shop@example.jp S=2345 id=a@b T="x \" y" for a@b`,
		`2026-11-02 02:14:07.123 +0900 [1234] 1vXk2O-0004aR-Uj => a@b <c@d> R=r T=remote_smtp H=mx [1.2.3.4] C="250 OK"`,
		`2026-11-02 02:14:07 1vXk2O-0004aR-Uj ** a@b R=r T=t H=mx [1.2.3.4]: SMTP error: 550 5.1.1 x`,
		`2026-11-02 02:14:07 1vXk2Q-0004aT-Wl <= <> R=1vXk2O-0004aR-Uj U=Debian-exim P=local S=3456`,
		`2026-11-02 02:50:00 H=(pc99) [203.0.113.9]:41000 F=<a@b> rejected RCPT <c@d>: relay not permitted`,
		`2026-11-02 02:50:03 dovecot_login authenticator failed for (pc99) [203.0.113.9]:41002: 535 x (set_id=y)`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) { fuzzRead(t, Exim, line) })
}

func FuzzSendmailLine(f *testing.F) {
	for _, s := range []string{
		"Nov  2 02:14:07 mail sm-mta[1234]: 4A2HE7x1001234: from=<shop@example.jp>, size=2345, class=0, nrcpts=1, msgid=<a@b>, proto=ESMTP, daemon=MTA, relay=pc01 [198.51.100.7]",
		"Nov  2 02:14:07 mail sm-mta[1234]: 4A2HE7x1001234: to=<a@b>,<c@d>, delay=00:00:01, mailer=esmtp, pri=1, relay=mx. [1.2.3.4], dsn=5.1.1, stat=User unknown",
		"Nov  2 02:14:07 mail sm-mta[1234]: 4A2HE7x1001234: AUTH=server, relay=pc01 [198.51.100.7], authid=shop, mech=PLAIN, bits=0",
		"Nov  2 02:14:07 mail sm-mta[1234]: 4A2HE7x1001234: 4A2HE8x1001236: DSN: User unknown",
		"Nov  2 02:14:07 mail sm-mta[1234]: 4A2HK0x1001300: ruleset=check_rcpt, arg1=<v@e>, relay=[1.2.3.4], reject=550 5.7.1 x",
		"Nov  2 02:14:07 mail sm-mta[1234]: 4A2HK5x1001301: AUTH failure (LOGIN): x, user=u, relay=[1.2.3.4]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) { fuzzRead(t, Sendmail, line) })
}

func FuzzCSV(f *testing.F) {
	f.Add("hour,account,sent\n2026-11-02 02:00,shop@example.jp,4812\n")
	f.Add("date;hour;user;messages\n2026-11-02;3;shop;\"7\"\n")
	f.Fuzz(func(t *testing.T, data string) { fuzzRead(t, CSV, data) })
}
