package scenario

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io/fs"
	"mime"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
)

// Scenarios the scan was not built with (issue 11, checked as its
// checker would): the six parts of the issue with other seeds, sizes,
// providers, zones, hours, volumes, account names and domains than the
// suite it was made on.
func unseenScenarios() []Def {
	return []Def{
		{"unseen-authsender-small", UnseenAuthSenderSmall},
		{"unseen-authuser-no-dkim", UnseenAuthUserNoDKIM},
		{"unseen-spoof-our-mid", UnseenSpoofOurMID},
		{"unseen-spoof-forged-hop", UnseenSpoofForgedHop},
		{"unseen-mixed-no-log", UnseenMixedNoLog},
		{"unseen-campaign-evening", UnseenCampaignEvening},
		{"unseen-campaign-second-login", UnseenCampaignSecondLogin},
		{"unseen-malware-daytime", UnseenMalwareDaytime},
		{"unseen-onset-kolkata", UnseenOnsetKolkata},
		{"unseen-slow-ramp", UnseenSlowRamp},
		{"unseen-two-floods", UnseenTwoFloods},
		{"unseen-fakes-ordinary", UnseenFakesOrdinary},
		{"unseen-log-kolkata", unseenLogIn("unseen-log-kolkata", zone("Asia/Kolkata", 5*3600+1800))},
		{"unseen-log-bogota", unseenLogIn("unseen-log-bogota", zone("America/Bogota", -5*3600))},
		// New York left daylight time on 1 November 2026: the log's
		// offset changes in its middle (-04:00, then -05:00).
		{"unseen-log-newyork-dst", unseenLogIn("unseen-log-newyork-dst", zone("America/New_York", -5*3600))},
		{"unseen-year-boundary", UnseenYearBoundary},
		{"unseen-forged-tenth", UnseenForgedTenth},
		{"unseen-ipv6-proxies", UnseenIPv6Proxies},
		{"unseen-panel-csv", UnseenPanelCSV},
		{"unseen-campaign-hosting-evening", UnseenCampaignHostingEvening},
	}
}

// otherDomain is the domain the unseen scenarios rename example.jp to.
const otherDomain = "yamada-shoten.co.jp"

// hostedTrace is the trace of a provider's server that says no more than
// one sign of authentication: a Postfix "(Authenticated sender: x)" in
// its Received field, or an X-Authenticated-User field beside a plain
// "with ESMTP"; our DKIM signature unless the provider does not sign.
func (w *world) hostedTrace(m *outMsg, id string) {
	hs, msg, t := w.hosted, m.msg, m.at
	from := "[" + m.cl.ip + "]"
	if m.cl.host != "unknown" {
		from = m.cl.host + " [" + m.cl.ip + "]"
	}
	stamp := t.In(w.loc).Format("Mon, 2 Jan 2006 15:04:05 -0700 (MST)")
	switch hs.flavour {
	case flavourAuthSender:
		msg.addTrace(fmt.Sprintf("Received: from %s (%s)\n\t(Authenticated sender: %s)\n\tby %s (Postfix) with ESMTPSA id %s\n\tfor <%s>; %s",
			m.cl.helo, from, m.acct.addr, hs.name, w.upperHex(11), m.rcpts[0], stamp))
	default:
		msg.addTrace(fmt.Sprintf("Received: from %s (%s)\n\tby %s with ESMTP id %s\n\tfor <%s>; %s",
			m.cl.helo, from, hs.name, id, m.rcpts[0], stamp))
		msg.addTrace("X-Authenticated-User: " + m.acct.addr)
	}
	if !hs.noDKIM {
		msg.addTrace(fmt.Sprintf("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s;\n\ts=%s; t=%d;\n\th=From:To:Subject:Date:Message-ID;\n\tbh=%s=;\n\tb=%s", Domain, hs.selector, t.Unix(), w.alnum(43), w.alnum(340)))
	}
}

// sMaildirSize is the size field of a Dovecot Maildir file name.
var sMaildirSize = regexp.MustCompile(`,S=\d+`)

