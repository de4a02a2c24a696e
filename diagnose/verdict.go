package diagnose

import (
	"fmt"

	"github.com/bouncewatch/bouncewatch/attrib"
	"math"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/reason"
	"github.com/bouncewatch/bouncewatch/surge"
)

// Thresholds of the verdict (see the package documentation).
const (
	// leadTime: mail is sent before it bounces, so the window in which the
	// log is searched for the cause starts this long before the onset.
	leadTime = 2 * time.Hour
	// historyNeeded is how much log before the window is needed to call an
	// IP address or a recipient "new".
	historyNeeded = 24 * time.Hour
	// dominant: one side of the attribution is at least this many times
	// the other.
	dominant = 2.0
	// minShare: a side counts when it holds at least this share of the
	// attributed bounces (and minCount bounces).
	minShare = 0.2
	minCount = 5
	// firstTimeShare: first-time recipients make a burst when at least this
	// share of the mail sent in the window went to them.
	firstTimeShare = 0.5
	minFirstTime   = 20
)

// Signal codes of AccountReport.Signals.
const (
	SignalBounceSurge      = "bounce_surge"
	SignalOtherSurges      = "other_surges"
	SignalBouncesOurs      = "bounces_ours"
	SignalBouncesNotOurs   = "bounces_not_ours"
	SignalBouncesUnknown   = "bounces_unattributed"
	SignalSentJump         = "sent_jump"
	SignalSentNormal       = "sent_normal"
	SignalNewLoginIPs      = "new_login_ips"
	SignalFailedLogins     = "failed_logins"
	SignalFirstTimeRcpts   = "first_time_recipients"
	SignalESMTPSA          = "authenticated_relay"
	SignalVolumeRefusal    = "volume_refusal"
	SignalNoSendLog        = "no_send_log"
	SignalLogMissesWindow  = "log_misses_window"
	SignalNoOriginals      = "no_originals"
	SignalComplaints       = "complaints"
	SignalNoSurge          = "no_surge"
	SignalCountsOnly       = "counts_only"
	SignalShortHistory     = "short_history"
	SignalOrdinaryCampaign = "known_ips_and_recipients"
	SignalBouncesInSendLog = "bounces_in_send_log"
	// Signals of a verdict from the bounces alone (issue 11 §1).
	SignalBouncesOnly          = "verdict_from_bounces"
	SignalAuthClients          = "authenticated_submissions_varied_clients"
	SignalDKIMOurs             = "dkim_ours"
	SignalUnauthenticatedEntry = "unauthenticated_entry"
	SignalDKIMAbsent           = "dkim_ours_absent"
	// What a hijack changes besides volume (campaign.go).
	SignalOddHours       = "odd_hours"
	SignalSpamSubjects   = "spam_subjects"
	SignalManyDomains    = "many_domains"
	SignalNewClientForm  = "new_client_form"
	SignalOwnAddress     = "usual_login_address"
	SignalNewLoginPlaces = "new_login_places"
	// A mailing of the account's own (a newsletter) explains the surge.
	SignalCampaign          = "campaign"
	SignalRecurringCampaign = "recurring_campaign"
)

// sentence is one piece of evidence in both languages.
type sentence struct{ en, ja, signal string }

// judge holds what one account's verdict is decided from.
type judge struct {
	a   *Analyzer
	r   *reportCtx
	acc *account
	lg  advice.Lang

	bSeries, sSeries surge.Series
	hasLog           bool // the log has outbound mail or counts at all
	logCovers        bool // the log covers the surge window
	surge            surge.Surge
	window           surge.Window
	wFrom, wTo       time.Time

	nB, nO, nN, nU int
	newIPs         []string
	newNets        int
	longHistory    bool
	firstTime      int
	fails          int
	beh            behaviourFacts
	campaign       *Campaign
	campaignSaid   bool
	afterSaid      bool     // intruderAfter said its sentence
	laterIPs       []string // and the addresses it found

	ev      []sentence
	signals []string
	missing []string
}

func (j *judge) say(signal, en, ja string) {
	j.ev = append(j.ev, sentence{en, ja, signal})
	if signal != "" {
		j.signals = append(j.signals, signal)
	}
}

