package attrib

import (
	"hash/maphash"
	"net/netip"
	"strings"
	"time"
)

// Sent is one message our server sent, from the outbound log.
type Sent struct {
	QueueID    string
	MessageID  string
	From       string
	SASLUser   string
	ClientIP   string
	ClientHost string
	Host       string // the host that wrote the log line: one of our relays
	Time       time.Time
	Recipients []string
}

// Config is what the site tells about itself.
type Config struct {
	// Domains are our sender domains; subdomains count as ours.
	Domains []string
	// Relays are our relay host names and IP addresses. More are learnt
	// from the log (Sent.Host).
	Relays []string
	// BATVKey is the BATV (prvs) key, when we sign envelope senders. The
	// caller reads it from a file or the environment, never from argv.
	BATVKey []byte
	// BATVSignsAll says every envelope sender of ours carries a prvs tag,
	// so a bounce to an untagged address of ours is not for our mail.
	BATVSignsAll bool
	// MessageIDDomains are domains our Message-IDs end with; more are
	// learnt from the log.
	MessageIDDomains []string
	// DKIM verifies the returned message's signatures; nil: don't verify.
	DKIM DKIMVerifier
	// ActivityWindow is how near the log's activity the original's Date
	// must lie (default 15 minutes).
	ActivityWindow time.Duration
}

// DefaultActivityWindow is the ActivityWindow used when Config leaves it 0.
const DefaultActivityWindow = 15 * time.Minute

// entry is the compact form of one Sent: what the evidence text and the
// Attribution need, not the whole event.
type entry struct {
	qoff  uint32 // queue ID: offset in Index.arena
	qlen  uint8
	sasl  uint32 // index in Index.strs (0: none)
	ip    uint32
	from  uint32
	stamp int32 // minutes since the Unix epoch
}

// Index holds what the send log says, in a compact form: about 120 bytes
// per message, 112 MB for 1,000,000 (see BenchmarkIndex1M). Build it with
// Add from one goroutine; Attribute may then be called concurrently.
type Index struct {
	// parent, in an overlay, is the index read through (see Overlay).
	parent *Index
	cfg    Config
	seed   maphash.Seed
	window time.Duration

	entries []entry
	arena   []byte            // queue IDs, back to back
	byMsgID map[uint64]uint32 // hash of the normalised Message-ID → entry
	byQID   map[uint64]uint32 // hash of the queue ID → entry

	strs   []string          // interned SASL users, IPs, senders; strs[0] == ""
	strIdx map[string]uint32 // string → index in strs

	domains     []string            // ours, lower case (configured)
	learnt      map[string]bool     // ours, learnt from the log (AddDomain)
	relays      map[string]struct{} // host names (lower case) and canonical IPs
	midDomains  map[string]uint32   // Message-ID domain → count
	midShapes   map[string]uint32   // MessageIDShape → count
	minutes     map[int32]uint32    // minute → messages sent
	first, last int32               // minutes covered by the log
	timed       bool                // first and last are set
}

// NewIndex returns an empty Index for cfg.
func NewIndex(cfg Config) *Index {
	ix := &Index{
		cfg:        cfg,
		seed:       maphash.MakeSeed(),
		window:     cfg.ActivityWindow,
		byMsgID:    make(map[uint64]uint32),
		byQID:      make(map[uint64]uint32),
		strs:       []string{""},
		strIdx:     map[string]uint32{"": 0},
		relays:     make(map[string]struct{}),
		midDomains: make(map[string]uint32),
		midShapes:  make(map[string]uint32),
		minutes:    make(map[int32]uint32),
	}
	if ix.window <= 0 {
		ix.window = DefaultActivityWindow
	}
	for _, d := range cfg.Domains {
		if d = normDomain(d); d != "" {
			ix.domains = append(ix.domains, d)
		}
	}
	for _, r := range cfg.Relays {
		ix.addRelay(r)
	}
	for _, d := range cfg.MessageIDDomains {
		if d = normDomain(d); d != "" {
			ix.midDomains[d]++
		}
	}
	return ix
}

// Add records one sent message.
func (ix *Index) Add(s Sent) {
	e := entry{
		sasl: ix.intern(s.SASLUser),
		ip:   ix.intern(canonIP(s.ClientIP)),
		from: ix.intern(strings.ToLower(strings.Trim(s.From, "<> "))),
	}
	if !s.Time.IsZero() {
		e.stamp = int32(s.Time.Unix() / 60)
		ix.minutes[e.stamp]++
		if !ix.timed {
			ix.first, ix.last, ix.timed = e.stamp, e.stamp, true
		}
		ix.first = min(ix.first, e.stamp)
		ix.last = max(ix.last, e.stamp)
	}
	if q := strings.TrimSpace(s.QueueID); q != "" && len(q) <= 255 {
		e.qoff, e.qlen = uint32(len(ix.arena)), uint8(len(q))
		ix.arena = append(ix.arena, q...)
	}
	n := uint32(len(ix.entries))
	ix.entries = append(ix.entries, e)
	if e.qlen > 0 {
		ix.byQID[maphash.String(ix.seed, ix.queueID(e))] = n
	}
	if id := normMessageID(s.MessageID); id != "" {
		ix.byMsgID[maphash.String(ix.seed, id)] = n
		if _, dom, ok := strings.Cut(id, "@"); ok {
			ix.midDomains[dom]++
		}
		ix.midShapes[MessageIDShape(id)]++
	}
	if s.Host != "" {
		ix.addRelay(s.Host)
	}
}