// rebrand renames example.jp to domain in every file of a scenario (the
// log, the mailbox) and in its ground truth: the scan must not depend on
// the suite's domain.
func rebrand(sc *Scenario, domain string) error {
	err := filepath.WalkDir(sc.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		nb := bytes.ReplaceAll(b, []byte(Domain), []byte(domain))
		if err := os.WriteFile(p, nb, 0o644); err != nil {
			return err
		}
		name := d.Name()
		if sMaildirSize.MatchString(name) {
			np := filepath.Join(filepath.Dir(p), sMaildirSize.ReplaceAllString(name, ",S="+strconv.Itoa(len(nb))))
			if np != p {
				return os.Rename(p, np)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	for i := range sc.Expect {
		sc.Expect[i].Account = strings.ReplaceAll(sc.Expect[i].Account, Domain, domain)
	}
	sc.About = strings.ReplaceAll(sc.About, Domain, domain)
	sc.domain = domain
	return nil
}

// UnseenAuthSenderSmall (§1): a small shop on a Postfix hosting server
// whose trace says only "(Authenticated sender: x)"; its password sends
// about 450 spam messages in two hours from 12 proxies: about 200
// bounces, no log, another domain.
func UnseenAuthSenderSmall(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 101, noLog: true})
	if err != nil {
		return nil, err
	}
	w.hosted = &hostedServer{name: "smtp.rentalserver.example", ip: "192.0.2.150", selector: "rs2024", flavour: flavourAuthSender}
	sc.Name, sc.About = "unseen-authsender-small", "a small shop's hijack on a Postfix hosting server ('Authenticated sender' only), about 200 bounces, no log"
	var tl timeline
	shop, info, tanaka := w.site()
	end := Onset().Add(4 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	w.intrude(&tl, intrusion{acct: shop, start: Onset(), hours: 2, perHour: [2]int{200, 250},
		clients: w.proxies(12), refuse: 0.28, later: 0.17, rcpts: [2]int{1, 1}, campaign: campaignB})
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Hijacked, Surge: Present, MinOursShare: 0.9,
		Missing: []string{advice.EvidenceSendLog}}}
	if sc, err = finish(w, &tl, sc); err != nil {
		return nil, err
	}
	sc.Expect[0].Onset = w.firstSpam
	return sc, rebrand(sc, otherDomain)
}

// UnseenAuthUserNoDKIM (§1): a provider that writes "with ESMTP" and an
// X-Authenticated-User field, and does not sign: the hijack of info@
// (not shop@) from 20 proxies, no log.
func UnseenAuthUserNoDKIM(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 102, noLog: true, mbox: true})
	if err != nil {
		return nil, err
	}
	w.hosted = &hostedServer{name: "mx07.webhost.example", ip: "192.0.2.160", flavour: flavourAuthUser, noDKIM: true}
	sc.Name, sc.About = "unseen-authuser-no-dkim", "info@'s hijack at a provider writing X-Authenticated-User and no DKIM signature, no log, an mbox"
	var tl timeline
	shop, info, tanaka := w.site()
	end := Onset().Add(5 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	w.intrude(&tl, intrusion{acct: info, start: Onset().Add(33 * time.Minute), hours: 3, perHour: [2]int{400, 500},
		clients: w.proxies(20), refuse: 0.3, later: 0.2, rcpts: [2]int{1, 1}, campaign: campaignA})
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: info.addr, Verdict: advice.Hijacked, Surge: Present, MinOursShare: 0.9,
		Missing: []string{advice.EvidenceSendLog}}}
	if sc, err = finish(w, &tl, sc); err != nil {
		return nil, err
	}
	sc.Expect[0].Onset = w.firstSpam
	return sc, nil
}

// UnseenSpoofOurMID (§1): backscatter for forged mail whose Message-IDs
// imitate our provider's form; the chains start at bots and carry no
// signature of ours. No log, another domain.
func UnseenSpoofOurMID(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 103, noLog: true})
	if err != nil {
		return nil, err
	}
	w.hosted = &hostedServer{name: "sv5678.hosting-provider.example", ip: "192.0.2.141", selector: "default"}
	w.forgeMID = func(t time.Time) string { return "E" + w.eximID(t) + "@" + w.hosted.name }
	sc.Name, sc.About = "unseen-spoof-our-mid", "about 1,200 notices for mail forged in shop@'s name with our provider's Message-ID form, no log"
	var tl timeline
	shop, info, tanaka := w.site()
	end := Onset().Add(6 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	w.forge(&tl, forgery{addr: shop.addr, start: Onset(), hours: 4, perHour: [2]int{250, 350}, campaign: campaignA, reporters: 140})
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Spoofed, Surge: Present, MinNotOursShare: 0.8,
		Missing: []string{advice.EvidenceSendLog}}}
	if sc, err = finish(w, &tl, sc); err != nil {
		return nil, err
	}
	return sc, rebrand(sc, otherDomain)
}

