package scenario

import (
	"fmt"
	"path/filepath"
	"time"
	_ "time/tzdata" // Asia/Tokyo and the remote systems' zones on any machine

	"github.com/bouncewatch/bouncewatch/advice"
)

// Scenario is one generated case: where its files are, and what a scan of
// them must find.
type Scenario struct {
	Name  string
	About string // what happens, in one sentence
	Dir   string
	// Mail and SendLogs are the scan's inputs (--mail, --sendlog);
	// SendLogs is nil when the scenario has no send log.
	Mail     []string
	SendLogs []string
	// Location and Now are the scan's clock: Config.Location (--tz) and
	// Config.Now.
	Location *time.Location
	Now      time.Time
	// Expect holds what the scan must say about each account named.
	Expect []Expect
	// FakeBounces is the number of fake notices the scan must count
	// (Stats.Fakes unless a scenario says otherwise).
	FakeBounces int
	// ReturnsNothing says the scenario's notices return nothing of the
	// original (by design: the undecidable case).
	ReturnsNothing bool
	// MaxPeriodHours bounds the report's period (0: unchecked): forged
	// dates must not stretch it.
	MaxPeriodHours int
	Stats          Stats
	// futureLines is the number of log lines deliberately dated after
	// 2026 (ForgedDates).
	futureLines int
	// csvLog: the send log is a panel's CSV of counts, not a log of
	// messages (inputs.log.messages is not the number sent).
	csvLog bool
	// domain is the scenario's own domain (Domain unless rebranded);
	// lastYear the latest year its log may hold (2026 unless it crosses
	// a year's end); forgedNoticeDates: some notices' own Date fields are
	// deliberately unparseable, missing or far off (UnseenForgedTenth).
	domain            string
	lastYear          int
	forgedNoticeDates int
}

// Domain is the scenario's own mail domain.
func (s *Scenario) Domain() string {
	if s.domain != "" {
		return s.domain
	}
	return Domain
}

// CountsOnly says the scenario's send log holds counts, not messages.
func (s *Scenario) CountsOnly() bool { return s.csvLog }

// Presence says whether something must be there.
type Presence uint8

// Presences.
const (
	Any Presence = iota
	Present
	Absent
)

// Expect is the ground truth for one account.
type Expect struct {
	Account string
	// Verdict is the verdict the scan must give; when empty, any verdict
	// not in Not will do.
	Verdict advice.Verdict
	Not     []advice.Verdict
	// MinConfidence bounds the confidence from below.
	MinConfidence float64
	// MinNewLoginIPs is how many new login IP addresses must be named.
	MinNewLoginIPs int
	// Surge says whether a surge of this account's bounces must (or must
	// not) be reported.
	Surge Presence
	// MinOursShare and MinNotOursShare bound bounces_ours/bounces and
	// bounces_not_ours/bounces from below.
	MinOursShare    float64
	MinNotOursShare float64
	// Missing are codes that must be in missing_evidence.
	Missing []string
	// Onset, when set, is the first message of the flood: the surge's
	// onset must be reported within 5 minutes of it.
	Onset time.Time
	// SentJump says whether the sent volume must (or must not) be found
	// to jump during the surge.
	SentJump Presence
	// Signals must be among the report's signal codes, NoSignals must
	// not.
	Signals, NoSignals []string
	// Campaign says whether the report must (or must not) describe a
	// campaign of the account.
	Campaign Presence
}

// Def names a scenario and makes it in a directory.
type Def struct {
	Name string
	Make func(dir string) (*Scenario, error)
}

// All returns every scenario of the suite, in a fixed order.
func All() []Def {
	return append([]Def{
		{"hijack", Hijack},
		{"spoof", Spoof},
		{"ordinary", Ordinary},
		{"mixed", Mixed},
		{"slow-burn", SlowBurn},
		{"other-account", OtherAccount},
		{"no-sendlog", NoSendLog},
		{"fake-carrier", FakeCarrier},
		{"hijack-exim", HijackExim},
		{"campaign", Campaign},
		{"campaign-hijack", CampaignHijack},
		{"malware-pc", MalwarePC},
		{"sunday-newsletter", SundayNewsletter},
		{"campaign-spoof", CampaignSpoof},
		{"hijack-fakes", HijackFakes},
		// Verdicts from the bounces alone (issue 11 §1).
		{"hosting-no-log", HostingNoLog},
		{"m365-no-log", M365NoLog},
		{"spoof-no-log", SpoofNoLog},
		{"nothing-returned", NothingReturned},
		{"campaign-hosting-no-log", CampaignHostingNoLog},
	}, append(timeScenarios(), unseenScenarios()...)...)
}

