package bounce

import (
	"slices"
	"testing"

	"github.com/bouncewatch/bouncewatch/reason"
)

// TestNotFailureFixtures decodes messages written for these tests in the
// forms of real mail that is not a failed delivery (issue 7 section 2):
// spam and newsletters, persons' replies, automatic replies, success
// reports. None may give a record of a failed delivery: a false failure
// inflates an account's bounce count and may raise a false hijack alert.
// Each case is one general rule, not one sample.
func TestNotFailureFixtures(t *testing.T) {
	cases := []struct {
		name   string
		file   string
		kind   Kind
		reason reason.Reason // of every record, when kind is KindBounce
	}{
		{"spam whose subject has the word vacation is no automatic reply",
			"spam-vacation-subject.eml", KindNotBounce, ""},
		{"a person's reply to an out-of-office message, quoting it, is no automatic reply",
			"reply-to-out-of-office.eml", KindNotBounce, ""},
		{"an out-of-office reply with no Auto-Submitted: its subject and its text say so",
			"notes-out-of-office.eml", KindBounce, reason.Vacation},
		{"an out-of-office reply with no Auto-Submitted: its subject opens with the label",
			"out-of-office-label.eml", KindBounce, reason.Vacation},
		{"Outlook's French label with a no-break space before its colon ('Réponse automatique\u00a0:')",
			"vacation-fr-nbsp-label.eml", KindBounce, reason.Vacation},
		{"a parcel phishing's 「【不在連絡票】」 is no out-of-office reply",
			"parcel-phishing-ja.eml", KindNotBounce, ""},
		{"a travel letter's 「【休暇特集】」 with Precedence: bulk is no out-of-office reply",
			"travel-newsletter-ja.eml", KindNotBounce, ""},
		{"a Japanese out-of-office reply labelled 「【自動返信】」, no Auto-Submitted",
			"vacation-ja-label.eml", KindBounce, reason.Vacation},
		{"Exchange 2003's 'Out of Office AutoReply:' label, no Auto-Submitted, no words of absence",
			"exchange2003-oof.eml", KindBounce, reason.Vacation},
		{"a subject tag with 're:' inside a word ('[Score: 3]') is no reply prefix",
			"ooo-tagged-subject.eml", KindBounce, reason.Vacation},
		{"Postfix's SMTP server refused a remote client's recipients (a dictionary attack on us)",
			"postfix-smtpd-remote-rcpt.eml", KindNotBounce, ""},
		{"a cron report (pflogsumm) listing the day's bounces is no notice",
			"pflogsumm-cron.eml", KindNotBounce, ""},
		{"an issue tracker's auto-generated mail speaking of rejected mail is no notice",
			"tracker-auto-generated.eml", KindNotBounce, ""},
		{"a delivery receipt in prose marked auto-replied is no vacation reply",
			"exchange-delivered-receipt.eml", KindNotBounce, ""},
		{"a success DSN: delivered, expanded, relayed",
			"relay-success-dsn.eml", KindBounce, reason.Delivered},
		{"Exchange's 'Delivered:' DSN (Action: delivered)",
			"ms-delivered-dsn.eml", KindBounce, reason.Delivered},
		{"a success DSN's fields in text/plain parts (delivered, expanded)",
			"text-delivered-dsn.eml", KindBounce, reason.Delivered},
		{"a 'relayed' DSN written as one text/plain part",
			"text-success-dsn.eml", KindBounce, reason.Delivered},
		{"a read receipt (RFC 8098 MDN) with Final-Recipient",
			"mdn-displayed.eml", KindNotBounce, ""},
		{"an MDN 'deleted without being read'",
			"mdn-deleted-unread.eml", KindNotBounce, ""},
		{"an MDN's fields in a text/plain message",
			"mdn-text-only.eml", KindNotBounce, ""},
		{"a spam quarantine digest listing blocked senders",
			"quarantine-digest.eml", KindNotBounce, ""},
		{"a postmaster's mailbox quota warning",
			"quota-warning.eml", KindNotBounce, ""},
		{"phishing: 'mailbox full' from a 'Mail Administrator', the victim's address in the text",
			"phishing-quota-bcc.eml", KindNotBounce, ""},
		{"a challenge-response request",
			"challenge-response.eml", KindNotBounce, ""},
		{"a list's moderation notice",
			"list-moderation.eml", KindNotBounce, ""},
		{"a help desk's auto-reply naming an unmonitored address",
			"ticket-autoreply-noreply.eml", KindBounce, reason.Vacation},
		{"a Japanese out-of-office reply",
			"vacation-ja.eml", KindBounce, reason.Vacation},
		{"a German out-of-office reply with no Auto-Submitted",
			"vacation-de-noheader.eml", KindBounce, reason.Vacation},
		{"a French out-of-office reply",
			"vacation-fr.eml", KindBounce, reason.Vacation},
		{"a Japanese out-of-office reply with no Auto-Submitted (「不在のお知らせ」, 「出張のため不在」)",
			"vacation-ja-noheader.eml", KindBounce, reason.Vacation},
		{"a French out-of-office reply with no Auto-Submitted",
			"vacation-fr-noheader.eml", KindBounce, reason.Vacation},
		{"an out-of-office reply whose subject is no label, its text says 'I am travelling'",
			"vacation-en-travelling.eml", KindBounce, reason.Vacation},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := decodeFixture(t, "notfailure", tc.file)
			if res.Kind != tc.kind {
				t.Fatalf("kind %s by %q, want %s: %+v", res.Kind, res.DecodedBy, tc.kind, res.Records)
			}
			for _, r := range res.Records {
				if failedDelivery(r) {
					t.Errorf("a failed delivery to %s (reason %s, action %q, by %s): %q",
						r.Recipient, r.Reason, r.Action, r.DecodedBy, r.Evidence)
				}
				if tc.reason != "" && r.Reason != tc.reason {
					t.Errorf("%s: reason %s, want %s", r.Recipient, r.Reason, tc.reason)
				}
			}
			if tc.kind == KindBounce && len(res.Records) == 0 {
				t.Errorf("no record")
			}
		})
	}
}

