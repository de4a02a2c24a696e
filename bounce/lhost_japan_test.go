package bounce

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// japanCases are the fixtures of the Japanese carriers and of the generic
// readers (RFC 3464, RFC 3834, ARF), with what each must decode to. Empty
// fields are not checked.
var japanCases = []struct {
	name      string
	file      string
	by        string
	recipient string
	reason    string
	status    string
	command   string
	fbType    string
	diag      string // a fragment the diagnostic must contain
	remoteMTA string
	original  bool // the returned message's Subject must be read
}{
	{name: "ezweb account disabled", file: "ezweb-disabled.eml", by: "ezweb", recipient: "stopped-account@ezweb.ne.jp",
		reason: "suspend", status: "5.0.0", command: "RCPT", diag: "The user(s) account is disabled.", original: true},
	{name: "ezweb remote transcript", file: "ezweb-transcript.eml", by: "ezweb", recipient: "nobody-here@example.net",
		reason: "userunknown", status: "5.1.1", command: "RCPT", diag: "550 5.1.1 <nobody-here@example.net>: Recipient address rejected"},
	{name: "ezweb X-SPASIGN NG", file: "ezweb-spasign.eml", by: "ezweb", recipient: "domain-filter-on@ezweb.ne.jp",
		reason: "filtered", original: true},
	{name: "kddi mailbox full", file: "kddi-mailboxfull.eml", by: "kddi", recipient: "full-box@host01.dion.ne.jp",
		reason: "mailboxfull", diag: "As their mailbox is full.", original: true},
	{name: "biglobe mailbox full", file: "biglobe-mailboxfull.eml", by: "biglobe", recipient: "full-user@mail.biglobe.ne.jp",
		reason: "mailboxfull", diag: "exceeded the local limit", original: true},
	{name: "docomo via postfix", file: "docomo-postfix.eml", recipient: "someone@docomo.ne.jp",
		status: "5.0.0", command: "DATA", remoteMTA: "mfsmax.docomo.ne.jp", diag: "550 Unknown user", original: true},
	{name: "rfc3464 fields inline", file: "rfc3464-inline.eml", by: "rfc3464", recipient: "gone@example.net",
		reason: "userunknown", status: "5.1.1", diag: "user unknown", remoteMTA: "mx.example.net", original: true},
	{name: "arf removal recipient", file: "arf-removal.eml", by: "arf", recipient: "leaving@isp.example.com",
		reason: "feedback", fbType: "opt-out"},
	{name: "arf without recipient", file: "arf-undisclosed.eml", by: "arf", recipient: undisclosedRecipient,
		reason: "feedback", fbType: "abuse"},
	{name: "apple unsubscribe", file: "apple-unsubscribe.eml", by: "arf", recipient: "reader@icloud.example.com",
		reason: "feedback", fbType: "opt-out", diag: "unsubscribe from the message “News”"},
	{name: "microsoft jmrp complaint", file: "jmrp-complaint.eml", by: "arf", recipient: "complainer@hotmail.example.com",
		reason: "feedback", fbType: "abuse", original: true},
	{name: "rfc3834 vacation in japanese", file: "rfc3834-vacation.eml", by: "rfc3834", recipient: "taro@example.co.jp",
		reason: "vacation", diag: "3月20日まで休暇中です。"},
	{name: "charset iso-2022-jp", file: "charset-iso2022jp.eml", by: "rfc3464", recipient: "user@example.jp",
		status: "5.2.2", diag: "メールボックスが一杯です"},
	{name: "charset shift_jis", file: "charset-shiftjis.eml", by: "rfc3464", recipient: "user@example.jp",
		status: "5.2.2", diag: "メールボックスが一杯です"},
	{name: "charset euc-jp", file: "charset-eucjp.eml", by: "rfc3464", recipient: "user@example.jp",
		status: "5.2.2", diag: "メールボックスが一杯です"},
	{name: "charset utf-8 base64", file: "charset-utf8-base64.eml", by: "rfc3464", recipient: "user@example.jp",
		status: "5.2.2", diag: "メールボックスが一杯です"},
	{name: "charset latin-1 quoted-printable", file: "charset-latin1-qp.eml", by: "rfc3464", recipient: "user@example.jp",
		status: "5.2.2", diag: "boîte aux lettres pleine, réessayez"},
}

func readJapanFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "japan", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestJapanFormats(t *testing.T) {
	for _, c := range japanCases {
		t.Run(c.name, func(t *testing.T) {
			res, err := DecodeBytes(readJapanFixture(t, c.file))
			if err != nil {
				t.Fatal(err)
			}
			if res.Kind != KindBounce || len(res.Records) != 1 {
				t.Fatalf("kind %s, %d records (%+v); want one bounce record", res.Kind, len(res.Records), res.Records)
			}
			r := res.Records[0]
			check := func(what, got, want string) {
				t.Helper()
				if want != "" && got != want {
					t.Errorf("%s = %q, want %q", what, got, want)
				}
			}
			check("decoded_by", r.DecodedBy, c.by)
			check("recipient", r.Recipient, c.recipient)
			check("reason", string(r.Reason), c.reason)
			check("status", r.Status, c.status)
			check("command", r.Command, c.command)
			check("feedback_type", r.FeedbackType, c.fbType)
			check("remote_mta", r.RemoteMTA, c.remoteMTA)
			if c.diag != "" && !strings.Contains(r.DiagnosticCode, c.diag) {
				t.Errorf("diagnostic %q does not contain %q", r.DiagnosticCode, c.diag)
			}
			if c.original && (r.Original == nil || r.Original.Subject == "") {
				t.Errorf("returned message not read: %+v", r.Original)
			}
			if len(r.Evidence) == 0 {
				t.Errorf("no evidence")
			}
		})
	}
}

// TestJapanLineEnds checks that CRLF and CR copies of every fixture decode
// exactly as the LF original does.
func TestJapanLineEnds(t *testing.T) {
	for _, c := range japanCases {
		lf := readJapanFixture(t, c.file)
		want, err := DecodeBytes(lf)
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		for _, end := range []string{"\r\n", "\r"} {
			b := bytes.ReplaceAll(lf, []byte("\n"), []byte(end))
			got, err := DecodeBytes(b)
			if err != nil {
				t.Fatalf("%s %q: %v", c.file, end, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s with %q line ends decodes differently:\n got %+v\nwant %+v", c.file, end, got.Records, want.Records)
			}
		}
	}
}

// TestJapanNotBounce checks that ordinary mail that resembles the formats
// is not taken for a bounce.
func TestJapanNotBounce(t *testing.T) {
	cases := map[string]string{
		"forwarded message": "From: friend@example.jp\r\nTo: me@example.org\r\nSubject: Fwd: trip\r\n" +
			"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"x\"\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\n" +
			"See below.\r\n--x\r\nContent-Type: message/rfc822\r\n\r\nFrom: a@example.com\r\nTo: friend@example.jp\r\n" +
			"Subject: trip\r\n\r\nHello\r\n--x--\r\n",
		"mail quoting DSN fields": "From: admin@example.jp\r\nTo: me@example.org\r\nSubject: what is a DSN\r\n\r\n" +
			"A DSN looks like this:\r\n\r\nFinal-Recipient: rfc822; user@example.net\r\nAction: failed\r\nStatus: 5.1.1\r\n",
		"ezweb subject only": "From: someone@example.jp\r\nTo: me@example.org\r\nSubject: Mail System Error - Returned Mail\r\n\r\n" +
			"<user@example.net>: 550 user unknown\r\n",
		"complaint subject from a person": "From: person@example.com\r\nTo: me@example.org\r\nSubject: complaint about message from 192.0.2.1\r\n" +
			"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"y\"\r\n\r\n--y\r\nContent-Type: message/rfc822\r\n\r\n" +
			"From: a@example.com\r\nTo: person@example.com\r\nSubject: x\r\n\r\nx\r\n--y--\r\n",
	}
	for name, msg := range cases {
		res, err := DecodeBytes([]byte(msg))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if res.Kind != KindNotBounce {
			t.Errorf("%s: taken for a bounce by %s: %+v", name, res.DecodedBy, res.Records)
		}
	}
}

// BenchmarkJapanReject measures how fast the recognisers of this family
// turn away a message that is not theirs.
func BenchmarkJapanReject(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join("testdata", "japan", "docomo-postfix.eml"))
	if err != nil {
		b.Fatal(err)
	}
	f := flatten(normalizeLineEnds(raw))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, r := range japanRecognizers {
			if r.scan(f) != nil {
				b.Fatal(r.name, "took a Postfix bounce")
			}
		}
	}
}
