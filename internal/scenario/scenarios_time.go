package scenario

import (
	"fmt"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
)

// Scenarios of time (issue 11 §3, §5, §6): the onset to the minute, a
// send log in another zone than the scan's, dates an attacker wrote.
func timeScenarios() []Def {
	return []Def{
		{"onset-07", onsetAt(2, 7)},
		{"onset-40", onsetAt(5, 40)},
		{"onset-59", onsetAt(1, 59)},
		{"onset-00", onsetAt(3, 0)},
		{"busy-noise", BusyNoise},
		{"hijack-tz-utc", hijackIn("hijack-tz-utc", time.UTC)},
		{"hijack-tz-newyork", hijackIn("hijack-tz-newyork", zone("America/New_York", -5*3600))},
		{"forged-dates", ForgedDates},
	}
}

// onsetAt: the hijack, smaller (300 to 400 spam messages an hour for three
// hours, from two new addresses), starting at hour:minute in Tokyo on the
// Monday; the onset must be reported within 5 minutes of the first spam
// message, not at the top of the hour.
func onsetAt(hour, minute int) func(string) (*Scenario, error) {
	return func(dir string) (*Scenario, error) {
		start := time.Date(2026, 11, 2, hour, minute, 0, 0, Tokyo())
		w, sc, err := build(dir, options{seed: uint64(20 + hour*60 + minute)})
		if err != nil {
			return nil, err
		}
		sc.Name = fmt.Sprintf("onset-%02d", minute)
		sc.About = fmt.Sprintf("shop@example.jp's password sends 300 to 400 spam messages an hour for three hours from %02d:%02d", hour, minute)
		var tl timeline
		shop, info, tanaka := w.site()
		end := start.Add(5 * time.Hour)
		w.everyone(&tl, end, shop, info, tanaka)
		w.intrude(&tl, intrusion{acct: shop, start: start, hours: 3, perHour: [2]int{300, 400},
			clients: []client{intruder2, intruder3}, refuse: 0.32, later: 0.18, rcpts: [2]int{1, 1}, campaign: campaignA})
		sc.Now = end.Add(time.Hour)
		sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Hijacked, Surge: Present, SentJump: Present}}
		sc, err = finish(w, &tl, sc)
		if err != nil {
			return nil, err
		}
		sc.Expect[0].Onset = w.firstSpam
		return sc, nil
	}
}

// BusyNoise: ten days of the site's mail with many addresses failing
// every day (a shop with a stale customer list): bounces come all day,
// but there is no flood, hence no onset.
func BusyNoise(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 30})
	if err != nil {
		return nil, err
	}
	sc.Name, sc.About = "busy-noise", "ten days of everyday mail in which a sixth of the shop's customers always fail: bounces all day, no flood"
	var tl timeline
	shop, info, tanaka := w.site()
	w.markBad(shop, 8)
	w.markBad(tanaka, 6)
	end := Onset().Add(34 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{
		{Account: shop.addr, Verdict: advice.Ordinary, Surge: Absent},
		{Account: tanaka.addr, Verdict: advice.Ordinary, Surge: Absent},
	}
	return finish(w, &tl, sc)
}

// hijackIn: the hijack, its log written by a server in Tokyo in classic
// syslog lines (no zone), scanned in another zone (Location, --tz): the
// log's clock must be inferred from the bounces, and the verdict stay.
func hijackIn(name string, loc *time.Location) func(string) (*Scenario, error) {
	return func(dir string) (*Scenario, error) {
		sc, err := Hijack(dir)
		if err != nil {
			return nil, err
		}
		sc.Name = name
		sc.About = "the hijack, its send log written in Tokyo (UTC+09:00, no zone in the lines) and scanned in " + loc.String()
		sc.Location = loc
		for i := range sc.Expect {
			sc.Expect[i].SentJump = Present
		}
		return sc, nil
	}
}

