package diagnose

import (
	"time"

	"github.com/bouncewatch/bouncewatch/attrib"
	"github.com/bouncewatch/bouncewatch/reason"
)

// Settling: bounded memory for a service that runs for months.
//
// The analyzer keeps every bounce's digest (a kilobyte or so) so that a
// report judges it against the log and the population as they stand
// then: a bounce that came before the log line of its message counts as
// found in the log once the line arrives. That is what makes the report
// independent of the order of its input, and what a scan needs. A
// service that has stored a million bounces cannot keep them all: with
// Config.SettleAfter set, a bounce that reached us longer than that
// before the newest input (and before the send log's newest line, when
// there is a log) is settled — judged once, with everything known then,
// and folded into counts: its account's counts (the same ones a report
// gathers), the votes on our relays, the log clock's pairs, the domains
// the bounces were delivered to. Its log line, if any, has arrived by
// then; what can still change is what later bounces teach (relays and
// domains voted by many bounces), which old bounces then no longer
// follow. Scan leaves SettleAfter zero and keeps the exact answer.

// settleBatch is how many digests an Analyzer keeps before it settles
// the old ones; the next settling waits until twice as many are kept, so
// that a flood of recent bounces does not make it settle over and over.
const settleBatch = 20_000

// maxLogLag is how far the send log may lag behind the bounces before
// the bounces settle without waiting for it (a log that stopped, or was
// only imported for an earlier period).
const maxLogLag = 24 * time.Hour

// minuteKeep is how long the settled bounces' counts per minute are kept
// before the horizon: they place a surge's onset to the minute
// (when.go), which matters while an incident is young; older surges are
// placed to the hour, and the counts per minute of a year of bounces do
// not pile up.
const minuteKeep = 14 * 24 * time.Hour

// settled is what the bounces folded away left.
type settled struct {
	n         int                    // bounces settled
	accs      map[string]*bounceAcct // their counts, by account
	nFake     int
	fakes     []FakeBounce // the first maxSamples by source
	votes     attrib.Votes
	zone      zoneVotes
	learnN    int            // bounces with an envelope recipient
	learnDoms map[string]int // by its domain
	times     TimeStats      // counts only
	odd       []oddTime      // the first maxSamples by source
}

// Settled returns how many bounces were folded into counts (see
// Config.SettleAfter) and how many digests are kept.
func (a *Analyzer) Settled() (settled, kept int) { return a.settled.n, len(a.mails) }

// maybeSettle settles when enough digests are kept.
func (a *Analyzer) maybeSettle() {
	if a.cfg.SettleAfter <= 0 || len(a.mails) < max(a.settleAt, settleBatch) {
		return
	}
	a.Settle()
	a.settleAt = 2 * len(a.mails)
}

// settleHorizon is the time before which kept bounces settle; zero:
// none.
func (a *Analyzer) settleHorizon() time.Time {
	last := a.mailLast
	if last.IsZero() || a.cfg.SettleAfter <= 0 {
		return time.Time{}
	}
	if a.logEvents > 0 && a.logLast.Before(last) {
		last = a.logLast
		if floor := a.mailLast.Add(-maxLogLag); last.Before(floor) {
			last = floor
		}
	}
	return last.Add(-a.cfg.SettleAfter)
}

// Settle folds the kept bounces older than the horizon into counts (see
// above). The Analyzer does it by itself as digests are added, when
// Config.SettleAfter is set; a caller may call it too (before a report
// it wants cheap). Without SettleAfter it does nothing.
func (a *Analyzer) Settle() {
	h := a.settleHorizon()
	if h.IsZero() {
		return
	}
	var old []*Digest
	keep := make([]*Digest, 0, len(a.mails))
	for _, d := range a.mails {
		if d.dated && d.t.Before(h) {
			old = append(old, d)
		} else {
			keep = append(keep, d)
		}
	}
	if len(old) == 0 {
		return
	}
	rc := a.context(a.cfg.Now)
	js := rc.judgeAll(old)
	s := &a.settled
	if s.accs == nil {
		s.accs, s.learnDoms = map[string]*bounceAcct{}, map[string]int{}
	}
	for i, d := range old {
		s.fold(rc, d, &js[i])
	}
	sortFakes(&s.fakes)
	sortOdd(&s.odd)
	rc.st.index.Vote(&s.votes, bounceFacts(old), rc.pop)
	a.mails = keep
	cut := h.Add(-minuteKeep).Unix()
	a.agg.minutes.dropBefore(cut)
	for _, b := range s.accs {
		b.minutes.dropBefore(cut)
	}
}

// dropBefore forgets the minutes before the Unix time t.
func (m minuteCounts) dropBefore(t int64) {
	for k := range m {
		if k < t {
			delete(m, k)
		}
	}
}

// fold adds one bounce, judged at, to the counts.
func (s *settled) fold(r *reportCtx, d *Digest, at *judged) {
	s.n++
	if d.bounce {
		if p, ok := zonePair(r.st, d); ok {
			s.zone.add(p)
		}
		if dom, ok := d.deliveredTo(); ok {
			s.learnN++
			s.learnDoms[dom]++
		}
		countTime(&s.times, d, &s.odd) // fakes too, as timeStats counts them
		if len(s.odd) > 4*maxSamples {
			sortOdd(&s.odd)
		}
	}
	if at.fake != nil {
		s.nFake++
		s.fakes = append(s.fakes, fakeSample(d, at.fake))
		if len(s.fakes) > 4*maxSamples {
			sortFakes(&s.fakes)
		}
		return
	}
	if d.facts.Fake != nil {
		r.a.agg.count(d) // judged not a fake: counted for good
	}
	if !d.bounce {
		return
	}
	key := r.bounceAccount(d, at)
	b := s.accs[key]
	if b == nil {
		b = &bounceAcct{reasons: map[reason.Reason]int{}}
		s.accs[key] = b
	}
	b.addBounce(d, at)
}
