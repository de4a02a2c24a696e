package diagnose

import (
	"sort"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/surge"
)

// Time that an attacker cannot move (issue 11 §6).
//
// A bounce's Date, a DSN's Arrival-Date and the returned message's Date
// are written by strangers: whoever forges a notice dated 2037 must not
// stretch the hourly series over eleven years and hide the surge in it.
// A bounce is placed at the time it reached us:
//
//  1. the topmost Received field of the bounce itself — the hop our
//     receiving server (MX, mailbox server, LMTP) added, above anything a
//     sender can write — or a Delivery-date field above it (Exim's local
//     delivery); lower Received fields count only below hops of ours;
//  2. else the mailbox's own record of the arrival (Mail.Arrival: the
//     Maildir file name, the mbox From_ line, IMAP INTERNALDATE);
//  3. else, for want of both, the bounce's own claimed date
//     (bounce.Result.Time), if it is plausible: not before 1995, not
//     more than a day after now (the report's time or the clock's,
//     whichever is later).
//
// With an arrival known, the claimed date is only evidence: one outside
// [arrival − 8 days, arrival + 1 day] (a DSN may report mail that waited
// five days in a queue; nothing is received before it is written, beyond
// clock skew) is counted in Inputs.Times.ClaimedImplausible and named in
// the samples. Log events dated before 1995 or more than 400 days after
// now are left undated; a log put a year ahead by a wrong year guess is
// put back by the messages it shares with the bounces (tz.go).
//
// Whatever slips through — a bounce with no trace dated 2019, a log line
// put in the wrong year — cannot move the analysis window: the series
// covers the bulk of the events (surge.Counter.Core: the cluster of hours
// with the most events and the clusters beside it that hold at least 5%
// of them, clusters being runs with no gap of 30 days), and the rest is
// counted as stray.
const (
	claimBefore = 8 * 24 * time.Hour
	claimAfter  = 24 * time.Hour
	futureSlack = 24 * time.Hour
	strayGap    = 30 * 24 * time.Hour
	strayShare  = 0.05
	logFuture   = 400 * 24 * time.Hour
)

// earliest is the first date taken as real: RFC 1891–1894 (DSN) date from
// 1996; a bounce or log line dated before 1995 is a clock reset (1970) or
// a forgery (year 1).
var earliest = time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC)

// TimeSource says how a bounce was placed in time.
type TimeSource string

// Time sources, from the most trusted.
const (
	TimeReceived TimeSource = "received" // the trace field our receiving server added on top
	TimeArrival  TimeSource = "arrival"  // the mailbox's record (Maildir name, mbox From_ line, IMAP INTERNALDATE)
	TimeClaimed  TimeSource = "claimed"  // the bounce's own date, for want of both
	TimeNone     TimeSource = ""         // no plausible time: the bounce is undated
)

// placement is where placeBounce put a bounce.
type placement struct {
	At     time.Time
	Source TimeSource
	// ByUs: the Received field's host is one of ours (our domains or
	// relays), not only the topmost.
	ByUs bool
	// Claimed is the bounce's own date (zero when it tells none, or says
	// year 1);
	// Implausible says it lies outside the window around the arrival, or
	// before 1995, or in the future.
	Claimed     time.Time
	Implausible bool
}

// plausible reports whether t can be a real time of mail handled by now.
func plausible(t, now time.Time) bool {
	return !t.IsZero() && !t.Before(earliest) && !t.After(now.Add(futureSlack))
}

// placeBounce decides when res reached us (see the rules above). arrival
// is the mailbox's record (zero: none), now the latest possible time, ours tells
// whether a host name belongs to us (nil: none is known). It is pure.
func placeBounce(res *bounce.Result, arrival, now time.Time, ours func(string) bool) placement {
	var p placement
	if res == nil {
		return p
	}
	var claimed bool
	p.Claimed, claimed = res.Time()
	at, byUs, ok := traceTime(res.Headers, now, ours)
	switch {
	case ok:
		p.At, p.Source, p.ByUs = at, TimeReceived, byUs
	case plausible(arrival, now):
		p.At, p.Source = arrival, TimeArrival
	}
	if p.Source != TimeNone {
		if claimed && (p.Claimed.Before(p.At.Add(-claimBefore)) || p.Claimed.After(p.At.Add(claimAfter))) {
			p.Implausible = true
		}
		return p
	}
	if claimed {
		if plausible(p.Claimed, now) {
			p.At, p.Source = p.Claimed, TimeClaimed
		} else {
			p.Implausible = true
		}
	}
	return p
}

