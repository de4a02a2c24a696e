package scenario

import (
	"fmt"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
)

// The campaign scenarios (issue 11 §2): a shop's newsletter makes its
// bounces rise with its sent volume, and that is not a hijack; a hijack
// hidden behind a campaign, or sent by malware on the owner's own PC, is.

// campaignDay is the weekday of the newsletter: Monday 2026-11-02, after
// a week of ordinary mail.
func campaignDay() time.Time { return time.Date(2026, 11, 2, 0, 0, 0, 0, Tokyo()) }

// newsletterSubject is the shop's newsletter: one subject for every
// customer.
const newsletterSubject = "【山田商店】11月のおすすめ商品と送料無料キャンペーンのご案内"

// customerList makes the shop's list of n customers: consumer mailboxes
// in the proportions of Japanese shoppers (the same mix every month) and
// a few businesses.
func (w *world) customerList(n int) []string {
	out := make([]string, 0, n)
	seen := map[string]bool{}
	for len(out) < n {
		var a string
		if w.chance(0.05) {
			k := w.rng.IntN(12) // the few businesses that buy from the shop
			a = w.pick([]string{"info", "order", "soumu", w.pick(familyNames)}) + "@" + w.businessDomain(businessWords[k], k).domain
		} else {
			a = w.localPart() + "@" + w.pick(consumerDomains)
		}
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}

// newsletter is one mailing of the shop's web system to its list.
type newsletter struct {
	acct    *account
	start   time.Time
	minutes int // how long the web shop's mailer takes to go through the list
	subject string
	list    []string
	bad     map[string]badAddr // the list's dead addresses
}

// markList makes a share of the list dead: addresses that no longer
// exist (most, refused in the dialogue or bounced later), full
// mailboxes, and domains gone.
func (w *world) markList(list []string, share float64) map[string]badAddr {
	bad := map[string]badAddr{}
	for _, a := range list {
		if !w.chance(share) {
			continue
		}
		x := w.rng.Float64()
		switch {
		case x < 0.65:
			bad[a] = badAddr{whyUnknown, false}
		case x < 0.85:
			bad[a] = badAddr{whyUnknown, true}
		default:
			bad[a] = badAddr{whyFull, w.chance(0.5)}
		}
	}
	return bad
}

// mailList plans a newsletter: the web shop hands one message per
// customer to Postfix (pickup, as its order mail), with the shop's usual
// program and Postfix's Message-ID.
func (w *world) mailList(tl *timeline, nl newsletter) {
	span := time.Duration(nl.minutes) * time.Minute
	for i, rcpt := range nl.list {
		at := nl.start.Add(span * time.Duration(i) / time.Duration(len(nl.list))).Add(w.secs(0, 0.5))
		tl.at(at, func() {
			f := fate{kind: delivered}
			if b, ok := nl.bad[rcpt]; ok {
				f = fate{kind: refused, why: b.why}
				if b.later {
					f = fate{kind: later, why: b.why, delay: w.secs(30, 1800)}
				}
			}
			body := fmt.Sprintf("%s 様\n\nいつも山田商店をご利用いただきありがとうございます。\n今月のおすすめ商品をご案内します。\n\n配信停止: https://shop.%s/unsubscribe\n", rcpt, Domain)
			msg := &message{fromName: nl.acct.name, from: nl.acct.addr, to: rcpt, subject: nl.subject, date: at, zone: w.loc, mailer: uaPHP, body: body}
			w.submit(&outMsg{at: at, acct: nl.acct, pickup: true, msg: msg, rcpts: []string{rcpt}, fates: []fate{f}})
		})
	}
}

// harvested is an address of a spammer's list: mailboxes at small
// businesses all over, each domain met once or twice, and some consumer
// mailboxes.
func (w *world) harvested() string {
	if w.chance(0.3) {
		return w.localPart() + "@" + w.pick(consumerDomains)
	}
	k := w.rng.IntN(5000)
	r := w.businessDomain(fmt.Sprintf("%s-%d", w.pick(businessWords), k), k) // their mail systems vary as businesses' do
	return w.pick([]string{"info", "sales", "contact", "support", "admin", "office", w.localPart()}) + "@" + r.domain
}

// Campaign: the shop's newsletter goes to 5,200 customers on a weekday
// at 10:05 through its web shop, one subject, its usual program; 6% of
// the list is dead and bounces.
func Campaign(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 21})
	if err != nil {
		return nil, err
	}
	sc.Name, sc.About = "campaign", "shop@example.jp's newsletter to 5,200 customers on a weekday at 10:05, 6% of them bounce: an ordinary campaign"
	var tl timeline
	shop, info, tanaka := w.site()
	start := campaignDay().Add(10*time.Hour + 5*time.Minute)
	end := campaignDay().Add(17 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	list := w.customerList(5200)
	w.mailList(&tl, newsletter{acct: shop, start: start, minutes: 45, subject: newsletterSubject, list: list, bad: w.markList(list, 0.06)})
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Ordinary, Surge: Present, MinOursShare: 0.9, Campaign: Present,
		NoSignals: []string{"new_login_ips", "odd_hours", "spam_subjects", "many_domains", "new_client_form", "first_time_recipients", "authenticated_relay", "failed_logins", "volume_refusal"}}}
	return finish(w, &tl, sc)
}

