package scenario

import (
	"fmt"
	"sort"
	"time"
)

// event is something that happens at a time; run does it.
type event struct {
	at  time.Time
	run func()
}

// timeline collects the events of a scenario and runs them in time order
// (ties in the order they were planned), flushing the log before each.
type timeline struct{ evs []event }

func (tl *timeline) at(t time.Time, run func()) { tl.evs = append(tl.evs, event{t, run}) }

func (tl *timeline) run(w *world) error {
	sort.SliceStable(tl.evs, func(i, j int) bool { return tl.evs[i].at.Before(tl.evs[j].at) })
	for i := range tl.evs {
		e := &tl.evs[i]
		// Lines of this event may start up to a second before it (the
		// SMTP connection opens before the queue ID is given), and an
		// idle connection is closed a little after its last message.
		w.expireSessions(e.at.Add(-sessionIdle))
		if err := w.log.flush(e.at.Add(-2 * time.Minute)); err != nil {
			return err
		}
		e.run()
		e.run = nil
		if w.err != nil {
			return w.err
		}
	}
	tl.evs = nil
	w.expireSessions(time.Unix(1<<40, 0))
	return nil
}

// activity is how busy an hour of the week is for people at work in
// Tokyo: weekdays 9 to 18, a little on Saturday, almost nothing at night.
func activity(t time.Time) float64 {
	h := t.Hour()
	switch t.Weekday() {
	case time.Sunday:
		if h >= 10 && h < 18 {
			return 0.1
		}
		return 0.01
	case time.Saturday:
		if h >= 10 && h < 17 {
			return 0.3
		}
		return 0.02
	}
	switch {
	case h >= 9 && h < 12, h >= 13 && h < 18:
		return 1
	case h == 12 || h == 8 || h >= 18 && h < 21:
		return 0.35
	}
	return 0.03
}

// history plans an account's everyday mail over [from, to): messages to
// its correspondents from its usual clients, orders from the web shop,
// the failures its few bad addresses always give, and mail it receives.
func (w *world) history(tl *timeline, a *account, from, to time.Time, inbound bool) {
	for h := from.In(w.loc).Truncate(time.Hour); h.Before(to); h = h.Add(time.Hour) {
		n := w.poisson(a.perHour * activity(h))
		for range n {
			at := w.within(h, time.Hour)
			if !at.Before(to) || at.Before(from) {
				continue
			}
			tl.at(at, func() { w.submit(w.everyday(a, at)) })
		}
		if !inbound {
			continue
		}
		for range w.poisson(0.8 * a.perHour * activity(h)) {
			at := w.within(h, time.Hour)
			if !at.Before(to) || at.Before(from) {
				continue
			}
			tl.at(at, func() {
				sender := w.pick(a.regular)
				r := w.remoteOf(sender)
				peer := client{host: r.mx, ip: r.ip, helo: r.mx}
				if r.mta == mtaGmail {
					peer = client{host: fmt.Sprintf("mail-pj1-f%d.google.com", 40+w.rng.IntN(50)), ip: "192.0.2.202", helo: "mail-pj1-f41.google.com"}
				}
				w.stats.Inbound++
				w.receive(at, peer, sender, a.addr, nil, w.uuid()+"@"+r.domain)
			})
		}
	}
}

// everyday makes one ordinary message of a.
func (w *world) everyday(a *account, at time.Time) *outMsg {
	m := &outMsg{at: at, acct: a, cl: a.clients[0]}
	if len(a.clients) > 1 && w.chance(0.3) {
		m.cl = a.clients[1+w.rng.IntN(len(a.clients)-1)]
	}
	n := 1
	if w.chance(0.15) {
		n = 2 + w.rng.IntN(2)
	}
	seen := map[string]bool{}
	for len(m.rcpts) < n {
		r := w.pick(a.regular)
		if seen[r] {
			continue
		}
		seen[r] = true
		m.rcpts = append(m.rcpts, r)
		m.fates = append(m.fates, w.everydayFate(a, r))
	}
	if a.pickup > 0 && w.chance(a.pickup) {
		m.pickup = true
		m.msg = w.orderMail(a, m.rcpts[0], at)
	} else {
		m.msg = w.businessMail(a, m.rcpts[0], at)
	}
	return m
}

func (w *world) everydayFate(a *account, rcpt string) fate {
	if b, ok := a.bad[rcpt]; ok {
		if b.later {
			return fate{kind: later, why: b.why, delay: w.secs(30, 900)}
		}
		return fate{kind: refused, why: b.why}
	}
	return fate{kind: delivered}
}

// intrusion is a spam run through a stolen password.
type intrusion struct {
	acct     *account
	start    time.Time
	hours    int
	perHour  [2]int // messages an hour, drawn between the two
	clients  []client
	refuse   float64 // share of recipients refused in the dialogue
	later    float64 // share bounced later by the remote system
	rcpts    [2]int  // recipients per message, between the two
	campaign []string
	// guesses are failed logins from these clients over the day before.
	guesses map[string]int
}