// traceTime finds the time the message reached us in its own header
// fields (in order, topmost first): a Delivery-date above the first
// Received field, else the first Received field with a plausible date,
// going below the topmost only through hops of ours or of the mailbox
// store (LMTP, local delivery).
func traceTime(h []bounce.Field, now time.Time, ours func(string) bool) (time.Time, bool, bool) {
	seenReceived := false
	for _, f := range h {
		switch {
		case !seenReceived && strings.EqualFold(f.Name, "Delivery-date"):
			if t := bounce.ParseDate(f.Value); plausible(t, now) {
				return t, true, true
			}
		case strings.EqualFold(f.Name, "Received"):
			r := bounce.ParseReceived(f.Value)
			mine := ours != nil && ours(r.By)
			if plausible(r.Date, now) {
				return r.Date, mine, true
			}
			if !mine && !storeHop(r) {
				// A hop not ours that tells no time: what lies below it
				// could be anyone's.
				return time.Time{}, false, false
			}
			seenReceived = true
		}
	}
	return time.Time{}, false, false
}

// storeHop reports whether a Received field was added by the mailbox
// store's delivery: LMTP (RFC 2033), a local delivery.
func storeHop(r bounce.Received) bool {
	w := strings.ToLower(r.With)
	return strings.HasPrefix(w, "lmtp") || w == "local" || strings.Contains(strings.ToLower(r.Raw), "(dovecot)")
}

// TimeStats tells how the bounces were placed in time, and what was left
// out of the analysis window (issue 11 §6).
type TimeStats struct {
	Received int `json:"received"` // placed at the Received field our receiving server added
	Arrival  int `json:"arrival"`  // at the mailbox's record of the arrival
	Claimed  int `json:"claimed"`  // at their own date, for want of both
	// ClaimedImplausible counts bounces whose own date lies far from the
	// time they reached us (or before 1995, or in the future): the date
	// was ignored.
	ClaimedImplausible int `json:"claimed_implausible"`
	// Stray counts bounces, StrayLog outbound messages of the log, far
	// from the bulk of the others and left out of the series; LogUndated
	// log events with an impossible date.
	Stray      int      `json:"stray"`
	StrayLog   int      `json:"stray_log"`
	LogUndated int      `json:"log_undated"`
	Samples    []string `json:"samples"` // "source: claimed date … ignored"
}

// horizon is the latest time mail or a log line can carry: the report's
// time or the clock's, whichever is later (a report dated in the past, as
// tests do, must not turn the data after it into forgeries).
func (a *Analyzer) horizon() time.Time {
	now := time.Now()
	if a.cfg.Now.After(now) {
		return a.cfg.Now
	}
	return now
}

// ours tells whether a host name is one of our servers: in one of our
// configured domains, or a relay given in the configuration.
func (a *Analyzer) ours(host string) bool {
	h := normDomain(strings.Trim(host, "[]"))
	if h == "" {
		return false
	}
	for _, r := range a.cfg.Attrib.Relays {
		if strings.EqualFold(normDomain(r), h) {
			return true
		}
	}
	for d := range a.domains {
		if h == d || strings.HasSuffix(h, "."+d) {
			return true
		}
	}
	return false
}

// mailWhen is what a Digest keeps of its placement in time, and of the
// hop the log's clock is checked against (tz.go).
type mailWhen struct {
	source      TimeSource
	implausible bool
	claimed     time.Time
	// zoneQID and zoneAt are the queue ID and the date of the oldest hop
	// of the returned message that has both; zoneOld is the oldest date
	// of all (for a match by Message-ID). Unix seconds; 0: none.
	zoneQID         string
	zoneAt, zoneOld int64
}

// mailTime decides when a mail is placed in time: the one place where
// that is decided (see placeBounce). It is safe for concurrent use.
func (a *Analyzer) mailTime(m Mail) (time.Time, bool, mailWhen) {
	p := placeBounce(m.Result, m.Arrival, a.horizon(), a.ours)
	w := mailWhen{source: p.Source, implausible: p.Implausible, claimed: p.Claimed}
	if o := m.Result.Returned(); o != nil {
		for _, r := range o.Received { // newest first: the last ones are the oldest
			if r.Date.IsZero() {
				continue
			}
			w.zoneOld = r.Date.Unix()
			if r.ID != "" && len(r.ID) <= 64 {
				w.zoneQID, w.zoneAt = r.ID, r.Date.Unix()
			}
		}
		// A copy: the ID is a slice of the returned header, which the
		// digest must not keep alive.
		w.zoneQID = strings.Clone(w.zoneQID)
	}
	return p.At, p.Source != TimeNone, w
}

// logTime is the time of a log event, or zero when it cannot be real:
// before 1995, or more than logFuture after now. A log a year ahead (a
// year-less syslog file whose modification time moved) is kept: the
// messages it shares with the bounces put it back (tz.go), and what stays
// far from the rest is stray.
func (a *Analyzer) logTime(t time.Time) time.Time {
	if t.IsZero() || !t.Before(earliest) && !t.After(a.horizon().Add(logFuture)) {
		return t
	}
	a.logUndated++
	return time.Time{}
}

// minuteCounts counts bounces per minute (Unix minute → count), for the
// onset to the minute.
type minuteCounts map[int64]float64

func (m *minuteCounts) add(unix int64) {
	if *m == nil {
		*m = make(minuteCounts, 16)
	}
	(*m)[unix-((unix%60)+60)%60]++
}