// Overlay returns an empty Index that reads through ix: lookups find the
// messages of both, additions go to the overlay only. A report made while
// the log still grows puts the messages still open there, leaving ix as
// it was. ix must not change while the overlay is used.
func (ix *Index) Overlay() *Index {
	o := NewIndex(Config{ActivityWindow: ix.window, BATVKey: ix.cfg.BATVKey, BATVSignsAll: ix.cfg.BATVSignsAll, DKIM: ix.cfg.DKIM})
	o.cfg = ix.cfg
	o.domains = nil
	o.parent = ix
	return o
}

// AddDomain adds a domain of ours learnt later (from the log): a sender
// domain of our authenticated accounts.
func (ix *Index) AddDomain(d string) {
	d = normDomain(d)
	if d == "" || ix.learnt[d] {
		return
	}
	if ix.learnt == nil {
		ix.learnt = map[string]bool{}
	}
	ix.learnt[strings.Clone(d)] = true
}

// Len returns the number of messages added.
func (ix *Index) Len() int { return len(ix.entries) }

func (ix *Index) queueID(e entry) string {
	return string(ix.arena[e.qoff : e.qoff+uint32(e.qlen)])
}

func (ix *Index) intern(s string) uint32 {
	if i, ok := ix.strIdx[s]; ok {
		return i
	}
	i := uint32(len(ix.strs))
	s = strings.Clone(s) // don't keep the caller's (possibly large) line alive
	ix.strs = append(ix.strs, s)
	ix.strIdx[s] = i
	return i
}

func (ix *Index) addRelay(r string) {
	r = strings.TrimSpace(r)
	if r == "" {
		return
	}
	if ip := canonIP(r); ip != "" {
		ix.relays[ip] = struct{}{}
		return
	}
	r = normDomain(r)
	if _, ok := ix.relays[r]; !ok {
		ix.relays[strings.Clone(r)] = struct{}{}
	}
}

// isRelay reports whether a host name or IP address is one of our relays.
func (ix *Index) isRelay(h string) bool {
	if h == "" {
		return false
	}
	if ix.parent != nil && ix.parent.isRelay(h) {
		return true
	}
	if ip := canonIP(h); ip != "" {
		_, ok := ix.relays[ip]
		return ok
	}
	h = normDomain(h)
	if _, ok := ix.relays[h]; ok {
		return true
	}
	// Syslog names a host by its short name ("mail"), Received by its
	// full one ("mail.example.jp"): a short relay name matches a full name
	// in one of our domains.
	if short, rest, ok := strings.Cut(h, "."); ok && ix.isOurDomain(rest) {
		_, ok := ix.relays[short]
		return ok
	}
	return false
}

// isOurDomain reports whether d is one of our domains or below one.
func (ix *Index) isOurDomain(d string) bool {
	d = normDomain(d)
	if d == "" {
		return false
	}
	if ix.parent != nil && ix.parent.isOurDomain(d) {
		return true
	}
	for _, o := range ix.domains {
		if isSubdomain(d, o) {
			return true
		}
	}
	for len(ix.learnt) > 0 && d != "" {
		if ix.learnt[d] {
			return true
		}
		_, rest, ok := cutDot(d)
		if !ok {
			break
		}
		d = rest
	}
	return false
}

// lookupMsgID returns the entry of a Message-ID in the log, and the index
// that holds it.
func (ix *Index) lookupMsgID(id string) (entry, *Index, bool) {
	id = normMessageID(id)
	if id == "" {
		return entry{}, nil, false
	}
	for x := ix; x != nil; x = x.parent {
		if n, ok := x.byMsgID[maphash.String(x.seed, id)]; ok {
			return x.entries[n], x, true
		}
	}
	return entry{}, nil, false
}

// lookupQueueID returns the entry of a queue ID in the log, and the index
// that holds it.
func (ix *Index) lookupQueueID(q string) (entry, *Index, bool) {
	q = strings.TrimSpace(q)
	if q == "" {
		return entry{}, nil, false
	}
	for x := ix; x != nil; x = x.parent {
		if n, ok := x.byQID[maphash.String(x.seed, q)]; ok && x.queueID(x.entries[n]) == q {
			return x.entries[n], x, true
		}
	}
	return entry{}, nil, false
}

