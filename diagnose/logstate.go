package diagnose

import (
	"hash/maphash"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/attrib"
	"github.com/bouncewatch/bouncewatch/sendlog"
	"github.com/bouncewatch/bouncewatch/surge"
)

// Bounds of the state kept per account (issue 7 §6: a send log over a
// million accounts must not grow without bound). An account keeps its
// recipients as 8-byte hashes, its login addresses as netip.Addr, and its
// sent mail as hours; past the caps, new recipients and login addresses
// are counted, not kept.
const (
	maxRecipients = 100_000 // distinct recipients kept per account
	maxLoginIPs   = 4096    // distinct login addresses kept per account
	maxAddresses  = 16      // distinct sender addresses kept per account
	maxAuthFails  = 10_000  // failed login times kept per account
	smallHours    = 8       // sent hours kept in a slice before a map
)

// logAcct is what the send log tells of one account: compact, since a
// hosting server's log names a million of them (about 130 bytes for an
// account with one message, one recipient and one login address; what
// more accounts have is behind more).
type logAcct struct {
	addr1    string // the first sender address and its messages
	addr1n   int32
	sentN    int32
	sentRcpt int32
	logins   int32
	t1       int64 // the time of the only message sent, while hasT1
	hasT1    bool
	hasRcpt1 bool
	rcpt1    uint64 // the first recipient's hash
	rcpt1t   int64  // and when it was first mailed (Unix seconds)
	ip1      netip.Addr
	ip1t     int64 // when ip1 first logged in
	more     *acctMore

	// What a campaign and a hijack differ in (campaign.go): the forms of
	// the Message-IDs, and the recipients' domains.
	shapes forms
	doms   domSet
	multi  quarters // recipients past the first of messages to several (nil while none)
	places forms    // where logins came from: "cc:vn" (reverse name's country code), "ip:6" (campaign.go)
}

// acctMore is what an account with more than one of anything keeps.
type acctMore struct {
	addresses   []addrCount   // other sender addresses (at most maxAddresses)
	sentHours   []int64       // times (Unix seconds) of sent mail, while few
	sent        quarters      // then counted per quarter hour
	sentMin     recentMinutes // and per minute over a bounded recent span
	counted     int           // of sentN, from CSV counts
	firstRcpt   map[uint64]int64
	rcptDropped int // recipients past maxRecipients
	loginIPs    map[netip.Addr]int64
	ipsDropped  int
	authFails   []int64 // Unix seconds of failed logins
}

type addrCount struct {
	addr string
	n    int
}

func (a *logAcct) x() *acctMore {
	if a.more == nil {
		a.more = &acctMore{}
	}
	return a.more
}

// clone copies a for an overlay.
func (a *logAcct) clone() *logAcct {
	c := *a
	c.shapes = append(forms(nil), a.shapes...)
	c.doms = a.doms.clone()
	c.multi = a.multi.clone()
	c.places = append(forms(nil), a.places...)
	if a.more == nil {
		return &c
	}
	m := *a.more
	m.addresses = append([]addrCount(nil), m.addresses...)
	m.sentHours = append([]int64(nil), m.sentHours...)
	m.sent = m.sent.clone()
	m.sentMin = m.sentMin.clone()
	if m.firstRcpt != nil {
		m.firstRcpt = make(map[uint64]int64, len(a.more.firstRcpt))
		for k, v := range a.more.firstRcpt {
			m.firstRcpt[k] = v
		}
	}
	if m.loginIPs != nil {
		m.loginIPs = make(map[netip.Addr]int64, len(a.more.loginIPs))
		for k, v := range a.more.loginIPs {
			m.loginIPs[k] = v
		}
	}
	m.authFails = append([]int64(nil), m.authFails...)
	c.more = &m
	return &c
}

func (a *logAcct) counted() int {
	if a.more == nil {
		return 0
	}
	return a.more.counted
}

func (a *logAcct) authFails() []int64 {
	if a.more == nil {
		return nil
	}
	return a.more.authFails
}

func (a *logAcct) addAuthFail(t int64) {
	if m := a.x(); len(m.authFails) < maxAuthFails {
		m.authFails = append(m.authFails, t)
	}
}

// addSent counts n messages sent at t; exact when t is the time of each
// (a log line), not of a count per hour (they are then kept per minute
// too, for the onset: see sentMinutes).
func (a *logAcct) addSent(t time.Time, n int, exact bool) {
	if n <= 0 {
		return
	}
	if n == 1 && !a.hasT1 && (a.more == nil || len(a.more.sent) == 0 && len(a.more.sentHours) == 0) {
		a.t1, a.hasT1 = t.Unix(), true
		return
	}
	m := a.x()
	if a.hasT1 {
		m.sentHours = append(m.sentHours, a.t1)
		a.hasT1 = false
	}
	if n == 1 && len(m.sent) == 0 && len(m.sentHours) < smallHours {
		m.sentHours = append(m.sentHours, t.Unix())
		return
	}
	for _, h := range m.sentHours {
		m.sent.add(h, 1)
		m.sentMin.add(h, 1)
	}
	m.sentHours = nil
	m.sent.add(t.Unix(), float64(n))
	if exact {
		m.sentMin.add(t.Unix(), float64(n))
	}
}