// UnseenMixedNoLog (§1): hijacked at the hosting provider and forged by
// a botnet in the same hours, no log.
func UnseenMixedNoLog(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 104, noLog: true})
	if err != nil {
		return nil, err
	}
	w.hosted = providerServer()
	sc.Name, sc.About = "unseen-mixed-no-log", "shop@ hijacked at its hosting provider and forged by a botnet in the same hours, no log"
	var tl timeline
	shop, info, tanaka := w.site()
	end := Onset().Add(6 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	w.intrude(&tl, intrusion{acct: shop, start: Onset(), hours: 4, perHour: [2]int{350, 420},
		clients: w.proxies(15), refuse: 0.3, later: 0.2, rcpts: [2]int{1, 1}, campaign: campaignA})
	w.forge(&tl, forgery{addr: shop.addr, start: Onset().Add(25 * time.Minute), hours: 4, perHour: [2]int{170, 230}, campaign: campaignB, reporters: 120})
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Mixed, Surge: Present, Missing: []string{advice.EvidenceSendLog}}}
	return finish(w, &tl, sc)
}

// UnseenCampaignEvening (§2): the newsletter at 21:00 on a Wednesday,
// an A/B/C test of three subjects, personalised with the customer's
// number, to 4,000 customers; 5% bounce. Not a hijack.
func UnseenCampaignEvening(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 105})
	if err != nil {
		return nil, err
	}
	sc.Name, sc.About = "unseen-campaign-evening", "the shop's newsletter at 21:00 to 4,000 customers, three personalised subjects, 5% bounce"
	var tl timeline
	shop, info, tanaka := w.site()
	day := campaignDay().AddDate(0, 0, 2)
	end := day.Add(27 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	list := w.customerList(4000)
	bad := w.markList(list, 0.05)
	subjects := []string{"【山田商店】会員様限定 冬のセールのお知らせ", "【山田商店】ポイント2倍キャンペーン開催中", "【山田商店】新商品入荷のご案内"}
	for k := range 3 {
		part := list[k*len(list)/3 : (k+1)*len(list)/3]
		w.mailList(&tl, newsletter{acct: shop, start: day.Add(21*time.Hour + time.Duration(k*12)*time.Minute), minutes: 12,
			subject: subjects[k] + fmt.Sprintf("（会員番号 %d）", 10000+k), list: part, bad: bad})
	}
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Ordinary, MinOursShare: 0.9, Campaign: Present,
		NoSignals: []string{"new_login_ips", "spam_subjects", "new_client_form", "failed_logins"}}}
	return finish(w, &tl, sc)
}

// UnseenCampaignSecondLogin (§2): the shop's newsletter leaves from a
// second login of the same shop, news@, that mails little otherwise,
// from the office, at 14:30: 3,500 customers, 7% bounce.
func UnseenCampaignSecondLogin(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 106})
	if err != nil {
		return nil, err
	}
	sc.Name, sc.About = "unseen-campaign-second-login", "the newsletter from news@, a second login of the shop that mails little otherwise, to 3,500 customers at 14:30"
	var tl timeline
	shop, info, tanaka := w.site()
	news := &account{addr: "news@" + Domain, name: "山田商店 メールマガジン", clients: []client{office}, perHour: 0.1, pickup: 0.9, mua: "thunderbird"}
	news.regular = w.correspondents(10)
	news.mailbox = news.addr
	w.markBad(news, 1)
	day := campaignDay().AddDate(0, 0, 1)
	end := day.Add(20 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka, news)
	list := w.customerList(3500)
	w.mailList(&tl, newsletter{acct: news, start: day.Add(14*time.Hour + 30*time.Minute), minutes: 35, subject: newsletterSubject, list: list, bad: w.markList(list, 0.07)})
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: news.addr, Not: []advice.Verdict{advice.Hijacked, advice.Spoofed, advice.Mixed}, MinOursShare: 0.9}}
	return finish(w, &tl, sc)
}

// UnseenMalwareDaytime (§2): malware on tanaka@'s PC sends Japanese
// spam through the office's address during business hours (10:00 to
// 14:00), to addresses at thousands of domains.
func UnseenMalwareDaytime(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 107})
	if err != nil {
		return nil, err
	}
	sc.Name, sc.About = "unseen-malware-daytime", "malware on tanaka@'s office PC sends about 1,100 Japanese spam messages from the office between 10:00 and 14:00"
	var tl timeline
	shop, info, tanaka := w.site()
	start := campaignDay().Add(10*time.Hour + 3*time.Minute)
	end := campaignDay().Add(18 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	jp := []string{spamSubjects[0], spamSubjects[1], spamSubjects[2], spamSubjects[3], spamSubjects[4], spamSubjects[5]}
	in := intrusion{acct: tanaka, start: start, hours: 4, refuse: 0.32, later: 0.18, rcpts: [2]int{1, 1}, campaign: jp}
	for hr := range in.hours {
		h := start.Add(time.Duration(hr) * time.Hour)
		for range 260 + w.rng.IntN(40) {
			at := w.within(h, time.Hour)
			tl.at(at, func() {
				m := w.spamRun(in, at, office, true)
				m.rcpts[0] = w.harvested()
				m.msg.to = m.rcpts[0]
				w.submit(m)
			})
		}
	}
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: tanaka.addr, Verdict: advice.Hijacked, Surge: Present, MinOursShare: 0.9, NoSignals: []string{"new_login_ips"}}}
	return finish(w, &tl, sc)
}