// Tokyo is the scenarios' zone.
func Tokyo() *time.Location {
	l, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		return time.FixedZone("JST", 9*3600)
	}
	return l
}

// Onset is when the trouble starts in the scenarios: Monday 2026-11-02,
// 02:14 in Tokyo, after a week of ordinary mail from Monday 2026-10-26.
func Onset() time.Time { return time.Date(2026, 11, 2, 2, 14, 0, 0, Tokyo()) }

func historyStart() time.Time { return time.Date(2026, 10, 26, 0, 0, 0, 0, Tokyo()) }

// options of one scenario's simulation.
type options struct {
	seed    uint64
	exim    bool
	lmtp    bool
	style   stampStyle
	noLog   bool
	mbox    bool
	logName string // file name of the log (default mail.log)
	// loc is the zone of the site's clocks: its log's lines and its
	// people's hours (default Asia/Tokyo).
	loc *time.Location
}

// build sets up a world writing into dir.
func build(dir string, o options) (*world, *Scenario, error) {
	loc := Tokyo()
	if o.loc != nil {
		loc = o.loc
	}
	w := newWorld(o.seed, loc)
	w.exim, w.lmtp = o.exim, o.lmtp
	sc := &Scenario{Dir: dir, Location: loc, FakeBounces: -1, lastYear: 2026}
	name := o.logName
	if name == "" {
		name = "mail.log"
		if o.exim {
			name = "exim_mainlog"
			o.style = stampExim
		}
	}
	logPath := filepath.Join(dir, "log", name)
	if o.noLog {
		logPath = ""
	} else {
		sc.SendLogs = []string{logPath}
	}
	var err error
	if w.log, err = newLogSink(logPath, o.style, loc, MailHost); err != nil {
		return nil, nil, err
	}
	if o.mbox {
		p := filepath.Join(dir, "mail", "bounces.mbox")
		w.box, err = newMbox(p)
		sc.Mail = []string{p}
	} else {
		p := filepath.Join(dir, "Maildir")
		w.box, err = newMaildir(p)
		sc.Mail = []string{p}
	}
	if err != nil {
		return nil, nil, err
	}
	return w, sc, nil
}

// finish runs the timeline and closes the files.
func finish(w *world, tl *timeline, sc *Scenario) (*Scenario, error) {
	err := tl.run(w)
	if cerr := w.log.close(); err == nil {
		err = cerr
	}
	if cerr := w.box.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	w.stats.Bounces = w.stats.BouncesOurs + w.stats.Backscatter
	w.stats.LogLines = w.log.lines
	sc.Stats = w.stats
	if sc.FakeBounces < 0 {
		// Every scenario's fake count is known: the fakes it wrote, none
		// when it wrote none (no real bounce may be taken for one).
		sc.FakeBounces = w.stats.Fakes
	}
	return sc, nil
}