// Report builds the report from everything added so far. It may be called
// any number of times, at any point; it changes nothing, and the same
// input gives the same report whatever the order it came in.
func (a *Analyzer) Report() *Report {
	now := a.cfg.Now
	if now.IsZero() {
		now = time.Now()
	}
	rc := a.context(now)
	a.pop = rc.pop
	js := rc.judgeAll(a.mails)
	g := a.agg.clone()
	accs, fakes, nFake := rc.gather(js, &g)
	rc.window(&g)

	r := &Report{GeneratedAt: now, Lang: a.cfg.Lang, Domains: rc.domainList()}
	if r.Lang == "" {
		r.Lang = advice.English
	}
	r.Period = rc.period(&g)
	r.TimeZone = a.loc.String()
	r.LogZone = rc.zone
	r.Inputs = Inputs{
		Messages: a.in.messages, Bounces: g.bounces, Records: g.records,
		NotBounces: g.notBounce, Failed: a.in.failed, Errors: []string{},
		Delivered: g.delivered, AutoReplies: g.autoReplies, Feedback: g.feedback,
		Undated: g.undated, Outside: a.in.outside, Times: rc.timeStats(),
	}
	for _, e := range a.in.errors {
		r.Inputs.Errors = append(r.Inputs.Errors, e.src+": "+e.text)
	}
	r.Inputs.Log.Messages = rc.st.messages
	r.Inputs.Log.Events = a.logEvents
	r.FakeBounces, r.FakeSamples = nFake, fakes
	if r.FakeSamples == nil {
		r.FakeSamples = []FakeBounce{}
	}
	for _, rl := range rc.pop.Relays {
		r.LearntRelays = append(r.LearntRelays, rl.Host)
	}

	bFrom, bTo := hourSpan(g.bFirst, g.bLast, a.loc)
	lFrom, lTo := hourSpan(rc.logFirst, rc.logLast, a.loc)
	pFrom, pTo := r.Period.From, r.Period.To

	bounced := g.bounced.counter(a.loc, 0).Series()
	all := align(bounced, bFrom, bTo, a.loc)
	if d := surge.Detect(all, rc.opt); d.Detected {
		r.Surge = pinned(d, g.minutes)
	}
	r.Series = Series{Start: pFrom, Bounced: align(bounced, pFrom, pTo, a.loc).Counts}
	if rc.hasLog() {
		r.Series.Sent = align(rc.st.sentAll.counter(a.loc, rc.shift).Series(), pFrom, pTo, a.loc).Counts
	}
	r.Reasons = reasonCounts(g.reasons, r.Lang)
	r.TopDomains = top(g.domainsTo, 10)
	r.TopSubjects = top(g.subjects, 10)

	var reps []AccountReport
	for _, acc := range accs {
		if acc.bouncesTotal() == 0 && acc.b.complaint == 0 {
			continue
		}
		j := &judge{a: a, r: rc, acc: acc, lg: r.Lang, hasLog: rc.hasLog()}
		bs := acc.b.bounced.counter(a.loc, 0).Series()
		j.bSeries = align(bs, bFrom, bTo, a.loc)
		var ss surge.Series
		if j.hasLog {
			ss = acc.log.sentSeries(a.loc, rc.shift)
			j.sSeries = align(ss, lFrom, lTo, a.loc)
		}
		rep := j.decide()
		rep.Series = Series{Start: pFrom, Bounced: align(bs, pFrom, pTo, a.loc).Counts}
		if j.hasLog {
			rep.Series.Sent = align(ss, pFrom, pTo, a.loc).Counts
		}
		reps = append(reps, rep)
	}
	sort.Slice(reps, func(i, k int) bool {
		si, sk := severity(reps[i].Verdict), severity(reps[k].Verdict)
		if si != sk {
			return si > sk
		}
		if reps[i].Bounces != reps[k].Bounces {
			return reps[i].Bounces > reps[k].Bounces
		}
		return reps[i].Account < reps[k].Account
	})
	limit := a.cfg.MaxAccounts
	if limit <= 0 {
		limit = 200
	}
	if len(reps) > limit {
		r.OtherAccounts = len(reps) - limit
		reps = reps[:limit]
	}
	if reps == nil {
		reps = []AccountReport{}
	}
	r.Verdicts = reps
	r.Overall = advice.Ordinary
	if len(reps) == 0 && !rc.hasLog() && g.bounces == 0 {
		r.Overall = advice.InsufficientEvidence
	}
	for _, rep := range reps {
		if severity(rep.Verdict) > severity(r.Overall) {
			r.Overall = rep.Verdict
		}
	}
	return r
}

// context makes what a report (or settle) judges the bounces with: the
// log as it stands, its clock, our domains and relays learnt from every
// bounce, settled or kept.
func (a *Analyzer) context(now time.Time) *reportCtx {
	rc := &reportCtx{a: a, st: a.logView(), opt: a.surgeOptions(now)}
	rc.shift, rc.zone = a.logClock(rc.st)
	if !a.logFirst.IsZero() {
		rc.logFirst, rc.logLast = a.logFirst.Add(rc.shift), a.logLast.Add(rc.shift)
	}
	rc.learnDomains()
	learnt := make([]string, 0, len(rc.learnt))
	for d := range rc.learnt {
		learnt = append(learnt, d)
	}
	sort.Strings(learnt)
	rc.pop = rc.st.index.Learn(bounceFacts(a.mails), attrib.LearnOptions{Domains: learnt, LogShift: rc.shift, Prior: &a.settled.votes})
	return rc
}

// bounceFacts yields the Facts of the bounces of ms.
func bounceFacts(ms []*Digest) func(yield func(*attrib.Facts) bool) {
	return func(yield func(*attrib.Facts) bool) {
		for _, d := range ms {
			if d.bounce && !yield(d.facts) {
				return
			}
		}
	}
}

// severity orders the verdicts for the headline.
func severity(v advice.Verdict) int {
	switch v {
	case advice.Hijacked:
		return 5
	case advice.Mixed:
		return 4
	case advice.Spoofed:
		return 3
	case advice.InsufficientEvidence:
		return 2
	case advice.Ordinary:
		return 1
	}
	return 0
}

func (r *reportCtx) period(g *aggregate) Period {
	a := r.a
	p := Period{BouncesFrom: g.bFirst, BouncesTo: g.bLast, LogFrom: r.logFirst, LogTo: r.logLast}
	first, last := g.bFirst, g.bLast
	if !r.logFirst.IsZero() && (first.IsZero() || r.logFirst.Before(first)) {
		first = r.logFirst
	}
	if r.logLast.After(last) {
		last = r.logLast
	}
	if !a.cfg.Since.IsZero() && (first.IsZero() || first.Before(a.cfg.Since)) {
		first = a.cfg.Since
	}
	if !a.cfg.Until.IsZero() && (last.IsZero() || last.After(a.cfg.Until)) {
		last = a.cfg.Until.Add(-time.Nanosecond)
	}
	p.From, p.To = hourSpan(first, last, a.loc)
	p.Hours = int(p.To.Sub(p.From) / time.Hour)
	return p
}

// hourSpan returns the hours [from, to) that cover first..last.
func hourSpan(first, last time.Time, loc *time.Location) (time.Time, time.Time) {
	if first.IsZero() {
		return time.Time{}, time.Time{}
	}
	from := first.In(loc).Truncate(time.Hour)
	to := last.In(loc).Truncate(time.Hour).Add(time.Hour)
	if hours := to.Sub(from) / time.Hour; hours > surge.MaxHours {
		from = to.Add(-surge.MaxHours * time.Hour)
	}
	return from, to
}

