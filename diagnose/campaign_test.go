package diagnose

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/attrib"
	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/reason"
	"github.com/bouncewatch/bouncewatch/sendlog"
)

func TestSpamSubject(t *testing.T) {
	for _, tc := range []struct {
		subject string
		spam    bool
	}{
		{"Your account has been suspended - verify now", true},
		{"Invoice 4471 is overdue", true},
		{"Urgent: verify your mailbox before it is closed", true},
		{"【重要】アカウントの確認が必要です（4471）", true},
		{"ETC利用照会サービス 停止のお知らせ", true},
		{"お荷物のお届けについて（不在通知 1234）", true},
		{"您的账户需要验证", true},
		{"Ihr Konto gesperrt", true},
		{"【山田商店】11月のおすすめ商品と送料無料キャンペーンのご案内", false},
		{"限定セール 最大50%OFF 本日限り", false}, // a shop's own offer: not spam vocabulary
		{"Winter sale: 30% off everything", false},
		{"Re: お見積りの件", false},
		{"Quotation request #4471", false},
		{"【緊急告知】冬のセール開催", false},
		{"ログインでポイント2倍キャンペーン", false},
		{"プレゼント当選者発表", false},
		{"Give a gift card this Christmas", false},
		{"Your parcel is on its way", false},
		{"【緊急】お支払い方法の確認", true},
		{"Congratulations! You have won a $1000 gift card", true},
		{"Amazonプライム会員の自動更新に失敗しました", true},
		{"Your parcel could not be delivered - action required #4471", true},
	} {
		if got := spamSubject(tc.subject); got != tc.spam {
			t.Errorf("spamSubject(%q) = %v, want %v", tc.subject, got, tc.spam)
		}
	}
}

func TestMailerKey(t *testing.T) {
	if a, b := mailerKey("Microsoft Outlook 16.0"), mailerKey("Microsoft Outlook 15.0.5023"); a != b {
		t.Errorf("two versions of one program differ: %q, %q", a, b)
	}
	if a, b := mailerKey("Microsoft Outlook 16.0"), mailerKey("Foxmail 7.2.25.375"); a == b {
		t.Errorf("two programs are one: %q", a)
	}
}

// campaignCase builds the log and the bounces of one story told against
// the week of history of TestVerdicts (shop@ sends 27 messages a working
// day from 198.51.100.10).
type campaignCase struct {
	start    time.Time // of the mailing
	minutes  int
	n        int    // messages
	ip       string // login address
	subjects []string
	domains  int    // recipients' domains
	mid      string // Message-ID format: %d (sequence) and the domain; "" for the usual form
	mailer   string
	bounced  int  // every how many messages bounce
	perMsg   int  // recipients per message (1 when 0)
	personal bool // the subject starts with the recipient's name: "山田 太郎様へ"
}

func (c campaignCase) build() (*logBuilder, []*bounce.Result) {
	const shop = "shop@example.jp"
	l := &logBuilder{}
	history(l, shop)
	var bs []*bounce.Result
	for i := 0; i < c.n; i++ {
		t := c.start.Add(time.Duration(i) * time.Duration(c.minutes) * time.Minute / time.Duration(c.n))
		rcpt := fmt.Sprintf("customer%d@d%d.example", i, i%c.domains)
		mid := l.send(t, shop, c.ip, shop, rcpt)
		if c.mid != "" {
			mid = fmt.Sprintf(c.mid, 100000+i*7919%90000)
			l.events[len(l.events)-4].MessageID = mid // the MsgID event of this message
		}
		if c.perMsg > 1 {
			// More Deliver events of the same queue ID, before its Done.
			done, del := l.events[len(l.events)-1], l.events[len(l.events)-2]
			l.events = l.events[:len(l.events)-1]
			for k := 1; k < c.perMsg; k++ {
				del.To = fmt.Sprintf("customer%d.%d@d%d.example", i, k, (i+k)%c.domains)
				l.events = append(l.events, del)
			}
			l.events = append(l.events, done)
		}
		if i%c.bounced != 0 {
			continue
		}
		b := dsn(t.Add(2*time.Minute), shop, rcpt, mid, reason.UserUnknown, "550 5.1.1 user unknown")
		b.Records[0].HardBounce = true
		b.Original.Date = t.Format(time.RFC1123Z)
		b.Original.Subject = c.subjects[i%len(c.subjects)]
		if c.personal {
			b.Original.Subject = []string{"山田 太郎", "佐藤花子", "すずき一郎", "Tanaka"}[i%4] + "様へ " + b.Original.Subject
		}
		b.Original.XMailer = c.mailer
		bs = append(bs, b)
	}
	// The log goes on after the mailing.
	l.send(c.start.Add(6*time.Hour), shop, "198.51.100.10", shop, "friend1@partner.example")
	return l, bs
}

