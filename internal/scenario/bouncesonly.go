package scenario

import (
	"fmt"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
)

// Scenarios with no send log (issue 11 §1): most owners rent a mailbox
// from a hosting provider and never see the server's log; the verdict
// must come from what the returned messages show.

// hostedServer is a provider's submission server our accounts send
// through, in place of our own Postfix: a shared hosting server
// (cPanel/Exim, a host name outside our domain) or Microsoft 365.
type hostedServer struct {
	m365     bool
	name     string // the submission server's host name
	ip       string
	selector string // the DKIM selector the provider signs our domain with
	// flavour is how a non-Microsoft provider's server writes its trace
	// (cPanel/Exim by default); noDKIM: the provider does not sign.
	flavour hostFlavour
	noDKIM  bool
	// sent counts the messages each account submitted, by hour (Unix
	// seconds / 3600): what the provider's panel shows.
	sent map[string]map[int64]int
}

// providerServer is the shared server of the hosting provider most
// scenarios put our site at (cPanel/Exim, signing with selector
// "default").
func providerServer() *hostedServer {
	return &hostedServer{name: "sv1234.hosting-provider.example", ip: "192.0.2.140", selector: "default"}
}

// hostFlavour is the trace a hosting provider's submission server writes.
type hostFlavour uint8

const (
	flavourCPanel     hostFlavour = iota // Exim esmtpsa, X-Authenticated-Sender, authenticated_id
	flavourAuthSender                    // Postfix: "(Authenticated sender: x)" in the Received field only
	flavourAuthUser                      // "with ESMTP" and an X-Authenticated-User field only
)