func (m minuteCounts) clone() minuteCounts {
	if m == nil {
		return nil
	}
	c := make(minuteCounts, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// minutes returns the counts over [from, to) as a surge.Minutes.
func (m minuteCounts) minutes(from, to time.Time) surge.Minutes {
	var c surge.Counter
	c.PerMinute = true
	for k, v := range m {
		if k >= from.Unix()-60 && k < to.Unix() {
			c.AddN(time.Unix(k, 0), v)
		}
	}
	return c.Minutes(from, to)
}

// pinned summarizes a surge d found in bounces counted per minute in m,
// its onset placed to the minute (surge.Pinpoint) when the minutes show
// the step.
func pinned(d surge.Surge, m minuteCounts) *SurgeSummary {
	s := summary(d)
	s.OnsetHour, s.OnsetPrecision = d.Onset, "hour"
	from := d.Onset.Add(-time.Hour)
	if on, ok := surge.Pinpoint(d, m.minutes(from, d.Onset.Add(3*time.Hour))); ok {
		s.Onset, s.OnsetPrecision, s.OnsetFrom = on, "minute", "bounces"
	}
	return s
}

// onsetOf is when a surge began: its change point when known, else its
// first hour.
func onsetOf(d surge.Surge) time.Time {
	if !d.ChangePoint.IsZero() {
		return d.ChangePoint
	}
	return d.Onset
}

// surgeOptions are the options of every surge test of a report: the
// hour in progress at the end of the data — the report's time, or the
// last event when a report is dated before it — is scored against its
// elapsed share.
func (a *Analyzer) surgeOptions(now time.Time) surge.Options {
	o := a.cfg.Surge
	if o.Now.IsZero() {
		o.Now = now
		for _, last := range []time.Time{a.agg.bLast, a.logLast} {
			if end := last.Add(time.Second); end.After(o.Now) {
				o.Now = end
			}
		}
	}
	return o
}

// clampSpan keeps [first, last] inside the core hours [from, to).
func clampSpan(first, last, from, to time.Time) (time.Time, time.Time) {
	if first.IsZero() || first.Before(from) {
		first = from
	}
	if last.IsZero() || !last.Before(to) {
		last = to.Add(-time.Nanosecond)
	}
	return first, last
}

// window narrows the report's spans to the bulk of the events (the
// bounces' in g, the log's in r) and counts what lies outside as stray:
// computed from the counts at report time, the same whatever the order.
func (r *reportCtx) window(g *aggregate) {
	a := r.a
	if from, to, stray, ok := g.bounced.counter(a.loc, 0).Core(strayGap, strayShare); ok {
		g.bFirst, g.bLast = clampSpan(g.bFirst, g.bLast, from, to)
		r.strayB = stray
	}
	if r.logFirst.IsZero() {
		return
	}
	if from, to, stray, ok := r.st.sentAll.counter(a.loc, r.shift).Core(strayGap, strayShare); ok {
		r.logFirst, r.logLast = clampSpan(r.logFirst, r.logLast, from, to)
		r.strayL = stray
	}
}

// timeStats says how the bounces were placed in time, from the digests
// (and the counts of those settled): the same whatever the order they
// came in.
func (r *reportCtx) timeStats() TimeStats {
	set := &r.a.settled
	t := set.times
	t.Samples, t.Stray, t.StrayLog, t.LogUndated = []string{}, int(r.strayB), int(r.strayL), r.a.logUndated
	odd := append([]oddTime(nil), set.odd...)
	for _, d := range r.a.mails {
		countTime(&t, d, &odd)
	}
	sortOdd(&odd)
	for _, o := range odd {
		s := o.src + ": claimed date " + o.claimed.UTC().Format("2006-01-02 15:04 MST") + " ignored"
		if o.dated {
			s += "; reached us " + o.t.UTC().Format("2006-01-02 15:04 MST")
		}
		t.Samples = append(t.Samples, oneLine(s, 300))
	}
	return t
}

// oddTime is a bounce whose claimed date was implausible, for a sample.
type oddTime struct {
	src        string
	claimed, t time.Time
	dated      bool
}

// countTime counts how bounce d was placed into t, and keeps it in odd
// when its claimed date was ignored.
func countTime(t *TimeStats, d *Digest, odd *[]oddTime) {
	if !d.bounce {
		return
	}
	switch d.when.source {
	case TimeReceived:
		t.Received++
	case TimeArrival:
		t.Arrival++
	case TimeClaimed:
		t.Claimed++
	}
	if d.when.implausible {
		t.ClaimedImplausible++
		*odd = append(*odd, oddTime{src: d.src, claimed: d.when.claimed, t: d.t, dated: d.dated})
	}
}

// sortOdd orders the samples by source and keeps the first maxSamples.
func sortOdd(odd *[]oddTime) {
	o := *odd
	sort.Slice(o, func(i, k int) bool { return o[i].src < o[k].src })
	*odd = o[:min(len(o), maxSamples)]
}