func TestCampaignVersusHijack(t *testing.T) {
	const shop = "shop@example.jp"
	newsletter := []string{"【山田商店】11月のおすすめ商品のご案内"}
	spam := []string{"Your account has been suspended - verify now", "【重要】アカウントの確認が必要です", "Invoice 4471 is overdue", "You have (3) unread messages", "お荷物のお届けについて（不在通知）"}
	morning := base.Add(10*time.Hour + 5*time.Minute) // 12:05, in the history's working hours (11:00 to 20:00)
	tests := []struct {
		name      string
		c         campaignCase
		verdict   advice.Verdict
		campaign  bool
		signals   []string
		noSignals []string
	}{
		{"newsletter in business hours", campaignCase{start: morning, minutes: 40, n: 1200, ip: "198.51.100.10", subjects: newsletter, domains: 6, mailer: "PHP/8.2", bounced: 10},
			advice.Ordinary, true, []string{SignalCampaign}, []string{SignalOddHours, SignalSpamSubjects, SignalManyDomains, SignalNewClientForm, SignalNewLoginIPs, SignalFirstTimeRcpts, SignalESMTPSA}},
		{"newsletter from a new network", campaignCase{start: morning, minutes: 40, n: 1200, ip: "203.0.113.99", subjects: newsletter, domains: 6, mailer: "PHP/8.2", bounced: 10},
			advice.Hijacked, false, []string{SignalNewLoginIPs}, []string{SignalCampaign}}, // sent from the new network: not told from an intruder's run
		{"one innocuous subject from a new network", campaignCase{start: morning, minutes: 40, n: 1200, ip: "203.0.113.99", subjects: []string{"Re: your order"}, domains: 6, mailer: "PHP/8.2", bounced: 10},
			advice.Hijacked, false, []string{SignalNewLoginIPs}, []string{SignalCampaign}},
		{"one subject of spam's shape", campaignCase{start: morning, minutes: 40, n: 1200, ip: "198.51.100.10", subjects: spam[:1], domains: 6, mailer: "PHP/8.2", bounced: 10},
			advice.Hijacked, false, []string{SignalSpamSubjects}, []string{SignalCampaign}},
		{"malware on the owner's PC", campaignCase{start: base.Add(10 * time.Minute), minutes: 150, n: 600, ip: "198.51.100.10", subjects: spam, domains: 500,
			mid: "%d.a1b2c3d4e5@example.jp", mailer: "Foxmail 7.2.25.375", bounced: 3},
			advice.Hijacked, false, []string{SignalOddHours, SignalSpamSubjects, SignalManyDomains, SignalNewClientForm, SignalOwnAddress}, []string{SignalNewLoginIPs, SignalCampaign}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, bs := tc.c.build()
			r := run(t, l, bs, Config{Lang: advice.English, Now: base.Add(24 * time.Hour)})
			acc := find(r, shop)
			if acc == nil {
				t.Fatalf("no verdict for %s", shop)
			}
			if acc.Verdict != tc.verdict {
				t.Errorf("verdict %s, want %s; evidence:\n%s", acc.Verdict, tc.verdict, join(acc.Evidence))
			}
			if (acc.Campaign != nil) != tc.campaign {
				t.Errorf("campaign %+v, want one: %v", acc.Campaign, tc.campaign)
			}
			for _, s := range tc.signals {
				if !slices.Contains(acc.Signals, s) {
					t.Errorf("signals %v lack %s; evidence:\n%s", acc.Signals, s, join(acc.Evidence))
				}
			}
			for _, s := range tc.noSignals {
				if slices.Contains(acc.Signals, s) {
					t.Errorf("signals %v include %s; evidence:\n%s", acc.Signals, s, join(acc.Evidence))
				}
			}
			if tc.verdict == advice.Ordinary {
				c := acc.Campaign
				if c == nil {
					return
				}
				if c.Bounced != 120 || c.HardBounces != 120 || c.Sent < 1200 || c.Sent > 1220 || !c.Start.Equal(morning) || c.Subject != newsletter[0] || c.BounceRate < 0.098 || c.BounceRate > 0.1 {
					t.Errorf("campaign %+v, want 120 of about 1,200 bounced, from %s", *c, morning)
				}
				if len(acc.Plan) == 0 || acc.Plan[0].ID != "clean-list-after-campaign" {
					t.Errorf("plan %v does not start by cleaning the list", acc.Plan)
				}
			}
		})
	}
}

