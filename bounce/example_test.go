package bounce_test

import (
	"fmt"
	"strings"

	"github.com/bouncewatch/bouncewatch/bounce"
)

const exampleBounce = `From: MAILER-DAEMON@mail.example.jp (Mail Delivery System)
To: shop@example.jp
Subject: Undelivered Mail Returned to Sender
Date: Mon, 2 Nov 2026 02:14:09 +0900
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: text/plain

<tanaka@example.com>: host mx.example.com[192.0.2.25] said: 550 5.1.1
    <tanaka@example.com>: Recipient address rejected: User unknown
    (in reply to RCPT TO command)

--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.jp

Final-Recipient: rfc822; tanaka@example.com
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.example.com
Diagnostic-Code: smtp; 550 5.1.1 <tanaka@example.com>: Recipient address
    rejected: User unknown

--b1
Content-Type: text/rfc822-headers

From: shop@example.jp
To: tanaka@example.com
Subject: New tea has arrived
Message-ID: <a1b2c3d4@mail.example.jp>

--b1--
`

// Decode a delivery status notification from a reader and print what
// happened to each recipient.
func ExampleDecode() {
	res, err := bounce.Decode(strings.NewReader(exampleBounce))
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	for _, r := range res.Records {
		fmt.Println(r.Recipient, r.Reason, r.Status, r.ReplyCode, r.Command, r.HardBounce)
		fmt.Println("original:", r.Original.MessageID, r.Original.Subject)
	}
	// Output:
	// tanaka@example.com userunknown 5.1.1 550 RCPT true
	// original: <a1b2c3d4@mail.example.jp> New tea has arrived
}

// Ordinary mail is not a bounce: the result says so, without an error.
func ExampleDecodeBytes_notBounce() {
	res, err := bounce.DecodeBytes([]byte("From: a@example.com\nTo: b@example.jp\nSubject: hello\n\nHi!\n"))
	fmt.Println(res.Kind, len(res.Records), err)
	// Output:
	// not_bounce 0 <nil>
}