// hostedSubmit runs one submission through the provider's server: it
// adds its trace fields and our DKIM signature, refuses or relays each
// recipient; refusals come back as its own notice, later failures in
// the remote systems' formats. No log is written: the owner has none.
func (w *world) hostedSubmit(m *outMsg) {
	hs := w.hosted
	t := m.at
	msg := m.msg
	peer := client{host: hs.name, ip: hs.ip, helo: hs.name}
	reporter, kind := hs.name, mtaExim
	if hs.m365 {
		// Exchange Online: the mailbox server takes the client's
		// submission (SMTP AUTH), the organisation headers say it was
		// authenticated, EOP relays it out.
		mbx := fmt.Sprintf("TYCPR01MB%04d.jpnprd01.prod.outlook.com", 1000+w.rng.IntN(9000))
		eop := fmt.Sprintf("TY%sEUR0%d.outbound.protection.outlook.com", w.upperHex(4), 1+w.rng.IntN(8))
		if msg.mid == "" {
			msg.mid = strings.ToUpper(w.hex(36)) + "@" + mbx
		}
		msg.addTrace(fmt.Sprintf("Received: from [%s] (%s) by %s\n (2603:1096:400:%x::%x) with Microsoft SMTP Server (version=TLS1_2,\n cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.8093.17; %s",
			m.cl.ip, m.cl.ip, mbx, w.rng.IntN(0xfff), w.rng.IntN(0xff), t.UTC().Format("Mon, 2 Jan 2006 15:04:05 -0700")))
		msg.addTrace("X-MS-Exchange-Organization-AuthAs: Internal")
		msg.addTrace("X-MS-Exchange-Organization-AuthMechanism: 04")
		msg.addTrace("X-MS-Exchange-Organization-AuthSource: " + mbx)
		msg.addTrace("X-Originating-IP: [" + m.cl.ip + "]")
		msg.addTrace(fmt.Sprintf("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s;\n s=%s; h=From:Date:Subject:Message-ID:Content-Type:MIME-Version;\n bh=%s=;\n b=%s", Domain, hs.selector, w.alnum(43), w.alnum(340)))
		msg.addTrace(fmt.Sprintf("Received: from %s (2603:1096:400:%x::%x) by %s\n (2603:10a6:20b:%x::%x) with Microsoft SMTP Server (version=TLS1_2,\n cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.8093.17; %s",
			mbx, w.rng.IntN(0xfff), w.rng.IntN(0xff), eop, w.rng.IntN(0xfff), w.rng.IntN(0xff), t.UTC().Format("Mon, 2 Jan 2006 15:04:05 -0700")))
		peer = client{host: eop, ip: "192.0.2.210", helo: eop}
		reporter, kind = Domain, mtaM365
	} else {
		id := w.eximID(t)
		if msg.mid == "" {
			msg.mid = "E" + id + "@" + hs.name
		}
		if hs.flavour != flavourCPanel {
			w.hostedTrace(m, id)
			goto relayed
		}
		from := "[" + m.cl.ip + "]"
		if m.cl.host != "unknown" {
			from = m.cl.host + " ([" + m.cl.ip + "])"
		}
		forClause := ""
		if len(m.rcpts) == 1 {
			forClause = "\n\tfor " + m.rcpts[0]
		}
		msg.addTrace(fmt.Sprintf("Received: from %s (helo=%s)\n\tby %s with esmtpsa  (TLS1.3) tls TLS_AES_256_GCM_SHA384\n\t(Exim 4.97.1)\n\t(envelope-from <%s>)\n\tid %s%s;\n\t%s",
			from, m.cl.helo, hs.name, m.acct.addr, id, forClause, t.In(w.loc).Format("Mon, 02 Jan 2006 15:04:05 -0700")))
		msg.addTrace("X-AntiAbuse: Primary Hostname - " + hs.name)
		msg.addTrace("X-AntiAbuse: Sender Address Domain - " + Domain)
		msg.addTrace("X-Get-Message-Sender-Via: " + hs.name + ": authenticated_id: " + m.acct.addr)
		msg.addTrace("X-Authenticated-Sender: " + hs.name + ": " + m.acct.addr)
		msg.addTrace(fmt.Sprintf("DKIM-Signature: v=1; a=rsa-sha256; q=dns/txt; c=relaxed/relaxed; d=%s;\n\ts=%s; h=Subject:To:From:Message-ID:Date:MIME-Version:Content-Type;\n\tbh=%s=; b=%s", Domain, hs.selector, w.alnum(43), w.alnum(340)))
	}
relayed:
	w.stats.Sent++
	if m.spam {
		w.stats.Spam++
		if w.firstSpam.IsZero() || m.at.Before(w.firstSpam) {
			w.firstSpam = m.at
		}
	}
	if hs.sent == nil {
		hs.sent = map[string]map[int64]int{}
	}
	if hs.sent[m.acct.addr] == nil {
		hs.sent[m.acct.addr] = map[int64]int{}
	}
	hs.sent[m.acct.addr][m.at.Unix()/3600]++
	var fails []failure
	last := t
	for i, rcpt := range m.rcpts {
		f := m.fates[i]
		r := w.remoteOf(rcpt)
		dt := t.Add(w.secs(0.3, 3))
		last = maxTime(last, dt)
		switch f.kind {
		case refused:
			status, reply, cmd := w.refusal(r, rcpt, f.why)
			reply = strings.ReplaceAll(reply, MailIP, hs.ip)
			fails = append(fails, failure{rcpt: rcpt, status: status, diag: reply, mx: r.mx, mxIP: r.ip, command: cmd})
		case noHost:
			fails = append(fails, failure{rcpt: rcpt, status: "5.4.4", diag: "Unrouteable address"})
		case later:
			w.remoteBounce(msg, m.acct.addr, rcpt, f, dt, peer, true)
		}
	}
	if len(fails) == 0 {
		return
	}
	done := last.Add(w.secs(0.01, 0.3))
	n := &notice{kind: kind, at: done, reporter: reporter, zone: w.loc, to: m.acct.addr, fails: fails,
		orig: msg, arrival: t, qid: w.eximID(t), bqid: w.eximID(done)}
	if hs.m365 {
		n.zone = time.UTC
	}
	raw := w.write(n)
	w.stats.BouncesOurs++
	head := fmt.Sprintf("Return-path: <>\nEnvelope-to: %s\nDelivery-date: %s\n", m.acct.addr, done.In(w.loc).Format("Mon, 02 Jan 2006 15:04:05 -0700"))
	w.store(done, "", append([]byte(head), raw...))
}