// TestCampaignOnASpoofingDay: our newsletter goes out the day a botnet
// forges our address; the backscatter's subjects are spam, ours are not:
// the account is spoofed, not hijacked (nor mixed).
func TestCampaignOnASpoofingDay(t *testing.T) {
	const shop = "shop@example.jp"
	c := campaignCase{start: base.Add(10*time.Hour + 5*time.Minute), minutes: 40, n: 1200, ip: "198.51.100.10",
		subjects: []string{"【山田商店】11月のおすすめ商品のご案内"}, domains: 6, mailer: "PHP/8.2", bounced: 10}
	l, bs := c.build()
	for i := 0; i < 150; i++ {
		at := c.start.Add(time.Duration(i) * time.Minute)
		b := dsn(at, shop, fmt.Sprintf("y%d@far%d.example", i, i%50), fmt.Sprintf("%x@bot%d.example", i*7919, i%9), reason.UserUnknown, "550 5.1.1 unknown")
		b.Original.Received = []bounce.Received{{From: "botpc", By: "mx.far.example", IP: "192.0.2.77", With: "SMTP"}}
		b.Original.Subject = "Your account has been suspended - verify now"
		bs = append(bs, b)
	}
	r := run(t, l, bs, Config{Lang: advice.English, Now: base.Add(24 * time.Hour)})
	acc := find(r, shop)
	if acc == nil {
		t.Fatal("no verdict")
	}
	if acc.Verdict != advice.Spoofed || acc.Campaign == nil || acc.Campaign.Bounced != 120 || slices.Contains(acc.Signals, SignalSpamSubjects) {
		t.Errorf("verdict %s, campaign %+v, signals %v, want spoofed with our campaign of 120 bounces; evidence:\n%s",
			acc.Verdict, acc.Campaign, acc.Signals, join(acc.Evidence))
	}
}