// ForgedDates: the hijack, plus notices whose own dates were written by
// an attacker — 2037, 9999-12-31, 1970, year 1, absurd offsets — that
// reached our MX during the surge (one of them with no Received field of
// ours, placed by its Maildir name), and send-log lines dated at the
// year's end and in the next year. Nothing may move the analysis window:
// same verdict, the period not stretched.
func ForgedDates(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 1})
	if err != nil {
		return nil, err
	}
	sc.Name, sc.About = "forged-dates", "the hijack, plus notices dated 2037, 9999-12-31, 1970, year 1, and log lines dated in the future"
	var tl timeline
	shop, info, tanaka := w.site()
	end := Onset().Add(6 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	w.intrude(&tl, intrusion{acct: shop, start: Onset(), hours: 4, perHour: [2]int{700, 800},
		clients: []client{intruder1, intruder2, intruder3}, refuse: 0.32, later: 0.18, rcpts: [2]int{1, 1},
		campaign: campaignA, guesses: map[string]int{intruder1.ip: 14, "198.18.200.9": 31}})
	forged := []struct {
		date   string
		direct bool // stored with no Received of ours
	}{
		{"Thu, 31 Dec 2037 10:00:00 +0000", false},
		{"Fri, 31 Dec 9999 23:59:59 +0000", false},
		{"Thu, 1 Jan 1970 00:00:00 +0000", false},
		{"Mon, 1 Jan 0001 00:00:00 +0000", false},
		{"Wed, 1 Jan 2037 00:00:00 -2359", false},
		{"Fri, 31 Dec 9999 23:59:59 -1200", true},
	}
	for i, f := range forged {
		at := Onset().Add(time.Duration(20+25*i) * time.Minute)
		tl.at(at, func() {
			raw := w.forgedDateNotice(shop.addr, f.date, i)
			if f.direct {
				w.stats.Backscatter++
				head := fmt.Sprintf("Return-Path: <>\nX-Original-To: %s\nDelivered-To: %s\n", shop.addr, shop.addr)
				w.store(at, "", append([]byte(head), raw...))
				return
			}
			w.stats.Backscatter++
			w.receive(at, client{host: "mx.forged.example.net", ip: "198.51.100.99", helo: "mx.forged.example.net"}, "", shop.addr, raw, headerValue(raw, "Message-ID"))
		})
	}
	// A message of shop@'s logged on 31 December and another on 1 January
	// (which a year-less log puts in the next year): both in the future.
	for _, at := range []time.Time{time.Date(2026, 12, 31, 23, 59, 0, 0, w.loc), time.Date(2027, 1, 1, 0, 0, 30, 0, w.loc)} {
		qid := w.postfixQID(at)
		pid := w.pid()
		w.log.add(at, "postfix/submission/smtpd", pid, qid+": client="+hostIP(office)+", sasl_method=PLAIN, sasl_username="+shop.addr)
		w.log.add(at.Add(time.Second), "postfix/qmgr", 1187, fmt.Sprintf("%s: from=<%s>, size=1200, nrcpt=1 (queue active)", qid, shop.addr))
		w.log.add(at.Add(2*time.Second), "postfix/smtp", 4100, fmt.Sprintf("%s: to=<%s>, relay=mx.example.com[192.0.2.99]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 ok)", qid, shop.regular[0]))
		w.log.add(at.Add(3*time.Second), "postfix/qmgr", 1187, qid+": removed")
	}
	sc.Now = end.Add(time.Hour)
	sc.MaxPeriodHours = 8*24 + 12
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Hijacked, MinConfidence: 0.7, MinNewLoginIPs: 3, Surge: Present, MinOursShare: 0.9}}
	sc, err = finish(w, &tl, sc)
	if err != nil {
		return nil, err
	}
	sc.Stats.Sent += 2 // the two messages at the year's end are in the log, if not in the period
	sc.futureLines = 4 // the lines of the message of 1 January 2027
	sc.Expect[0].Onset = w.firstSpam
	return sc, nil
}

// forgedDateNotice is an RFC 3464 notice from a foreign system whose
// Date, Arrival-Date and returned Date are all date.
func (w *world) forgedDateNotice(to, date string, n int) []byte {
	bnd := "forged-" + w.hex(12)
	var b strings.Builder
	fmt.Fprintf(&b, "Date: %s\nFrom: MAILER-DAEMON@mx.forged.example.net (Mail Delivery System)\nTo: %s\n", date, to)
	fmt.Fprintf(&b, "Subject: Undelivered Mail Returned to Sender\nMessage-ID: <%s.%d@mx.forged.example.net>\nMIME-Version: 1.0\n", w.hex(16), n)
	fmt.Fprintf(&b, "Content-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"%s\"\n\n", bnd)
	fmt.Fprintf(&b, "--%s\nContent-Type: text/plain; charset=us-ascii\n\nYour message could not be delivered.\n\n", bnd)
	fmt.Fprintf(&b, "--%s\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.forged.example.net\nArrival-Date: %s\n\n", bnd, date)
	rcpt := w.localPart() + "@forged.example.net"
	fmt.Fprintf(&b, "Final-Recipient: rfc822; %s\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 <%s>: Recipient address rejected: User unknown\nLast-Attempt-Date: %s\n\n", rcpt, rcpt, date)
	fmt.Fprintf(&b, "--%s\nContent-Type: text/rfc822-headers\n\n", bnd)
	fmt.Fprintf(&b, "Received: from bot-%d.example.org (bot-%d.example.org [198.18.66.%d])\n\tby mx.forged.example.net with SMTP id %s; %s\n", n, n, 10+n, w.upperHex(10), date)
	fmt.Fprintf(&b, "From: %s\nTo: %s\nSubject: %s\nDate: %s\nMessage-ID: <%s@bot-%d.example.org>\n\n", to, rcpt, spamSubjects[n%len(spamSubjects)], date, w.hex(20), n)
	fmt.Fprintf(&b, "--%s--\n", bnd)
	return []byte(b.String())
}