// CampaignHijack: the same newsletter, and the same afternoon an intruder
// with shop@'s password sends spam from a network never seen before.
// The verdict is hijacked: mixed means hijacked and forged at once, and
// an intruder holding the password calls for the hijack's plan whatever
// else the account sent that day.
func CampaignHijack(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 22})
	if err != nil {
		return nil, err
	}
	sc.Name, sc.About = "campaign-hijack", "shop@example.jp's newsletter to 5,200 customers at 10:05 and, from 12:40, about 400 spam messages from a new network"
	var tl timeline
	shop, info, tanaka := w.site()
	start := campaignDay().Add(10*time.Hour + 5*time.Minute)
	end := campaignDay().Add(17 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	list := w.customerList(5200)
	w.mailList(&tl, newsletter{acct: shop, start: start, minutes: 45, subject: newsletterSubject, list: list, bad: w.markList(list, 0.06)})
	w.intrude(&tl, intrusion{acct: shop, start: campaignDay().Add(12*time.Hour + 40*time.Minute), hours: 2, perHour: [2]int{180, 220},
		clients: []client{intruder3}, refuse: 0.32, later: 0.18, rcpts: [2]int{1, 1}, campaign: campaignB})
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Hijacked, MinNewLoginIPs: 1, Surge: Present, MinOursShare: 0.9,
		Campaign: Present, Signals: []string{"new_login_ips", "campaign"}}}
	return finish(w, &tl, sc)
}

// MalwarePC: malware on the shop's office PC sends spam through the
// account's saved password, from the office's own address, at night, to
// addresses at thousands of domains, with its own mail program.
func MalwarePC(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 23})
	if err != nil {
		return nil, err
	}
	sc.Name, sc.About = "malware-pc", "malware on shop@example.jp's office PC sends about 1,400 spam messages from the office's own IP address between 01:00 and 05:00"
	var tl timeline
	shop, info, tanaka := w.site()
	start := campaignDay().Add(time.Hour + 10*time.Minute)
	end := campaignDay().Add(9 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	in := intrusion{acct: shop, start: start, hours: 4, refuse: 0.32, later: 0.18, rcpts: [2]int{1, 1}, campaign: campaignA}
	for hr := range in.hours {
		h := start.Add(time.Duration(hr) * time.Hour)
		for range 330 + w.rng.IntN(40) {
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
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Hijacked, Surge: Present, MinOursShare: 0.9,
		Signals: []string{"odd_hours", "spam_subjects", "many_domains", "new_client_form"}, NoSignals: []string{"new_login_ips"}}}
	return finish(w, &tl, sc)
}

// SundayNewsletter: the shop sends its newsletter every Sunday at 07:30,
// outside business hours; the log holds three weeks, with the two
// earlier mailings to the same list.
func SundayNewsletter(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 24})
	if err != nil {
		return nil, err
	}
	sc.Name, sc.About = "sunday-newsletter", "shop@example.jp's weekly newsletter to 3,000 customers, every Sunday at 07:30, the third one scanned"
	var tl timeline
	shop, info, tanaka := w.site()
	from := time.Date(2026, 10, 12, 0, 0, 0, 0, w.loc) // a Monday
	last := time.Date(2026, 11, 1, 7, 30, 0, 0, w.loc) // the third Sunday
	end := last.Add(10 * time.Hour)
	for _, a := range []*account{shop, info, tanaka} {
		w.history(&tl, a, from, end, true)
	}
	list := w.customerList(3000)
	// The list is never cleaned: the dead addresses of one week are
	// still there the next, and more die each week.
	bad := w.markList(list, 0.03)
	for k := 2; k >= 0; k-- {
		at := last.AddDate(0, 0, -7*k)
		w.mailList(&tl, newsletter{acct: shop, start: at, minutes: 30,
			subject: fmt.Sprintf("【山田商店】週末のおすすめ（%d月%d日号）", at.Month(), at.Day()), list: list, bad: bad})
		more := w.markList(list, 0.012)
		grown := make(map[string]badAddr, len(bad)+len(more))
		for a, b := range more {
			grown[a] = b
		}
		for a, b := range bad {
			grown[a] = b
		}
		bad = grown
	}
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Ordinary, Campaign: Present, Signals: []string{"campaign", "recurring_campaign"},
		NoSignals: []string{"new_login_ips", "odd_hours", "spam_subjects", "many_domains", "new_client_form", "first_time_recipients", "authenticated_relay", "failed_logins", "volume_refusal"}}}
	return finish(w, &tl, sc)
}

// CampaignSpoof: the newsletter goes out the morning a botnet starts
// forging shop@'s address; the account is spoofed (its campaign
// ordinary), neither hijacked nor mixed.
func CampaignSpoof(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 25})
	if err != nil {
		return nil, err
	}
	sc.Name, sc.About = "campaign-spoof", "shop@example.jp's newsletter to 5,200 customers at 10:05 and, from 09:30, about 1,000 notices for spam forged in its name"
	var tl timeline
	shop, info, tanaka := w.site()
	start := campaignDay().Add(10*time.Hour + 5*time.Minute)
	end := campaignDay().Add(17 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	list := w.customerList(5200)
	w.mailList(&tl, newsletter{acct: shop, start: start, minutes: 45, subject: newsletterSubject, list: list, bad: w.markList(list, 0.06)})
	w.forge(&tl, forgery{addr: shop.addr, start: campaignDay().Add(9*time.Hour + 30*time.Minute), hours: 4, perHour: [2]int{220, 280}, campaign: campaignB, reporters: 150})
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Spoofed, Surge: Present, Campaign: Present,
		Signals: []string{"campaign", "bounces_not_ours"}, NoSignals: []string{"new_login_ips", "spam_subjects", "first_time_recipients"}}}
	return finish(w, &tl, sc)
}