// kolkata is a zone with a half-hour offset.
func kolkata() *time.Location { return zone("Asia/Kolkata", 5*3600+1800) }

// UnseenOnsetKolkata (§3): a site in Asia/Kolkata (UTC+05:30), another
// domain; the hijack starts at 03:47 local time.
func UnseenOnsetKolkata(dir string) (*Scenario, error) {
	loc := kolkata()
	w, sc, err := build(dir, options{seed: 108, loc: loc})
	if err != nil {
		return nil, err
	}
	sc.Name, sc.About = "unseen-onset-kolkata", "a hijack in Asia/Kolkata (UTC+05:30) starting at 03:47 local time: 250 to 350 spam messages an hour"
	var tl timeline
	shop, info, tanaka := w.site()
	start := time.Date(2026, 11, 3, 3, 47, 0, 0, loc)
	end := start.Add(5 * time.Hour)
	for _, a := range []*account{shop, info, tanaka} {
		w.history(&tl, a, time.Date(2026, 10, 26, 0, 0, 0, 0, loc), end, true)
	}
	w.intrude(&tl, intrusion{acct: shop, start: start, hours: 3, perHour: [2]int{250, 350},
		clients: []client{intruder1, intruder3}, refuse: 0.3, later: 0.2, rcpts: [2]int{1, 1}, campaign: campaignB})
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Hijacked, Surge: Present, MinOursShare: 0.9}}
	if sc, err = finish(w, &tl, sc); err != nil {
		return nil, err
	}
	sc.Expect[0].Onset = w.firstSpam
	return sc, rebrand(sc, otherDomain)
}

// UnseenSlowRamp (§3): the intruder starts slowly — 20, 60, 150, then
// 300 messages an hour — from 04:22.
func UnseenSlowRamp(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 109})
	if err != nil {
		return nil, err
	}
	sc.Name, sc.About = "unseen-slow-ramp", "a hijack that ramps up from 04:22: 20, 60, 150, then 300 spam messages an hour"
	var tl timeline
	shop, info, tanaka := w.site()
	start := time.Date(2026, 11, 2, 4, 22, 0, 0, Tokyo())
	end := start.Add(7 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	for i, n := range []int{20, 60, 150, 300, 300} {
		w.intrude(&tl, intrusion{acct: shop, start: start.Add(time.Duration(i) * time.Hour), hours: 1, perHour: [2]int{n, n},
			clients: []client{intruder2}, refuse: 0.3, later: 0.2, rcpts: [2]int{1, 1}, campaign: campaignA})
	}
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Hijacked, Surge: Present, MinOursShare: 0.9, MinNewLoginIPs: 1}}
	if sc, err = finish(w, &tl, sc); err != nil {
		return nil, err
	}
	// The ramp's first hour brings ten bounces, the first of them
	// minutes after the first message: the onset comes from the send
	// log, where the flood shows first.
	sc.Expect[0].Onset = w.firstSpam
	return sc, nil
}

// UnseenTwoFloods (§3): a flood on Monday from 02:14 for two hours, and
// another on Tuesday from 03:31 from other addresses.
func UnseenTwoFloods(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 110})
	if err != nil {
		return nil, err
	}
	sc.Name, sc.About = "unseen-two-floods", "two floods of spam a day apart: Monday 02:14 and Tuesday 03:31"
	var tl timeline
	shop, info, tanaka := w.site()
	second := Onset().Add(25*time.Hour + 17*time.Minute)
	end := second.Add(5 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	w.intrude(&tl, intrusion{acct: shop, start: Onset(), hours: 2, perHour: [2]int{300, 350},
		clients: []client{intruder1}, refuse: 0.3, later: 0.2, rcpts: [2]int{1, 1}, campaign: campaignA})
	w.intrude(&tl, intrusion{acct: shop, start: second, hours: 3, perHour: [2]int{300, 350},
		clients: []client{intruder2, intruder3}, refuse: 0.3, later: 0.2, rcpts: [2]int{1, 1}, campaign: campaignB})
	sc.Now = end.Add(time.Hour)
	// The report describes the larger flood (Tuesday's); Monday's must be
	// named too.
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Hijacked, Surge: Present, MinOursShare: 0.9, MinNewLoginIPs: 2,
		Signals: []string{"other_surges"}}}
	if sc, err = finish(w, &tl, sc); err != nil {
		return nil, err
	}
	return sc, nil
}

