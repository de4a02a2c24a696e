package diagnose

import (
	"hash/maphash"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/attrib"
	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/reason"
	"github.com/bouncewatch/bouncewatch/sendlog"
	"github.com/bouncewatch/bouncewatch/surge"
)

// Config tunes an Analyzer. The zero value works: it learns our domains
// and relays from the log.
type Config struct {
	// Attrib is what the site tells about itself (our domains, relays,
	// BATV key, DKIM verifier); see package attrib.
	Attrib attrib.Config
	// Surge tunes the surge detection (sensitivity, thresholds).
	Surge surge.Options
	// Since and Until bound the period looked at; zero means open. Log
	// events and bounces outside are counted but not analysed.
	Since, Until time.Time
	// Location gives the hours their clock (hour of day, weekday) for the
	// baselines; nil means time.Local.
	Location *time.Location
	// Lang is the language of the evidence sentences and the plans.
	Lang advice.Lang
	// Now is the report's time; zero means time.Now().
	Now time.Time
	// MaxAccounts bounds the accounts listed in the report (the rest are
	// summed up in Report.OtherAccounts); 0 means 200.
	MaxAccounts int
	// LookupMX, when set, names the MX hosts of a domain: those of
	// Attrib.Domains are taken for our relays too (a hosting provider's
	// server receives and sends our mail under its own name). Nil: no
	// lookup (only host names in our domains count). The scan command sets
	// it with --relays-from-mx; tests give their own.
	LookupMX func(domain string) ([]string, error)
	// SettleAfter, when set, bounds the memory of a long-running
	// analyzer: bounces that reached us longer than this before the
	// newest input are judged once and folded into counts (settle.go).
	// Zero (scan): every bounce is kept and judged at every report.
	SettleAfter time.Duration
}

// Analyzer collects the send log and the mail of a mailbox, in any order
// and interleaved, and writes the Report at any time, as often as asked:
// the report depends on what was added, not on the order it came in. A
// bounce is read once when it arrives (Digest: its facts, independent of
// the log) and judged at report time against the log known then, so a
// bounce that came before the log line of its message counts as found in
// the log once the line arrives. Not safe for concurrent use, except
// Digest.
//
// Memory: the log's index (about 120 bytes a message), per account a
// compact state bounded by the caps below, and per bounce its digest
// (about a kilobyte) — with Config.SettleAfter, only for the bounces not
// yet settled (settle.go); the others are counts.
type Analyzer struct {
	cfg  Config
	loc  *time.Location
	seed maphash.Seed
	ex   *attrib.Extractor

	domains map[string]bool // ours, configured
	learn   bool            // no domains configured: learn them

	joiner sendlog.Joiner
	st     *logState // the finished messages of the log

	logEvents  int
	logUndated int // events dated impossibly (when.go)
	logFirst   time.Time
	logLast    time.Time
	hasCounts  bool

	in     inputStats
	mails  []*Digest // bounces and possible fakes, judged at report time
	agg    aggregate // of the mail that can never be fake: counted at intake
	intern map[string]string
	pop    *attrib.Population // what the bounces taught at the last Report (attribution.go)

	mailLast time.Time // the newest bounce's time
	settled  settled   // the bounces folded into counts (settle.go)
	settleAt int       // settle when this many digests are kept
}

type inputStats struct {
	messages, failed, outside int
	errors                    []srcErr // the first failures by source
}

type srcErr struct{ src, text string }

// aggregate holds the report-wide counts of the mail.
type aggregate struct {
	bounces, records, notBounce               int
	delivered, autoReplies, feedback, undated int
	reasons                                   map[reason.Reason]int
	domainsTo                                 map[string]int
	subjects                                  map[string]int
	bounced                                   quarters
	minutes                                   minuteCounts // for the onset to the minute (when.go)
	bFirst, bLast                             time.Time
}

func newAggregate() aggregate {
	return aggregate{reasons: map[reason.Reason]int{}, domainsTo: map[string]int{}, subjects: map[string]int{}}
}

// New returns an Analyzer for cfg.
func New(cfg Config) *Analyzer {
	loc := cfg.Location
	if loc == nil {
		loc = time.Local
	}
	if cfg.LookupMX != nil {
		relays := append([]string(nil), cfg.Attrib.Relays...)
		for _, d := range cfg.Attrib.Domains {
			if hosts, err := cfg.LookupMX(normDomain(d)); err == nil {
				for _, h := range hosts {
					if h = normDomain(h); h != "" && h != "." {
						relays = append(relays, h)
					}
				}
			}
		}
		cfg.Attrib.Relays = relays
	}
	a := &Analyzer{
		cfg:     cfg,
		loc:     loc,
		seed:    maphash.MakeSeed(),
		ex:      attrib.NewExtractor(cfg.Attrib),
		domains: make(map[string]bool),
		st:      newLogState(cfg.Attrib),
		agg:     newAggregate(),
		intern:  make(map[string]string),
	}
	for _, d := range cfg.Attrib.Domains {
		if d = normDomain(d); d != "" {
			a.domains[d] = true
		}
	}
	a.learn = len(a.domains) == 0
	return a
}

func (a *Analyzer) inPeriod(t time.Time) bool {
	return (a.cfg.Since.IsZero() || !t.Before(a.cfg.Since)) && (a.cfg.Until.IsZero() || t.Before(a.cfg.Until))
}

