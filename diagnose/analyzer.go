package diagnose

import (
	"net/mail"
	"net/netip"
	"sort"
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
}

// Analyzer collects the send log and the bounces and writes the Report.
// Feed it the log first (AddEvent, then Seal), then the bounces
// (Attribute, which is safe for concurrent use, and AddBounce, which is
// not). It keeps counts, not messages: memory grows with the accounts,
// their distinct recipients and login IPs, and the send log's index.
type Analyzer struct {
	cfg    Config
	loc    *time.Location
	joiner sendlog.Joiner
	index  *attrib.Index
	sealed bool
	// pendingSent holds the log's outbound messages until Seal builds the
	// index (our domains may be learnt from the whole log first).
	pendingSent []attrib.Sent

	domains map[string]bool // ours: configured, or learnt from the log
	learn   bool            // no domains configured: learn them

	accounts map[string]*account
	// aliases maps a sender address to the logins that sent as it.
	aliases map[string]map[string]int

	logEvents   int
	logMessages int
	logFirst    time.Time
	logLast     time.Time
	hasCounts   bool

	in        inputStats
	reasons   map[reason.Reason]int
	domainsTo map[string]int
	subjects  map[string]int
	fakes     []FakeBounce
	fakeCount int
	bFirst    time.Time
	bLast     time.Time
	bounced   surge.Counter // all accounts
	sentAll   surge.Counter
}

type inputStats struct {
	messages, bounces, records, notBounce, failed int
	delivered, autoReplies, feedback              int
	undated, outside                              int
	errors                                        []string
}

// account is what is known of one sending account.
type account struct {
	key       string
	addresses map[string]int // envelope senders used

	sent      surge.Counter
	sentN     int
	sentRcpt  int
	firstRcpt map[string]int64 // recipient → first time mailed (Unix seconds)
	loginIPs  map[string]int64 // client IP → first login (Unix seconds)
	logins    int
	authFails []int64 // Unix seconds of failed logins
	counted   int     // of sentN, from CSV counts

	bounced   surge.Counter
	verdicts  [3]int // ours, not ours, unknown
	esmtpsa   int
	refusals  int
	rateOnly  int // of refusals, those naming a sending limit and no spam
	refusalEx string
	noOrig    int
	reasons   map[reason.Reason]int
	inLog     int
	complaint int

	beh behaviour // forms, subjects: what a hijack changes besides volume (campaign.go)
}

// New returns an Analyzer for cfg.
func New(cfg Config) *Analyzer {
	loc := cfg.Location
	if loc == nil {
		loc = time.Local
	}
	a := &Analyzer{
		cfg:       cfg,
		loc:       loc,
		domains:   make(map[string]bool),
		accounts:  make(map[string]*account),
		aliases:   make(map[string]map[string]int),
		reasons:   make(map[reason.Reason]int),
		domainsTo: make(map[string]int),
		subjects:  make(map[string]int),
	}
	for _, d := range cfg.Attrib.Domains {
		if d = normDomain(d); d != "" {
			a.domains[d] = true
		}
	}
	a.learn = len(a.domains) == 0
	a.bounced.Location, a.sentAll.Location = loc, loc
	return a
}

func (a *Analyzer) inPeriod(t time.Time) bool {
	return (a.cfg.Since.IsZero() || !t.Before(a.cfg.Since)) && (a.cfg.Until.IsZero() || t.Before(a.cfg.Until))
}