// proxies are the many addresses a password is used from once it is sold:
// residential proxies in networks never seen before.
func (w *world) proxies(n int) []client {
	var out []client
	for range n {
		out = append(out, w.botClient())
	}
	return out
}

// HostingNoLog: shop@'s mailbox is rented from a shared hosting provider
// (cPanel/Exim on sv1234.hosting-provider.example, outside our domain);
// its password is sold and used from 30 proxies to send about 2,500
// spam messages in four hours. No log: the returned messages show the
// authenticated submission at the provider's server (esmtpsa,
// X-Authenticated-Sender) from varying addresses, and our DKIM signature.
func HostingNoLog(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 21, noLog: true})
	if err != nil {
		return nil, err
	}
	w.hosted = providerServer()
	sc.Name, sc.About = "hosting-no-log", "a hijack at a shared hosting provider (cPanel/Exim), no send log: authenticated submissions from 30 proxies, our DKIM signature"
	var tl timeline
	shop, info, tanaka := w.site()
	end := Onset().Add(6 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	w.intrude(&tl, intrusion{acct: shop, start: Onset(), hours: 4, perHour: [2]int{550, 650},
		clients: w.proxies(30), refuse: 0.3, later: 0.2, rcpts: [2]int{1, 1}, campaign: campaignA})
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Hijacked, MinConfidence: 0.6, Surge: Present, MinOursShare: 0.9,
		Missing: []string{advice.EvidenceSendLog}}}
	return finish(w, &tl, sc)
}

// M365NoLog: the same on Microsoft 365: the submissions are SMTP AUTH at
// Exchange Online (many mailbox servers, X-MS-Exchange-Organization-AuthAs:
// Internal) from three new addresses.
func M365NoLog(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 22, noLog: true})
	if err != nil {
		return nil, err
	}
	w.hosted = &hostedServer{m365: true, name: "outlook.com", ip: "192.0.2.210", selector: "selector1"}
	sc.Name, sc.About = "m365-no-log", "a hijack on Microsoft 365, no send log: SMTP AUTH submissions (AuthAs: Internal) from new addresses, our DKIM signature"
	var tl timeline
	shop, info, tanaka := w.site()
	end := Onset().Add(6 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	w.intrude(&tl, intrusion{acct: shop, start: Onset(), hours: 4, perHour: [2]int{450, 550},
		clients: []client{intruder1, intruder2, intruder3}, refuse: 0.3, later: 0.2, rcpts: [2]int{1, 1}, campaign: campaignB})
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Hijacked, Surge: Present, MinOursShare: 0.9,
		Missing: []string{advice.EvidenceSendLog}}}
	return finish(w, &tl, sc)
}

// SpoofNoLog: the spoofing of Spoof with no send log: the backscatter's
// chains start at bots that never logged in and never touch our server,
// and carry no DKIM signature of ours.
func SpoofNoLog(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 23, noLog: true})
	if err != nil {
		return nil, err
	}
	sc.Name, sc.About = "spoof-no-log", "about 2,000 notices of backscatter for mail forged in shop@'s name, no send log"
	var tl timeline
	shop, info, tanaka := w.site()
	end := Onset().Add(7 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	w.forge(&tl, forgery{addr: shop.addr, start: Onset(), hours: 5, perHour: [2]int{350, 450}, campaign: campaignB, reporters: 180})
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Spoofed, Surge: Present, MinNotOursShare: 0.8,
		Missing: []string{advice.EvidenceSendLog}}}
	return finish(w, &tl, sc)
}