// UnseenFakesOrdinary (§4): ten days of ordinary failures on another
// domain with many dead addresses, and fake notices of every design
// with other seeds, and of designs the suite does not make
// (unseenFake), mixed in.
func UnseenFakesOrdinary(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 111})
	if err != nil {
		return nil, err
	}
	sc.Name, sc.About = "unseen-fakes-ordinary", "ten days of ordinary failures and fake notices of every design, new ones among them"
	var tl timeline
	shop, info, tanaka := w.site()
	w.markBad(shop, 6)
	w.markBad(tanaka, 4)
	end := Onset().Add(34 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	w.fakes(&tl, tanaka.addr, 3, FakeKinds, historyStart(), end)
	from := historyStart()
	for i := range 2 * unseenFakeKinds {
		at := w.within(from, end.Sub(from))
		to := []string{shop.addr, info.addr, tanaka.addr}[i%3]
		tl.at(at, func() {
			raw, env, peer := w.unseenFake(i, to, at)
			w.stats.Fakes++
			w.receive(at, peer, env, to, raw, headerValue(raw, "Message-ID"))
		})
	}
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{
		{Account: shop.addr, Verdict: advice.Ordinary, Surge: Absent},
		{Account: tanaka.addr, Verdict: advice.Ordinary, Surge: Absent},
	}
	if sc, err = finish(w, &tl, sc); err != nil {
		return nil, err
	}
	return sc, rebrand(sc, otherDomain)
}

// unseenFakeKinds is the number of designs unseenFake makes.
const unseenFakeKinds = 4

// unseenFake is phishing of designs fakeNotice does not make.
func (w *world) unseenFake(kind int, to string, at time.Time) (raw []byte, envFrom string, peer client) {
	peer = client{host: "unknown", ip: fmt.Sprintf("198.19.%d.%d", w.rng.IntN(100), 1+w.rng.IntN(254))}
	tag := strings.ToLower(w.alnum(4))
	date := rfc5322(at, w.loc)
	var b strings.Builder
	switch kind % unseenFakeKinds {
	case 0: // a carrier's name in a look-alike domain, plain Japanese text, nothing else
		dom := "docomo.ne.jp-" + tag + ".example"
		envFrom = "postmaster@" + dom
		peer.host = "mail." + dom
		fmt.Fprintf(&b, "From: %s <postmaster@%s>\nTo: %s\nSubject: %s\nDate: %s\nMessage-ID: <%s@%s>\nMIME-Version: 1.0\n",
			jisWord("NTTドコモ"), dom, to, jisWord("メール受信制限のお知らせ"), date, w.hex(12), dom)
		b.WriteString("Content-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n\n")
		b.WriteString(iso2022jp("お客様宛てのメールが保留されています。\nこのメールに返信して受信手続きを行ってください。\n"))
	case 1: // quoted-printable Japanese HTML, a link to its own domain with our address in base64 in the query
		dom := "secure-mailbox-" + tag + ".example"
		envFrom = "support@" + dom
		peer.host = "smtp." + dom
		fmt.Fprintf(&b, "From: %s <support@%s>\nTo: %s\nSubject: %s\nDate: %s\nMessage-ID: <%s@%s>\nMIME-Version: 1.0\n",
			mimeQ("メールサーバー管理センター"), dom, to, mimeQ("【警告】アカウントが停止されます"), date, w.alnum(15), dom)
		b.WriteString("Content-Type: text/html; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n\n")
		b.WriteString(qpBody(fmt.Sprintf(`<html><body><div>%s 様</div><div>パスワードの有効期限が切れました。24時間以内に確認しない場合、アカウントが停止されます。</div>`+
			`<div><a href="https://%s/verify?token=%s">今すぐ確認する</a></div></body></html>`, to, dom, b64(to))))
		b.WriteString("\n")
	case 2: // base64 HTML only in English: "release held messages", a link on a lookalike of our own webmail
		dom := "webmail-" + strings.ReplaceAll(Domain, ".", "-") + "-" + tag + ".example"
		envFrom = "no-reply@" + dom
		peer.host = "mx." + dom
		fmt.Fprintf(&b, "From: \"Mail Delivery Subsystem\" <no-reply@%s>\nTo: %s\nSubject: Undelivered messages are held for %s\nDate: %s\nMessage-ID: <%s@%s>\nMIME-Version: 1.0\n",
			dom, to, to, date, w.alnum(20), dom)
		b.WriteString("Content-Type: text/html; charset=UTF-8\nContent-Transfer-Encoding: base64\n\n")
		b.WriteString(wrapBase64(fmt.Sprintf(`<html><body><h3>Message delivery held</h3><p>%d messages to %s were held by the mail server.</p>`+
			`<p><a href="https://%s/release">Release held messages</a></p></body></html>`, 3+w.rng.IntN(8), to, dom)))
	default: // an "au" notice in UTF-8 base64 text, a restore link
		dom := "kddi-au-" + tag + ".example"
		envFrom = "info@" + dom
		peer.host = "mail." + dom
		fmt.Fprintf(&b, "From: %s <info@%s>\nTo: %s\nSubject: %s\nDate: %s\nMessage-ID: <%s@%s>\nMIME-Version: 1.0\n",
			mimeB("au メールセンター"), dom, to, mimeB("メールボックス容量超過のお知らせ"), date, w.hex(18), dom)
		b.WriteString("Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: base64\n\n")
		b.WriteString(wrapBase64(fmt.Sprintf("%s 様\n\nメールボックスの容量が上限に達しました。受信できなかったメールを復元するには、以下からログインしてください。\nhttps://%s/restore?m=%s\n", to, dom, to)))
	}
	return []byte(b.String()), envFrom, peer
}