// TestCampaignOverTheLimit: our provider refuses part of the newsletter
// for its hourly limit; a limit is not spam, and the account is not
// hijacked. A refusal for spam keeps it hijacked.
func TestCampaignOverTheLimit(t *testing.T) {
	const shop = "shop@example.jp"
	for _, tc := range []struct {
		diag string
		want advice.Verdict
	}{
		{"550 Domain example.jp has exceeded the max emails per hour (500/500 (100%)) allowed. Message discarded.", advice.Ordinary},
		{"550 5.7.501 Access denied, spam abuse detected. The sending account has been banned due to detected spam activity.", advice.Hijacked},
	} {
		c := campaignCase{start: base.Add(10*time.Hour + 5*time.Minute), minutes: 40, n: 1200, ip: "198.51.100.10",
			subjects: []string{"【山田商店】11月のおすすめ商品のご案内"}, domains: 6, mailer: "PHP/8.2", bounced: 10}
		l, bs := c.build()
		for i := 0; i < 20; i++ {
			bs[i].Records[0].DiagnosticCode = tc.diag
			bs[i].Records[0].Reason = reason.Speeding
		}
		r := run(t, l, bs, Config{Lang: advice.English, Now: base.Add(24 * time.Hour)})
		acc := find(r, shop)
		if acc == nil || acc.Verdict != tc.want || acc.VolumeRefusals != 20 {
			t.Errorf("%q: %+v, want %s with 20 volume refusals", tc.diag, acc, tc.want)
		}
	}
}

func join(ss []string) string {
	out := ""
	for _, s := range ss {
		out += "  - " + s + "\n"
	}
	return out
}

// TestCampaignOrderIndependent: the campaign's facts, the verdict and
// its evidence do not depend on the order the log and the bounces
// arrive in: log first, bounces first, or interleaved, each reversed.
func TestCampaignOrderIndependent(t *testing.T) {
	c := campaignCase{start: base.Add(10*time.Hour + 5*time.Minute), minutes: 40, n: 1200, ip: "198.51.100.10",
		subjects: []string{"【山田商店】11月のおすすめ商品のご案内"}, domains: 6, mailer: "PHP/8.2", bounced: 10}
	l, bs := c.build()
	cfg := Config{Lang: advice.Japanese, Now: base.Add(24 * time.Hour), Location: jst, Attrib: attribDomains()}
	feed := func(evs []sendlog.Event, mails []*bounce.Result, mailFirst, interleave bool) *AccountReport {
		a := New(cfg)
		addLog := func(ev sendlog.Event) { a.AddEvent(ev) }
		addMail := func(i int) { a.AddMail(Mail{Source: fmt.Sprintf("b%03d", i), Result: mails[i]}) }
		switch {
		case interleave:
			k := 0
			for i := range evs {
				addLog(evs[i])
				if i%10 == 0 && k < len(mails) {
					addMail(k)
					k++
				}
			}
			for ; k < len(mails); k++ {
				addMail(k)
			}
		case mailFirst:
			for i := range mails {
				addMail(i)
			}
			for _, ev := range evs {
				addLog(ev)
			}
		default:
			for _, ev := range evs {
				addLog(ev)
			}
			for i := range mails {
				addMail(i)
			}
		}
		return find(a.Report(), "shop@example.jp")
	}
	want := feed(l.events, bs, false, false)
	if want == nil || want.Campaign == nil || want.Verdict != advice.Ordinary {
		t.Fatalf("log first: %+v", want)
	}
	rev := slices.Clone(bs)
	slices.Reverse(rev)
	// The log's messages, each whole (its five events), in reverse.
	var evs []sendlog.Event
	for i := len(l.events) - 5; i >= 0; i -= 5 {
		evs = append(evs, l.events[i:i+5]...)
	}
	for _, tc := range []struct {
		name                  string
		evs                   []sendlog.Event
		mails                 []*bounce.Result
		mailFirst, interleave bool
	}{
		{"bounces reversed", l.events, rev, false, false},
		{"log reversed", evs, bs, false, false},
		{"bounces first", l.events, bs, true, false},
		{"bounces first, both reversed", evs, rev, true, false},
		{"interleaved", l.events, rev, false, true},
	} {
		got := feed(tc.evs, tc.mails, tc.mailFirst, tc.interleave)
		if got == nil || !reflect.DeepEqual(want.Campaign, got.Campaign) || want.Verdict != got.Verdict || !reflect.DeepEqual(want.Evidence, got.Evidence) {
			t.Errorf("%s changed the report:\n%+v %s\n%s\nvs\n%+v", tc.name, *want.Campaign, want.Verdict, join(want.Evidence), got)
		}
	}
}

