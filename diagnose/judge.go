package diagnose

import (
	"maps"
	"net/netip"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/bouncewatch/bouncewatch/attrib"
	"github.com/bouncewatch/bouncewatch/reason"
	"github.com/bouncewatch/bouncewatch/surge"
)

// reportCtx is what one report is made from: the log as it stands (open
// messages included), what the bounces together teach, and the judgement
// of every bounce.
type reportCtx struct {
	a      *Analyzer
	st     *logState
	pop    *attrib.Population
	learnt map[string]bool // our domains learnt from the bounces' envelope recipients
	shift  time.Duration   // added to the log's times: its clock inferred from the bounces (tz.go)
	zone   *LogZone        // what the report says of it
	opt    surge.Options   // the surge tests' options at the report's time (when.go)

	logFirst, logLast time.Time // the log's span, shifted
	strayB, strayL    float64   // bounces and sent messages far from the rest (when.go)
}

func (r *reportCtx) hasLog() bool { return r.st.messages > 0 || r.a.hasCounts }

func (r *reportCtx) knowsDomains() bool {
	return len(r.a.domains) > 0 || len(r.st.domains) > 0 || r.st.base != nil && len(r.st.base.domains) > 0 || len(r.learnt) > 0
}

func (r *reportCtx) isDomain(d string) bool {
	return r.a.domains[d] || r.st.isDomain(d) || r.learnt[d]
}

// domainList returns our domains: configured, learnt from the log and
// from the bounces.
func (r *reportCtx) domainList() []string {
	set := map[string]bool{}
	for d := range r.a.domains {
		set[d] = true
	}
	r.st.eachDomain(func(d string) { set[d] = true })
	for d := range r.learnt {
		set[d] = true
	}
	ds := []string{}
	for d := range set {
		ds = append(ds, d)
	}
	sort.Strings(ds)
	return ds
}

func (s *logState) eachDomain(f func(string)) {
	for d := range s.domains {
		f(d)
	}
	if s.base != nil {
		s.base.eachDomain(f)
	}
}

// Thresholds of learning our domains from the bounces' envelope
// recipients (the mailbox the bounces were delivered to is ours).
const (
	learnMinBounces = 3
	learnShare      = 0.1
)

// deliveredTo is the domain of the bounce's envelope recipient (our
// mailbox), for learning our domains; ok is false when d is not a bounce or
// names none.
func (d *Digest) deliveredTo() (string, bool) {
	if !d.bounce || d.cands[1] == "" {
		return "", false
	}
	return domainOf(d.cands[1]), true
}

// learnDomains counts the domains the bounces were delivered to.
func (r *reportCtx) learnDomains() {
	r.learnt = map[string]bool{}
	if !r.a.learn {
		return
	}
	n := r.a.settled.learnN
	doms := make(map[string]int, len(r.a.settled.learnDoms))
	for dom, c := range r.a.settled.learnDoms {
		doms[dom] = c
	}
	for _, d := range r.a.mails {
		if dom, ok := d.deliveredTo(); ok {
			n++
			doms[dom]++
		}
	}
	for dom, c := range doms {
		if dom != "" && c >= learnMinBounces && float64(c) >= learnShare*float64(n) {
			r.learnt[dom] = true
		}
	}
}

// judged is the part of a bounce's attribution the report uses.
type judged struct {
	verdict    attrib.Verdict
	inLog      bool
	sasl       string
	logFrom    string
	esmtpsa    bool
	noOrig     bool
	unauth     bool // entered from a client that did not log in, outside our relays
	dkimAbsent bool
	dkimOurs   string // "d=…, s=…" of our signature, when it carries one
	authVia    string
	client     string
	fake       *attrib.Fake
}

// judgeAll judges the bounces ms against the log as it stands, on
// every core.
func (r *reportCtx) judgeAll(ms []*Digest) []judged {
	out := make([]judged, len(ms))
	workers := min(runtime.GOMAXPROCS(0), 1+len(ms)/2048)
	var wg sync.WaitGroup
	chunk := (len(ms) + workers - 1) / max(workers, 1)
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min(len(ms), (w+1)*chunk)
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				out[i] = r.judge(ms[i].facts)
			}
		}()
	}
	wg.Wait()
	return out
}

