package attrib_test

import (
	"fmt"
	"os"
	"time"

	"github.com/bouncewatch/bouncewatch/attrib"
	"github.com/bouncewatch/bouncewatch/bounce"
)

func ExampleIndex_Attribute() {
	ix := attrib.NewIndex(attrib.Config{Domains: []string{"example.jp"}})
	// One line of the outbound log, as the sendlog parser gives it.
	ix.Add(attrib.Sent{
		QueueID:   "4B2C81A0042",
		MessageID: "<20261101171409.4B2C81A0042@mail.example.jp>",
		From:      "shop@example.jp",
		SASLUser:  "shop@example.jp",
		ClientIP:  "203.0.113.50",
		Host:      "mail.example.jp",
		Time:      time.Date(2026, 11, 1, 8, 14, 9, 0, time.UTC),
	})

	b, err := os.ReadFile("testdata/postfix-ours.eml")
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := bounce.DecodeBytes(b)
	if err != nil {
		fmt.Println(err)
		return
	}
	a := ix.Attribute(res)
	fmt.Println(a.Verdict, a.SASLUser, a.ClientIP)
	for _, it := range a.Items {
		fmt.Printf("%+g %s\n", it.Weight, it.Code)
	}
	fmt.Println(a.Items[0].En)
	fmt.Println(a.Items[0].Ja)
	// Output:
	// ours shop@example.jp 203.0.113.50
	// +10 message_id_in_log
	// +10 queue_id_in_log
	// +3 received_our_relay
	// +1 received_esmtpsa_our_relay
	// +1 message_id_our_form
	// +1 date_in_activity
	// Message-ID <20261101171409.4B2C81A0042@mail.example.jp> appears in our send log (queue 4B2C81A0042, SASL user shop@example.jp, client 203.0.113.50, sent 2026-11-01 08:14Z)
	// Message-ID <20261101171409.4B2C81A0042@mail.example.jp> は送信ログにあります（キュー 4B2C81A0042、SASL ユーザー shop@example.jp、送信元 203.0.113.50、送信 2026-11-01 08:14Z）
}

func ExampleDetectFake() {
	b, err := os.ReadFile("testdata/fake-held-ja-base64.eml")
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := bounce.DecodeBytes(b)
	if err != nil {
		fmt.Println(err)
		return
	}
	f := attrib.DetectFake(res, []string{"example.jp"})
	fmt.Println(res.From)
	for _, r := range f.Reasons {
		fmt.Println(r.Code)
	}
	fmt.Println(f.Reasons[1].En)
	// Output:
	// メール管理者 <notice@mailcenter-notice.example>
	// fake_refers_to_no_message_of_ours
	// fake_our_address_in_link
	// fake_phishing_wording
	// fake_html_only_notice
	// fake_poses_as_our_administrator
	// Its link to mailcenter-notice.example carries our address shop@example.jp, to fill in a login form
}