// NothingReturned: a surge of notices to shop@ that return nothing of the
// original (no message, no headers, no Message-ID), with no send log:
// nothing tells a hijack from a forgery, and the scan must say so.
func NothingReturned(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 24, noLog: true})
	if err != nil {
		return nil, err
	}
	sc.Name, sc.About = "nothing-returned", "about 900 notices for shop@ that return nothing of the original, no send log"
	var tl timeline
	shop, info, tanaka := w.site()
	end := Onset().Add(6 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	for hr := range 4 {
		for range 200 + w.rng.IntN(50) {
			at := w.within(Onset().Add(time.Duration(hr)*time.Hour), time.Hour)
			tl.at(at, func() {
				rep := w.reporter(w.rng.IntN(150))
				rcpt := w.localPart() + "@" + rep.domain
				raw := w.bareNotice(rep, shop.addr, rcpt, at)
				w.stats.Backscatter++
				w.receive(at.Add(w.secs(1, 60)), client{host: rep.mx, ip: rep.ip, helo: rep.mx}, "", shop.addr, raw, headerValue(raw, "Message-ID"))
			})
		}
	}
	sc.Now = end.Add(time.Hour)
	sc.ReturnsNothing = true
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.InsufficientEvidence, Surge: Present,
		Missing: []string{advice.EvidenceSendLog, advice.EvidenceReceivedChain}}}
	return finish(w, &tl, sc)
}

// bareNotice is an RFC 3464 report that returns nothing of the original
// (RET=HDRS not honoured, or a system set to return nothing).
func (w *world) bareNotice(r *remote, to, rcpt string, at time.Time) []byte {
	bnd := w.hex(16)
	date := rfc5322(at, r.zone)
	var b strings.Builder
	fmt.Fprintf(&b, "Date: %s\nFrom: Mail Delivery System <MAILER-DAEMON@%s>\nTo: <%s>\n", date, r.mx, to)
	fmt.Fprintf(&b, "Subject: Delivery Status Notification (Failure)\nMessage-ID: <%s@%s>\nAuto-Submitted: auto-replied\nMIME-Version: 1.0\n", w.hex(20), r.mx)
	fmt.Fprintf(&b, "Content-Type: multipart/report; report-type=delivery-status; boundary=\"%s\"\n\n", bnd)
	fmt.Fprintf(&b, "--%s\nContent-Type: text/plain; charset=us-ascii\n\nYour message could not be delivered to %s: the mailbox does not exist.\n\n", bnd, rcpt)
	fmt.Fprintf(&b, "--%s\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; %s\nArrival-Date: %s\n\n", bnd, r.mx, date)
	fmt.Fprintf(&b, "Final-Recipient: rfc822; %s\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 <%s>: Recipient address rejected: User unknown\n\n--%s--\n", rcpt, rcpt, bnd)
	return []byte(b.String())
}

// CampaignHostingNoLog: the shop's newsletter to 5,200 customers at 10:05
// through its hosting provider, no send log: authenticated submissions
// from the office's usual address, one subject. Not a hijack (issue 11
// §1 beside §2): the bounces alone must not call it one.
func CampaignHostingNoLog(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 25, noLog: true})
	if err != nil {
		return nil, err
	}
	w.hosted = providerServer()
	sc.Name, sc.About = "campaign-hosting-no-log", "shop@example.jp's newsletter to 5,200 customers through its hosting provider, no send log: an ordinary campaign"
	var tl timeline
	shop, info, tanaka := w.site()
	start := campaignDay().Add(10*time.Hour + 5*time.Minute)
	end := campaignDay().Add(17 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	list := w.customerList(5200)
	w.mailList(&tl, newsletter{acct: shop, start: start, minutes: 45, subject: newsletterSubject, list: list, bad: w.markList(list, 0.06)})
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: shop.addr, Not: []advice.Verdict{advice.Hijacked, advice.Spoofed, advice.Mixed}, Surge: Present,
		Missing: []string{advice.EvidenceSendLog}}}
	return finish(w, &tl, sc)
}
