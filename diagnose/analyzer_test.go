package diagnose

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/attrib"
	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/reason"
	"github.com/bouncewatch/bouncewatch/sendlog"
)

var (
	jst  = time.FixedZone("JST", 9*3600)
	base = time.Date(2026, 11, 2, 2, 0, 0, 0, jst) // the flood starts here
)

// logBuilder writes the events Postfix would log for submissions.
type logBuilder struct {
	events []sendlog.Event
	n      int
}

func (l *logBuilder) send(t time.Time, sasl, ip, from, to string) string {
	l.n++
	q := fmt.Sprintf("Q%08X", l.n)
	mid := fmt.Sprintf("%d.%s@mail.example.jp", t.Unix(), q)
	ev := func(k sendlog.EventKind) sendlog.Event {
		return sendlog.Event{Time: t, Host: "mail", Program: "postfix/smtpd", Kind: k, QueueID: q}
	}
	login := ev(sendlog.Login)
	login.SASLUser, login.ClientIP, login.ClientHost = sasl, ip, "unknown"
	msgid := ev(sendlog.MsgID)
	msgid.MessageID = mid
	acc := ev(sendlog.Accept)
	acc.From, acc.NRcpt = from, 1
	del := ev(sendlog.Deliver)
	del.To, del.Status, del.Relay, del.DSN = to, "bounced", "mx.remote.example", "5.1.1"
	l.events = append(l.events, login, msgid, acc, del, ev(sendlog.Done))
	return mid
}

// dsn is a decoded bounce of a message with the given Message-ID.
func dsn(t time.Time, to, rcpt, mid string, r reason.Reason, diag string) *bounce.Result {
	return &bounce.Result{
		Kind:    bounce.KindBounce,
		Headers: []bounce.Field{{Name: "Date", Value: t.Format(time.RFC1123Z)}, {Name: "To", Value: to}},
		Records: []bounce.Record{{Recipient: rcpt, Reason: r, Status: "5.1.1", DiagnosticCode: diag, Timestamp: t}},
		Original: &bounce.Original{
			From: to, MessageID: "<" + mid + ">", Date: t.Add(-time.Minute).Format(time.RFC1123Z),
			Received: []bounce.Received{{From: "pc", By: "mail.example.jp", With: "ESMTPSA", ID: "X"}},
		},
	}
}

// history: a week of ordinary mail from two known addresses, a few
// messages every working hour.
func history(l *logBuilder, sasl string) {
	for d := 7; d >= 1; d-- {
		for h := 9; h < 18; h++ {
			for k := 0; k < 3; k++ {
				t := base.Add(-time.Duration(d)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(k*15)*time.Minute)
				l.send(t, sasl, "198.51.100.10", sasl, fmt.Sprintf("friend%d@partner.example", k+h%5))
			}
		}
	}
}

func run(t *testing.T, l *logBuilder, bounces []*bounce.Result, cfg Config) *Report {
	t.Helper()
	cfg.Location = jst
	cfg.Attrib.Domains = []string{"example.jp"}
	a := New(cfg)
	if l != nil {
		for _, ev := range l.events {
			a.AddEvent(ev)
		}
	}
	for i, b := range bounces {
		a.AddMail(Mail{Source: fmt.Sprintf("b%d", i), Result: b})
	}
	return a.Report()
}

func find(r *Report, account string) *AccountReport {
	for i := range r.Verdicts {
		if r.Verdicts[i].Account == account {
			return &r.Verdicts[i]
		}
	}
	return nil
}

