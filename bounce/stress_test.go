package bounce

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// bigDSN builds a Postfix-style DSN with n recipients.
func bigDSN(n int) []byte {
	var b bytes.Buffer
	b.WriteString("From: MAILER-DAEMON@mx.example.jp\nSubject: Undelivered Mail Returned to Sender\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "<user%d@example.com>: host mx.example.com[192.0.2.1] said: 550 5.1.1 unknown user (in reply to RCPT TO command)\n\n", i)
	}
	b.WriteString("--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.jp\n\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "Final-Recipient: rfc822; user%d@example.com\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 unknown user\n\n", i)
	}
	b.WriteString("--B--\n")
	return b.Bytes()
}

// manyFreeText builds a free-text bounce of a given MTA's shape with n
// recipients.
func manyFreeText(kind string, n int) []byte {
	var b bytes.Buffer
	switch kind {
	case "postfix":
		b.WriteString("From: MAILER-DAEMON@mx.example.jp (Mail Delivery System)\nSubject: Undelivered Mail Returned to Sender\n\n" +
			"This is the mail system at host mx.example.jp.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "<user%d@example.com>: host mx.example.com[192.0.2.1] said: 550 5.1.1\n    unknown user (in reply to RCPT TO command)\n\n", i)
		}
	case "qmail":
		b.WriteString("From: MAILER-DAEMON@mx.example.jp\nSubject: failure notice\n\nHi. This is the qmail-send program at mx.example.jp.\n" +
			"I'm afraid I wasn't able to deliver your message to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "<user%d@example.com>:\n192.0.2.1 does not like recipient.\nRemote host said: 550 5.1.1 unknown user\nGiving up on 192.0.2.1.\n\n", i)
		}
		b.WriteString("--- Below this line is a copy of the message.\n\nFrom: a@example.jp\nSubject: x\n\nbody\n")
	case "exim":
		b.WriteString("From: Mail Delivery System <Mailer-Daemon@mx.example.jp>\nSubject: Mail delivery failed: returning message to sender\n" +
			"Message-Id: <E1abcde-000001-AB@mx.example.jp>\n\nThis message was created automatically by mail delivery software.\n\n" +
			"A message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "  user%d@example.com\n    host mx.example.com [192.0.2.1]\n    SMTP error from remote mail server after RCPT TO:<user%d@example.com>:\n    550 5.1.1 unknown user\n", i, i)
		}
		b.WriteString("\n------ This is a copy of the message, including all the headers. ------\n\nFrom: a@example.jp\nSubject: x\n\nbody\n")
	}
	return b.Bytes()
}

// withAttachment builds a DSN whose returned message carries a base64
// attachment of size n.
func withAttachment(n int) []byte {
	var b bytes.Buffer
	b.Write(bigDSN(1))
	b.Truncate(b.Len() - len("--B--\n"))
	b.WriteString("--B\nContent-Type: message/rfc822\n\nFrom: shop@example.jp\nTo: user0@example.com\nSubject: catalogue\n" +
		"Content-Type: multipart/mixed; boundary=\"I\"\n\n--I\nContent-Type: text/plain\n\nsee attached\n--I\n" +
		"Content-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n")
	line := strings.Repeat("QUJDRA==", 9)[:72] + "\n"
	for b.Len() < n {
		b.WriteString(line)
	}
	b.WriteString("--I--\n--B--\n")
	return b.Bytes()
}

func TestHostileInput(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	garbage := make([]byte, 1<<20)
	rng.Read(garbage)
	nested := "From: MAILER-DAEMON@x.example\nSubject: Delivery failure\n"
	for i := 0; i < 100; i++ {
		nested += fmt.Sprintf("Content-Type: multipart/mixed; boundary=\"n%d\"\n\n--n%d\n", i, i)
	}
	nested += "Content-Type: text/plain\n\n<a@example.com>: 550 5.1.1 user unknown\n"

	tests := []struct {
		name    string
		in      []byte
		records int // -1: any
		wantErr error
	}{
		{"10000 recipients", bigDSN(10000), 10000, nil},
		{"10000 recipients, Postfix prose", manyFreeText("postfix", 10000), 10000, nil},
		{"10000 recipients, qmail", manyFreeText("qmail", 10000), 10000, nil},
		{"10000 recipients, Exim", manyFreeText("exim", 10000), 10000, nil},
		{"50 MB attachment", withAttachment(50 << 20), 1, nil},
		{"50 MB text body", append([]byte("From: MAILER-DAEMON@x.example\nSubject: Undelivered Mail Returned to Sender\n\nThis is the mail system at host x.example.\n\n"), bytes.Repeat([]byte("<a@b.example>: host mx[192.0.2.1] said: 550 5.1.1 unknown (in reply to RCPT TO command)\n"), 500000)...), -1, nil},
		{"MIME nested 100 deep", []byte(nested), -1, nil},
		{"broken boundary", []byte("From: MAILER-DAEMON@x.example\nContent-Type: multipart/report; boundary=\"nope\"\n\n--other\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; a@b.example\n"), -1, nil},
		{"unknown charset", []byte("From: MAILER-DAEMON@x.example\nSubject: failure notice\nContent-Type: text/plain; charset=x-klingon\n\n<a@b.example>:\n\xff\xfe 550 no such user\n"), -1, nil},
		{"binary garbage", garbage, -1, nil},
		{"empty", []byte{}, 0, ErrEmpty},
		{"only white space", []byte("\n\r\n  \n"), 0, ErrEmpty},
		{"no header", []byte("this is not a mail message at all\nand has no header\n"), 0, ErrNoHeader},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := DecodeBytes(tc.in)
			if errors.Is(err, ErrInternal) {
				t.Fatalf("panic: %v", err)
			}
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("error %v, want %v", err, tc.wantErr)
				}
				return
			}
			if tc.records >= 0 && (res == nil || len(res.Records) != tc.records) {
				n := 0
				if res != nil {
					n = len(res.Records)
				}
				t.Fatalf("%d records, want %d", n, tc.records)
			}
		})
	}
}

// TestLineEnds checks that LF, CRLF and CR copies of a message decode alike.
func TestLineEnds(t *testing.T) {
	lf := bigDSN(3)
	want, err := DecodeBytes(lf)
	if err != nil || len(want.Records) != 3 {
		t.Fatalf("LF: %v %+v", err, want)
	}
	for name, conv := range map[string]string{"CRLF": "\r\n", "CR": "\r"} {
		got, err := DecodeBytes(bytes.ReplaceAll(lf, []byte("\n"), []byte(conv)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if fmt.Sprintf("%+v", got.Records) != fmt.Sprintf("%+v", want.Records) {
			t.Errorf("%s decodes differently:\n%+v\n%+v", name, got.Records, want.Records)
		}
	}
}