// align returns s over exactly the hours [from, to), zero where s has no
// count.
func align(s surge.Series, from, to time.Time, loc *time.Location) surge.Series {
	if from.IsZero() || !to.After(from) {
		return surge.Series{Start: from}
	}
	n := int(to.Sub(from) / time.Hour)
	out := surge.Series{Start: from.In(loc), Counts: make([]float64, n)}
	for i, v := range s.Counts {
		k := int(math.Floor(s.Hour(i).Sub(from).Hours()))
		if k >= 0 && k < n {
			out.Counts[k] += v
		}
	}
	return out
}

func summary(d surge.Surge) *SurgeSummary {
	return &SurgeSummary{
		Onset: d.Onset, End: d.End, Peak: d.Peak, PeakPerHour: d.PeakPerHour,
		BaselinePerHour: round2(d.BaselinePerHour), Total: d.Total, Excess: round2(d.Excess),
		Method: d.Method, PValue: d.PValue,
	}
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// decide weighs one account's evidence.
// leadBySent moves the onset s found in the bounces to the change point
// of the account's sent mail when that lies before it (surge.Lead): a
// flood sent from the account shows in the send log before its bounces
// come back. Onset then says "sent".
func (j *judge) leadBySent(s *SurgeSummary) {
	from, to := s.Onset.Add(-surge.LeadWindow-2*time.Hour), s.Onset.Add(time.Hour)
	m, ok := j.acc.log.sentMinutes(from, to, j.r.shift)
	if !ok {
		return
	}
	if on, ok := surge.Lead(s.Onset, m); ok {
		s.Onset, s.OnsetFrom = on, "sent"
		j.surge.ChangePoint = on
	}
}

func (j *judge) decide() AccountReport {
	acc, a := j.acc, j.a
	j.nO, j.nN, j.nU = acc.b.verdicts[0], acc.b.verdicts[1], acc.b.verdicts[2]
	j.nB = j.nO + j.nN + j.nU
	rep := AccountReport{
		Account: acc.key, Bounces: j.nB, BouncesOurs: j.nO, BouncesNotOurs: j.nN, BouncesUnknown: j.nU,
		BouncesInLog: acc.b.inLog, Complaints: acc.b.complaint, Sent: int(acc.log.sentN),
		LoginIPs: acc.log.nLoginIPs(), Recipients: acc.log.nRecipients(),
		AuthenticatedRelayed: acc.b.esmtpsa, VolumeRefusals: acc.b.refusals,
		Addresses: acc.log.topAddresses(5),
	}
	j.surge = surge.Detect(j.bSeries, j.r.opt)
	if j.surge.Detected {
		rep.Surge = pinned(j.surge, acc.b.minutes)
		if rep.Surge.OnsetPrecision == "minute" {
			j.surge.ChangePoint = rep.Surge.Onset
		}
		j.wFrom, j.wTo = j.surge.Onset.Add(-leadTime), j.surge.End
	}
	if j.hasLog && j.surge.Detected {
		// The log covers the surge when it has the surge's first and last
		// hours: hours, not instants, since a log that starts in the
		// onset hour before the first bounce saw everything.
		lf, lt := hourSpan(j.r.logFirst, j.r.logLast, a.loc)
		j.logCovers = !lf.After(j.surge.Onset) && !lt.Before(j.surge.End)
		if j.logCovers && rep.Surge.OnsetPrecision == "minute" {
			j.leadBySent(rep.Surge)
		}
		if j.logCovers || overlaps(lf, lt, j.wFrom, j.wTo) {
			j.window = surge.CheckWindow(j.sSeries, j.wFrom, j.wTo, j.r.opt)
			rep.SentDuringSurge = &WindowSummary{
				From: j.window.From, To: j.window.To, Observed: j.window.Observed,
				Expected: round2(j.window.Expected), Ratio: round2(j.window.Ratio), Jump: j.window.Jump, Method: j.window.Method,
			}
		}
		j.longHistory = !j.r.logFirst.After(j.wFrom.Add(-historyNeeded))
		j.logins()
		j.recipients()
	}
	if j.surge.Detected {
		j.beh = j.weighBehaviour()
		j.campaign = j.campaignFacts(j.beh)
	}
	rep.NewLoginIPs, rep.NewLoginNetworks, rep.FailedLogins = j.newIPs, j.newNets, j.fails
	rep.FirstTimeRecipients = j.firstTime
	if rep.NewLoginIPs == nil {
		rep.NewLoginIPs = []string{}
	}
	rep.Verdict, rep.Confidence = j.verdict()
	rep.NewLoginIPs = append(rep.NewLoginIPs, j.laterIPs...)
	j.campaignBeside(rep.Verdict)
	rep.Campaign = j.campaign
	for _, s := range j.ev {
		rep.EvidenceSignals = append(rep.EvidenceSignals, s.signal)
		rep.EvidenceEn = append(rep.EvidenceEn, s.en)
		rep.EvidenceJa = append(rep.EvidenceJa, s.ja)
		if j.lg == advice.Japanese {
			rep.Evidence = append(rep.Evidence, s.ja)
		} else {
			rep.Evidence = append(rep.Evidence, s.en)
		}
	}
	rep.Signals, rep.Missing = j.signals, j.missing
	if rep.Missing == nil {
		rep.Missing = []string{}
	}
	rep.Reasons = reasonCounts(acc.b.reasons, j.lg)
	var tops []reason.Reason
	for _, rc := range rep.Reasons {
		tops = append(tops, rc.Reason)
	}
	pc := advice.PlanContext{
		Account: accountAddress(acc), Domain: domainOf(accountAddress(acc)),
		MissingEvidence: rep.Missing, TopReasons: tops,
	}
	if c := j.campaign; c != nil && rep.Verdict != advice.InsufficientEvidence {
		pc.Campaign = &advice.CampaignContext{Start: c.Start, Subject: c.Subject, Sent: c.Sent, Bounced: c.Bounced, HardBounces: c.HardBounces}
	}
	rep.Plan = advice.Plan(rep.Verdict, j.lg, pc)
	return rep
}

// accountAddress is the address to name in the plan: the login when it
// is an address, else its most used sender address.
func accountAddress(acc *account) string {
	if strings.Contains(acc.key, "@") {
		return acc.key
	}
	if t := acc.log.topAddresses(1); len(t) > 0 {
		return t[0]
	}
	return acc.key
}

func overlaps(a0, a1, b0, b1 time.Time) bool { return a0.Before(b1) && b0.Before(a1) }

// logins finds the IP addresses the account logged in from for the first
// time in the window, and the failed logins around it.
func (j *judge) logins() {
	if j.wFrom.IsZero() {
		return
	}
	// The log's times are shifted at report time: the window is shifted
	// back to compare with them.
	sh := int64(j.r.shift / time.Second)
	w0, w1 := j.wFrom.Unix()-sh, j.wTo.Unix()-sh
	oldNets := map[netip.Prefix]bool{}
	var fresh []netip.Addr
	j.acc.log.eachLoginIP(func(ip netip.Addr, first int64) {
		if first < w0 {
			oldNets[network(ip)] = true
		} else if first < w1 {
			fresh = append(fresh, ip)
		}
	})
	if j.longHistory && len(oldNets) > 0 {
		sort.Slice(fresh, func(i, k int) bool { return fresh[i].Less(fresh[k]) })
		nets := map[netip.Prefix]bool{}
		for _, ip := range fresh {
			j.newIPs = append(j.newIPs, ip.String())
			if n := network(ip); !oldNets[n] {
				nets[n] = true
			}
		}
		j.newNets = len(nets)
	}
	for _, t := range j.acc.log.authFails() {
		if t >= w0-int64(historyNeeded/time.Second) && t < w1 {
			j.fails++
		}
	}
}

// network is the /24 (IPv4) or /48 (IPv6) of p.
func network(p netip.Addr) netip.Prefix {
	bits := 48
	if p.Is4() {
		bits = 24
	}
	n, _ := p.Prefix(bits)
	return n
}

// recipients counts the recipients first mailed in the window.
func (j *judge) recipients() {
	if j.wFrom.IsZero() || !j.longHistory {
		return
	}
	sh := int64(j.r.shift / time.Second)
	w0, w1 := j.wFrom.Unix()-sh, j.wTo.Unix()-sh
	j.acc.log.recipients(func(first int64) {
		if first >= w0 && first < w1 {
			j.firstTime++
		}
	})
}

// verdict decides, saying why.
func (j *judge) verdict() (advice.Verdict, float64) {
	acc := j.acc
	attributed := j.nO + j.nN
	oursSide := j.nO >= minCount && float64(j.nO) >= minShare*float64(attributed)
	notOursSide := j.nN >= minCount && float64(j.nN) >= minShare*float64(attributed)
	oursDominant := j.nO > 0 && float64(j.nO) >= dominant*float64(j.nN) && float64(j.nO) >= 0.3*float64(j.nB)
	notOursDominant := j.nN > 0 && float64(j.nN) >= dominant*float64(j.nO) && float64(j.nN) >= 0.3*float64(j.nB)
	sentJump := j.window.Jump
	sentKnown := j.logCovers && j.window.Method != surge.MethodNone && j.window.Method != ""
	refused := acc.b.refusals > 0
	newIPs := len(j.newIPs) > 0
	firstBurst := j.firstTime >= minFirstTime && j.window.Observed > 0 && float64(j.firstTime) >= firstTimeShare*j.window.Observed
	// Authenticated submission is how every legitimate message of the
	// account leaves too: it speaks only when it is a real share of a
	// surge's bounces.
	authRelayed := j.surge.Detected && acc.b.esmtpsa > 0 && float64(acc.b.esmtpsa) >= minShare*float64(j.nB)

	j.describeBounces()
	j.describeVolume(sentKnown)
	if newIPs {
		shown := j.newIPs
		if len(shown) > 5 {
			shown = shown[:5]
		}
		first := j.firstNewLogin()
		j.say(SignalNewLoginIPs,
			fmt.Sprintf("SASL logins for %s came from %s never seen before for this account (%s; %s), the first at %s",
				acc.key, plural(len(j.newIPs), "IP address", "IP addresses"), strings.Join(shown, ", "), plural(j.newNets, "new network", "new networks"), j.fmtTime(first)),
			fmt.Sprintf("%s への SASL ログインが、これまでに使われたことのない IP アドレス %s 件（%s、新しいネットワーク %d 件）からあり、最初は %s です",
				acc.key, num(len(j.newIPs)), strings.Join(shown, ", "), j.newNets, j.fmtTime(first)))
		j.describePlaces()
	}
	if j.fails > 0 {
		j.say(SignalFailedLogins,
			fmt.Sprintf("%s for %s in the day before and during the surge: someone may have been guessing the password", plural(j.fails, "failed login", "failed logins"), acc.key),
			fmt.Sprintf("急増の前日から期間中にかけて %s へのログイン失敗が %s 回あります（パスワードを推測されていた可能性があります）", acc.key, num(j.fails)))
	}
	if firstBurst {
		j.say(SignalFirstTimeRcpts,
			fmt.Sprintf("%s of the mail sent in the window went to %s this account had never mailed before",
				pct(float64(j.firstTime)/j.window.Observed), plural(j.firstTime, "recipient", "recipients")),
			fmt.Sprintf("期間中の送信の %s は、このアカウントがこれまで一度も送ったことのない宛先（%s 件）へのものです",
				pct(float64(j.firstTime)/j.window.Observed), num(j.firstTime)))
	}
	if authRelayed {
		j.say(SignalESMTPSA,
			fmt.Sprintf("%s passed our relay as an authenticated submission (ESMTPA/ESMTPSA or the submission server's authentication headers): whoever sent them had the account's password",
				plural(acc.b.esmtpsa, "returned message", "returned messages")),
			fmt.Sprintf("返送されたメッセージ %s 件は、認証付き送信（ESMTPA/ESMTPSA）で当方のリレーを通っています。送信者はアカウントのパスワードを持っていました", num(acc.b.esmtpsa)))
	}
	if refused {
		j.say(SignalVolumeRefusal,
			fmt.Sprintf("%s refuse the account itself for its volume or for spam: «%s»", plural(acc.b.refusals, "bounce", "bounces"), acc.b.refusalEx),
			fmt.Sprintf("バウンス %s 件で、送信量またはスパム送信を理由にアカウント自体が拒否されています：「%s」", num(acc.b.refusals), acc.b.refusalEx))
	}
	if acc.b.complaint > 0 {
		j.say(SignalComplaints,
			fmt.Sprintf("%s (ARF) about mail from this account", plural(acc.b.complaint, "spam complaint", "spam complaints")),
			fmt.Sprintf("このアカウントからのメールに対する迷惑メール苦情（ARF）が %s 件あります", num(acc.b.complaint)))
	}

	hijackSignals := 0
	for _, b := range []bool{newIPs, firstBurst, authRelayed, refused, j.fails >= 10} {
		if b {
			hijackSignals++
		}
	}
	conf := func(base float64, plus ...bool) float64 {
		c := base
		for _, p := range plus {
			if p {
				c += 0.1
			}
		}
		return math.Min(0.98, math.Max(0.05, math.Round(c*100)/100))
	}

	switch {
	case refused && !notOursDominant:
		// A sending limit met by the account's own newsletter is not a
		// hijack; a refusal for spam always is.
		changed := j.describeBehaviour()
		if intrusion := newIPs || j.fails >= 10; acc.b.rateOnly == acc.b.refusals && (sentKnown || sentJump) && j.legitimateCampaign(intrusion, changed) {
			j.describeCampaign(intrusion)
			j.say("",
				"The refusals name our provider's sending limit, not spam: the campaign went out faster than the limit allows; send it in smaller batches",
				"拒否の理由はスパムではなく、プロバイダーの送信数の上限です。一斉送信が上限を超える速さで送られました。小分けにして送ってください")
			return advice.Ordinary, conf(0.5, j.beh.oneSubject(), len(j.beh.recurring) > 0)
		}
		return advice.Hijacked, conf(0.6, sentJump, oursDominant, newIPs, firstBurst, authRelayed, changed >= 2)

	case oursSide && notOursSide && (sentJump || hijackSignals > 0):
		// Our own campaign on the day our address is forged is not a
		// hijack: the forged part is spoofing.
		changed := j.describeBehaviour()
		if intrusion := newIPs || j.fails >= 10; (sentKnown || sentJump) && j.legitimateCampaign(intrusion, changed) {
			j.describeCampaign(intrusion)
			return advice.Spoofed, conf(0.5, j.nN >= j.nO, j.beh.oneSubject(), len(j.beh.recurring) > 0)
		}
		if !sentKnown {
			// No log covers the surge: the returned messages' headers
			// show both sides (issue 11 §1).
			j.missingLog()
			j.hijackHeaders()
			j.spoofHeaders()
		}
		return advice.Mixed, conf(0.5, sentJump, newIPs, firstBurst, j.logCovers)

	case oursDominant && (j.surge.Detected || sentJump):
		changed := j.describeBehaviour()
		intrusion := newIPs || refused || j.fails >= 10
		switch {
		case (sentKnown || sentJump) && j.legitimateCampaign(intrusion, changed):
			j.describeCampaign(intrusion)
			return advice.Ordinary, conf(0.55, j.beh.oneSubject(), len(j.beh.recurring) > 0, j.beh.stableDomains(), changed == 0)
		case !j.hasLog && !newIPs && changed == 0 && !j.newClientNets() && j.legitimateCampaign(intrusion, changed):
			j.missingLog()
			j.describeCampaign(intrusion)
			return advice.Ordinary, 0.45
		case sentJump:
			// Only a log that names the logins can say they came from
			// the usual address (a panel's counts name none).
			if !newIPs && changed >= 2 && j.longHistory && j.acc.log.nLoginIPs() > 0 {
				j.ownAddress()
			}
			return advice.Hijacked, conf(0.6, newIPs, firstBurst, authRelayed, float64(acc.b.inLog) >= 0.5*float64(j.nB), j.fails >= 10, changed >= 2)
		case sentKnown && hijackSignals == 0 && changed == 0:
			j.say(SignalOrdinaryCampaign,
				"The bounces are for mail we sent, at the account's usual volume, with no new login addresses: failures of ordinary mail",
				"バウンスは当方が通常の送信量で送ったメールに対するもので、新しいログイン元もありません。通常の配信エラーです")
			return advice.Ordinary, conf(0.6, j.nO >= 10*max(j.nN, 1))
		case sentKnown:
			// Our bounces surge with signs of intrusion, but the volume
			// did not jump: a slow or early hijack.
			return advice.Hijacked, conf(0.45, newIPs, firstBurst, authRelayed)
		case authRelayed || newIPs:
			// No log covers the surge: the returned messages' headers
			// decide (issue 11 §1).
			j.missingLog()
			manyClients, signed := j.hijackHeaders()
			return advice.Hijacked, conf(0.45, authRelayed, newIPs, firstBurst, manyClients, signed)
		default:
			j.missingLog()
			return advice.InsufficientEvidence, 0.3
		}

	case notOursDominant:
		if sentJump {
			// Sent mail jumped, though the bounces we can place are not
			// ours: both at once.
			return advice.Mixed, conf(0.4, newIPs, firstBurst)
		}
		if !j.surge.Detected && j.nN < 20 {
			j.say(SignalNoSurge,
				"No surge: a few bounces for mail that did not come from us, at an everyday level",
				"急増はありません。当方から送られていないメールへのバウンスが少数、日常的な水準で届いています")
			return advice.Ordinary, conf(0.5, sentKnown)
		}
		if !sentKnown {
			j.missingLog()
			j.spoofHeaders()
		}
		return advice.Spoofed, conf(0.55, sentKnown, float64(j.nN) >= 0.9*float64(j.nB), j.nO == 0)

	case !j.surge.Detected && !sentJump:
		j.say(SignalNoSurge,
			"No surge: the bounces arrive at a normal rate",
			"急増はありません。バウンスは通常の頻度で届いています")
		if j.nO > 0 || !j.hasLog {
			return advice.Ordinary, conf(0.55, oursDominant, j.hasLog)
		}
		return advice.Ordinary, 0.5

	case sentJump:
		return advice.Hijacked, conf(0.45, newIPs, firstBurst, authRelayed)
	}
	// A surge whose bounces cannot be placed.
	if !j.hasLog || !j.logCovers {
		j.missingLog()
	}
	if acc.b.noOrig*2 >= j.nB {
		j.missing = append(j.missing, advice.EvidenceReceivedChain)
	}
	if sentKnown && acc.b.noOrig*2 < j.nB {
		// The log covers the window, the volume stayed normal, and the
		// returned messages are not in the log.
		return advice.Spoofed, 0.45
	}
	if sentKnown {
		j.say(SignalSentNormal,
			"The bounces returned too little of the original to match it, but our sent volume stayed normal: more likely forged mail",
			"バウンスに元のメッセージがほとんど含まれず照合できませんが、当方の送信量は通常どおりです。なりすましの可能性が高いです")
		return advice.Spoofed, 0.4
	}
	return advice.InsufficientEvidence, 0.3
}

// hijackHeaders says what the returned messages show of a hijack when no
// log covers it: where and how they entered the mail system, from how
// many clients, with whose signature. It reports whether the clients
// were many (three networks or more) and whether most carried our
// signature.
func (j *judge) hijackHeaders() (manyClients, signed bool) {
	b := &j.acc.b
	auth := 0
	var how []string
	for _, k := range sortedKeys(b.authVia) {
		auth += b.authVia[k]
		how = append(how, fmt.Sprintf("%s ×%s", k, num(b.authVia[k])))
	}
	relay := "our server"
	relayJa := "当方のサーバー"
	if rs := j.r.pop.Relays; len(rs) > 0 {
		relay, relayJa = rs[0].Host, rs[0].Host
		if rs[0].Org {
			relay, relayJa = "our provider's servers at "+rs[0].Host, "当方のプロバイダーのサーバー（"+rs[0].Host+"）"
		}
	}
	nets, _, _ := b.clientNets(0, 0)
	manyClients = j.newClientNets()
	j.say(SignalBouncesOnly,
		"This verdict rests on the returned messages alone (no send log covers the surge): their headers show where and how they entered the mail system",
		"この判定は返送されたメッセージだけに基づいています（急増の期間の送信ログがありません）。ヘッダーから、どこからどのように送信されたかがわかります")
	if auth > 0 {
		_, old, fresh := b.clientNets(j.wFrom.Unix(), j.wTo.Unix())
		en := fmt.Sprintf("%s of %s returned messages entered %s by authenticated submission (%s) from %s in %s",
			num(auth), num(j.nB), relay, strings.Join(how, ", "), plural(len(b.clients), "client address", "client addresses"), plural(nets, "network", "networks"))
		ja := fmt.Sprintf("返送されたメッセージ %s 件のうち %s 件は、%s に認証付き送信で入っています（%s）。送信元のクライアントは %s 個のアドレス（%s 個のネットワーク）です",
			num(j.nB), num(auth), relayJa, strings.Join(how, "、"), num(len(b.clients)), num(nets))
		if old > 0 && fresh > 0 {
			en += fmt.Sprintf(", %s never seen in the account's earlier bounces", plural(fresh, "network", "networks"))
			ja += fmt.Sprintf("。そのうち %s 個のネットワークは、このアカウントのそれ以前のバウンスには一度も現れていません", num(fresh))
		}
		en += ": whoever sent them logged in with the account's password"
		ja += "。送信者はアカウントのパスワードでログインしています"
		j.say(SignalAuthClients, en, ja)
	}
	nSig := 0
	for _, n := range b.dkimOurs {
		nSig += n
	}
	signed = nSig*2 >= j.nO && nSig > 0
	if nSig > 0 {
		sigs := sortedKeys(b.dkimOurs)
		j.say(SignalDKIMOurs,
			fmt.Sprintf("%s of them carry our DKIM signature (%s): they left through our provider's server", num(nSig), strings.Join(sigs, "; ")),
			fmt.Sprintf("そのうち %s 件に当方の DKIM 署名（%s）があり、当方のプロバイダーのサーバーから送信されています", num(nSig), strings.Join(sigs, "；")))
	}
	return manyClients, signed
}

// newClientNets reports whether the authenticated submissions of the
// surge came from networks the account's earlier bounces never showed
// (or, with no earlier ones, from three networks or more): the bounces'
// own sign of an intruder when no log shows the logins.
func (j *judge) newClientNets() bool {
	if j.wFrom.IsZero() {
		return false
	}
	all, old, fresh := j.acc.b.clientNets(j.wFrom.Unix(), j.wTo.Unix())
	if old > 0 {
		return fresh > 0
	}
	return all >= 3
}

// spoofHeaders says what the returned messages show of a forgery when no
// log covers it.
func (j *judge) spoofHeaders() {
	b := &j.acc.b
	if !slices.Contains(j.signals, SignalBouncesOnly) {
		j.say(SignalBouncesOnly,
			"This verdict rests on the returned messages alone (no send log covers the surge): their headers show where they entered the mail system",
			"この判定は返送されたメッセージだけに基づいています（急増の期間の送信ログがありません）。ヘッダーから、どこから送信されたかがわかります")
	}
	if b.unauth > 0 {
		j.say(SignalUnauthenticatedEntry,
			fmt.Sprintf("%s of %s returned messages entered the mail system straight from clients that never logged in (their Received chains start at other people's machines) and never passed our relays", num(b.unauth), num(j.nB)),
			fmt.Sprintf("返送されたメッセージ %s 件のうち %s 件は、ログインしていないクライアントから直接送信され（Received が第三者のマシンから始まっています）、当方のリレーを一度も経由していません", num(j.nB), num(b.unauth)))
	}
	if b.dkimAbsent > 0 {
		j.say(SignalDKIMAbsent,
			fmt.Sprintf("%s of them carry no DKIM signature of ours, though our server signs every message it sends (d=%s)", num(b.dkimAbsent), j.r.pop.Signs()),
			fmt.Sprintf("そのうち %s 件には当方の DKIM 署名がありません。当方のサーバーは送信するすべてのメールに署名しています（d=%s）", num(b.dkimAbsent), j.r.pop.Signs()))
	}
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, k int) bool {
		if m[out[i]] != m[out[k]] {
			return m[out[i]] > m[out[k]]
		}
		return out[i] < out[k]
	})
	return out
}