// correspondents makes n addresses an account mails regularly: customers
// at consumer providers and businesses.
func (w *world) correspondents(n int) []string {
	var out []string
	seen := map[string]bool{}
	for len(out) < n {
		var a string
		if w.chance(0.3) {
			k := w.rng.IntN(len(businessWords))
			a = w.pick([]string{"info", "sales", "order", w.pick(familyNames)}) + "@" + w.businessDomain(businessWords[k], k).domain
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

// markBad makes the first of an account's correspondents fail: two
// always (a customer who left docomo, a full mailbox at a business), more
// when more is asked.
func (w *world) markBad(a *account, n int) {
	a.bad = map[string]badAddr{}
	kinds := []badAddr{{whyUnknown, false}, {whyFull, true}, {whyUnknown, true}, {whyFull, false}, {whyUnknown, false}, {whyUnknown, true}}
	for i := 0; i < n && i < len(a.regular); i++ {
		a.bad[a.regular[i]] = kinds[i%len(kinds)]
	}
}

// Clients of our accounts: the office behind NAT, a home line, a phone.
var (
	office = client{host: "fp76f1c2a3.tkyc.example.ne.jp", ip: "198.51.100.7", helo: "[192.168.10.23]"}
	home   = client{host: "p2213045-ipoe.ipoe.example.ne.jp", ip: "203.0.113.45", helo: "[10.0.0.3]"}
	phone  = client{host: "unknown", ip: "2001:db8:3c4d:15::1a", helo: "[IPv6:2001:db8:3c4d:15::1a]"}
)

// site makes the accounts of example.jp.
func (w *world) site() (shop, info, tanaka *account) {
	shop = &account{addr: "shop@" + Domain, name: "山田商店 オンラインショップ", clients: []client{office, home}, perHour: 2.5, pickup: 0.35, mua: "thunderbird"}
	info = &account{addr: "info@" + Domain, name: "山田商店", clients: []client{office}, perHour: 1, mua: "outlook"}
	tanaka = &account{addr: "tanaka@" + Domain, name: "田中 一郎", clients: []client{office, phone}, perHour: 1.5, mua: "outlook"}
	shop.regular = w.correspondents(50)
	info.regular = w.correspondents(30)
	tanaka.regular = w.correspondents(40)
	w.markBad(shop, 2)
	w.markBad(info, 1)
	w.markBad(tanaka, 1)
	for _, a := range []*account{shop, info, tanaka} {
		a.mailbox = a.addr
	}
	return shop, info, tanaka
}

// The intruders: a machine that guessed the password the day before, a
// hosted server and a proxy, in three networks never seen before.
var (
	intruder1 = client{host: "unknown", ip: "198.18.7.33", helo: "User"}
	intruder2 = client{host: "dynamic-18-112-4.vnpt.example.vn", ip: "198.18.112.4", helo: "WIN-8R2TQ0L7C1M"}
	intruder3 = client{host: "vps-44-201.hosting.example.ru", ip: "198.19.44.201", helo: "[198.19.44.201]"}
)

var campaignA = []string{spamSubjects[0], spamSubjects[1], spamSubjects[4], spamSubjects[6], spamSubjects[8]}
var campaignB = []string{spamSubjects[2], spamSubjects[3], spamSubjects[5], spamSubjects[7], spamSubjects[9], spamSubjects[11]}

// everyone plans the everyday mail of the site's accounts.
func (w *world) everyone(tl *timeline, to time.Time, accts ...*account) {
	for _, a := range accts {
		w.history(tl, a, historyStart(), to, true)
	}
}

// Hijack: a week of shop@'s ordinary mail, then, at night, logins from
// three new addresses send about 3,000 spam messages in four hours; half
// bounce, mostly refused by the receivers (our Postfix writes the
// notices), the rest bounced later by the receivers in their formats.
func Hijack(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 1})
	if err != nil {
		return nil, err
	}
	sc.Name, sc.About = "hijack", "shop@example.jp's password is used from three new IP addresses to send about 3,000 spam messages in four hours"
	var tl timeline
	shop, info, tanaka := w.site()
	end := Onset().Add(6 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	w.intrude(&tl, intrusion{acct: shop, start: Onset(), hours: 4, perHour: [2]int{700, 800},
		clients: []client{intruder1, intruder2, intruder3}, refuse: 0.32, later: 0.18, rcpts: [2]int{1, 1},
		campaign: campaignA, guesses: map[string]int{intruder1.ip: 14, "198.18.200.9": 31}})
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Hijacked, MinConfidence: 0.7, MinNewLoginIPs: 3, Surge: Present, MinOursShare: 0.9}}
	return finish(w, &tl, sc)
}

// Spoof: the same week, then about 2,000 notices from foreign systems
// for spam a botnet sent with shop@ forged; our server sends as usual.
// The server hands local mail to Dovecot over LMTP and rsyslog writes
// RFC 3339 times.
func Spoof(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 2, lmtp: true, style: stampISO})
	if err != nil {
		return nil, err
	}
	sc.Name, sc.About = "spoof", "about 2,000 notices from foreign systems for spam forged in shop@example.jp's name; our sent volume stays normal"
	var tl timeline
	shop, info, tanaka := w.site()
	end := Onset().Add(7 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	w.forge(&tl, forgery{addr: shop.addr, start: Onset(), hours: 5, perHour: [2]int{350, 450}, campaign: campaignB, reporters: 180})
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Spoofed, Surge: Present}}
	return finish(w, &tl, sc)
}