// intrude plans a spam run.
func (w *world) intrude(tl *timeline, in intrusion) {
	for ip, n := range in.guesses {
		for range n {
			at := in.start.Add(-time.Duration(w.rng.Int64N(int64(20 * time.Hour))))
			cl := client{host: "unknown", ip: ip}
			tl.at(at, func() {
				w.stats.AuthFailures++
				mech := w.pick([]string{"LOGIN", "PLAIN"})
				reason := "UGFzc3dvcmQ6"
				if mech == "PLAIN" {
					reason = "authentication failure"
				}
				if w.exim {
					w.log.addRaw(at, fmt.Sprintf("dovecot_%s authenticator failed for (User) [%s]:%d I=[%s]:587: 535 Incorrect authentication data (set_id=%s)",
						map[string]string{"LOGIN": "login", "PLAIN": "plain"}[mech], ip, 40000+w.rng.IntN(20000), MailIP, in.acct.addr))
					return
				}
				pid := w.pid()
				sub := "postfix/submission/smtpd"
				w.log.add(at, sub, pid, "connect from "+hostIP(cl))
				w.log.add(at.Add(2*time.Second), sub, pid, fmt.Sprintf("warning: %s: SASL %s authentication failed: %s, sasl_username=%s", hostIP(cl), mech, reason, in.acct.addr))
				w.log.add(at.Add(2100*time.Millisecond), sub, pid, "disconnect from "+hostIP(cl)+" ehlo=1 auth=0/1 quit=1 commands=2/3")
			})
		}
	}
	for hr := range in.hours {
		h := in.start.Add(time.Duration(hr) * time.Hour)
		n := in.perHour[0]
		if in.perHour[1] > in.perHour[0] {
			n += w.rng.IntN(in.perHour[1] - in.perHour[0] + 1)
		}
		for range n {
			at := w.within(h, time.Hour)
			// The clients join the run one after the other.
			active := 1 + int(at.Sub(in.start)*time.Duration(len(in.clients))/(time.Duration(in.hours)*time.Hour+1))
			cl := in.clients[w.rng.IntN(min(active, len(in.clients)))]
			conn := w.chance(0.8)
			tl.at(at, func() { w.submit(w.spamRun(in, at, cl, conn)) })
		}
	}
}

func (w *world) spamRun(in intrusion, at time.Time, cl client, conn bool) *outMsg {
	k := in.rcpts[0]
	if in.rcpts[1] > in.rcpts[0] {
		k += w.rng.IntN(in.rcpts[1] - in.rcpts[0] + 1)
	}
	m := &outMsg{at: at, acct: in.acct, cl: cl, spam: true, conn: conn}
	for range k {
		r := w.randomAddress()
		m.rcpts = append(m.rcpts, r)
		m.fates = append(m.fates, w.spamFate(in.refuse, in.later))
	}
	m.msg = w.spamMail(in.acct.addr, m.rcpts[0], at, in.campaign)
	if len(m.rcpts) > 1 {
		m.msg.to = "undisclosed-recipients:;"
	}
	return m
}

// spamFate: spam lists are full of dead addresses, and receivers refuse
// spam.
func (w *world) spamFate(refuse, lat float64) fate {
	x := w.rng.Float64()
	switch {
	case x < refuse:
		y := w.rng.Float64()
		switch {
		case y < 0.6:
			return fate{kind: refused, why: whyUnknown}
		case y < 0.9:
			return fate{kind: refused, why: whySpam}
		case y < 0.96:
			return fate{kind: refused, why: whyFull}
		}
		return fate{kind: noHost, why: whyHost}
	case x < refuse+lat:
		f := fate{kind: later, why: whyUnknown, delay: w.secs(60, 40*60), headersOnly: w.chance(0.15)}
		if w.chance(0.15) {
			f.why = whyFull
		}
		return f
	}
	return fate{kind: delivered}
}

// forgery is spam a botnet sends with one of our addresses forged.
type forgery struct {
	addr     string
	start    time.Time
	hours    int
	perHour  [2]int // notices that come back an hour
	campaign []string
	// reporters is how many foreign systems bounce it.
	reporters int
}

// forge plans the backscatter of a forgery: each notice is for a forged
// message a botnet host sent to a foreign system that accepted it and
// then found the recipient does not exist.
func (w *world) forge(tl *timeline, f forgery) {
	for hr := range f.hours {
		h := f.start.Add(time.Duration(hr) * time.Hour)
		n := f.perHour[0]
		if f.perHour[1] > f.perHour[0] {
			n += w.rng.IntN(f.perHour[1] - f.perHour[0] + 1)
		}
		for range n {
			sent := w.within(h, time.Hour)
			rep := w.reporter(w.rng.IntN(f.reporters))
			tl.at(sent, func() {
				rcpt := w.localPart() + "@" + rep.domain
				msg, bot := w.forgedMail(f.addr, rcpt, sent, f.campaign)
				fa := fate{kind: later, why: whyUnknown, delay: w.secs(20, 25*60), headersOnly: w.chance(0.2)}
				if w.chance(0.1) {
					fa.why = whyFull
				}
				w.remoteBounce(msg, f.addr, rcpt, fa, sent.Add(w.secs(1, 30)), bot, false)
			})
		}
	}
}

// fakes plans n fake notices to addr over [from, to), of the designs
// first, first+1, … (modulo FakeKinds).
func (w *world) fakes(tl *timeline, addr string, first, n int, from, to time.Time) {
	for i := range n {
		at := w.within(from, to.Sub(from))
		tl.at(at, func() {
			raw, env, peer := w.fakeNotice(first+i, addr, at)
			w.stats.Fakes++
			w.receive(at, peer, env, addr, raw, headerValue(raw, "Message-ID"))
		})
	}
}