// legitimateCampaign decides whether a surge of bounces of mail we sent
// is the account's own mailing (a newsletter) rather than a hijack
// (issue 11 §2). It needs positive evidence of a campaign—one subject,
// not of spam's shape, holding most of the surge's bounces, or the same
// hours of an earlier week holding as much mail—and rules a campaign out
// on any sign of an intruder (intrusion: logins from new networks, our
// provider refusing the account, a run of failed logins), on subjects of
// spam's shape, or on two of the other changes a hijack brings (odd
// hours, recipients spread over unrelated domains, a Message-ID form or
// mail program never seen for the account): changed counts those four.
// Malware on the owner's own PC logs in from the usual address but
// still changes the hours, the subjects, the recipients and the program.
func (j *judge) legitimateCampaign(intrusion bool, changed int) bool {
	f := j.beh
	if intrusion || f.spammy() || changed >= 2 {
		return false
	}
	if !f.oneSubject() && len(f.recurring) == 0 {
		return false
	}
	return !j.intruderAfter()
}

// missingLog notes the missing send log.
func (j *judge) missingLog() {
	for _, m := range j.missing {
		if m == advice.EvidenceSendLog {
			return
		}
	}
	j.missing = append(j.missing, advice.EvidenceSendLog)
	if !j.hasLog {
		j.say(SignalNoSendLog,
			"No send log was given: whether these messages left our server cannot be checked; give the mail server's log (Postfix, Exim, Sendmail) or the control panel's sent counts",
			"送信ログが与えられていないため、これらのメールが当方のサーバーから出たかどうかを確認できません。メールサーバーのログ（Postfix、Exim、Sendmail）かコントロールパネルの送信数を指定してください")
	} else {
		j.say(SignalLogMissesWindow,
			fmt.Sprintf("The send log (%s to %s) does not cover the surge: give the log of that time", j.fmtTime(j.r.logFirst), j.fmtTime(j.r.logLast)),
			fmt.Sprintf("送信ログ（%s〜%s）が急増の期間を含んでいません。その期間のログを指定してください", j.fmtTime(j.r.logFirst), j.fmtTime(j.r.logLast)))
	}
}