// Ordinary: a week and a half of the site's mail with a few failures a
// day for mail we did send (addresses gone, mailboxes full).
func Ordinary(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 3})
	if err != nil {
		return nil, err
	}
	sc.Name, sc.About = "ordinary", "ten days of everyday mail with a few failures a day (unknown users, full mailboxes)"
	var tl timeline
	shop, info, tanaka := w.site()
	w.markBad(shop, 6)
	end := Onset().Add(34 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Ordinary, Surge: Absent}}
	return finish(w, &tl, sc)
}

// Mixed: the account is hijacked and, in the same hours, forged by a
// botnet; the mailbox is an mbox file.
func Mixed(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 4, mbox: true})
	if err != nil {
		return nil, err
	}
	sc.Name, sc.About = "mixed", "shop@example.jp is hijacked (about 1,500 spam messages) and forged by a botnet (about 800 notices) in the same four hours"
	var tl timeline
	shop, info, tanaka := w.site()
	end := Onset().Add(6 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	w.intrude(&tl, intrusion{acct: shop, start: Onset(), hours: 4, perHour: [2]int{340, 420},
		clients: []client{intruder2, intruder3}, refuse: 0.32, later: 0.18, rcpts: [2]int{1, 1}, campaign: campaignA})
	w.forge(&tl, forgery{addr: shop.addr, start: Onset().Add(20 * time.Minute), hours: 4, perHour: [2]int{170, 230}, campaign: campaignB, reporters: 120})
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Mixed, Surge: Present}}
	return finish(w, &tl, sc)
}

// SlowBurn: after the week, one new address sends 200 to 300 spam
// messages an hour for a whole day; the log was rotated on Sunday.
func SlowBurn(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 5})
	if err != nil {
		return nil, err
	}
	// logrotate ran on Sunday morning.
	if err := w.log.rotated(time.Date(2026, 11, 1, 6, 25, 0, 0, w.loc)); err != nil {
		return nil, err
	}
	sc.SendLogs = []string{sc.SendLogs[0] + ".1", sc.SendLogs[0]}
	sc.Name, sc.About = "slow-burn", "shop@example.jp sends 200 to 300 spam messages an hour for a day from one new IP address"
	var tl timeline
	shop, info, tanaka := w.site()
	end := Onset().Add(27 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	w.intrude(&tl, intrusion{acct: shop, start: Onset(), hours: 24, perHour: [2]int{200, 300},
		clients: []client{intruder3}, refuse: 0.3, later: 0.2, rcpts: [2]int{1, 1}, campaign: campaignB})
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Hijacked, MinNewLoginIPs: 1, Surge: Present, MinOursShare: 0.9}}
	return finish(w, &tl, sc)
}

// OtherAccount: the mailbox read is info@'s, which also receives sales@'s
// mail (a virtual alias); sales@ has a login of its own, and that login is
// hijacked. info@'s own few failures are ordinary.
func OtherAccount(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 6})
	if err != nil {
		return nil, err
	}
	sc.Name, sc.About = "other-account", "the admin mailbox info@ receives its own few bounces and those of sales@, whose login is hijacked"
	var tl timeline
	_, info, tanaka := w.site()
	sales := &account{addr: "sales@" + Domain, name: "山田商店 営業部", clients: []client{office}, perHour: 1.2, mua: "thunderbird", mailbox: info.addr}
	sales.regular = w.correspondents(35)
	w.markBad(sales, 1)
	w.markBad(info, 3)
	w.aliases[sales.addr] = info.addr
	end := Onset().Add(6 * time.Hour)
	w.everyone(&tl, end, info, sales, tanaka)
	w.intrude(&tl, intrusion{acct: sales, start: Onset(), hours: 4, perHour: [2]int{450, 550},
		clients: []client{intruder1, intruder3}, refuse: 0.32, later: 0.18, rcpts: [2]int{1, 1}, campaign: campaignA})
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{
		{Account: sales.addr, Verdict: advice.Hijacked, MinNewLoginIPs: 1, Surge: Present, MinOursShare: 0.9},
		{Account: info.addr, Verdict: advice.Ordinary, Surge: Absent},
	}
	return finish(w, &tl, sc)
}

