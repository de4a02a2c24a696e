package reason_test

import (
	"fmt"

	"github.com/bouncewatch/bouncewatch/reason"
)

func Example() {
	f := reason.Facts{
		Status:         "5.1.1",
		ReplyCode:      "550",
		DiagnosticType: "SMTP",
		Diagnostic:     "550 5.1.1 <kijitora@example.jp>: Recipient address rejected: User unknown",
		Action:         "failed",
		Command:        "RCPT",
	}
	r := reason.Classify(f)
	fmt.Println(r, reason.HardBounce(r, f.Status, f.ReplyCode))
	// Output: userunknown true
}
