package diagnose_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/attrib"
	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/sendlog"
)

// An Analyzer fed by hand. The bounce may come before or after the log
// lines of its message (here before), and Report may be called at any
// time: the bounce is judged against the log known when the report is
// made.
func ExampleAnalyzer() {
	jst := time.FixedZone("JST", 9*3600)
	log := `Nov  2 02:14:07 mail postfix/submission/smtpd[4711]: 4B2C81A0042: client=pc01[198.51.100.7], sasl_method=PLAIN, sasl_username=shop@example.jp
Nov  2 02:14:07 mail postfix/cleanup[4712]: 4B2C81A0042: message-id=<20261101171407.4B2C81A0042@mail.example.jp>
Nov  2 02:14:07 mail postfix/qmgr[900]: 4B2C81A0042: from=<shop@example.jp>, size=1234, nrcpt=1 (queue active)
Nov  2 02:14:09 mail postfix/smtp[4713]: 4B2C81A0042: to=<tanaka@example.com>, relay=mx.example.com[192.0.2.25]:25, delay=2, dsn=5.1.1, status=bounced (host mx.example.com[192.0.2.25] said: 550 5.1.1 User unknown (in reply to RCPT TO command))
Nov  2 02:14:09 mail postfix/qmgr[900]: 4B2C81A0042: removed
`
	a := diagnose.New(diagnose.Config{
		Attrib:   attrib.Config{Domains: []string{"example.jp"}},
		Location: jst,
		Lang:     advice.English,
	})
	raw, err := os.ReadFile("../examples/01-postfix-user-unknown.eml")
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := bounce.DecodeBytes(raw)
	a.AddMail(diagnose.Mail{Source: "01-postfix-user-unknown.eml", Result: res, Err: err})
	before := a.Report()
	fmt.Println("before the log:", before.Verdicts[0].BouncesInLog, "in log")

	opts := sendlog.Options{Reference: time.Date(2026, 11, 3, 0, 0, 0, 0, jst), Location: jst}
	if _, err := sendlog.Read(context.Background(), strings.NewReader(log), "mail.log", opts, func(ev sendlog.Event) error {
		a.AddEvent(ev)
		return nil
	}); err != nil {
		fmt.Println(err)
		return
	}

	r := a.Report()
	for _, v := range r.Verdicts {
		fmt.Println(v.Account, v.Verdict, "bounces:", v.Bounces, "ours:", v.BouncesOurs, "in log:", v.BouncesInLog)
		fmt.Println(v.Evidence[0])
	}
	// Output:
	// before the log: 0 in log
	// shop@example.jp ordinary bounces: 1 ours: 1 in log: 1
	// 1 of 1 bounced messages were sent by our server (1 found in our send log, sent by account shop@example.jp)
}

// Digest reads a message's facts without touching the analyzer's state,
// so decoding workers may call it at once (as Scan does); AddDigest then
// takes the results one at a time, in any order.
func ExampleAnalyzer_Digest() {
	a := diagnose.New(diagnose.Config{
		Attrib:   attrib.Config{Domains: []string{"example.jp"}},
		Location: time.FixedZone("JST", 9*3600),
		Lang:     advice.English,
	})
	files := []string{"../examples/01-postfix-user-unknown.eml", "../examples/01-postfix-user-unknown.eml"}
	digests := make(chan *diagnose.Digest)
	for i, name := range files {
		go func() {
			raw, err := os.ReadFile(name)
			if err != nil {
				digests <- a.Digest(diagnose.Mail{Source: name, Err: err})
				return
			}
			res, err := bounce.DecodeBytes(raw)
			digests <- a.Digest(diagnose.Mail{Source: fmt.Sprintf("%s#%d", name, i), Result: res, Err: err})
		}()
	}
	for range files {
		a.AddDigest(<-digests)
	}
	r := a.Report()
	fmt.Println(r.Inputs.Messages, "messages,", r.Inputs.Bounces, "bounces; account", r.Verdicts[0].Account, r.Verdicts[0].Verdict)
	// Output:
	// 2 messages, 2 bounces; account shop@example.jp ordinary
}