// NoSendLog: the hijack's mailbox, but no send log is given: the
// returned messages show the authenticated submission at our server and
// our DKIM signature (issue 11 §1), and the verdict says the log is
// missing.
func NoSendLog(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 7, noLog: true})
	if err != nil {
		return nil, err
	}
	sc.Name, sc.About = "no-sendlog", "a hijack's bounces (about 1,500) with no send log"
	var tl timeline
	shop, info, tanaka := w.site()
	end := Onset().Add(6 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	w.intrude(&tl, intrusion{acct: shop, start: Onset(), hours: 4, perHour: [2]int{700, 800},
		clients: []client{intruder1, intruder2, intruder3}, refuse: 0.32, later: 0.18, rcpts: [2]int{1, 1}, campaign: campaignA})
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Hijacked, Surge: Present, MinOursShare: 0.9, Missing: []string{advice.EvidenceSendLog}}}
	return finish(w, &tl, sc)
}

// FakeCarrier: ordinary failures, and 30 fake carrier and mailer-daemon
// notices (phishing links, archives, a program) over the last three days.
func FakeCarrier(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 8})
	if err != nil {
		return nil, err
	}
	sc.Name, sc.About = "fake-carrier", "ordinary failures plus 30 fake carrier and mailer-daemon notices carrying phishing links and attachments"
	var tl timeline
	shop, info, tanaka := w.site()
	w.markBad(shop, 4)
	end := Onset().Add(30 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	w.fakes(&tl, shop.addr, 0, 30, end.Add(-72*time.Hour), end)
	sc.Now = end.Add(time.Hour)
	sc.FakeBounces = 30
	sc.Expect = []Expect{{Account: shop.addr, Not: []advice.Verdict{advice.Hijacked, advice.Spoofed, advice.Mixed}}}
	return finish(w, &tl, sc)
}

// HijackExim: the hijack on a server running Exim (a hosting panel's
// typical setup); the log is Exim's mainlog, which names no host.
func HijackExim(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 9, exim: true})
	if err != nil {
		return nil, err
	}
	sc.Name, sc.About = "hijack-exim", "the hijack on an Exim server: about 2,000 spam messages in four hours from two new IP addresses"
	var tl timeline
	shop, info, tanaka := w.site()
	end := Onset().Add(6 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	w.intrude(&tl, intrusion{acct: shop, start: Onset(), hours: 4, perHour: [2]int{450, 550},
		clients: []client{intruder2, intruder3}, refuse: 0.32, later: 0.18, rcpts: [2]int{1, 1}, campaign: campaignB,
		guesses: map[string]int{intruder2.ip: 9}})
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Hijacked, MinNewLoginIPs: 2, Surge: Present, MinOursShare: 0.9}}
	return finish(w, &tl, sc)
}

// HijackFakes: the hijack of Hijack, with fake notices of every design
// (FakeKinds of them, three of each) mixed into the flood and the day
// before it: carriers, providers, our "administrator", look-alike
// mailer-daemons, HTML-only, base64 and quoted-printable bodies, encoded
// names. The fakes are counted exactly and the verdict stays hijacked.
func HijackFakes(dir string) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 10})
	if err != nil {
		return nil, err
	}
	n := 3 * FakeKinds
	sc.Name, sc.About = "hijack-fakes", fmt.Sprintf("the hijack of shop@example.jp with %d fake notices of every kind mixed in", n)
	var tl timeline
	shop, info, tanaka := w.site()
	end := Onset().Add(6 * time.Hour)
	w.everyone(&tl, end, shop, info, tanaka)
	w.intrude(&tl, intrusion{acct: shop, start: Onset(), hours: 4, perHour: [2]int{700, 800},
		clients: []client{intruder1, intruder2, intruder3}, refuse: 0.32, later: 0.18, rcpts: [2]int{1, 1},
		campaign: campaignA, guesses: map[string]int{intruder1.ip: 14}})
	w.fakes(&tl, shop.addr, 0, n/2, Onset(), end)
	w.fakes(&tl, info.addr, n/2, n-n/2, Onset().Add(-24*time.Hour), end)
	sc.Now = end.Add(time.Hour)
	sc.FakeBounces = n
	sc.Expect = []Expect{{Account: shop.addr, Verdict: advice.Hijacked, MinConfidence: 0.7, MinNewLoginIPs: 3, Surge: Present, MinOursShare: 0.9}}
	return finish(w, &tl, sc)
}