// AddEvent takes one event of the send log. Events must come before any
// bounce; the log's messages are joined by queue ID as they complete.
func (a *Analyzer) AddEvent(ev sendlog.Event) {
	if a.sealed {
		return
	}
	a.logEvents++
	if !ev.Time.IsZero() {
		if a.logFirst.IsZero() || ev.Time.Before(a.logFirst) {
			a.logFirst = ev.Time
		}
		if ev.Time.After(a.logLast) {
			a.logLast = ev.Time
		}
	}
	switch ev.Kind {
	case sendlog.Login:
		if ev.SASLUser != "" && a.inPeriod(ev.Time) {
			a.login(a.account(accountKey(ev.SASLUser, "", "")), ev.ClientIP, ev.Time)
		}
	case sendlog.AuthFail:
		if ev.SASLUser != "" && a.inPeriod(ev.Time) {
			acc := a.account(accountKey(ev.SASLUser, "", ""))
			acc.authFails = append(acc.authFails, ev.Time.Unix())
		}
	case sendlog.Count:
		if !a.inPeriod(ev.Time) {
			return
		}
		key := accountKey(ev.SASLUser, ev.From, "")
		if key == "" {
			return
		}
		acc := a.account(key)
		n := ev.Count
		acc.sent.AddN(ev.Time, float64(n))
		a.sentAll.AddN(ev.Time, float64(n))
		acc.sentN += n
		acc.counted += n
		a.hasCounts = true
		if a.learn {
			a.learnDomain(ev.From)
			a.learnDomain(ev.SASLUser)
		}
	}
	a.joiner.Add(ev)
	if a.logEvents%4096 == 0 {
		a.drain(a.joiner.Messages())
	}
}

// Seal ends the log: the messages still open are taken as they are, and
// the index the bounces are attributed against is built.
func (a *Analyzer) Seal() {
	if a.sealed {
		return
	}
	a.drain(a.joiner.Messages())
	a.drain(a.joiner.Flush())
	a.sealed = true
	cfg := a.cfg.Attrib
	if len(cfg.Domains) == 0 {
		cfg.Domains = a.domainList()
	}
	ix := attrib.NewIndex(cfg)
	for _, s := range a.pendingSent {
		ix.Add(s)
	}
	a.pendingSent = nil
	a.index = ix
}

func (a *Analyzer) domainList() []string {
	ds := []string{}
	for d := range a.domains {
		ds = append(ds, d)
	}
	sort.Strings(ds)
	return ds
}