func TestVerdicts(t *testing.T) {
	const shop = "shop@example.jp"
	tests := []struct {
		name    string
		build   func() (*logBuilder, []*bounce.Result)
		want    advice.Verdict
		signals []string
		missing string
	}{
		{
			name: "hijack: sent jumps from new IPs, bounces in the log",
			build: func() (*logBuilder, []*bounce.Result) {
				l := &logBuilder{}
				history(l, shop)
				var bs []*bounce.Result
				for i := 0; i < 600; i++ {
					t := base.Add(time.Duration(i) * 20 * time.Second)
					ip := fmt.Sprintf("203.0.113.%d", 1+i%3)
					mid := l.send(t, shop, ip, shop, fmt.Sprintf("x%d@victim%d.example", i, i%40))
					if i%2 == 0 {
						bs = append(bs, dsn(t.Add(5*time.Minute), shop, fmt.Sprintf("x%d@victim%d.example", i, i%40), mid, reason.UserUnknown, "550 5.1.1 no such user"))
					}
				}
				return l, bs
			},
			want:    advice.Hijacked,
			signals: []string{SignalBounceSurge, SignalSentJump, SignalNewLoginIPs, SignalFirstTimeRcpts, SignalBouncesInSendLog},
		},
		{
			name: "spoof: bounces not in the log, sent normal",
			build: func() (*logBuilder, []*bounce.Result) {
				l := &logBuilder{}
				history(l, shop)
				for h := 0; h < 6; h++ { // the usual night trickle goes on
					l.send(base.Add(time.Duration(h)*time.Hour), shop, "198.51.100.10", shop, "friend1@partner.example")
				}
				var bs []*bounce.Result
				for i := 0; i < 500; i++ {
					t := base.Add(time.Duration(i) * 30 * time.Second)
					b := dsn(t, shop, fmt.Sprintf("y%d@far%d.example", i, i%50), fmt.Sprintf("%x@bot%d.example", i*7919, i%9), reason.UserUnknown, "550 5.1.1 unknown")
					b.Original.Received = []bounce.Received{{From: "botpc", By: "mx.far.example", IP: "192.0.2.77", With: "SMTP"}}
					bs = append(bs, b)
				}
				return l, bs
			},
			want:    advice.Spoofed,
			signals: []string{SignalBounceSurge, SignalBouncesNotOurs, SignalSentNormal},
		},
		{
			name: "ordinary: a few bounces of our mail",
			build: func() (*logBuilder, []*bounce.Result) {
				l := &logBuilder{}
				history(l, shop)
				var bs []*bounce.Result
				for d := 7; d >= 1; d-- {
					t := base.Add(-time.Duration(d)*24*time.Hour + 10*time.Hour)
					mid := l.send(t, shop, "198.51.100.10", shop, "old@partner.example")
					bs = append(bs, dsn(t.Add(time.Minute), shop, "old@partner.example", mid, reason.MailboxFull, "552 mailbox full"))
				}
				return l, bs
			},
			want:    advice.Ordinary,
			signals: []string{SignalNoSurge},
		},
		{
			name: "no send log: the verdict says what is missing",
			build: func() (*logBuilder, []*bounce.Result) {
				var bs []*bounce.Result
				for i := 0; i < 400; i++ {
					t := base.Add(time.Duration(i) * 30 * time.Second)
					b := dsn(t, shop, fmt.Sprintf("z%d@victim.example", i), fmt.Sprintf("m%d@mail.example.jp", i), reason.UserUnknown, "550 5.1.1 unknown")
					b.Original.Received = nil
					bs = append(bs, b)
				}
				return nil, bs
			},
			want:    advice.InsufficientEvidence,
			signals: []string{SignalBounceSurge, SignalNoSendLog},
			missing: advice.EvidenceSendLog,
		},
		{
			name: "provider refuses the account for its volume",
			build: func() (*logBuilder, []*bounce.Result) {
				var bs []*bounce.Result
				for i := 0; i < 3; i++ {
					t := base.Add(time.Duration(i) * time.Minute)
					b := dsn(t, shop, "a@b.example", fmt.Sprintf("m%d@mail.example.jp", i), reason.SecurityError,
						"550 5.7.501 Access denied, spam abuse detected. The sending account has been banned due to detected spam activity.")
					b.Records[0].Status = "5.7.501"
					bs = append(bs, b)
				}
				return nil, bs
			},
			want:    advice.Hijacked,
			signals: []string{SignalVolumeRefusal},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, bs := tc.build()
			r := run(t, l, bs, Config{Lang: advice.English})
			acc := find(r, shop)
			if acc == nil {
				t.Fatalf("no verdict for %s: %+v", shop, r.Verdicts)
			}
			t.Logf("%s %.2f\n  %s", acc.Verdict, acc.Confidence, strings.Join(acc.Evidence, "\n  "))
			if acc.Verdict != tc.want {
				t.Errorf("verdict %s (%.2f), want %s\nevidence:\n  %s\nsignals %v", acc.Verdict, acc.Confidence, tc.want,
					strings.Join(acc.Evidence, "\n  "), acc.Signals)
			}
			for _, s := range tc.signals {
				if !contains(acc.Signals, s) {
					t.Errorf("signal %s missing: %v", s, acc.Signals)
				}
			}
			if tc.missing != "" && !contains(acc.Missing, tc.missing) {
				t.Errorf("missing evidence %v, want %s", acc.Missing, tc.missing)
			}
			if acc.Confidence <= 0 || acc.Confidence > 1 {
				t.Errorf("confidence %v out of (0, 1]", acc.Confidence)
			}
			if len(acc.Plan) == 0 {
				t.Error("no plan")
			}
			if r.Overall != tc.want {
				t.Errorf("overall %s, want %s", r.Overall, tc.want)
			}
		})
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func TestHijackEvidenceJapanese(t *testing.T) {
	l := &logBuilder{}
	history(l, "shop@example.jp")
	var bs []*bounce.Result
	for i := 0; i < 300; i++ {
		t0 := base.Add(time.Duration(i) * 30 * time.Second)
		mid := l.send(t0, "shop@example.jp", "203.0.113.9", "shop@example.jp", fmt.Sprintf("v%d@x.example", i))
		bs = append(bs, dsn(t0.Add(time.Minute), "shop@example.jp", fmt.Sprintf("v%d@x.example", i), mid, reason.UserUnknown, "550 5.1.1"))
	}
	r := run(t, l, bs, Config{Lang: advice.Japanese})
	acc := find(r, "shop@example.jp")
	if acc == nil || acc.Verdict != advice.Hijacked {
		t.Fatalf("verdict %+v", acc)
	}
	joined := strings.Join(acc.Evidence, "\n")
	for _, want := range []string{"バウンス 300 件のうち 300 件", "203.0.113.9", "急増"} {
		if !strings.Contains(joined, want) {
			t.Errorf("evidence lacks %q:\n%s", want, joined)
		}
	}
	if acc.Plan[0].ID != "change-password" {
		t.Errorf("first step %s, want change-password", acc.Plan[0].ID)
	}
}

// TestEvidenceBothLanguages: whatever the report's language, each
// verdict carries its evidence in English and in Japanese, one sentence
// of each beside each Evidence sentence, the report's language's being
// Evidence itself.
func TestEvidenceBothLanguages(t *testing.T) {
	for _, lg := range []advice.Lang{advice.English, advice.Japanese} {
		l := &logBuilder{}
		history(l, "shop@example.jp")
		var bs []*bounce.Result
		for i := 0; i < 300; i++ {
			t0 := base.Add(time.Duration(i) * 30 * time.Second)
			mid := l.send(t0, "shop@example.jp", "203.0.113.9", "shop@example.jp", fmt.Sprintf("v%d@x.example", i))
			bs = append(bs, dsn(t0.Add(time.Minute), "shop@example.jp", fmt.Sprintf("v%d@x.example", i), mid, reason.UserUnknown, "550 5.1.1"))
		}
		r := run(t, l, bs, Config{Lang: lg})
		if len(r.Verdicts) == 0 {
			t.Fatalf("%s: no verdicts", lg)
		}
		for _, acc := range r.Verdicts {
			n := len(acc.Evidence)
			if len(acc.EvidenceEn) != n || len(acc.EvidenceJa) != n || len(acc.EvidenceSignals) != n {
				t.Fatalf("%s %s: %d sentences, %d English, %d Japanese, %d signals", lg, acc.Account,
					n, len(acc.EvidenceEn), len(acc.EvidenceJa), len(acc.EvidenceSignals))
			}
			own := acc.EvidenceEn
			if lg == advice.Japanese {
				own = acc.EvidenceJa
			}
			for i := range acc.Evidence {
				if own[i] != acc.Evidence[i] {
					t.Errorf("%s %s: sentence %d is %q, in its language %q", lg, acc.Account, i, acc.Evidence[i], own[i])
				}
				if acc.EvidenceEn[i] == "" || acc.EvidenceJa[i] == "" || acc.EvidenceEn[i] == acc.EvidenceJa[i] {
					t.Errorf("%s %s: sentence %d: %q / %q", lg, acc.Account, i, acc.EvidenceEn[i], acc.EvidenceJa[i])
				}
			}
		}
		acc := find(r, "shop@example.jp")
		if acc == nil || !strings.Contains(strings.Join(acc.EvidenceJa, "\n"), "急増") ||
			!strings.Contains(strings.Join(acc.EvidenceEn, "\n"), "203.0.113.9") {
			t.Errorf("%s: evidence %+v", lg, acc)
		}
	}
}

func TestBounceAccount(t *testing.T) {
	l := &logBuilder{}
	l.send(base, "shop", "198.51.100.10", "shop@example.jp", "a@b.example") // a login without a domain
	a := New(Config{Attrib: attrib.Config{Domains: []string{"example.jp"}}, Location: jst})
	for _, ev := range l.events {
		a.AddEvent(ev)
	}
	rc := &reportCtx{a: a, st: a.logView()}
	tests := []struct {
		name string
		res  *bounce.Result
		at   judged
		want string
	}{
		{"in the log: its login", &bounce.Result{}, judged{inLog: true, sasl: "Shop", logFrom: "shop@example.jp"}, "shop"},
		{"in the log without login: its sender", &bounce.Result{}, judged{inLog: true, logFrom: "Web@Example.JP"}, "web@example.jp"},
		{"return path of ours, mapped to the login", &bounce.Result{Original: &bounce.Original{ReturnPath: "<shop@example.jp>", From: "x@spam.example"}}, judged{}, "shop"},
		{"foreign return path: the bounce's own recipient", &bounce.Result{
			Original: &bounce.Original{ReturnPath: "<x@spam.example>"},
			Headers:  []bounce.Field{{Name: "Delivered-To", Value: "sales@example.jp"}},
		}, judged{}, "sales@example.jp"},
		{"nothing of ours: the first address", &bounce.Result{Original: &bounce.Original{From: "Someone <s@else.example>"}}, judged{}, "s@else.example"},
		{"nothing at all", &bounce.Result{}, judged{}, UnknownAccount},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.res.Kind = bounce.KindBounce
			tc.res.Records = []bounce.Record{{Recipient: "r@remote.example", Reason: reason.UserUnknown}}
			d := a.Digest(Mail{Source: "x", Result: tc.res})
			if got := rc.bounceAccount(d, &tc.at); got != tc.want {
				t.Errorf("account %q, want %q", got, tc.want)
			}
		})
	}
}