// describeBounces says what the attribution found.
func (j *judge) describeBounces() {
	acc := j.acc
	if j.surge.Detected {
		j.say(SignalBounceSurge,
			fmt.Sprintf("Bounces surged from %s to %s: peak %s/hour at %s against a normal %s/hour (%s in the surge)",
				j.fmtTime(onsetOf(j.surge)), j.fmtTime(j.surge.End), num(int(j.surge.PeakPerHour)), j.fmtTime(j.surge.Peak),
				rate(j.surge.BaselinePerHour), num(int(j.surge.Total))),
			fmt.Sprintf("%s から %s にかけてバウンスが急増しました。ピークは %s に 1 時間あたり %s 件、通常は 1 時間あたり %s 件です（急増中 %s 件）",
				j.fmtTime(onsetOf(j.surge)), j.fmtTime(j.surge.End), j.fmtTime(j.surge.Peak), num(int(j.surge.PeakPerHour)),
				rate(j.surge.BaselinePerHour), num(int(j.surge.Total))))
		j.describeOtherSurges()
	}
	if j.nO > 0 {
		en := fmt.Sprintf("%s of %s bounced messages were sent by our server", num(j.nO), num(j.nB))
		ja := fmt.Sprintf("バウンス %s 件のうち %s 件は当方のサーバーが送信したメッセージです", num(j.nB), num(j.nO))
		if acc.b.inLog > 0 {
			logName := "send log"
			en += fmt.Sprintf(" (%s found in our %s", num(acc.b.inLog), logName)
			ja += fmt.Sprintf("（送信ログで %s 件を確認", num(acc.b.inLog))
			if strings.Contains(acc.key, "@") || acc.log.nLoginIPs() > 0 {
				en += fmt.Sprintf(", sent by account %s", acc.key)
				ja += fmt.Sprintf("、送信アカウント %s", acc.key)
			}
			en += ")"
			ja += "）"
		}
		j.say(SignalBouncesOurs, en, ja)
		if acc.b.inLog > 0 {
			j.signals = append(j.signals, SignalBouncesInSendLog)
		}
	}
	if j.nN > 0 {
		j.say(SignalBouncesNotOurs,
			fmt.Sprintf("%s of %s bounced messages were not sent by us (not in our log, foreign relays, Message-IDs or signatures): backscatter for forged mail", num(j.nN), num(j.nB)),
			fmt.Sprintf("バウンス %s 件のうち %s 件は当方が送信したものではありません（送信ログにない、他者のリレー・Message-ID・署名）。なりすましメールの跳ね返り（バックスキャッター）です", num(j.nB), num(j.nN)))
	}
	if j.nU > 0 && j.nU*2 >= j.nB {
		en := fmt.Sprintf("%s of %s bounced messages cannot be placed", num(j.nU), num(j.nB))
		ja := fmt.Sprintf("バウンス %s 件のうち %s 件は送信元を判定できません", num(j.nB), num(j.nU))
		if acc.b.noOrig*2 >= j.nU {
			en += ": they returned nothing of the original message"
			ja += "（元のメッセージが返送されていません）"
			j.signals = append(j.signals, SignalNoOriginals)
		}
		j.say(SignalBouncesUnknown, en, ja)
	}
}