func (r *reportCtx) judge(f *attrib.Facts) judged {
	at := r.st.index.JudgeCodes(f, r.pop)
	j := judged{verdict: at.Verdict, inLog: at.InLog, sasl: at.SASLUser, logFrom: at.LogFrom,
		authVia: at.AuthVia, client: at.EntryClient, fake: at.Fake}
	for _, it := range at.Items {
		switch it.Code {
		case attrib.CodeReceivedESMTPSA:
			j.esmtpsa = true
		case attrib.CodeNoOriginal:
			j.noOrig = true
		case attrib.CodeReceivedUnauthenticated:
			j.unauth = true
		case attrib.CodeDKIMOursAbsent:
			j.dkimAbsent = true
		case attrib.CodeDKIMOursVerified, attrib.CodeDKIMOursUnverified:
			for _, s := range f.DKIM {
				if r.isOurSig(s.Domain) {
					j.dkimOurs = "d=" + s.Domain
					if s.Selector != "" {
						j.dkimOurs += ", s=" + s.Selector
					}
					break
				}
			}
		}
	}
	return j
}

// isOurSig reports whether a signing domain is ours (or below one).
func (r *reportCtx) isOurSig(d string) bool {
	for d != "" {
		if r.isDomain(d) {
			return true
		}
		i := 0
		for i < len(d) && d[i] != '.' {
			i++
		}
		if i >= len(d) {
			return false
		}
		d = d[i+1:]
	}
	return false
}

// account is one account as a report sees it: what the log tells (log)
// and what its bounces tell (b), gathered for this report.
type account struct {
	key string
	log *logAcct // never nil
	b   bounceAcct
	// shared: b is a shallow copy of the settled bounces' counts
	// (settle.go), to be cloned before a bounce is added to it.
	shared *bounceAcct
}

// bounceAcct is what an account's bounces tell.
type bounceAcct struct {
	bounced    quarters
	minutes    minuteCounts
	verdicts   [3]int // ours, not ours, unknown
	esmtpsa    int
	refusals   int
	rateOnly   int // of refusals, those naming a sending limit and no spam
	refusalEx  string
	refusalAt  time.Time
	noOrig     int
	reasons    map[reason.Reason]int
	inLog      int
	complaint  int
	authVia    map[string]int   // what showed an authenticated submission, of ours
	clients    map[string]int64 // the clients that submitted them → first bounce time (Unix seconds)
	dkimOurs   map[string]int   // our signatures, "d=…, s=…"
	unauth     int              // entered from clients that did not log in
	dkimAbsent int              // no signature though ours sign all
	beh        bounceBehaviour  // subjects and programs (campaign.go)
}

func (acc *account) bouncesTotal() int {
	return acc.b.verdicts[0] + acc.b.verdicts[1] + acc.b.verdicts[2]
}

// clientNets counts the /24 (IPv4) or /48 (IPv6) networks of the clients
// behind the authenticated submissions: in all, those seen in bounces
// before w0, and those first seen in [w0, w1) and never before (the
// bounces' own "new login networks", for when there is no log).
func (b *bounceAcct) clientNets(w0, w1 int64) (all, old, fresh int) {
	first := map[netip.Prefix]int64{}
	for c, t := range b.clients {
		if p, err := netip.ParseAddr(c); err == nil {
			n := network(p)
			if f, ok := first[n]; !ok || t < f {
				first[n] = t
			}
		}
	}
	for _, t := range first {
		switch {
		case t < w0:
			old++
		case t < w1:
			fresh++
		}
	}
	return len(first), old, fresh
}

