package bounce

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bouncewatch/bouncewatch/reason"
)

type gmsWant struct {
	recipient string
	reason    reason.Reason
	status    string
	command   string
	remote    string
}

func TestGoogleMSFixtures(t *testing.T) {
	cases := []struct {
		name string
		file string
		by   string
		want []gmsWant
	}{
		{"gmail permanent failure with the remote reply", "gmail-permanent.eml", "gmail",
			[]gmsWant{{"bob@example.net", reason.UserUnknown, "5.1.1", "", "mx1.example.net"}}},
		{"gmail state 18 decides filtered", "gmail-state.eml", "gmail",
			[]gmsWant{{"carol@example.org", reason.Filtered, "5.7.0", "DATA", ""}}},
		{"gmail delay: could not connect", "gmail-delayed.eml", "gmail",
			[]gmsWant{{"dave@slow.example.com", reason.Expired, "", "", ""}}},
		{"google groups refusal", "googlegroups.eml", "googlegroups",
			[]gmsWant{{"no-such-group@googlegroups.com", reason.Rejected, "", "", ""}}},
		{"google workspace send-mail-as notice", "googleworkspace.eml", "googleworkspace",
			[]gmsWant{{"grace@example.co.jp", reason.Rejected, "", "", ""}}},
		{"google DSN of a DNS failure", "googledsn-dns.eml", "googledsn",
			[]gmsWant{{"ivan@nxdomain.example", reason.NetworkError, "4.0.0", "", "googlemail.com"}}},
		{"yahoo failure notice, two recipients", "yahoo.eml", "yahoo",
			[]gmsWant{
				{"ken@example.org", reason.MailboxFull, "5.2.2", "RCPT", ""},
				{"lee@example.org", reason.Rejected, "5.1.8", "MAIL", ""},
			}},
		{"exchange 2003 MSEXCH codes", "exchange2003.eml", "exchange2003",
			[]gmsWant{
				{"niaj@corp.example", reason.UserUnknown, "", "", ""},
				{"olivia@corp.example", reason.Filtered, "", "", ""},
			}},
		{"exchange online report without a DSN", "exchange2007-text.eml", "exchange2007",
			[]gmsWant{{"peggy@tenant.onmicrosoft.test", reason.UserUnknown, "5.1.1", "", ""}}},
		{"hotmail DSN: the reporting host's own error", "hotmail-dsn.eml", "microsoftdsn",
			[]gmsWant{{"trent@hotmail.test", reason.UserUnknown, "5.5.0", "", "bay0-mc1-f1.hotmail.com"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "googlems", c.file))
			if err != nil {
				t.Fatal(err)
			}
			res, err := DecodeBytes(raw)
			if err != nil {
				t.Fatal(err)
			}
			if res.Kind != KindBounce || res.DecodedBy != c.by {
				t.Fatalf("kind %s decoded by %q, want bounce by %q", res.Kind, res.DecodedBy, c.by)
			}
			if len(res.Records) != len(c.want) {
				t.Fatalf("%d records, want %d: %+v", len(res.Records), len(c.want), res.Records)
			}
			for i, w := range c.want {
				r := res.Records[i]
				if r.Recipient != w.recipient {
					t.Errorf("record %d: recipient %q, want %q", i, r.Recipient, w.recipient)
				}
				if r.Reason != w.reason {
					t.Errorf("%s: reason %q, want %q (diag %q)", r.Recipient, r.Reason, w.reason, r.DiagnosticCode)
				}
				if w.status != "" && r.Status != w.status {
					t.Errorf("%s: status %q, want %q", r.Recipient, r.Status, w.status)
				}
				if w.command != "" && r.Command != w.command {
					t.Errorf("%s: command %q, want %q", r.Recipient, r.Command, w.command)
				}
				if w.remote != "" && !strings.EqualFold(r.RemoteMTA, w.remote) {
					t.Errorf("%s: remote MTA %q, want %q", r.Recipient, r.RemoteMTA, w.remote)
				}
				if r.DiagnosticCode == "" {
					t.Errorf("%s: no diagnostic text", r.Recipient)
				}
				if len(r.Evidence) == 0 {
					t.Errorf("%s: no evidence", r.Recipient)
				}
			}
			// The same message with CRLF line ends decodes alike.
			crlf := bytes.ReplaceAll(raw, []byte("\n"), []byte("\r\n"))
			res2, err := DecodeBytes(crlf)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(res, res2) {
				a, _ := json.Marshal(res)
				b, _ := json.Marshal(res2)
				t.Errorf("CRLF variant differs:\n LF:   %.400s\n CRLF: %.400s", a, b)
			}
		})
	}
}

func TestGoogleMSNotBounce(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "googlems", "not-bounce-forward.eml"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := DecodeBytes(raw)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != KindNotBounce || len(res.Records) != 0 {
		t.Fatalf("forwarded notice taken for a bounce by %s: %+v", res.DecodedBy, res.Records)
	}
}

// TestGoogleMSRejectsOthers checks that every recogniser of the family
// declines messages of no concern to it without panicking, including
// truncated pieces of its own fixtures.
func TestGoogleMSRejectsOthers(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "googlems", "*.eml"))
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for n := 0; n <= len(raw); n += 7 {
			fl := flatten(normalizeLineEnds(raw[:n]))
			for _, r := range googleMSRecognizers {
				r.scan(fl)
			}
		}
	}
	plain := flatten([]byte("From: a@example.com\nTo: b@example.com\nSubject: hello\n\nhello\n"))
	for _, r := range googleMSRecognizers {
		if s := r.scan(plain); s != nil && len(s.records) > 0 {
			t.Errorf("%s took ordinary mail for a bounce", r.name)
		}
	}
}

func BenchmarkGoogleMSReject(b *testing.B) {
	plain := flatten([]byte("From: a@example.com\nTo: b@example.com\nSubject: hello\nContent-Type: text/plain\n\nhello there\n"))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, r := range googleMSRecognizers {
			r.scan(plain)
		}
	}
}