// describeVolume says what the send log shows over the window.
func (j *judge) describeVolume(sentKnown bool) {
	if !j.hasLog {
		return
	}
	w := j.window
	if !sentKnown {
		return
	}
	if c := j.acc.log.counted(); c > 0 && c == int(j.acc.log.sentN) { // only a panel's CSV counts
		j.signals = append(j.signals, SignalCountsOnly)
	}
	if w.Jump {
		j.say(SignalSentJump,
			fmt.Sprintf("Our server sent %s messages for this account from %s to %s, against %s expected (%s×)",
				num(int(w.Observed)), j.fmtTime(w.From), j.fmtTime(w.To), rate(w.Expected), ratio(w.Ratio)),
			fmt.Sprintf("%s から %s までに当方のサーバーはこのアカウントから %s 通を送信しました。通常は %s 通です（%s 倍）",
				j.fmtTime(w.From), j.fmtTime(w.To), num(int(w.Observed)), rate(w.Expected), ratio(w.Ratio)))
		if w.Method == surge.MethodAbsolute {
			j.signals = append(j.signals, SignalShortHistory)
		}
		return
	}
	j.say(SignalSentNormal,
		fmt.Sprintf("Our sent volume for this account stayed normal from %s to %s: %s messages against %s expected",
			j.fmtTime(w.From), j.fmtTime(w.To), num(int(w.Observed)), rate(w.Expected)),
		fmt.Sprintf("%s から %s までのこのアカウントの送信量は通常どおりです（%s 通、通常 %s 通）",
			j.fmtTime(w.From), j.fmtTime(w.To), num(int(w.Observed)), rate(w.Expected)))
}