// unseenLogIn (§5): the hijack of a site whose server writes its log in
// loc (year-less syslog lines), scanned in Tokyo.
func unseenLogIn(name string, loc *time.Location) func(string) (*Scenario, error) {
	return func(dir string) (*Scenario, error) {
		w, sc, err := build(dir, options{seed: 112, loc: loc})
		if err != nil {
			return nil, err
		}
		sc.Name, sc.About = name, "a hijack whose send log was written in "+loc.String()+" (no zone in the lines), scanned in Asia/Tokyo"
		var tl timeline
		shop, info, tanaka := w.site()
		start := time.Date(2026, 11, 2, 1, 38, 0, 0, loc)
		end := start.Add(6 * time.Hour)
		for _, a := range []*account{shop, info, tanaka} {
			w.history(&tl, a, time.Date(2026, 10, 26, 0, 0, 0, 0, loc), end, true)
		}
		w.intrude(&tl, intrusion{acct: shop, start: start, hours: 4, perHour: [2]int{400, 500},
			clients: []client{intruder1, intruder2}, refuse: 0.3, later: 0.2, rcpts: [2]int{1, 1}, campaign: campaignB})
		sc.Now = end.Add(time.Hour)
		sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Hijacked, MinConfidence: 0.7, Surge: Present, MinOursShare: 0.9, SentJump: Present, MinNewLoginIPs: 2}}
		if sc, err = finish(w, &tl, sc); err != nil {
			return nil, err
		}
		sc.Location = Tokyo()
		sc.Expect[0].Onset = w.firstSpam
		return sc, nil
	}
}

// UnseenYearBoundary (§5): a year-less log from 28 December to 3
// January; the hijack on 2 January.
func UnseenYearBoundary(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 113})
	if err != nil {
		return nil, err
	}
	sc.Name, sc.About = "unseen-year-boundary", "a year-less log from 28 December to 3 January, the hijack on 2 January at 22:09"
	var tl timeline
	shop, info, tanaka := w.site()
	start := time.Date(2027, 1, 2, 22, 9, 0, 0, w.loc)
	end := time.Date(2027, 1, 3, 6, 0, 0, 0, w.loc)
	for _, a := range []*account{shop, info, tanaka} {
		w.history(&tl, a, time.Date(2026, 12, 28, 0, 0, 0, 0, w.loc), end, true)
	}
	w.intrude(&tl, intrusion{acct: shop, start: start, hours: 3, perHour: [2]int{400, 500},
		clients: []client{intruder3}, refuse: 0.3, later: 0.2, rcpts: [2]int{1, 1}, campaign: campaignA})
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Hijacked, MinConfidence: 0.7, Surge: Present, MinOursShare: 0.9, SentJump: Present, MinNewLoginIPs: 1}}
	if sc, err = finish(w, &tl, sc); err != nil {
		return nil, err
	}
	sc.Expect[0].Onset = w.firstSpam
	sc.lastYear = 2027
	return sc, nil
}

// dateLine is a message's own Date field.
var dateLine = regexp.MustCompile(`(?m)^Date: [^\n]*\n`)