// sentMinutes returns the account's sent mail per minute over [from, to)
// (times shifted), and whether it kept every minute of that span: false
// when the span reaches before the recent minutes kept.
func (a *logAcct) sentMinutes(from, to time.Time, shift time.Duration) (surge.Minutes, bool) {
	c := surge.Counter{PerMinute: true, Location: from.Location()}
	if a.hasT1 {
		c.Add(time.Unix(a.t1, 0).Add(shift))
	}
	if m := a.more; m != nil {
		for _, h := range m.sentHours {
			c.Add(time.Unix(h, 0).Add(shift))
		}
		if len(m.sent) > 0 && !m.sentMin.covers(from.Add(-shift).Unix()) {
			return surge.Minutes{}, false
		}
		for k, v := range m.sentMin.n {
			c.AddN(time.Unix(k*60, 0).Add(shift), float64(v))
		}
	}
	return c.Minutes(from, to), true
}

// recentMinutes counts events per minute over the most recent
// recentSpan minutes seen (by the latest event's time, the log read in
// any order), so that an account's memory stays bounded: older minutes
// are dropped and no longer taken.
type recentMinutes struct {
	n      map[int64]float32 // by Unix minute
	hi     int64             // the latest minute seen
	floor  int64             // minutes before it are no longer kept
	pruned bool
}

// recentSpan is the span of minutes kept per account: a day.
const recentSpan = 24 * 60

func (r *recentMinutes) add(unix int64, n float64) {
	k := unix / 60
	if unix < 0 && unix%60 != 0 {
		k--
	}
	if r.n == nil {
		r.n = make(map[int64]float32, 8)
		r.hi = k
	}
	if r.pruned && k < r.floor {
		return
	}
	r.hi = max(r.hi, k)
	r.n[k] += float32(n)
	if len(r.n) > recentSpan+recentSpan/4 {
		r.floor, r.pruned = r.hi-recentSpan, true
		for m := range r.n {
			if m < r.floor {
				delete(r.n, m)
			}
		}
	}
}

// covers reports whether the minutes from unix on are all kept.
func (r recentMinutes) covers(unix int64) bool {
	return !r.pruned || unix >= r.floor*60
}

func (r recentMinutes) clone() recentMinutes {
	c := r
	if r.n != nil {
		c.n = make(map[int64]float32, len(r.n))
		for k, v := range r.n {
			c.n[k] = v
		}
	}
	return c
}

// sentSeries returns the account's sent mail per hour, its times shifted.
func (a *logAcct) sentSeries(loc *time.Location, shift time.Duration) surge.Series {
	var c *surge.Counter
	if a.more != nil {
		c = a.more.sent.counter(loc, shift)
		for _, h := range a.more.sentHours {
			c.Add(time.Unix(h, 0).Add(shift))
		}
	} else {
		c = &surge.Counter{Location: loc}
	}
	if a.hasT1 {
		c.Add(time.Unix(a.t1, 0).Add(shift))
	}
	return c.Series()
}

// quarters counts events per quarter of an hour (every zone's offset is
// a multiple of 15 minutes, so the hours of any clock can be made from
// them at report time).
type quarters map[int64]float64

func (q *quarters) add(unix int64, n float64) {
	if *q == nil {
		*q = make(quarters, 4)
	}
	(*q)[unix-((unix%900)+900)%900] += n
}

func (q quarters) clone() quarters {
	if q == nil {
		return nil
	}
	c := make(quarters, len(q))
	for k, v := range q {
		c[k] = v
	}
	return c
}

// counter returns the counts as a surge.Counter on the clock of loc, their
// times shifted.
func (q quarters) counter(loc *time.Location, shift time.Duration) *surge.Counter {
	c := &surge.Counter{Location: loc}
	for k, v := range q {
		c.AddN(time.Unix(k, 0).Add(shift), v)
	}
	return c
}

func (a *logAcct) addAddress(addr string) {
	switch {
	case a.addr1 == "":
		a.addr1, a.addr1n = strings.Clone(addr), 1
		return
	case a.addr1 == addr:
		a.addr1n++
		return
	}
	m := a.x()
	for i := range m.addresses {
		if m.addresses[i].addr == addr {
			m.addresses[i].n++
			return
		}
	}
	if len(m.addresses) < maxAddresses {
		m.addresses = append(m.addresses, addrCount{strings.Clone(addr), 1})
	}
}