func (j *judge) firstNewLogin() time.Time {
	var t int64
	for _, ip := range j.newIPs {
		p, _ := netip.ParseAddr(ip)
		if f := j.acc.log.loginFirst(p); t == 0 || f < t {
			t = f
		}
	}
	return time.Unix(t, 0).Add(j.r.shift)
}

func (j *judge) fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(j.a.loc).Format("2006-01-02 15:04 MST")
}

// num writes n with thousands separators.
func num(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return num(n) + " " + many
}

func rate(x float64) string {
	switch {
	case x >= 100:
		return num(int(math.Round(x)))
	case x >= 10:
		return strconv.FormatFloat(x, 'f', 0, 64)
	}
	return strconv.FormatFloat(x, 'f', 1, 64)
}

func ratio(x float64) string {
	if x >= 10 {
		return num(int(math.Round(x)))
	}
	return strconv.FormatFloat(x, 'f', 1, 64)
}

func pct(x float64) string { return strconv.FormatFloat(100*x, 'f', 0, 64) + "%" }

func reasonCounts(m map[reason.Reason]int, l advice.Lang) []ReasonCount {
	out := []ReasonCount{}
	for r, n := range m {
		e := advice.For(r, l)
		out = append(out, ReasonCount{Reason: r, Count: n, Title: e.Title, Summary: e.Summary})
	}
	sort.Slice(out, func(i, k int) bool {
		if out[i].Count != out[k].Count {
			return out[i].Count > out[k].Count
		}
		return out[i].Reason < out[k].Reason
	})
	return out
}

