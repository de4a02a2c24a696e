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
// hosting server's log names a million of them.
type logAcct struct {
	addresses []addrCount // envelope senders used (at most maxAddresses)

	sentHours []int64 // times (Unix seconds) of sent mail, while few
	sent      quarters
	sentN     int
	sentRcpt  int
	counted   int // of sentN, from CSV counts

	firstRcpt   map[uint64]int64 // recipient hash → first time mailed (Unix seconds)
	rcptDropped int              // recipients past maxRecipients
	loginIPs    map[netip.Addr]int64
	ipsDropped  int
	logins      int
	authFails   []int64 // Unix seconds of failed logins

	// What a campaign and a hijack differ in (campaign.go): the forms of
	// the Message-IDs, and the recipients' domains.
	shapes forms
	doms   domSet
	multi  quarters // recipients past the first of messages to several (nil while none)
}

type addrCount struct {
	addr string
	n    int
}

// clone copies a for an overlay.
func (a *logAcct) clone() *logAcct {
	c := *a
	c.addresses = append([]addrCount(nil), a.addresses...)
	c.sentHours = append([]int64(nil), a.sentHours...)
	c.sent = a.sent.clone()
	if a.firstRcpt != nil {
		c.firstRcpt = make(map[uint64]int64, len(a.firstRcpt))
		for k, v := range a.firstRcpt {
			c.firstRcpt[k] = v
		}
	}
	if a.loginIPs != nil {
		c.loginIPs = make(map[netip.Addr]int64, len(a.loginIPs))
		for k, v := range a.loginIPs {
			c.loginIPs[k] = v
		}
	}
	c.authFails = append([]int64(nil), a.authFails...)
	c.shapes = append(forms(nil), a.shapes...)
	c.doms = a.doms.clone()
	c.multi = a.multi.clone()
	return &c
}

func (a *logAcct) addSent(t time.Time, n int) {
	if n <= 0 {
		return
	}
	if n == 1 && len(a.sent) == 0 && len(a.sentHours) < smallHours {
		a.sentHours = append(a.sentHours, t.Unix())
		return
	}
	for _, h := range a.sentHours {
		a.sent.add(h, 1)
	}
	a.sentHours = nil
	a.sent.add(t.Unix(), float64(n))
}

// sentSeries returns the account's sent mail per hour, its times shifted.
func (a *logAcct) sentSeries(loc *time.Location, shift time.Duration) surge.Series {
	c := a.sent.counter(loc, shift)
	for _, h := range a.sentHours {
		c.Add(time.Unix(h, 0).Add(shift))
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
	for i := range a.addresses {
		if a.addresses[i].addr == addr {
			a.addresses[i].n++
			return
		}
	}
	if len(a.addresses) < maxAddresses {
		a.addresses = append(a.addresses, addrCount{strings.Clone(addr), 1})
	}
}

func (a *logAcct) topAddresses(n int) []string {
	s := append([]addrCount(nil), a.addresses...)
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

// addRecipient notes a recipient mailed at t; it reports whether the
// recipient is one the account had not mailed yet (and is kept).
func (a *logAcct) addRecipient(h uint64, t int64) bool {
	if a.firstRcpt == nil {
		a.firstRcpt = make(map[uint64]int64, 2)
	}
	if f, ok := a.firstRcpt[h]; ok {
		if t < f {
			a.firstRcpt[h] = t
		}
		return false
	}
	if len(a.firstRcpt) >= maxRecipients {
		a.rcptDropped++
		return false
	}
	a.firstRcpt[h] = t
	return true
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
	if a.loginIPs == nil {
		a.loginIPs = make(map[netip.Addr]int64, 1)
	}
	if f, ok := a.loginIPs[p]; ok {
		if t.Unix() < f {
			a.loginIPs[p] = t.Unix()
		}
		return
	}
	if len(a.loginIPs) >= maxLoginIPs {
		a.ipsDropped++
		return
	}
	a.loginIPs[p] = t.Unix()
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
	s.accounts[key] = a
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

func (s *logState) aliasesOf(from string) map[string]int {
	if al, ok := s.aliases[from]; ok {
		return al
	}
	if s.base != nil {
		return s.base.aliases[from]
	}
	return nil
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
	acc.addSent(m.Time, 1)
	s.sentAll.add(m.Time.Unix(), 1)
	acc.sentN++
	from := strings.ToLower(m.From)
	acc.addAddress(from)
	if m.SASLUser != "" {
		s.alias(from, key)
		acc.login(m.ClientIP, m.Time)
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
