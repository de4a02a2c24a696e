package diagnose

import (
	"sort"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/attrib"
	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/reason"
)

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

// Digest is what the analyzer keeps of one message: its time, what it
// reports (reasons, recipients' domains, refusals), the addresses that
// may name its account, and the attribution's Facts (attrib.Facts),
// read once and judged at report time against the log known then. It
// holds no part of the decoded result.
type Digest struct {
	src     string
	err     string
	failed  bool
	decoded bool // a result came (even with an error)
	t       time.Time
	dated   bool
	when    mailWhen // how t was decided (when.go)
	outside bool

	bounce    bool // decoded as a bounce
	records   int
	delivered int
	autoReply int
	feedback  int
	failure   bool // a record is a failure (not success, auto-reply, complaint)
	reasons   []reasonN
	rcptDoms  []string // recipients' domains (failures)
	subject   string   // the returned message's, normalised
	refusal   string   // a volume refusal's diagnostic, when one refuses the account

	// For the campaign rules (campaign.go): the returned message's
	// subject (normalised and as written), program and send time (Unix
	// seconds; 0 when none came back), and its failed and hard-bounced
	// recipients.
	subjKey, subjText, mailer string
	sentAt                    int64
	failedN, hardN            int32

	// cands are the addresses that may name the account: the returned
	// message's Return-Path, the bounce's envelope recipient, the
	// original's From and Sender.
	cands [4]string
	facts *attrib.Facts

	fakeSubject, fakeFrom string // for a sample, should it be judged fake
}

type reasonN struct {
	r reason.Reason
	n int
}

// Digest reads what the analyzer needs of m. It reads nothing of the send
// log and is safe for concurrent use: Scan calls it in its decoding
// workers; AddDigest then takes the result.
func (a *Analyzer) Digest(m Mail) *Digest {
	d := &Digest{src: m.Source}
	if m.Err != nil {
		d.failed, d.err = true, m.Err.Error()
	}
	res := m.Result
	if res == nil {
		return d
	}
	d.decoded = true
	d.t, d.dated, d.when = a.mailTime(m)
	if d.dated && !a.inPeriod(d.t) {
		d.outside = true
		return d
	}
	d.facts = a.ex.Extract(res)
	d.bounce = res.Kind == bounce.KindBounce
	if !d.bounce && d.facts.Fake == nil {
		d.facts = nil // ordinary mail: only counted
		return d
	}
	if d.facts.Fake != nil {
		d.fakeSubject, d.fakeFrom = oneLine(res.Subject, 120), oneLine(res.From, 120)
	}
	if !d.bounce {
		d.own()
		return d
	}
	d.records = len(res.Records)
	for _, r := range res.Records {
		switch r.Reason {
		case reason.Delivered:
			d.delivered++
		case reason.Vacation:
			d.autoReply++
		case reason.Feedback:
			d.feedback++
		default:
			d.failure = true
		}
	}
	if o := res.Returned(); o != nil {
		d.cands[0] = bounce.FirstAddress(o.ReturnPath)
		d.cands[2], d.cands[3] = bounce.FirstAddress(o.From), bounce.FirstAddress(o.Sender)
		if d.failure {
			d.subject = normSubject(o.Subject)
		}
	}
	d.cands[1] = envelopeRecipient(res)
	if !d.failure {
		d.own()
		return d
	}
	d.digestBehaviour(res)
	for _, r := range res.Records {
		if r.Reason == reason.Delivered || r.Reason == reason.Vacation || r.Reason == reason.Feedback {
			continue
		}
		found := false
		for i := range d.reasons {
			if d.reasons[i].r == r.Reason {
				d.reasons[i].n++
				found = true
			}
		}
		if !found {
			d.reasons = append(d.reasons, reasonN{r.Reason, 1})
		}
		if dom := domainOf(r.Recipient); dom != "" && len(d.rcptDoms) < 64 {
			d.rcptDoms = append(d.rcptDoms, dom)
		}
		if d.refusal == "" && volumeRefusal(r.Status, r.DiagnosticCode) {
			d.refusal = oneLine(r.DiagnosticCode, 160)
			if d.refusal == "" {
				d.refusal = r.Status
			}
		}
	}
	d.own()
	return d
}

// own makes d's strings its own (the decoder's are slices of the whole
// message).
func (d *Digest) own() {
	c := strings.Clone
	d.src, d.err, d.subject, d.refusal = c(d.src), c(d.err), c(d.subject), c(d.refusal)
	d.fakeSubject, d.fakeFrom = c(d.fakeSubject), c(d.fakeFrom)
	d.subjKey, d.subjText, d.mailer, d.when.zoneQID = c(d.subjKey), c(d.subjText), c(d.mailer), c(d.when.zoneQID)
	for i := range d.cands {
		d.cands[i] = c(d.cands[i])
	}
	for i := range d.rcptDoms {
		d.rcptDoms[i] = c(d.rcptDoms[i])
	}
}

// AddMail takes one message of the mailbox, at any time (before, between
// or after the log's events): AddDigest(Digest(m)).
func (a *Analyzer) AddMail(m Mail) { a.AddDigest(a.Digest(m)) }