// addrCount returns the messages sent as addr.
func (a *logAcct) addrCount(addr string) int {
	if a.addr1 == addr {
		return int(a.addr1n)
	}
	if a.more != nil {
		for _, ac := range a.more.addresses {
			if ac.addr == addr {
				return ac.n
			}
		}
	}
	return 0
}

func (a *logAcct) topAddresses(n int) []string {
	var s []addrCount
	if a.addr1 != "" {
		s = append(s, addrCount{a.addr1, int(a.addr1n)})
	}
	if a.more != nil {
		s = append(s, a.more.addresses...)
	}
	sort.Slice(s, func(i, k int) bool {
		if s[i].n != s[k].n {
			return s[i].n > s[k].n
		}
		return s[i].addr < s[k].addr
	})
	out := []string{}
	for i := 0; i < len(s) && i < n; i++ {
		out = append(out, s[i].addr)
	}
	return out
}

// recipients calls f with the first time each recipient was mailed.
func (a *logAcct) recipients(f func(first int64)) {
	if a.hasRcpt1 {
		f(a.rcpt1t)
	}
	if a.more != nil {
		for _, t := range a.more.firstRcpt {
			f(t)
		}
	}
}

func (a *logAcct) nRecipients() int {
	n := 0
	if a.hasRcpt1 {
		n++
	}
	if a.more != nil {
		n += len(a.more.firstRcpt) + a.more.rcptDropped
	}
	return n
}

// addRecipient notes a recipient mailed at t; it reports whether the
// recipient is one the account had not mailed yet (and is kept).
func (a *logAcct) addRecipient(h uint64, t int64) bool {
	if !a.hasRcpt1 || a.rcpt1 == h {
		fresh := !a.hasRcpt1
		if !a.hasRcpt1 || t < a.rcpt1t {
			a.rcpt1, a.rcpt1t = h, t
		}
		a.hasRcpt1 = true
		return fresh
	}
	m := a.x()
	if m.firstRcpt == nil {
		m.firstRcpt = make(map[uint64]int64, 2)
	}
	if f, ok := m.firstRcpt[h]; ok {
		if t < f {
			m.firstRcpt[h] = t
		}
		return false
	}
	if len(m.firstRcpt) >= maxRecipients {
		m.rcptDropped++
		return false
	}
	m.firstRcpt[h] = t
	return true
}

// eachLoginIP calls f with each login address and its first time.
func (a *logAcct) eachLoginIP(f func(ip netip.Addr, first int64)) {
	if a.ip1.IsValid() {
		f(a.ip1, a.ip1t)
	}
	if a.more != nil {
		for ip, t := range a.more.loginIPs {
			f(ip, t)
		}
	}
}

func (a *logAcct) nLoginIPs() int {
	n := 0
	if a.ip1.IsValid() {
		n++
	}
	if a.more != nil {
		n += len(a.more.loginIPs) + a.more.ipsDropped
	}
	return n
}

// loginFirst returns when ip first logged in.
func (a *logAcct) loginFirst(ip netip.Addr) int64 {
	if ip == a.ip1 {
		return a.ip1t
	}
	if a.more != nil {
		return a.more.loginIPs[ip]
	}
	return 0
}

func (a *logAcct) login(ip string, t time.Time) {
	if ip == "" || t.IsZero() {
		return
	}
	p, err := netip.ParseAddr(ip)
	if err != nil {
		return
	}
	p = p.Unmap().WithZone("")
	a.logins++
	if !a.ip1.IsValid() || a.ip1 == p {
		if !a.ip1.IsValid() || t.Unix() < a.ip1t {
			a.ip1, a.ip1t = p, t.Unix()
		}
		return
	}
	m := a.x()
	if m.loginIPs == nil {
		m.loginIPs = make(map[netip.Addr]int64, 1)
	}
	if f, ok := m.loginIPs[p]; ok {
		if t.Unix() < f {
			m.loginIPs[p] = t.Unix()
		}
		return
	}
	if len(m.loginIPs) >= maxLoginIPs {
		m.ipsDropped++
		return
	}
	m.loginIPs[p] = t.Unix()
}

// logState is what the send log taught: accounts, the sender addresses
// logins use, our domains, and the index bounces are judged against. An
// overlay (over) reads through to its base and copies what it changes: a
// report counts the messages still open in one, leaving the base as it
// was.
type logState struct {
	base     *logState
	accounts map[string]*logAcct
	aliases  map[string]map[string]int // sender address → login → messages
	domains  map[string]bool           // learnt from the log
	sentAll  quarters
	messages int
	index    *attrib.Index
}

