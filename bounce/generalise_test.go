package bounce

import (
	"slices"
	"strings"
	"testing"
)

// TestGeneraliseFixtures decodes notices written for these tests in the
// formats of bounces found in other public collections than the shared
// corpus (issue 7): each case is one general rule, not one sample.
func TestGeneraliseFixtures(t *testing.T) {
	type want struct {
		recipient string
		reason    string
		status    string
	}
	cases := []struct {
		name      string
		file      string
		kind      Kind
		by        string
		want      []want
		evidence  string   // a substring of one evidence line, or ""
		forbidden []string // never a recipient
	}{
		{"DSN with a bracketed Final-Recipient, reason in the prose of an apostrophe-quoted address",
			"dsn-bracketed-quoted.eml", KindBounce, "rfc3464",
			[]want{{"yuki.tanaka@example.jp", "userunknown", "5.1.1"}}, "", []string{"hanako@example.com"}},
		{"Sendmail, the remote refused our sender's verification under 5.1.1",
			"sendmail-sender-verify.eml", KindBounce, "sendmail",
			[]want{{"mika@example.net", "rejected", "5.1.1"}}, "", []string{"news+bounce-7781@example.com"}},
		{"Exim, the client listed in a Spamhaus zone (CSS)",
			"exim-dnsbl-css.eml", KindBounce, "exim",
			[]want{{"kenta@example.net", "blocked", ""}}, "", []string{"info@example.com"}},
		{"DSN naming the recipient only as Original-Recipient, message without To:",
			"dsn-no-to-header.eml", KindBounce, "rfc3464",
			[]want{{"daichi@example.net", "notcompliantrfc", ""}}, "", []string{"ayaka@example.com"}},
		{"Exchange Online's 5.1.10 from a host not known as Microsoft's",
			"exchange-5.1.10.eml", KindBounce, "rfc3464",
			[]want{{"haruto@example.net", "userunknown", "5.1.10"}}, "", []string{"sales@example.com", "postmaster@mail.example.net"}},
		{"qmail, a mailbox closed for disuse in Spanish",
			"qmail-es-expired.eml", KindBounce, "qmail",
			[]want{{"lucia.gomez@example.net", "suspend", ""}}, "", []string{"boletin@example.com"}},
		{"MDaemon: the line introducing the failed addresses names a copy of the message but is no separator",
			"mdaemon-transcript.eml", KindBounce, "fallback",
			[]want{{"misaki@example.jp", "mailboxfull", ""}}, "address after a phrase naming failed recipients", []string{"news@example.com"}},
		{"L-Soft LSMTP nondelivery report, one Error-for: line per address",
			"lsmtp-error-for.eml", KindBounce, "fallback",
			[]want{{"hiro.mori@example.net", "userunknown", "5.1.1"}}, "Error-for:", []string{"news@example.com", "postmaster@gw.example.net"}},
		{"a local alias's notice names the address it was originally addressed to",
			"alias-originally-addressed.eml", KindBounce, "fallback",
			[]want{{"kenta.ito@example.net", "userunknown", ""}}, "Originally addressed to", []string{"bulletin@example.com"}},
		{"an HTML-only notice, a <br> and a source line end make one line end",
			"html-br-list.eml", KindBounce, "fallback",
			[]want{{"wei.zhang@example.net", "mailboxfull", ""}}, "", []string{"shop@example.com"}},
		{"MDaemon: the reason is the subject and the opening",
			"mdaemon-user-unknown.eml", KindBounce, "fallback",
			[]want{{"carla.ruiz@example.net", "userunknown", ""}}, "", []string{"avisos@example.com"}},
		{"an NDR from 'System Administrator' (Exchange's NDR sender name), no other automatic mark",
			"system-administrator-ndr.eml", KindBounce, "fallback",
			[]want{{"takumi@example.net", "mailboxfull", "5.2.2"}}, "", []string{"sales@example.com", "admin@corp.example.net"}},
		{"qmail's bare '<addr>:' lines, no reason given, Chinese opening",
			"qmail-bare-address-zh.eml", KindBounce, "fallback",
			[]want{{"li.na@example.net", "undefined", ""}, {"wang.lei@example.net", "undefined", ""}}, "address after a phrase naming failed recipients", []string{"service@example.com"}},
		{"qmail's bare '<addr>:' line, no reason given",
			"qmail-bare-address.eml", KindBounce, "fallback",
			[]want{{"mateo@example.org", "undefined", ""}}, "the form of qmail's notices", []string{"orders@example.com"}},
		{"'FAILED MAIL' subject, 'the address to which your message was addressed, <addr>'",
			"failed-mail-addressed.eml", KindBounce, "fallback",
			[]want{{"rsato@example.net", "undefined", ""}}, "", []string{"announce@example.com", "firstname.lastname@example.net"}},
		{"a 'Non-Delivery:' subject is a machine's mark; a list notice that bounced is a bounce; 'Old message:' ends the notice's own text",
			"ndr-subject-list-notice.eml", KindBounce, "fallback",
			[]want{{"nao@example.net", "undefined", ""}}, "subject opens as a non-delivery report does", []string{"club-bounces@example.com", "helpdesk@example.net"}},
		{"the reason in a sentence wrapped over two lines",
			"wrapped-reason.eml", KindBounce, "fallback",
			[]want{{"riku@example.org", "expired", ""}}, "", []string{"news@example.com"}},
		{"a gateway's warning: delivery attempts will continue",
			"gateway-delay-warning.eml", KindBounce, "fallback",
			[]want{{"hana@example.org", "expired", ""}}, "", []string{"letters@example.com"}},
		{"a person's reply to a non-delivery report is not one",
			"reply-to-ndr.eml", KindNotBounce, "", nil, "", nil},
		{"a parcel service's 'Delivery failure:' is no mail notice",
			"parcel-delivery-failure.eml", KindNotBounce, "", nil, "", nil},
		{"Sendmail: its own error in the transcript, naming no recipient (too many hops)",
			"sendmail-too-many-hops.eml", KindBounce, "sendmail",
			[]want{{"ren@loop.example.jp", "networkerror", "5.4.6"}}, "", []string{"news@example.com"}},
		{"no failed address named but in the To: line of the notice's summary of the message",
			"summary-to.eml", KindBounce, "fallback",
			[]want{{"kaito@example.net", "undefined", ""}}, "the To: line of its summary", []string{"tours-bounces@example.com"}},
		{"phquery's nameserver error report, the reason on the lines after the address",
			"phquery.eml", KindBounce, "fallback",
			[]want{{"taro.yamada@example.edu", "userunknown", ""}}, "", []string{"seminar-bounces@example.com", "postmaster@example.edu"}},
		{"a gateway signing 'SMTP Mail Service', no other automatic mark",
			"mail-service-sender.eml", KindBounce, "fallback",
			[]want{{"yui.kato@example.net", "mailboxfull", ""}}, "", []string{"alerts@example.com"}},
		{"'addressed to email address :' and the address on the next line",
			"addressed-to.eml", KindBounce, "fallback",
			[]want{{"aoi.suzuki@example.net", "userunknown", "5.1.1"}}, "", []string{"letters@example.com"}},
		{"Dovecot's 'Automatically rejected mail' (RFC 5429 reject), quota",
			"dovecot-rejected.eml", KindBounce, "fallback",
			[]want{{"sora@example.net", "mailboxfull", ""}}, "", []string{"info@example.com"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := decodeFixture(t, "generalise", tc.file)
			if res.Kind != tc.kind || res.DecodedBy != tc.by {
				t.Fatalf("kind %s by %q, want %s by %q: %+v", res.Kind, res.DecodedBy, tc.kind, tc.by, res.Records)
			}
			if len(res.Records) != len(tc.want) {
				t.Fatalf("%d records, want %d: %+v", len(res.Records), len(tc.want), res.Records)
			}
			for i, w := range tc.want {
				r := res.Records[i]
				if r.Recipient != w.recipient {
					t.Errorf("record %d: recipient %q, want %q", i, r.Recipient, w.recipient)
				}
				if string(r.Reason) != w.reason {
					t.Errorf("%s: reason %s, want %s (diagnostic %q)", r.Recipient, r.Reason, w.reason, r.DiagnosticCode)
				}
				if w.status != "" && r.Status != w.status {
					t.Errorf("%s: status %q, want %q", r.Recipient, r.Status, w.status)
				}
				if r.DecodedBy != tc.by {
					t.Errorf("%s: decoded_by %q, want %q", r.Recipient, r.DecodedBy, tc.by)
				}
				if tc.evidence != "" && !slices.ContainsFunc(r.Evidence, func(e string) bool { return strings.Contains(e, tc.evidence) }) {
					t.Errorf("%s: no evidence line with %q: %q", r.Recipient, tc.evidence, r.Evidence)
				}
			}
			noForbidden(t, res, tc.forbidden)
		})
	}
}

