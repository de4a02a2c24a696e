package smtpcode_test

import (
	"fmt"

	"github.com/bouncewatch/bouncewatch/smtpcode"
)

func Example() {
	text := "host mx.example.jp[192.0.2.1] said: 550 5.1.1 <kijitora@example.jp>: User unknown"
	status := smtpcode.FindStatus(text)
	reply := smtpcode.FindReplyCode(text)
	fmt.Println(status, reply, smtpcode.IsTemporary(status))
	// Output: 5.1.1 550 false
}