// drain takes the finished messages of the log.
func (a *Analyzer) drain(ms []sendlog.Message) {
	for i := range ms {
		a.message(&ms[i])
	}
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
func (a *Analyzer) outbound(m *sendlog.Message) bool {
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

func (a *Analyzer) message(m *sendlog.Message) {
	if !a.outbound(m) {
		return
	}
	if a.learn && (m.SASLUser != "" || m.LocalUser != "") {
		a.learnDomain(m.From)
		a.learnDomain(m.SASLUser)
	}
	s := attrib.Sent{
		QueueID: m.QueueID, MessageID: m.MessageID, From: m.From, SASLUser: m.SASLUser,
		ClientIP: m.ClientIP, ClientHost: m.ClientHost, Host: m.Host, Time: m.Time,
	}
	a.pendingSent = append(a.pendingSent, s)
	a.logMessages++
	if m.Time.IsZero() || !a.inPeriod(m.Time) {
		return
	}
	key := accountKey(m.SASLUser, m.From, m.LocalUser)
	acc := a.account(key)
	acc.beh.sent(m.MessageID, m.Time)
	acc.sent.Add(m.Time)
	a.sentAll.Add(m.Time)
	acc.sentN++
	from := strings.ToLower(m.From)
	acc.addresses[from]++
	if m.SASLUser != "" {
		al := a.aliases[from]
		if al == nil {
			al = make(map[string]int)
			a.aliases[from] = al
		}
		al[key]++
		a.login(acc, m.ClientIP, m.Time)
	}
	t := m.Time.Unix()
	for _, d := range m.Recipients {
		to := strings.ToLower(d.To)
		if to == "" {
			continue
		}
		acc.sentRcpt++
		if f, ok := acc.firstRcpt[to]; !ok || t < f {
			acc.firstRcpt[to] = t
		}
	}
}

func (a *Analyzer) login(acc *account, ip string, t time.Time) {
	if ip == "" || t.IsZero() {
		return
	}
	if p, err := netip.ParseAddr(ip); err == nil {
		ip = p.Unmap().String()
	}
	acc.logins++
	if f, ok := acc.loginIPs[ip]; !ok || t.Unix() < f {
		acc.loginIPs[ip] = t.Unix()
	}
}

func (a *Analyzer) learnDomain(addr string) {
	if d := domainOf(addr); d != "" {
		a.domains[d] = true
	}
}

func (a *Analyzer) account(key string) *account {
	if key == "" {
		key = UnknownAccount
	}
	acc := a.accounts[key]
	if acc == nil {
		acc = &account{
			key:       key,
			addresses: make(map[string]int),
			firstRcpt: make(map[string]int64),
			loginIPs:  make(map[string]int64),
			reasons:   make(map[reason.Reason]int),
		}
		acc.sent.Location, acc.bounced.Location = a.loc, a.loc
		a.accounts[key] = acc
	}
	return acc
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

// Attribute weighs the evidence that the message res returned was sent by
// us. It seals the log on first use; call it from one goroutine first, or
// call Seal before fanning out.
func (a *Analyzer) Attribute(res *bounce.Result) attrib.Attribution {
	if !a.sealed {
		a.Seal()
	}
	return a.index.Attribute(res)
}

// Mail is one message read from a mailbox, as the analyzer takes it.
type Mail struct {
	// Source names the message: a path, "path#N" for an mbox, an IMAP URL.
	Source string
	// Arrival is when the message reached our mailbox, as the mailbox
	// records it (Maildir file name, mbox From_ line, IMAP INTERNALDATE,
	// LMTP delivery); zero when unknown. Unlike the dates inside the
	// message, a stranger cannot write it.
	Arrival time.Time
	// Result is the decoder's answer (nil when nothing could be read)
	// and Err its error, if any.
	Result *bounce.Result
	Err    error
}

// AddMail takes one message of the mailbox: it is attributed and counted
// as AddBounce does.
func (a *Analyzer) AddMail(m Mail) {
	var at attrib.Attribution
	if m.Result != nil {
		at = a.Attribute(m.Result)
	}
	a.AddBounce(m.Source, m.Result, at, m.Err)
}

// AddBounce takes one decoded message (any kind) and its attribution
// (Attribute's answer: for a message that is not a bounce it may still
// flag a fake posing as one); err
// is the decoder's error, if any (the message is then counted as failed,
// with whatever was decoded still used).
func (a *Analyzer) AddBounce(src string, res *bounce.Result, at attrib.Attribution, err error) {
	if !a.sealed {
		a.Seal()
	}
	a.in.messages++
	if err != nil {
		a.in.failed++
		if len(a.in.errors) < maxSamples {
			a.in.errors = append(a.in.errors, src+": "+err.Error())
		}
	}
	if res == nil {
		return
	}
	t, ok := res.Time()
	if ok && !a.inPeriod(t) {
		a.in.outside++
		return
	}
	// A fake (phishing posing as a bounce or a carrier's notice) is kept
	// out of the evidence, whether or not it decoded as a bounce.
	if at.Fake != nil {
		a.fakeCount++
		if len(a.fakes) < maxSamples {
			a.fakes = append(a.fakes, fakeSample(src, res, at.Fake))
		}
		return
	}
	if res.Kind != bounce.KindBounce {
		if err == nil {
			a.in.notBounce++
		}
		return
	}
	a.in.bounces++
	a.in.records += len(res.Records)
	if !ok {
		a.in.undated++
	}
	// Auto-replies, success notices and complaints are not failures.
	failure := false
	for _, r := range res.Records {
		switch r.Reason {
		case reason.Delivered:
			a.in.delivered++
		case reason.Vacation:
			a.in.autoReplies++
		case reason.Feedback:
			a.in.feedback++
		default:
			failure = true
		}
	}
	acc := a.account(a.bounceAccount(res, at))
	if !failure {
		for _, r := range res.Records {
			if r.Reason == reason.Feedback {
				acc.complaint++
			}
		}
		return
	}
	if ok {
		if a.bFirst.IsZero() || t.Before(a.bFirst) {
			a.bFirst = t
		}
		if t.After(a.bLast) {
			a.bLast = t
		}
		acc.bounced.Add(t)
		a.bounced.Add(t)
	}
	switch at.Verdict {
	case attrib.Ours:
		acc.verdicts[0]++
	case attrib.NotOurs:
		acc.verdicts[1]++
	default:
		acc.verdicts[2]++
	}
	if at.InLog {
		acc.inLog++
	}
	if at.Verdict != attrib.NotOurs { // backscatter tells nothing of our own mail
		acc.beh.bounced(res, t, ok)
	}
	for _, it := range at.Items {
		switch it.Code {
		case attrib.CodeReceivedESMTPSA:
			acc.esmtpsa++
		case attrib.CodeNoOriginal:
			acc.noOrig++
		}
	}
	if o := res.Returned(); o != nil {
		if s := normSubject(o.Subject); s != "" {
			a.subjects[s]++
		}
	}
	refused := false
	for _, r := range res.Records {
		if r.Reason == reason.Delivered || r.Reason == reason.Vacation || r.Reason == reason.Feedback {
			continue
		}
		a.reasons[r.Reason]++
		acc.reasons[r.Reason]++
		if d := domainOf(r.Recipient); d != "" {
			a.domainsTo[d]++
		}
		if !refused && volumeRefusal(r.Status, r.DiagnosticCode) {
			refused = true
			acc.refusals++
			if rateLimitOnly(r.DiagnosticCode) {
				acc.rateOnly++
			}
			if acc.refusalEx == "" {
				acc.refusalEx = oneLine(r.DiagnosticCode, 160)
			}
		}
	}
}

const maxSamples = 20

// bounceAccount names the account a bounce belongs to (see the package
// documentation).
func (a *Analyzer) bounceAccount(res *bounce.Result, at attrib.Attribution) string {
	if at.InLog {
		if k := accountKey(at.SASLUser, at.LogFrom, ""); k != "" {
			return k
		}
	}
	var cands []string
	if o := res.Returned(); o != nil {
		cands = append(cands, firstAddress(o.ReturnPath))
	}
	cands = append(cands, envelopeRecipient(res))
	if o := res.Returned(); o != nil {
		cands = append(cands, firstAddress(o.From), firstAddress(o.Sender))
	}
	first := ""
	for _, c := range cands {
		if c == "" || strings.EqualFold(c, "MAILER-DAEMON") {
			continue
		}
		if first == "" {
			first = c
		}
		if len(a.domains) == 0 || a.domains[domainOf(c)] {
			return a.alias(c)
		}
	}
	if first != "" {
		return a.alias(first)
	}
	return UnknownAccount
}

// alias maps a sender address to the login that sent most as it, when the
// log has one.
func (a *Analyzer) alias(addr string) string {
	addr = strings.ToLower(addr)
	best, n := "", 0
	for k, c := range a.aliases[addr] {
		if c > n || (c == n && k < best) {
			best, n = k, c
		}
	}
	if best != "" {
		return best
	}
	return addr
}

// envelopeRecipient is the address the bounce was delivered to.
func envelopeRecipient(res *bounce.Result) string {
	for _, name := range []string{"Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To"} {
		for _, f := range res.Headers {
			if strings.EqualFold(f.Name, name) {
				if ad := firstAddress(f.Value); ad != "" {
					return ad
				}
			}
		}
	}
	return ""
}

func firstAddress(v string) string {
	v = strings.TrimSpace(v)
	if v == "" || v == "<>" {
		return ""
	}
	if l, err := mail.ParseAddressList(v); err == nil && len(l) > 0 {
		return strings.ToLower(l[0].Address)
	}
	v = strings.Trim(v, "<> ")
	if i := strings.LastIndexByte(v, '<'); i >= 0 {
		v = strings.TrimRight(v[i+1:], "> ")
	}
	if strings.Count(v, "@") == 1 && !strings.ContainsAny(v, " \t,;") {
		return strings.ToLower(v)
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

func fakeSample(src string, res *bounce.Result, f *attrib.Fake) FakeBounce {
	fb := FakeBounce{Source: src, Subject: oneLine(res.Subject, 120), From: oneLine(res.From, 120)}
	for _, it := range f.Reasons {
		fb.Reasons = append(fb.Reasons, it.En)
		fb.ReasonsJa = append(fb.ReasonsJa, it.Ja)
	}
	return fb
}