// TestNextAddressApostrophes: an address quoted in apostrophes is read
// without them; an apostrophe inside a local part stays.
func TestNextAddressApostrophes(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"quoted", "Failed to deliver to 'kenji@example.jp'", "kenji@example.jp"},
		{"quoted, a dot in the local part", "to 'yuki.tanaka@example.jp' failed", "yuki.tanaka@example.jp"},
		{"apostrophe in the local part", "mail for o'brien@example.net bounced", "o'brien@example.net"},
		{"leading apostrophe, no closing one", "'sato@example.com: refused", "'sato@example.com"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got, _, _ := nextAddress(tc.in, 0); got != tc.want {
				t.Errorf("nextAddress(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestGeneraliseDiagnosticStopsAtPart: in a multipart/report, the
// diagnostic read from the text part ends with that part; it never runs on
// into the delivery-status part or the returned headers (RFC 6522).
func TestGeneraliseDiagnosticStopsAtPart(t *testing.T) {
	cases := []struct{ name, file, by, want string }{
		{"Mail.Ru-style Exim report", "mailru-multipart.eml", "mailru",
			"550 Message was not accepted -- invalid mailbox. Local mailbox olga.petrova@example.net is unavailable: user not found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := decodeFixture(t, "generalise", tc.file)
			if res.DecodedBy != tc.by || len(res.Records) != 1 {
				t.Fatalf("by %q, %d records, want %q and 1: %+v", res.DecodedBy, len(res.Records), tc.by, res.Records)
			}
			if got := res.Records[0].DiagnosticCode; got != tc.want {
				t.Errorf("diagnostic %q, want %q", got, tc.want)
			}
		})
	}
}

// TestGeneraliseAction: a notice written as prose that says delivery will
// still be tried is a delay (RFC 3464 section 2.3.3 "delayed"), whatever
// failure words its subject has; one that says the system gave up after
// the queue lifetime is a failure whose reason is the expiry.
func TestGeneraliseAction(t *testing.T) {
	cases := []struct{ name, file, recipient, by, action, reason string }{
		{"gateway: delivery attempts will continue for 5 days", "gateway-delay-warning.eml", "hana@example.org", "fallback", "delayed", "expired"},
		{"'was aborted after 48.0 hour(s)': given up, not delayed", "x3-aborted.eml", "sakura@example.org", "x3", "failed", "expired"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := decodeFixture(t, "generalise", tc.file)
			if len(res.Records) != 1 {
				t.Fatalf("records %+v, want one for %s", res.Records, tc.recipient)
			}
			r := res.Records[0]
			if r.Recipient != tc.recipient || r.DecodedBy != tc.by || r.Action != tc.action || string(r.Reason) != tc.reason {
				t.Errorf("%s by %s, action %q, reason %s; want %s by %s, action %q, reason %s",
					r.Recipient, r.DecodedBy, r.Action, r.Reason, tc.recipient, tc.by, tc.action, tc.reason)
			}
		})
	}
}