// hasMsgIDs reports whether the log has any Message-ID.
func (ix *Index) hasMsgIDs() bool {
	for x := ix; x != nil; x = x.parent {
		if len(x.byMsgID) > 0 {
			return true
		}
	}
	return false
}

// shapes returns the messages of a Message-ID form and of a Message-ID
// domain in the log, and whether the log has forms and domains at all.
func (ix *Index) shapes(shape, dom string) (nShape, nDom uint32, anyShape, anyDom bool) {
	for x := ix; x != nil; x = x.parent {
		nShape += x.midShapes[shape]
		nDom += x.midDomains[dom]
		anyShape = anyShape || len(x.midShapes) > 0
		anyDom = anyDom || len(x.midDomains) > 0
	}
	return
}

// knows reports whether any relay, configured domain or learnt domain is
// known.
func (ix *Index) knows() (relays, domains bool) {
	for x := ix; x != nil; x = x.parent {
		relays = relays || len(x.relays) > 0
		domains = domains || len(x.domains) > 0 || len(x.learnt) > 0
	}
	return
}

// activityNear reports whether the log has activity within the window of
// t, and whether the log covers t at all.
func (ix *Index) activityNear(t time.Time) (active, covered bool) {
	if ix.parent != nil {
		active, covered = ix.parent.activityNear(t)
		if active {
			return true, true
		}
	}
	a, c := ix.activityHere(t)
	return a, c || covered
}

func (ix *Index) activityHere(t time.Time) (active, covered bool) {
	if len(ix.minutes) == 0 {
		return false, false
	}
	m := t.Unix() / 60
	w := int64(ix.window / time.Minute)
	if w > 7*24*60 {
		w = 7 * 24 * 60
	}
	covered = m >= int64(ix.first)-w && m <= int64(ix.last)+w
	if !covered {
		return false, false
	}
	for d := -w; d <= w; d++ {
		if ix.minutes[int32(m+d)] > 0 {
			return true, true
		}
	}
	return false, true
}

// normMessageID returns a Message-ID without angle brackets or spaces,
// its domain part in lower case.
func normMessageID(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '<'); i >= 0 {
		s = s[i+1:]
		if j := strings.IndexByte(s, '>'); j >= 0 {
			s = s[:j]
		}
	}
	s = strings.TrimSpace(s)
	// Most Message-IDs are lower case after the @: strings.ToLower then
	// gives s itself, and no new string is made.
	if at := strings.LastIndexByte(s, '@'); at >= 0 {
		if low := strings.ToLower(s[at+1:]); low != s[at+1:] {
			s = s[:at+1] + low
		}
	}
	return s
}

// normDomain lower-cases a domain and drops a trailing dot and brackets.
func normDomain(d string) string {
	d = strings.TrimSpace(d)
	// strings.Trim builds its set of characters at every call; the
	// detector's cold start asks a million times, nearly never with
	// brackets.
	if d != "" && (d[0] == '[' || d[len(d)-1] == ']') {
		d = strings.Trim(d, "[]")
	}
	d = strings.TrimSuffix(d, ".")
	return strings.ToLower(d)
}

// isSubdomain tells whether d is o or a name under it ("mx.o"), without
// building "."+o.
func isSubdomain(d, o string) bool {
	return d == o || len(d) > len(o) && d[len(d)-len(o)-1] == '.' && strings.HasSuffix(d, o)
}

// canonIP returns the canonical text of an IP address (IPv4-mapped IPv6
// unmapped, "IPv6:" prefix and brackets dropped), or "" when s is not one.
func canonIP(s string) string {
	s = strings.TrimSpace(s)
	if s != "" && (s[0] == '[' || s[len(s)-1] == ']') {
		s = strings.Trim(s, "[]")
	}
	if len(s) > 5 && strings.EqualFold(s[:5], "ipv6:") {
		s = s[5:]
	}
	// Most names asked about are host names: an address starts with a
	// digit (IPv4) or has a colon (IPv6); ParseAddr's error for the rest
	// is an allocation, a million of them at the detector's cold start.
	if s == "" || (s[0] < '0' || s[0] > '9') && strings.IndexByte(s, ':') < 0 {
		return ""
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return ""
	}
	if a.Is4() {
		return s // ParseAddr takes only the canonical form of IPv4
	}
	return a.Unmap().WithZone("").String()
}

// domainOf returns the lower-case domain of an address such as
// "Shop <shop@example.jp>".
func domainOf(addr string) string {
	a := addr
	if i := strings.LastIndexByte(a, '<'); i >= 0 {
		a = a[i+1:]
		if j := strings.IndexByte(a, '>'); j >= 0 {
			a = a[:j]
		}
	}
	at := strings.LastIndexByte(a, '@')
	if at < 0 {
		return ""
	}
	return normDomain(strings.Trim(a[at+1:], " \t\"'>;,"))
}