func newLogState(cfg attrib.Config) *logState {
	return &logState{
		accounts: make(map[string]*logAcct),
		aliases:  make(map[string]map[string]int),
		domains:  make(map[string]bool),
		index:    attrib.NewIndex(cfg),
	}
}

// over returns an overlay of s.
func (s *logState) over() *logState {
	return &logState{
		base:     s,
		accounts: make(map[string]*logAcct),
		aliases:  make(map[string]map[string]int),
		domains:  make(map[string]bool),
		sentAll:  s.sentAll.clone(),
		messages: s.messages,
		index:    s.index.Overlay(),
	}
}

// acct returns the account of key for writing (a copy, in an overlay).
func (s *logState) acct(key string) *logAcct {
	if a := s.accounts[key]; a != nil {
		return a
	}
	var a *logAcct
	if s.base != nil {
		if b := s.base.accounts[key]; b != nil {
			a = b.clone()
		}
	}
	if a == nil {
		a = &logAcct{}
	}
	s.accounts[strings.Clone(key)] = a
	return a
}

// get returns the account of key for reading, or nil.
func (s *logState) get(key string) *logAcct {
	if a := s.accounts[key]; a != nil {
		return a
	}
	if s.base != nil {
		return s.base.accounts[key]
	}
	return nil
}

// keys calls f for every account key.
func (s *logState) keys(f func(string)) {
	for k := range s.accounts {
		f(k)
	}
	if s.base != nil {
		for k := range s.base.accounts {
			if _, ok := s.accounts[k]; !ok {
				f(k)
			}
		}
	}
}

func (s *logState) alias(from, key string) {
	al := s.aliases[from]
	if al == nil {
		al = make(map[string]int)
		if s.base != nil {
			for k, v := range s.base.aliases[from] {
				al[k] = v
			}
		}
		s.aliases[from] = al
	}
	al[key]++
}

// aliasesOf calls f with each login that sent as from and how often.
func (s *logState) aliasesOf(from string, f func(login string, n int)) {
	al, ok := s.aliases[from]
	if !ok && s.base != nil {
		al = s.base.aliases[from]
	}
	for k, n := range al {
		f(k, n)
	}
	// The login named as its own address.
	if acc := s.get(from); acc != nil {
		if n := acc.addrCount(from); n > 0 {
			f(from, n)
		}
	}
}

func (s *logState) isDomain(d string) bool {
	return s.domains[d] || s.base != nil && s.base.domains[d]
}

func (s *logState) learnDomain(addr string) {
	if d := domainOf(addr); d != "" && !s.isDomain(d) {
		s.domains[strings.Clone(d)] = true
		s.index.AddDomain(d)
	}
}

// message counts one message of the log: a finished one in the base, an
// open one in an overlay.
func (a *Analyzer) message(s *logState, m *sendlog.Message) {
	if !a.outbound(s, m) {
		return
	}
	if a.learn && (m.SASLUser != "" || m.LocalUser != "") {
		s.learnDomain(m.From)
		s.learnDomain(m.SASLUser)
	}
	s.index.Add(attrib.Sent{
		QueueID: m.QueueID, MessageID: m.MessageID, From: m.From, SASLUser: m.SASLUser,
		ClientIP: m.ClientIP, ClientHost: m.ClientHost, Host: m.Host, Time: m.Time,
	})
	s.messages++
	if m.Time.IsZero() || !a.inPeriod(m.Time) {
		return
	}
	key := accountKey(m.SASLUser, m.From, m.LocalUser)
	if key == "" {
		key = UnknownAccount
	}
	acc := s.acct(key)
	if m.MessageID != "" {
		if shape := attrib.MessageIDShape(m.MessageID); acc.shapes.add(shape, m.Time.Unix()) {
			acc.shapes[len(acc.shapes)-1].key = a.internStr(shape, true) // one copy for all accounts
		}
	}
	acc.addSent(m.Time, 1, true)
	s.sentAll.add(m.Time.Unix(), 1)
	acc.sentN++
	from := strings.ToLower(m.From)
	acc.addAddress(from)
	if m.SASLUser != "" {
		if from != key {
			// A login sending as its own address needs no alias: its
			// count is the address's in the account (aliasesOf).
			s.alias(from, key)
		}
		acc.login(m.ClientIP, m.Time)
		acc.loginPlace(m.ClientHost, m.ClientIP, m.Time)
	}
	t := m.Time.Unix()
	if n := len(m.Recipients); n > 1 {
		acc.multi.add(t, float64(n-1))
	}
	for _, d := range m.Recipients {
		if d.To == "" {
			continue
		}
		acc.sentRcpt++
		to := strings.ToLower(d.To)
		fresh := acc.addRecipient(maphash.String(a.seed, to), t)
		acc.doms.add(maphash.String(a.seed, domainOf(to)), t, fresh)
	}
}