// gather builds every account's view, counts the fakes and the mail
// judged not fake into g: the bounces settled (settle.go) and those of
// r.a.mails, judged in js.
func (r *reportCtx) gather(js []judged, g *aggregate) (accs map[string]*account, fakes []FakeBounce, nFake int) {
	accs = map[string]*account{}
	set := &r.a.settled
	get := func(key string) *account {
		if key == "" {
			key = UnknownAccount
		}
		acc := accs[key]
		if acc == nil {
			acc = &account{key: key, log: r.st.get(key)}
			if acc.log == nil {
				acc.log = &logAcct{}
			}
			if sb := set.accs[key]; sb != nil {
				acc.b, acc.shared = *sb, sb
			} else {
				acc.b.reasons = map[reason.Reason]int{}
			}
			accs[key] = acc
		}
		return acc
	}
	for key := range set.accs {
		get(key)
	}
	fakes = append(fakes, set.fakes...)
	nFake = set.nFake
	for i, d := range r.a.mails {
		at := &js[i]
		if at.fake != nil {
			nFake++
			fakes = append(fakes, fakeSample(d, at.fake))
			continue
		}
		if d.facts.Fake != nil {
			g.count(d) // could have been a fake: counted now
		}
		if !d.bounce {
			continue
		}
		acc := get(r.bounceAccount(d, at))
		if acc.shared != nil {
			acc.b, acc.shared = acc.shared.clone(), nil
		}
		acc.b.addBounce(d, at)
	}
	sortFakes(&fakes)
	return accs, fakes, nFake
}

// sortFakes orders the samples by source and keeps the first maxSamples.
func sortFakes(fakes *[]FakeBounce) {
	fs := *fakes
	sort.SliceStable(fs, func(i, k int) bool { return fs[i].Source < fs[k].Source })
	if len(fs) > maxSamples {
		fs = fs[:maxSamples]
	}
	*fakes = fs
}

// addBounce adds one bounce, judged at, to its account's counts.
func (b *bounceAcct) addBounce(d *Digest, at *judged) {
	if !d.failure {
		b.complaint += d.feedback
		return
	}
	if d.dated {
		b.bounced.add(d.t.Unix(), 1)
		b.minutes.add(d.t.Unix())
	}
	switch at.verdict {
	case attrib.Ours:
		b.verdicts[0]++
	case attrib.NotOurs:
		b.verdicts[1]++
	default:
		b.verdicts[2]++
	}
	if at.inLog {
		b.inLog++
	}
	if at.esmtpsa {
		b.esmtpsa++
		if at.verdict == attrib.Ours {
			if b.authVia == nil {
				b.authVia, b.clients = map[string]int{}, map[string]int64{}
			}
			b.authVia[authKind(at.authVia)]++
			if at.client != "" && d.dated {
				t := d.t.Unix()
				if f, ok := b.clients[at.client]; ok {
					if t < f {
						b.clients[at.client] = t
					}
				} else if len(b.clients) < maxLoginIPs {
					b.clients[at.client] = t
				}
			}
		}
	}
	if at.noOrig {
		b.noOrig++
	}
	if at.unauth {
		b.unauth++
	}
	if at.dkimAbsent {
		b.dkimAbsent++
	}
	if at.dkimOurs != "" && at.verdict == attrib.Ours {
		if b.dkimOurs == nil {
			b.dkimOurs = map[string]int{}
		}
		b.dkimOurs[at.dkimOurs]++
	}
	if b.reasons == nil {
		b.reasons = map[reason.Reason]int{}
	}
	for _, rn := range d.reasons {
		b.reasons[rn.r] += rn.n
	}
	if at.verdict != attrib.NotOurs { // backscatter tells nothing of our own mail
		b.beh.add(d)
	}
	if d.refusal != "" {
		b.refusals++
		if rateLimitOnly(d.refusal) {
			b.rateOnly++
		}
		if b.refusalEx == "" || d.t.Before(b.refusalAt) || d.t.Equal(b.refusalAt) && d.refusal < b.refusalEx {
			b.refusalEx, b.refusalAt = d.refusal, d.t
		}
	}
}

// clone copies b so that bounces can be added to the copy.
func (b *bounceAcct) clone() bounceAcct {
	c := *b
	c.bounced, c.minutes = b.bounced.clone(), b.minutes.clone()
	c.reasons = maps.Clone(b.reasons)
	if c.reasons == nil {
		c.reasons = map[reason.Reason]int{}
	}
	c.authVia, c.clients, c.dkimOurs = maps.Clone(b.authVia), maps.Clone(b.clients), maps.Clone(b.dkimOurs)
	c.beh = b.beh.clone()
	return c
}

// authKind groups what showed an authenticated submission: the RFC 3848
// protocol or comment of a Received field, or the header's name.
func authKind(via string) string {
	if i := indexByte(via, ':'); i > 0 && via[:i] != "Received" && !strings.HasPrefix(via, "X-MS-Exchange") {
		return via[:i]
	}
	return via
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}