// UnseenForgedTenth (§6): the hijack, and a tenth of its notices have
// their own Date rewritten: 2099, 1980, a day in the future, absurd
// offsets, or no Date at all. Their arrival (our MX's Received field,
// the Maildir name) is untouched.
func UnseenForgedTenth(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 114})
	if err != nil {
		return nil, err
	}
	sc.Name, sc.About = "unseen-forged-tenth", "the hijack, a tenth of its notices with their Date rewritten (2099, 1980, a day ahead, none)"
	var tl timeline
	shop, info, tanaka := w.site()
	end := Onset().Add(6 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	w.intrude(&tl, intrusion{acct: shop, start: Onset(), hours: 4, perHour: [2]int{450, 550},
		clients: []client{intruder1, intruder2}, refuse: 0.3, later: 0.2, rcpts: [2]int{1, 1}, campaign: campaignA})
	sc.Now = end.Add(time.Hour)
	sc.MaxPeriodHours = 8*24 + 12
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Hijacked, MinConfidence: 0.7, Surge: Present, MinOursShare: 0.9, MinNewLoginIPs: 2}}
	if sc, err = finish(w, &tl, sc); err != nil {
		return nil, err
	}
	sc.Expect[0].Onset = w.firstSpam
	forged := []string{"Date: Thu, 1 Jan 2099 00:00:00 +0000\n", "Date: Tue, 1 Jan 1980 09:00:00 +0900\n", "",
		"Date: " + rfc5322(sc.Now.Add(24*time.Hour), Tokyo()) + "\n", "Date: Mon, 2 Nov 2026 02:00:00 +9900\n", "Date: yesterday\n"}
	n := 0
	err = filepath.WalkDir(filepath.Join(sc.Dir, "Maildir"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		if n%10 != 0 {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		i := dateLine.FindIndex(b)
		if i == nil {
			return nil
		}
		nb := append(append(append([]byte{}, b[:i[0]]...), forged[(n/10)%len(forged)]...), b[i[1]:]...)
		if err := os.WriteFile(p, nb, 0o644); err != nil {
			return err
		}
		sc.forgedNoticeDates++
		return os.Rename(p, filepath.Join(filepath.Dir(p), sMaildirSize.ReplaceAllString(d.Name(), ",S="+strconv.Itoa(len(nb)))))
	})
	return sc, err
}

func mimeQ(s string) string { return mime.QEncoding.Encode("UTF-8", s) }
func mimeB(s string) string { return mime.BEncoding.Encode("UTF-8", s) }
func b64(s string) string   { return base64.StdEncoding.EncodeToString([]byte(s)) }

// ipv6Proxies are n clients in distinct IPv6 /48 networks (RFC 3849).
func (w *world) ipv6Proxies(n int) []client {
	var out []client
	for i := range n {
		ip := fmt.Sprintf("2001:db8:%x:%x::%x", 0x100+i*0x11+w.rng.IntN(0x10), w.rng.IntN(0xffff), 1+w.rng.IntN(0xfffe))
		out = append(out, client{host: "unknown", ip: ip, helo: "[IPv6:" + ip + "]"})
	}
	return out
}

// UnseenIPv6Proxies (§1): the hijack at a Postfix hosting server that
// writes "(Authenticated sender: x)" and does not sign, from five IPv6
// clients, no log, another domain.
func UnseenIPv6Proxies(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 115, noLog: true})
	if err != nil {
		return nil, err
	}
	w.hosted = &hostedServer{name: "smtp.rentalserver.example", ip: "192.0.2.150", flavour: flavourAuthSender, noDKIM: true}
	sc.Name, sc.About = "unseen-ipv6-proxies", "a hijack from five IPv6 clients at a Postfix hosting server that does not sign, no log"
	var tl timeline
	shop, info, tanaka := w.site()
	start := Onset().Add(3*time.Hour + 11*time.Minute)
	end := start.Add(5 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	w.intrude(&tl, intrusion{acct: shop, start: start, hours: 3, perHour: [2]int{300, 380},
		clients: w.ipv6Proxies(5), refuse: 0.3, later: 0.2, rcpts: [2]int{1, 1}, campaign: campaignB})
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Hijacked, Surge: Present, MinOursShare: 0.9,
		Missing: []string{advice.EvidenceSendLog}}}
	if sc, err = finish(w, &tl, sc); err != nil {
		return nil, err
	}
	sc.Expect[0].Onset = w.firstSpam
	return sc, rebrand(sc, otherDomain)
}