func attribDomains() attrib.Config { return attrib.Config{Domains: []string{"example.jp"}} }

// TestCampaignWithoutLog: without a send log, a campaign's bounces (one
// subject of ours, nothing else changed) are ordinary with the log named
// as missing; spam subjects are never taken for a campaign.
func TestCampaignWithoutLog(t *testing.T) {
	for _, tc := range []struct {
		subject string
		not     advice.Verdict
	}{
		{"【山田商店】11月のおすすめ商品のご案内", advice.Hijacked},
		{"Your account has been suspended - verify now", advice.Ordinary},
	} {
		c := campaignCase{start: base.Add(10*time.Hour + 5*time.Minute), minutes: 40, n: 1200, ip: "198.51.100.10",
			subjects: []string{tc.subject}, domains: 6, mailer: "PHP/8.2", bounced: 10}
		_, bs := c.build()
		r := run(t, nil, bs, Config{Lang: advice.English, Now: base.Add(24 * time.Hour)})
		acc := find(r, "shop@example.jp")
		if acc == nil || acc.Verdict == tc.not {
			t.Errorf("%q: %+v", tc.subject, acc)
			continue
		}
		t.Logf("%q: %s %.2f, missing %v, signals %v", tc.subject, acc.Verdict, acc.Confidence, acc.Missing, acc.Signals)
		if acc.Verdict == advice.Ordinary && (!slices.Contains(acc.Missing, advice.EvidenceSendLog) || acc.Campaign == nil) {
			t.Errorf("%q: ordinary without naming the missing log or the campaign: %+v", tc.subject, acc)
		}
	}
}