func top(m map[string]int, n int) []Count {
	out := []Count{}
	for k, v := range m {
		out = append(out, Count{k, v})
	}
	sort.Slice(out, func(i, k int) bool {
		if out[i].Count != out[k].Count {
			return out[i].Count > out[k].Count
		}
		return out[i].Value < out[k].Value
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func topKeys(m map[string]int, n int) []string {
	out := []string{}
	for _, c := range top(m, n) {
		out = append(out, c.Value)
	}
	return out
}

// describeOtherSurges names the surges besides the one described (the
// largest): two floods a day apart are two onsets, and the owner must
// hear of the first too.
func (j *judge) describeOtherSurges() {
	if j.surge.Episodes < 2 {
		return
	}
	var en, ja []string
	hs := j.surge.Hours
	for i := 0; i < len(hs); i++ {
		if !hs[i].InSurge {
			continue
		}
		k, n := i, 0.0
		for ; k < len(hs) && hs[k].InSurge; k++ {
			n += hs[k].Count
		}
		if from := hs[i].Time; !from.Equal(j.surge.Onset) {
			to := hs[k-1].Time.Add(time.Hour)
			en = append(en, fmt.Sprintf("from %s to %s (%s)", j.fmtTime(from), j.fmtTime(to), plural(int(n), "bounce", "bounces")))
			ja = append(ja, fmt.Sprintf("%s〜%s（%s 件）", j.fmtTime(from), j.fmtTime(to), num(int(n))))
		}
		i = k
	}
	if len(en) == 0 {
		return
	}
	j.say(SignalOtherSurges,
		fmt.Sprintf("Bounces also surged at other times: %s", strings.Join(en, "; ")),
		fmt.Sprintf("ほかの時間帯にもバウンスが急増しています：%s", strings.Join(ja, "、")))
}
