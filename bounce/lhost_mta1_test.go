package bounce

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type mta1Want struct {
	rcpt    string
	reason  string // checked when not empty
	status  string // checked when not empty
	command string // checked when not empty
	remote  string // checked when not empty
	diag    string // a substring of the diagnostic, checked when not empty
}

func TestMTA1Fixtures(t *testing.T) {
	cases := []struct {
		name, file, by string
		want           []mta1Want
		noOriginal     bool // the format returns no copy of the message
	}{
		{"dma: refused at RCPT", "dma-rcpt.eml", "dragonfly", []mta1Want{
			{rcpt: "nobody@mail.example.org", reason: "userunknown", status: "5.1.1", command: "RCPT", remote: "mx1.mail.example.org", diag: "User unknown in virtual mailbox table"},
		}, false},
		{"dma: gave up after the queue lifetime", "dma-expired.eml", "dragonfly", []mta1Want{
			{rcpt: "bob@slow.example.com", reason: "expired", diag: "Could not deliver for the last 432000 seconds"},
		}, false},
		{"opensmtpd: one line per recipient", "opensmtpd.eml", "opensmtpd", []mta1Want{
			{rcpt: "dave@example.com", reason: "userunknown", status: "5.1.1"},
			{rcpt: "erin@example.com", reason: "mailboxfull", status: "5.2.2"},
			{rcpt: "frank@nowhere.example", reason: "hostunknown", diag: "Domain does not exist"},
		}, false},
		{"v5 sendmail: transcript only", "v5sendmail.eml", "v5sendmail", []mta1Want{
			{rcpt: "heidi@gone.example.org", reason: "hostunknown", diag: "Host unknown"},
			{rcpt: "ivan@example.com", reason: "userunknown", command: "RCPT", remote: "mx.example.com", diag: "550 No such user here"},
		}, false},
		{"sendmail: DSN completed from the transcript", "sendmail-dsn.eml", "sendmail", []mta1Want{
			{rcpt: "mallory@example.org", status: "5.7.1", command: "DATA", remote: "mx.example.org", diag: "header are not accepted"},
		}, false},
		{"postfix: prose only, wrapped paragraphs", "postfix-prose.eml", "postfix", []mta1Want{
			{rcpt: "peggy@example.com", status: "5.2.1", command: "RCPT", remote: "mx.example.com", diag: "Mailbox disabled for this recipient"},
			{rcpt: "sybil@example.org", reason: "mailboxfull", status: "5.2.2", command: "DATA", remote: "mx.example.org"},
		}, false},
		{"postfix: smtpd errors transcript", "postfix-smtpd.eml", "postfix", []mta1Want{
			{rcpt: "walter@example.net", status: "4.3.1", command: "DATA", diag: "Insufficient system storage"},
		}, true},
		{"apache james notice", "james.eml", "apachejames", []mta1Want{
			{rcpt: "yvonne@james.example.com", diag: "no such user here"},
		}, true},
		{"ordinary mail quoting the markers", "not-bounce-transcript.eml", "", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "mta1", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			res, err := DecodeBytes(raw)
			if err != nil {
				t.Fatal(err)
			}
			if tc.by == "" {
				if res.Kind != KindNotBounce || len(res.Records) > 0 {
					t.Fatalf("taken for a bounce by %s: %+v", res.DecodedBy, res.Records)
				}
				return
			}
			if res.DecodedBy != tc.by {
				t.Fatalf("decoded by %q, want %q", res.DecodedBy, tc.by)
			}
			if len(res.Records) != len(tc.want) {
				t.Fatalf("%d records, want %d: %+v", len(res.Records), len(tc.want), res.Records)
			}
			for i, w := range tc.want {
				r := res.Records[i]
				if r.Recipient != w.rcpt {
					t.Errorf("record %d: recipient %q, want %q", i, r.Recipient, w.rcpt)
				}
				if w.reason != "" && string(r.Reason) != w.reason {
					t.Errorf("%s: reason %q, want %q (diag %q)", w.rcpt, r.Reason, w.reason, r.DiagnosticCode)
				}
				if w.status != "" && r.Status != w.status {
					t.Errorf("%s: status %q, want %q", w.rcpt, r.Status, w.status)
				}
				if w.command != "" && r.Command != w.command {
					t.Errorf("%s: command %q, want %q", w.rcpt, r.Command, w.command)
				}
				if w.remote != "" && r.RemoteMTA != w.remote {
					t.Errorf("%s: remote MTA %q, want %q", w.rcpt, r.RemoteMTA, w.remote)
				}
				if w.diag != "" && !strings.Contains(r.DiagnosticCode, w.diag) {
					t.Errorf("%s: diagnostic %q lacks %q", w.rcpt, r.DiagnosticCode, w.diag)
				}
				if r.DecodedBy != tc.by || len(r.Evidence) == 0 {
					t.Errorf("%s: decoded_by %q, evidence %q", w.rcpt, r.DecodedBy, r.Evidence)
				}
			}
			if res.Original == nil && !tc.noOriginal {
				t.Errorf("no returned message found")
			}
			// The same message with CRLF line ends decodes alike.
			crlf := bytes.ReplaceAll(raw, []byte("\n"), []byte("\r\n"))
			res2, err := DecodeBytes(crlf)
			if err != nil {
				t.Fatal(err)
			}
			a, _ := json.Marshal(res)
			b, _ := json.Marshal(res2)
			if !bytes.Equal(a, b) {
				t.Errorf("CRLF copy decodes differently:\n LF:   %s\n CRLF: %s", a, b)
			}
		})
	}
}

// TestMTA1Reject checks that the recognisers refuse messages of other
// formats quickly and never panic on truncated input.
func TestMTA1Reject(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "mta1", "*.eml"))
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		for n := 0; n < len(raw); n += 37 {
			m := flatten(normalizeLineEnds(raw[:n]))
			for _, r := range mta1Recognizers {
				r.scan(m)
			}
		}
	}
	plain := flatten([]byte("From: a@example.com\nSubject: hello\n\nhi\n"))
	for _, r := range mta1Recognizers {
		if s := r.scan(plain); s != nil {
			t.Errorf("%s took an ordinary message", r.name)
		}
	}
}

func BenchmarkMTA1Reject(b *testing.B) {
	m := flatten([]byte("From: a@example.com\nSubject: hello there\nContent-Type: text/plain\n\n" + strings.Repeat("some ordinary text\n", 200)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, r := range mta1Recognizers {
			r.scan(m)
		}
	}
}