// failedDelivery reports whether r says delivery to its recipient failed:
// not an automatic reply, a feedback report or a success report (RFC
// 3464 section 2.3.3: delivered, relayed, expanded), nor a delay.
func failedDelivery(r Record) bool {
	switch r.Reason {
	case reason.Vacation, reason.Delivered, reason.Feedback:
		return false
	}
	switch r.Action {
	case "delivered", "relayed", "expanded", "delayed":
		return false
	}
	return r.Recipient != ""
}

// TestPostfixSMTPDClients checks whose mail a Postfix SMTP server's notice
// to the postmaster reports: a recipient refused at RCPT to an outside
// client was addressed to us (no record); the host's own clients
// (loopback: a content filter's reinjection, a local program) send our
// mail, and a refusal after DATA may be of anyone's.
func TestPostfixSMTPDClients(t *testing.T) {
	notice := func(client, cmd, reply string) string {
		return "Return-Path: <double-bounce@mx.example.jp>\nFrom: MAILER-DAEMON@mx.example.jp (Mail Delivery System)\n" +
			"To: postmaster@example.jp (Postmaster)\nSubject: Postfix SMTP server: errors from " + client + "\n\n" +
			"Transcript of session follows.\n\n Out: 220 mx.example.jp ESMTP\n In:  EHLO client.example\n Out: 250 mx.example.jp\n" +
			" In:  MAIL FROM:<someone@example.org>\n Out: 250 2.1.0 Ok\n In:  RCPT TO:<rin@example.jp>\n" + cmd + reply +
			" In:  QUIT\n Out: 221 2.0.0 Bye\n\nFor other details, see the local mail logfile\n"
	}
	const unknown = " Out: 550 5.1.1 <rin@example.jp>: Recipient address rejected: User unknown\n"
	const data = " Out: 250 2.1.5 Ok\n In:  DATA\n Out: 354 End data\n"
	const queue = " Out: 451 4.3.0 Error: queue file write error\n"
	for _, tc := range []struct {
		name, msg string
		want      []string
	}{
		{"remote client, refused at RCPT", notice("unknown[198.51.100.23]", "", unknown), nil},
		{"remote IPv6 client, refused at RCPT", notice("unknown[2001:db8::7]", "", unknown), nil},
		{"loopback client, refused at RCPT", notice("localhost[127.0.0.1]", "", unknown), []string{"rin@example.jp"}},
		{"IPv6 loopback client, refused at RCPT", notice("localhost[::1]", "", unknown), []string{"rin@example.jp"}},
		{"remote client, refused after DATA", notice("unknown[198.51.100.23]", data, queue), []string{"rin@example.jp"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := DecodeBytes([]byte(tc.msg))
			if err != nil {
				t.Fatal(err)
			}
			got := recipientsOf(res)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("recipients %q, want %q (kind %s by %s)", got, tc.want, res.Kind, res.DecodedBy)
			}
		})
	}
}