// writePanelCSV writes the provider's control-panel export: messages
// sent per account and hour ("hour,account,sent"), the only send log a
// rented mailbox has.
func (w *world) writePanelCSV(path string) error {
	var b strings.Builder
	b.WriteString("hour,account,sent\n")
	accts := make([]string, 0, len(w.hosted.sent))
	for a := range w.hosted.sent {
		accts = append(accts, a)
	}
	slices.Sort(accts)
	for _, a := range accts {
		hours := make([]int64, 0, len(w.hosted.sent[a]))
		for h := range w.hosted.sent[a] {
			hours = append(hours, h)
		}
		slices.Sort(hours)
		for _, h := range hours {
			fmt.Fprintf(&b, "%s,%s,%d\n", time.Unix(h*3600, 0).In(w.loc).Format("2006-01-02 15:04"), a, w.hosted.sent[a][h])
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// UnseenPanelCSV (§1, a hosting provider's log format): the hijack at
// the hosting provider, with the panel's hourly sent counts as the only
// log.
func UnseenPanelCSV(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 116, noLog: true})
	if err != nil {
		return nil, err
	}
	w.hosted = providerServer()
	sc.Name, sc.About = "unseen-panel-csv", "a hijack at a hosting provider, the panel's hourly sent counts (CSV) as the only log"
	var tl timeline
	shop, info, tanaka := w.site()
	end := Onset().Add(6 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	w.intrude(&tl, intrusion{acct: shop, start: Onset(), hours: 4, perHour: [2]int{400, 500},
		clients: w.proxies(25), refuse: 0.3, later: 0.2, rcpts: [2]int{1, 1}, campaign: campaignA})
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Hijacked, Surge: Present, MinOursShare: 0.9, SentJump: Present,
		NoSignals: []string{"usual_login_address"}}}
	if sc, err = finish(w, &tl, sc); err != nil {
		return nil, err
	}
	p := filepath.Join(dir, "log", "sent-by-hour.csv")
	sc.SendLogs = []string{p}
	sc.Expect[0].Onset = w.firstSpam
	sc.csvLog = true
	if err := w.writePanelCSV(p); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	sc.Stats.LogLines = bytes.Count(b, []byte("\n"))
	return sc, err
}

// UnseenCampaignHostingEvening (§2 beside §1): the shop's newsletter at
// 21:00 through its hosting provider in two versions (an A/B test), no
// log: not a hijack.
func UnseenCampaignHostingEvening(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 117, noLog: true})
	if err != nil {
		return nil, err
	}
	w.hosted = providerServer()
	sc.Name, sc.About = "unseen-campaign-hosting-evening", "the shop's newsletter at 21:00 in two versions through its hosting provider, 3,000 customers, no log"
	var tl timeline
	shop, info, tanaka := w.site()
	day := campaignDay().AddDate(0, 0, 3)
	end := day.Add(26 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	list := w.customerList(3000)
	bad := w.markList(list, 0.06)
	w.mailList(&tl, newsletter{acct: shop, start: day.Add(21 * time.Hour), minutes: 20, subject: "【山田商店】年末セールのご案内 A", list: list[:1500], bad: bad})
	w.mailList(&tl, newsletter{acct: shop, start: day.Add(21*time.Hour + 20*time.Minute), minutes: 20, subject: "今だけ！山田商店の年末セール", list: list[1500:], bad: bad})
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: shop.addr, Not: []advice.Verdict{advice.Hijacked, advice.Spoofed, advice.Mixed}, Surge: Present,
		Missing: []string{advice.EvidenceSendLog}}}
	return finish(w, &tl, sc)
}

// UnseenSpoofForgedHop (§1): a botnet forging shop@ writes, beneath its
// own hop, a Received field claiming the message entered our provider's
// server by authenticated submission, with our Message-ID form; the
// hop a foreign MX wrote shows the message came from the bot. No log:
// spoofed, not hijacked.
func UnseenSpoofForgedHop(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 118, noLog: true})
	if err != nil {
		return nil, err
	}
	w.hosted = providerServer()
	w.forgeMID = func(t time.Time) string { return "E" + w.eximID(t) + "@" + w.hosted.name }
	w.forgeTrace = func(m *message, at time.Time) {
		ip := fmt.Sprintf("203.0.113.%d", 1+w.rng.IntN(254))
		m.addTrace(fmt.Sprintf("Received: from [%s] (helo=User)\n\tby %s with esmtpsa (TLS1.3)\n\t(Exim 4.97.1)\n\t(envelope-from <%s>)\n\tid %s;\n\t%s",
			ip, w.hosted.name, m.from, w.eximID(at), rfc5322(at, w.loc)))
	}
	sc.Name, sc.About = "unseen-spoof-forged-hop", "backscatter for mail forged in shop@'s name whose chains carry a forged authenticated hop through our provider, no log"
	var tl timeline
	shop, info, tanaka := w.site()
	end := Onset().Add(6 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	w.forge(&tl, forgery{addr: shop.addr, start: Onset(), hours: 4, perHour: [2]int{250, 350}, campaign: campaignB, reporters: 140})
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Spoofed, Surge: Present, MinNotOursShare: 0.8,
		Missing: []string{advice.EvidenceSendLog}}}
	return finish(w, &tl, sc)
}
