package bounce

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// providerCase is what one fixture of testdata/providers must decode to.
type providerCase struct {
	file      string
	by        string
	recipient string
	reason    string
	status    string // "" to skip
	command   string // "" to skip
	remoteMTA string // "" to skip
}

var providerCases = []providerCase{
	{"ses-bounce.eml", "amazonses", "anna@mail.example.net", "mailboxfull", "5.2.2", "", "198.51.100.25"},
	{"ses-sns-envelope.eml", "amazonses", "ghost@corp.example.org", "userunknown", "5.1.1", "", ""},
	{"ses-complaint.eml", "amazonses", "carl@isp.example.com", "feedback", "", "", ""},
	{"ses-delivery.eml", "amazonses", "dora@example.com", "delivered", "2.0.0", "", "203.0.113.9"},
	{"workmail.eml", "amazonworkmail", "erik@host.example.net", "userunknown", "5.1.1", "", ""},
	{"gmx.eml", "gmx", "greta@mx-target.example.org", "userunknown", "5.1.1", "RCPT", "mx.mx-target.example.org"},
	{"gmx.eml", "gmx", "hans@mx-target.example.org", "mailboxfull", "5.2.2", "RCPT", ""},
	{"ionos.eml", "gmx", "jan@big-files.example.com", "mesgtoobig", "", "", ""},
	{"mailru.eml", "mailru", "lev@far-away.example.jp", "userunknown", "5.1.1", "RCPT", "mx.far-away.example.jp"},
	{"notes.eml", "notes", "nobody@notes-gw.example.co.jp", "userunknown", "", "", ""},
	{"domino.eml", "domino", "paul.brown@domino.example.com", "userunknown", "", "", ""},
	{"verizon-mms.eml", "verizon", "5550001111@vzwpix.com", "userunknown", "", "", ""},
	{"verizon-sms.eml", "verizon", "5550002222@vtext.com", "userunknown", "", "", ""},
	{"zoho.eml", "zoho", "tom@remote.example.net", "mailboxfull", "5.2.2", "", ""},
	{"zoho-delay.eml", "zoho", "uma@slow.example.org", "expired", "", "", ""},
	{"messagelabs.eml", "providerdsn", "walt@protected.example.com", "norelaying", "5.7.1", "", "server-1.bemta-2.messagelabs.com"},
}

func readProviderFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "providers", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestProviderFixtures(t *testing.T) {
	for _, c := range providerCases {
		t.Run(c.file+"/"+c.recipient, func(t *testing.T) {
			b := readProviderFixture(t, c.file)
			res, err := DecodeBytes(b)
			if err != nil {
				t.Fatal(err)
			}
			if res.Kind != KindBounce || res.DecodedBy != c.by {
				t.Fatalf("kind %s decoded by %q, want bounce by %q", res.Kind, res.DecodedBy, c.by)
			}
			var got *Record
			for i := range res.Records {
				if res.Records[i].Recipient == c.recipient {
					got = &res.Records[i]
				}
			}
			if got == nil {
				t.Fatalf("recipient %s not found in %+v", c.recipient, res.Records)
			}
			if string(got.Reason) != c.reason {
				t.Errorf("reason %s, want %s (diag %q)", got.Reason, c.reason, got.DiagnosticCode)
			}
			if c.status != "" && got.Status != c.status {
				t.Errorf("status %q, want %q", got.Status, c.status)
			}
			if c.command != "" && got.Command != c.command {
				t.Errorf("command %q, want %q", got.Command, c.command)
			}
			if c.remoteMTA != "" && got.RemoteMTA != c.remoteMTA {
				t.Errorf("remote MTA %q, want %q", got.RemoteMTA, c.remoteMTA)
			}
			if len(got.Evidence) == 0 {
				t.Errorf("no evidence")
			}
			// The same message with CRLF line ends decodes alike.
			crlf := bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
			res2, err := DecodeBytes(crlf)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(res, res2) {
				j1, _ := json.Marshal(res)
				j2, _ := json.Marshal(res2)
				t.Errorf("CRLF copy differs:\n LF:   %.400s\n CRLF: %.400s", j1, j2)
			}
		})
	}
}

func TestProviderRecordCounts(t *testing.T) {
	for file, want := range map[string]int{"gmx.eml": 2, "ses-bounce.eml": 1, "mailru.eml": 1, "zoho.eml": 1} {
		res, err := DecodeBytes(readProviderFixture(t, file))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Records) != want {
			t.Errorf("%s: %d records, want %d: %+v", file, len(res.Records), want, res.Records)
		}
	}
}

func TestProviderOriginal(t *testing.T) {
	for file, subject := range map[string]string{
		"ses-sns-envelope.eml": "Your receipt",
		"gmx.eml":              "Meeting",
		"mailru.eml":           "Privet",
		"notes.eml":            "Schedule",
		"verizon-mms.eml":      "photo",
		"workmail.eml":         "Quote",
	} {
		res, err := DecodeBytes(readProviderFixture(t, file))
		if err != nil {
			t.Fatal(err)
		}
		if res.Original == nil || res.Original.Subject != subject {
			t.Errorf("%s: original %+v, want subject %q", file, res.Original, subject)
		}
	}
}

func TestProviderNotBounce(t *testing.T) {
	for _, file := range []string{"not-bounce-json.eml", "not-bounce-forward.eml"} {
		res, err := DecodeBytes(readProviderFixture(t, file))
		if err != nil {
			t.Fatal(err)
		}
		if res.Kind != KindNotBounce {
			t.Errorf("%s: taken for a bounce by %s: %+v", file, res.DecodedBy, res.Records)
		}
	}
}

// TestProviderRecognizersReject checks that each recogniser of this family
// rejects the fixtures of the others' formats and broken input, without
// panicking.
func TestProviderRecognizersReject(t *testing.T) {
	inputs := [][]byte{
		[]byte("From: a@b\n\n"),
		[]byte("From: MAILER-DAEMON@mail.gmx.net\nSubject: Mail delivery failed\n\nThe following address failed:\n"),
		[]byte("From: no-reply@sns.amazonaws.com\nSubject: AWS Notification Message\n\n{\"notificationType\":\"Bounce\",\"bounce\":{\"bouncedRecipients\":[{\"emailAddress\":"),
		[]byte("From: no-reply@sns.amazonaws.com\n\n{\"Message\" : \"{\\\"notificationType\\\":\\\"Bounce\\\"}\"}"),
		[]byte("From: sysadmin@vzwpix.com\n\nMessage could not be delivered to mobile\nOriginal Message:"),
		[]byte("From: postmaster@x\nSubject: DELIVERY FAILURE: x\n\nYour message\nwas not delivered to:\n"),
		[]byte("From: mailer-daemon@mail.zoho.com\nX-Mailer: Zoho Mail\n\nThis message was created automatically by mail delivery\n[Status: Error, Address: <>, ]\n"),
	}
	for i, in := range inputs {
		f := flatten(normalizeLineEnds(in))
		for _, r := range providerRecognizers {
			if s := r.scan(f); s != nil && len(s.records) > 0 {
				t.Errorf("input %d: %s found %+v", i, r.name, s.records)
			}
		}
	}
}

func BenchmarkProviderRecognizersReject(b *testing.B) {
	raw := []byte("From: Alice <alice@example.com>\nTo: bob@example.org\nSubject: lunch\nContent-Type: text/plain\n\nSee you at noon.\n")
	f := flatten(raw)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, r := range providerRecognizers {
			r.scan(f)
		}
	}
}