func TestVolumeRefusal(t *testing.T) {
	tests := []struct {
		name, status, diag string
		want               bool
	}{
		{"cPanel", "", "550 Domain example.jp has exceeded the max emails per hour (150/100 (150%)) allowed. Message discarded.", true},
		{"M365 5.1.8", "5.1.8", "550 5.1.8 Access denied, bad outbound sender", true},
		{"M365 5.7.501", "5.7.501", "550 5.7.501 Access denied, spam abuse detected", true},
		{"Gmail", "5.4.5", "550 5.4.5 Daily user sending limit exceeded.", true},
		{"user unknown", "5.1.1", "550 5.1.1 <a@b.example>: User unknown", false},
		{"recipient's rate limit", "4.7.0", "421 4.7.0 Try again later, closing connection.", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := volumeRefusal(tc.status, tc.diag); got != tc.want {
				t.Errorf("volumeRefusal = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestFakeBouncesKeptOut(t *testing.T) {
	// A notice from a look-alike carrier with a phishing link and an
	// archive, refering to no message of ours.
	fake := &bounce.Result{Kind: bounce.KindBounce, Subject: "Undelivered", From: "docomo <MAILER-DAEMON@docomo-support.example>",
		Headers:     []bounce.Field{{Name: "Date", Value: base.Format(time.RFC1123Z)}},
		Records:     []bounce.Record{{Recipient: "shop@example.jp", Reason: reason.UserUnknown, Timestamp: base}},
		Links:       []string{"https://login-docomo.example/verify"},
		Attachments: []string{"application/zip"}}
	a := New(Config{Location: jst})
	a.AddMail(Mail{Source: "fake.eml", Result: fake})
	r := a.Report()
	if r.FakeBounces != 1 || len(r.FakeSamples) != 1 || r.FakeSamples[0].Source != "fake.eml" {
		t.Fatalf("fake bounces %d %+v", r.FakeBounces, r.FakeSamples)
	}
	if len(r.Verdicts) != 0 {
		t.Errorf("a fake bounce made a verdict: %+v", r.Verdicts)
	}
	if r.Inputs.Bounces != 0 {
		t.Errorf("a fake bounce counted among the bounces: %d", r.Inputs.Bounces)
	}
}

func TestNum(t *testing.T) {
	for in, want := range map[int]string{0: "0", 12: "12", 999: "999", 1000: "1,000", 4812: "4,812", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := num(in); got != want {
			t.Errorf("num(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestLocalDelivery(t *testing.T) {
	tests := []struct {
		name string
		d    sendlog.Delivery
		want bool
	}{
		{"postfix local", sendlog.Delivery{Relay: "local"}, true},
		{"postfix virtual", sendlog.Delivery{Relay: "virtual"}, true},
		{"dovecot LMTP socket", sendlog.Delivery{Relay: "mail.example.jp", RelayIP: "private/dovecot-lmtp"}, true},
		{"exim transport", sendlog.Delivery{Relay: "maildir_home"}, true},
		{"postfix remote", sendlog.Delivery{Relay: "mx.remote.example", RelayIP: "192.0.2.5"}, false},
		{"exim remote", sendlog.Delivery{Relay: "gmail-smtp-in.l.google.com", RelayIP: "192.0.2.141"}, false},
		{"LMTP over TCP elsewhere", sendlog.Delivery{Relay: "store.example.jp", RelayIP: "192.0.2.9"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := localDelivery(tc.d); got != tc.want {
				t.Errorf("localDelivery(%+v) = %v, want %v", tc.d, got, tc.want)
			}
		})
	}
}

// TestRelaysFromMX: a few bounces entered a hosting provider's server by
// authenticated submission, too few for the bounces to vote it ours; the
// MX of our domain names it.
func TestRelaysFromMX(t *testing.T) {
	var bs []*bounce.Result
	for i := 0; i < 3; i++ {
		b := dsn(base.Add(time.Duration(i)*time.Minute), "shop@example.jp", fmt.Sprintf("r%d@remote.example", i), fmt.Sprintf("m%d@example.jp", i), reason.UserUnknown, "550 5.1.1 unknown")
		b.Original.Received = []bounce.Received{
			{From: "sv1234.hosting-provider.example", By: "mx.remote.example", With: "ESMTPS", IP: "192.0.2.140"},
			{From: "pc", By: "sv1234.hosting-provider.example", With: "ESMTPSA", IP: "198.18.1.1"},
		}
		bs = append(bs, b)
	}
	lookup := func(d string) ([]string, error) {
		if d != "example.jp" {
			return nil, fmt.Errorf("lookup %s: no such host", d)
		}
		return []string{"SV1234.hosting-provider.example."}, nil
	}
	for _, tc := range []struct {
		name   string
		lookup func(string) ([]string, error)
		ours   int
	}{
		{"MX looked up: the provider's server is ours", lookup, 3},
		{"no lookup: a foreign chain", nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, nil, bs, Config{Lang: advice.English, LookupMX: tc.lookup})
			acc := find(r, "shop@example.jp")
			if acc == nil || acc.BouncesOurs != tc.ours {
				t.Fatalf("bounces ours: %+v, want %d", acc, tc.ours)
			}
			if tc.ours > 0 && acc.AuthenticatedRelayed != tc.ours {
				t.Errorf("authenticated_relayed %d, want %d", acc.AuthenticatedRelayed, tc.ours)
			}
		})
	}
}