// AddEvent takes one event of the send log, at any time: before, between
// or after the mail. The log's messages are joined by queue ID; those
// still open when a report is made count as they stand.
func (a *Analyzer) AddEvent(ev sendlog.Event) {
	a.logEvents++
	ev.Time = a.logTime(ev.Time)
	if !ev.Time.IsZero() {
		if a.logFirst.IsZero() || ev.Time.Before(a.logFirst) {
			a.logFirst = ev.Time
		}
		if ev.Time.After(a.logLast) {
			a.logLast = ev.Time
		}
	}
	st := a.st
	switch ev.Kind {
	case sendlog.Login:
		if ev.SASLUser != "" && a.inPeriod(ev.Time) {
			acc := st.acct(accountKey(ev.SASLUser, "", ""))
			acc.login(ev.ClientIP, ev.Time)
			acc.loginPlace(ev.ClientHost, ev.ClientIP, ev.Time)
		}
	case sendlog.AuthFail:
		if ev.SASLUser != "" && a.inPeriod(ev.Time) {
			acc := st.acct(accountKey(ev.SASLUser, "", ""))
			acc.addAuthFail(ev.Time.Unix())
		}
	case sendlog.Count:
		if ev.Time.IsZero() || !a.inPeriod(ev.Time) {
			return // undated (or dated impossibly): no hour to count in
		}
		key := accountKey(ev.SASLUser, ev.From, "")
		if key == "" {
			return
		}
		acc := st.acct(key)
		n := ev.Count
		acc.addSent(ev.Time, n, false)
		st.sentAll.add(ev.Time.Unix(), float64(n))
		acc.sentN += int32(n)
		acc.x().counted += n
		a.hasCounts = true
		if a.learn {
			st.learnDomain(ev.From)
			st.learnDomain(ev.SASLUser)
		}
	}
	a.joiner.Add(ev)
	if a.logEvents%4096 == 0 {
		a.drain()
	}
}

// drain takes the finished messages of the log.
func (a *Analyzer) drain() {
	ms := a.joiner.Messages()
	for i := range ms {
		a.message(a.st, &ms[i])
	}
}

// logView returns the log as a report sees it: the finished messages,
// and the open ones in an overlay.
func (a *Analyzer) logView() *logState {
	a.drain()
	open := a.joiner.Pending()
	if len(open) == 0 {
		return a.st
	}
	ov := a.st.over()
	for i := range open {
		a.message(ov, &open[i])
	}
	return ov
}

// localDelivery reports whether a delivery stayed on this host: Postfix
// local, virtual, or LMTP over a Unix socket ("mail.example.jp
// [private/dovecot-lmtp]"), Sendmail's local mailer, and Exim's local
// transports, which name no remote host (only the transport, e.g.
// "T=maildir_home").
func localDelivery(d sendlog.Delivery) bool {
	r, ip := strings.ToLower(d.Relay), strings.ToLower(d.RelayIP)
	switch {
	case r == "", r == "local", r == "virtual", r == "none", strings.HasPrefix(r, "private/"), strings.HasPrefix(r, "/"),
		strings.HasPrefix(ip, "private/"), strings.HasPrefix(ip, "public/"), strings.HasPrefix(ip, "/"),
		strings.Contains(r, "dovecot"), strings.Contains(ip, "dovecot"), strings.Contains(ip, "lmtp"):
		return true
	}
	// No address and no domain name: a transport's name (Exim's
	// "maildir_home", "local_delivery"), not a host on the network.
	return ip == "" && !strings.Contains(r, ".")
}

// outbound reports whether m was sent by one of our accounts, as opposed
// to mail received for a local mailbox or a bounce our server generated.
func (a *Analyzer) outbound(_ *logState, m *sendlog.Message) bool {
	if m.From == "" || strings.EqualFold(m.From, "MAILER-DAEMON") {
		return false // the null sender: a notification
	}
	if m.SASLUser != "" || m.LocalUser != "" {
		return true
	}
	if !a.learn && !a.domains[domainOf(m.From)] {
		return false
	}
	// Not authenticated: count it as ours only if it left this host.
	for _, d := range m.Recipients {
		if !localDelivery(d) {
			return true
		}
	}
	return len(m.Recipients) == 0 && !a.learn
}

// UnknownAccount is the account of bounces that name no address of ours.
const UnknownAccount = "(unknown)"

// accountKey names the account of a message: its SASL login, else its
// envelope sender, else the local user that submitted it.
func accountKey(sasl, from, local string) string {
	if s := strings.ToLower(strings.TrimSpace(sasl)); s != "" {
		return s
	}
	if f := strings.ToLower(strings.Trim(strings.TrimSpace(from), "<>")); f != "" {
		return f
	}
	if l := strings.TrimSpace(local); l != "" {
		return "local:" + l
	}
	return ""
}

// envelopeRecipient is the address the bounce was delivered to.
func envelopeRecipient(res *bounce.Result) string {
	for _, name := range []string{"Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To"} {
		for _, f := range res.Headers {
			if strings.EqualFold(f.Name, name) {
				if ad := bounce.FirstAddress(f.Value); ad != "" {
					return ad
				}
			}
		}
	}
	return ""
}

func domainOf(addr string) string {
	addr = strings.Trim(strings.TrimSpace(addr), "<>")
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return normDomain(addr[i+1:])
}

func normDomain(d string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
}

// normSubject groups subjects: spaces folded, numbers (order numbers,
// counters spammers add) replaced by #.
func normSubject(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return ""
	}
	var b strings.Builder
	digits := false
	for _, r := range s {
		if r >= '0' && r <= '9' {
			if !digits {
				b.WriteByte('#')
			}
			digits = true
			continue
		}
		digits = false
		b.WriteRune(r)
	}
	return oneLine(b.String(), 120)
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