func TestStripPersonal(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"山田太郎様へ 11月のおすすめ", "〇〇様へ 11月のおすすめ"},
		{"【山田商店】佐藤花子様、11月のおすすめ", "【山田商店】〇〇様、11月のおすすめ"},
		{"すずきさん、セールのお知らせ", "〇〇さん、セールのお知らせ"},
		{"山田 太郎様へ 11月のおすすめ", "〇〇様へ 11月のおすすめ"},
		{"【山田商店】 佐藤 花子 様 新商品", "【山田商店】 〇〇 様 新商品"},
		{"Dear Anna, our November news", "Dear …, our November news"},
		{"Hi Ken! Winter sale", "Hi …! Winter sale"},
		{"11月のおすすめ商品のご案内", "11月のおすすめ商品のご案内"},
		{"様", "様"},
		{"", ""},
	} {
		if got := stripPersonal(tc.in); got != tc.want {
			t.Errorf("stripPersonal(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestCampaignVariants: a newsletter whose subjects carry each
// customer's name, one tested in two subject versions, and one sent as
// messages to several recipients each are campaigns like the plain one,
// with their figures in recipients.
func TestCampaignVariants(t *testing.T) {
	const shop = "shop@example.jp"
	start := base.Add(10*time.Hour + 5*time.Minute)
	for _, tc := range []struct {
		name          string
		c             campaignCase
		sent, bounced int
		subject       string
	}{
		{"personalised subjects", campaignCase{start: start, minutes: 40, n: 1200, ip: "198.51.100.10", subjects: []string{"11月のおすすめ商品のご案内"}, domains: 6, mailer: "PHP/8.2", bounced: 10, personal: true},
			1200, 120, "〇〇様へ 11月のおすすめ商品のご案内"},
		{"two subject versions", campaignCase{start: start, minutes: 40, n: 1200, ip: "198.51.100.10", subjects: []string{"11月のおすすめ商品のご案内", "【本日限定】11月のおすすめ"}, domains: 6, mailer: "PHP/8.2", bounced: 10},
			1200, 120, ""},
		{"five recipients a message", campaignCase{start: start, minutes: 40, n: 300, ip: "198.51.100.10", subjects: []string{"11月のおすすめ商品のご案内"}, domains: 6, mailer: "PHP/8.2", bounced: 3, perMsg: 5},
			1500, 100, "11月のおすすめ商品のご案内"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, bs := tc.c.build()
			r := run(t, l, bs, Config{Lang: advice.English, Now: base.Add(24 * time.Hour)})
			acc := find(r, shop)
			if acc == nil || acc.Verdict != advice.Ordinary || acc.Campaign == nil {
				t.Fatalf("%+v", acc)
			}
			c := acc.Campaign
			if c.Sent < tc.sent || c.Sent > tc.sent+20 || c.Bounced != tc.bounced || tc.subject != "" && c.Subject != tc.subject {
				t.Errorf("campaign %+v, want %d sent, %d bounced, subject %q", *c, tc.sent, tc.bounced, tc.subject)
			}
		})
	}
}

// TestLoginPlaces: without GeoIP, a login's country is told by the
// country code of its reverse name; generic names and "unknown" tell
// none; a first login over another address family is named too.
func TestLoginPlaces(t *testing.T) {
	var la logAcct
	before, during := base.Add(-48*time.Hour), base.Add(time.Hour)
	la.loginPlace("fp76f1c2a3.tkyc.example.ne.jp", "198.51.100.7", before)
	la.loginPlace("unknown", "198.51.100.8", before)
	la.loginPlace("dynamic-18-112-4.vnpt.example.vn", "198.18.112.4", during)
	la.loginPlace("vps.hosting.example.com", "2001:db8::1", during)
	la.loginPlace("mail.example.jp.", "198.51.100.9", during)
	j := &judge{acc: &account{log: &la}}
	cs, fam := j.newPlaces(base.Unix(), base.Add(6*time.Hour).Unix())
	if !reflect.DeepEqual(cs, []string{".vn"}) || fam != "IPv6" {
		t.Errorf("new places %v, %q; want [.vn], IPv6", cs, fam)
	}
	if cs, fam := j.newPlaces(base.Add(-72*time.Hour).Unix(), base.Add(6*time.Hour).Unix()); cs != nil || fam != "" {
		t.Errorf("with no earlier logins: %v, %q; want nothing", cs, fam)
	}
}

// TestCampaignThenSmallHijack: the newsletter in the morning, and in the
// evening an intruder from a new network sends a few dozen messages, too
// few for a surge of their own: the account is hijacked, the campaign
// named beside it.
func TestCampaignThenSmallHijack(t *testing.T) {
	const shop = "shop@example.jp"
	c := campaignCase{start: base.Add(10*time.Hour + 5*time.Minute), minutes: 40, n: 1200, ip: "198.51.100.10",
		subjects: []string{"【山田商店】11月のおすすめ商品のご案内"}, domains: 6, mailer: "PHP/8.2", bounced: 10}
	l, bs := c.build()
	evening := base.Add(18 * time.Hour)
	for i := 0; i < 30; i++ {
		t := evening.Add(time.Duration(i) * time.Minute)
		rcpt := fmt.Sprintf("x%d@spam%d.example", i, i)
		mid := l.send(t, shop, "203.0.113.200", shop, rcpt)
		if i%3 == 0 {
			b := dsn(t.Add(time.Minute), shop, rcpt, mid, reason.UserUnknown, "550 5.1.1 unknown")
			b.Original.Subject = "Re: your order"
			bs = append(bs, b)
		}
	}
	r := run(t, l, bs, Config{Lang: advice.English, Now: base.Add(24 * time.Hour)})
	acc := find(r, shop)
	if acc == nil || acc.Verdict != advice.Hijacked || acc.Campaign == nil || !slices.Contains(acc.NewLoginIPs, "203.0.113.200") || !slices.Contains(acc.Signals, SignalNewLoginIPs) {
		t.Fatalf("%+v", acc)
	}
	if !slices.ContainsFunc(acc.Evidence, func(e string) bool { return strings.HasPrefix(e, "After the surge") }) {
		t.Errorf("the later logins are not said as such:\n%s", join(acc.Evidence))
	}
}