// AddDigest takes one message read by Digest.
func (a *Analyzer) AddDigest(d *Digest) {
	a.in.messages++
	if d.failed {
		a.in.failed++
		a.keepError(d.src, d.err)
	}
	if !d.decoded {
		return
	}
	if d.outside {
		a.in.outside++
		return
	}
	if d.facts == nil || d.facts.Fake == nil {
		// Never a fake, whatever the log says: count it now.
		a.agg.count(d)
		if d.facts == nil {
			return
		}
		// Keep only what the report still needs per account.
		d.rcptDoms, d.subject = nil, ""
	}
	a.keep(d)
	a.maybeSettle()
}

// keep keeps d, its strings shared with the other digests'.
func (a *Analyzer) keep(d *Digest) {
	d.src = a.internStr(d.src, d.facts.Fake != nil || d.when.implausible) // named in a sample
	for i := range d.cands {
		d.cands[i] = a.internStr(d.cands[i], true)
	}
	d.subjKey, d.subjText, d.mailer = a.internStr(d.subjKey, true), a.internStr(d.subjText, true), a.internStr(d.mailer, true)
	for i := range d.facts.Hops {
		h := &d.facts.Hops[i]
		h.By, h.With = a.internStr(h.By, true), a.internStr(h.With, true)
	}
	a.mails = append(a.mails, d)
	if d.dated && d.t.After(a.mailLast) {
		a.mailLast = d.t
	}
}

// internStr shares the copies of strings many digests hold (host names,
// addresses); when keep is false it drops s.
func (a *Analyzer) internStr(s string, keep bool) string {
	if !keep || s == "" {
		return ""
	}
	if v, ok := a.intern[s]; ok {
		return v
	}
	s = strings.Clone(s) // never a slice of a whole message
	if len(a.intern) < 1<<20 {
		a.intern[s] = s
	}
	return s
}

// keepError keeps the first maxSamples failures in source order, whatever
// the order they came in.
func (a *Analyzer) keepError(src, text string) {
	e := srcErr{strings.Clone(src), strings.Clone(text)}
	i := sort.Search(len(a.in.errors), func(i int) bool { return a.in.errors[i].src > src })
	if i >= maxSamples {
		return
	}
	a.in.errors = append(a.in.errors, srcErr{})
	copy(a.in.errors[i+1:], a.in.errors[i:])
	a.in.errors[i] = e
	if len(a.in.errors) > maxSamples {
		a.in.errors = a.in.errors[:maxSamples]
	}
}

// count adds a message that is not a fake to the report-wide counts.
func (g *aggregate) count(d *Digest) {
	if !d.bounce {
		if !d.failed {
			g.notBounce++
		}
		return
	}
	g.bounces++
	g.records += d.records
	if !d.dated {
		g.undated++
	}
	g.delivered += d.delivered
	g.autoReplies += d.autoReply
	g.feedback += d.feedback
	if !d.failure {
		return
	}
	if d.dated {
		if g.bFirst.IsZero() || d.t.Before(g.bFirst) {
			g.bFirst = d.t
		}
		if d.t.After(g.bLast) {
			g.bLast = d.t
		}
		g.bounced.add(d.t.Unix(), 1)
		g.minutes.add(d.t.Unix())
	}
	for _, r := range d.reasons {
		g.reasons[r.r] += r.n
	}
	for _, dom := range d.rcptDoms {
		g.domainsTo[dom]++
	}
	if d.subject != "" {
		g.subjects[d.subject]++
	}
}

// clone copies g so that a report can add to it.
func (g *aggregate) clone() aggregate {
	c := *g
	c.reasons = make(map[reason.Reason]int, len(g.reasons))
	for k, v := range g.reasons {
		c.reasons[k] = v
	}
	c.domainsTo = make(map[string]int, len(g.domainsTo))
	for k, v := range g.domainsTo {
		c.domainsTo[k] = v
	}
	c.subjects = make(map[string]int, len(g.subjects))
	for k, v := range g.subjects {
		c.subjects[k] = v
	}
	c.bounced = g.bounced.clone()
	c.minutes = g.minutes.clone()
	return c
}

const maxSamples = 20

// bounceAccount names the account a bounce belongs to (see the package
// documentation).
func (r *reportCtx) bounceAccount(d *Digest, at *judged) string {
	if at.inLog {
		if k := accountKey(at.sasl, at.logFrom, ""); k != "" {
			return k
		}
	}
	first := ""
	for _, c := range d.cands {
		if c == "" || strings.EqualFold(c, "MAILER-DAEMON") {
			continue
		}
		if first == "" {
			first = c
		}
		if !r.knowsDomains() || r.isDomain(domainOf(c)) {
			return r.alias(c)
		}
	}
	if first != "" {
		return r.alias(first)
	}
	return UnknownAccount
}

// alias maps a sender address to the login that sent most as it, when the
// log has one.
func (r *reportCtx) alias(addr string) string {
	addr = strings.ToLower(addr)
	best, n := "", 0
	r.st.aliasesOf(addr, func(k string, c int) {
		if c > n || (c == n && k < best) {
			best, n = k, c
		}
	})
	if best != "" {
		return best
	}
	return addr
}

func fakeSample(d *Digest, f *attrib.Fake) FakeBounce {
	fb := FakeBounce{Source: d.src, Subject: d.fakeSubject, From: d.fakeFrom}
	for _, it := range f.Reasons {
		fb.Reasons = append(fb.Reasons, it.En)
		fb.ReasonsJa = append(fb.ReasonsJa, it.Ja)
		fb.Codes = append(fb.Codes, it.Code)
	}
	return fb
}
