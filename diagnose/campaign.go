package diagnose

import (
	"fmt"
	"math"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/reason"
)

// This file tells a legitimate campaign from a hijack (issue 11 §2). A
// newsletter raises the sent volume and the bounces just as a hijack
// does; what a hijack changes besides the volume is who logs in (new
// networks, see logins in verdict.go), when (hours the account never
// sends at), what (many subjects of spam shape), to whom (addresses
// spread over unrelated domains) and with what (a Message-ID form or
// mail program never seen for the account). The log's part is kept per
// account as the log arrives (logAcct.shapes, logAcct.doms: first-seen
// times are minima, counts are sums, so any order gives the same state);
// the bounces' part is read once per bounce (Digest) and gathered per
// account at report time (bounceAcct.beh), when everything is weighed
// against the surge's window.

// Bounds of the per-account state: past them, new keys are counted under
// one "other" key (forms, subjects) or dropped (domains), so that a spam
// run with a new form or domain per message cannot grow it.
const (
	maxForms    = 64
	maxSubjects = 64
	maxDomains  = 4096
	smallDoms   = 16 // domains kept in a slice before a map
	otherKey    = "\x00other"
)

// formStat is one Message-ID form or mail program: when it was first
// seen (Unix seconds) and how often.
type formStat struct {
	key   string
	first int64
	n     int32
}

// forms is an account's forms, few in the common case (one mail program,
// one server), so a slice searched in order: no map per account.
type forms []formStat

// add counts key at t; it reports whether a new entry was made (its key
// may then be replaced by a shared copy).
func (fs *forms) add(key string, t int64) bool {
	if key == "" {
		return false
	}
	i := slices.IndexFunc(*fs, func(f formStat) bool { return f.key == key })
	if i < 0 && len(*fs) >= maxForms {
		key = otherKey
		i = slices.IndexFunc(*fs, func(f formStat) bool { return f.key == key })
	}
	made := i < 0
	if made {
		*fs = append(*fs, formStat{key: key, first: t})
		i = len(*fs) - 1
	}
	f := &(*fs)[i]
	if t < f.first {
		f.first = t
	}
	f.n++
	return made && key != otherKey
}

// domStat is one recipients' domain of an account (by hash): when it was
// first mailed and how many distinct recipients it has.
type domStat struct {
	h     uint64
	first int64
	n     int32
}

// domSet is an account's recipients' domains: a slice while few, a map
// past smallDoms, at most maxDomains.
type domSet struct {
	small   []domStat
	big     map[uint64]domStat
	dropped int
}

func (s *domSet) add(h uint64, t int64, newRcpt bool) {
	inc := int32(0)
	if newRcpt {
		inc = 1
	}
	if s.big == nil {
		for i := range s.small {
			if d := &s.small[i]; d.h == h {
				d.first, d.n = min(d.first, t), d.n+inc
				return
			}
		}
		if len(s.small) < smallDoms {
			s.small = append(s.small, domStat{h, t, inc})
			return
		}
		s.big = make(map[uint64]domStat, 2*smallDoms)
		for _, d := range s.small {
			s.big[d.h] = d
		}
		s.small = nil
	}
	if d, ok := s.big[h]; ok {
		d.first, d.n = min(d.first, t), d.n+inc
		s.big[h] = d
		return
	}
	if len(s.big) >= maxDomains {
		s.dropped++
		return
	}
	s.big[h] = domStat{h, t, inc}
}

func (s *domSet) each(f func(domStat)) {
	for _, d := range s.small {
		f(d)
	}
	for _, d := range s.big {
		f(d)
	}
}

func (s domSet) clone() domSet {
	c := domSet{small: append([]domStat(nil), s.small...), dropped: s.dropped}
	if s.big != nil {
		c.big = make(map[uint64]domStat, len(s.big))
		for k, v := range s.big {
			c.big[k] = v
		}
	}
	return c
}

// subjectHour is what the bounces of one subject in one hour returned.
type subjectHour struct {
	n      int    // bounce notices
	rcpts  int    // their failed recipients
	hard   int    // of them, hard bounces
	first  int64  // earliest send time (Unix seconds) of the returned messages
	last   int64  // and the latest
	sample string // the subject as written (decoded, one line); the least of them, whatever the order
}

// subjectStat is one normalised subject of the returned messages.
type subjectStat struct {
	spam  bool
	hours map[int64]*subjectHour // by the bounce's hour (Unix seconds / 3600)
}

// bounceBehaviour is what an account's bounces tell of its mail besides
// volume: the programs and subjects of the returned messages.
type bounceBehaviour struct {
	mailers  forms // X-Mailer / User-Agent, versions folded
	subjects map[string]*subjectStat
}

// digestBehaviour reads what the campaign rules need of a bounce into
// d: the returned message's subject (normalised and as written), its
// program, when it was sent (its Date, when plausible beside the
// bounce's), and its failed and hard-bounced recipients.
func (d *Digest) digestBehaviour(res *bounce.Result) {
	for _, r := range res.Records {
		switch r.Reason {
		case reason.Delivered, reason.Vacation, reason.Feedback:
			continue
		}
		d.failedN++
		if r.HardBounce {
			d.hardN++
		}
	}
	o := res.Returned()
	if o == nil || !d.dated {
		return
	}
	d.sentAt = d.t.Unix()
	if t, err := bounce.ParseMailDate(strings.TrimSpace(o.Date)); err == nil && !t.After(d.t.Add(time.Hour)) && t.After(d.t.Add(-7*24*time.Hour)) {
		d.sentAt = t.Unix()
	}
	if o.XMailer != "" {
		d.mailer = mailerKey(o.XMailer)
	}
	impersonal := stripPersonal(o.Subject)
	if d.subjKey = normSubject(impersonal); d.subjKey != "" {
		d.subjText = oneLine(impersonal, 120)
	}
}

// add gathers one bounce of the account (not one judged forged:
// backscatter tells nothing of our own mail).
func (b *bounceBehaviour) add(d *Digest) {
	if d.sentAt == 0 {
		return
	}
	b.mailers.add(d.mailer, d.sentAt)
	key := d.subjKey
	if key == "" {
		return
	}
	if b.subjects == nil {
		b.subjects = make(map[string]*subjectStat)
	}
	s := b.subjects[key]
	if s == nil {
		if len(b.subjects) >= maxSubjects {
			key = otherKey
			s = b.subjects[key]
		}
		if s == nil {
			s = &subjectStat{hours: make(map[int64]*subjectHour)}
			if key != otherKey {
				s.spam = spamSubject(d.subjText)
			}
			b.subjects[key] = s
		}
	}
	hour := d.t.Unix() / 3600
	h := s.hours[hour]
	if h == nil {
		h = &subjectHour{first: d.sentAt, last: d.sentAt}
		s.hours[hour] = h
	}
	h.first, h.last = min(h.first, d.sentAt), max(h.last, d.sentAt)
	if key != otherKey && (h.sample == "" || d.subjText < h.sample) {
		h.sample = d.subjText
	}
	h.n++
	h.rcpts += int(d.failedN)
	h.hard += int(d.hardN)
}

// clone copies b.
func (b *bounceBehaviour) clone() bounceBehaviour {
	c := bounceBehaviour{mailers: slices.Clone(b.mailers)}
	if b.subjects != nil {
		c.subjects = make(map[string]*subjectStat, len(b.subjects))
		for k, s := range b.subjects {
			ns := &subjectStat{spam: s.spam, hours: make(map[int64]*subjectHour, len(s.hours))}
			for h, sh := range s.hours {
				x := *sh
				ns.hours[h] = &x
			}
			c.subjects[k] = ns
		}
	}
	return c
}

// mailerKey folds the versions out of a program's name: "Microsoft
// Outlook 16.0" and "15.0" are one program; "Foxmail 7.2" another.
func mailerKey(x string) string {
	k := normSubject(strings.ToLower(x))
	for strings.Contains(k, "#.#") {
		k = strings.ReplaceAll(k, "#.#", "#")
	}
	return k
}

// spamVocabulary are words of the subjects spam and phishing runs use,
// in the languages a Japanese shop's mailbox sees, lower case. A shop's
// own words ("セール", "送料無料", "% off", "緊急告知", "当選者発表",
// "gift card") are left out on purpose: a newsletter uses them too.
var spamVocabulary = []string{
	// English
	"verify your", "verify now", "account has been suspended", "account suspended", "unusual sign-in", "unusual activity",
	"password expir", "action required", "could not be delivered", "unclaimed package", "parcel could not", "parcel is waiting",
	"overdue", "payment required", "unread messages", "a day from home", "bitcoin", "crypto investment", "investment opportunity",
	"you have won", "you've won", "lottery", "viagra", "casino", "hot singles", "luxury watches", "mailbox before",
	"mailbox is full", "urgent:",
	// Japanese
	"アカウントの確認", "アカウント情報", "アカウントが停止", "アカウント停止", "アカウントを停止", "利用停止", "停止のお知らせ",
	"ご利用確認", "お支払い方法の更新", "支払い方法を更新", "お支払い方法の確認", "カード会社", "不在通知", "お荷物のお届け",
	"未払い", "ご当選", "当選しました", "本人確認", "パスワードの有効期限", "不正ログイン", "ログインできなくなります",
	"セキュリティ警告", "利用照会", "自動更新に失敗", "副業", "高収入", "【緊急】",
	// Chinese, Korean, and European languages seen in spam runs
	"账户", "验证", "发票", "중요", "계정", "konto gesperrt", "bestätigen sie", "vérifiez votre", "compte suspendu",
	"verifique su", "cuenta suspendida",
}

// spamSubject reports whether a subject uses spam's vocabulary.
func spamSubject(s string) bool {
	s = strings.ToLower(s)
	for _, w := range spamVocabulary {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// behaviourFacts are the account's behaviour weighed over the surge's
// window [from, to).
type behaviourFacts struct {
	// Hours: share of the window's mail in hours the account does not
	// usually send at (its own history, else night 00:00–05:59), and
	// which hours those were.
	oddShare  float64
	oddHours  []int
	oddNight  bool // judged by the night rule (no history of its own)
	oddSample int  // messages (or bounces) weighed

	// Subjects of the window's bounces.
	subjBounces int      // bounces with a subject
	distinct    int      // distinct normalised subjects
	topKey      string   // the most frequent, normalised
	variantKeys []string // the other versions, when up to maxVariants subjects make one mailing (see weighBehaviour)
	variants    []string
	top         string  // and as written (its first in the window)
	topShare    float64 // its share
	topSpam     bool
	spamShare   float64 // share of bounces whose subject uses spam words

	// Recipients first mailed in the window, and the domains first
	// mailed in it.
	newRcpts      int
	domains       int     // domains never mailed before the window
	newDomainRcpt float64 // share of them at domains never mailed before the window

	// Forms: share of the window's messages whose Message-ID form was
	// never seen for the account before, and of the window's bounces
	// whose mail program was never seen.
	formKnown   bool // the account has earlier forms to compare with
	newFormMsgs int  // messages of the log in forms first seen in the window
	newForms    []string
	mailerKnown bool
	newMailer   int // bounces whose program was first seen in the window
	newMailers  []string

	// recurring: weeks back (1 to 4) in which the same hours of the same
	// weekday held as much of the account's mail (a scheduled newsletter).
	recurring []int
}

// Thresholds of the behaviour signals.
const (
	oddShareMin     = 0.5  // of the window's mail in unusual hours
	usualHourShare  = 0.02 // an hour of day holding this share of the history is usual
	minHistoryMsgs  = 50   // messages of history needed to learn usual hours
	spamShareMin    = 0.3  // of the bounces' subjects with spam words
	campaignShare   = 0.5  // one subject holds this share: a campaign
	abShare         = 0.8  // or two or three subjects together (an A/B or A/B/C test)
	maxVariants     = 3    // subjects of one mailing tested in versions
	spreadRatio     = 0.2  // distinct domains per new recipient
	minSpreadDoms   = 20   // and at least this many domains
	newDomainShare  = 0.5  // of new recipients at domains never mailed before
	newFormShareMin = 0.5  // of the window's messages in a form never seen
	minFormHistory  = 10   // messages of earlier forms needed to compare
	minBehaviour    = 20   // messages, bounces or recipients for a signal to speak
	recurringShare  = 0.5  // an earlier week's same hours held this share of the window's mail
	nightEnd        = 6    // night is 00:00 to 05:59 in the configured zone
	maxListedForms  = 3
	recurringWeeks  = 4
	unixHour        = 3600
	minCampaignSize = 20 // messages for a burst to be called a campaign
)

// weighBehaviour computes the behaviour facts over the window.
func (j *judge) weighBehaviour() behaviourFacts {
	var f behaviourFacts
	if j.wFrom.IsZero() {
		return f
	}
	w0, w1 := j.wFrom.Unix(), j.wTo.Unix()
	j.weighHours(&f)
	b := &j.acc.b.beh
	// The log's times are shifted at report time: its side of the
	// window is shifted back to compare with them.
	sh := int64(j.r.shift / time.Second)
	l0, l1 := w0-sh, w1-sh

	// Subjects.
	type agg struct {
		key       string
		n         int
		sample    string
		sampleT   int64
		spamShape bool
	}
	var subs []agg
	for k, s := range b.subjects {
		a := agg{key: k, spamShape: s.spam}
		for h, st := range s.hours {
			if t := h * unixHour; t >= w0 && t < w1 {
				a.n += st.n
				if a.sample == "" || t < a.sampleT {
					a.sample, a.sampleT = st.sample, t
				}
			}
		}
		if a.n > 0 {
			subs = append(subs, a)
			f.subjBounces += a.n
			if s.spam {
				f.spamShare += float64(a.n)
			}
		}
	}
	if f.subjBounces > 0 {
		sort.Slice(subs, func(i, k int) bool {
			if subs[i].n != subs[k].n {
				return subs[i].n > subs[k].n
			}
			return subs[i].key < subs[k].key
		})
		f.distinct = len(subs)
		f.spamShare /= float64(f.subjBounces)
		if subs[0].key != otherKey {
			f.topKey, f.top, f.topSpam = subs[0].key, subs[0].sample, subs[0].spamShape
			f.topShare = float64(subs[0].n) / float64(f.subjBounces)
			// Two or three subjects of ours, none of spam's shape,
			// holding nearly all: one mailing tested in versions
			// (A/B, A/B/C).
			if f.topShare < campaignShare && !subs[0].spamShape {
				n := subs[0].n
				for k := 1; k < len(subs) && k < maxVariants; k++ {
					if subs[k].key == otherKey || subs[k].spamShape {
						break
					}
					n += subs[k].n
					if float64(n) >= abShare*float64(f.subjBounces) {
						for _, v := range subs[1 : k+1] {
							f.variantKeys, f.variants = append(f.variantKeys, v.key), append(f.variants, v.sample)
						}
						f.topShare = float64(n) / float64(f.subjBounces)
						break
					}
				}
			}
		}
	}

	// Recipients first mailed in the window, and the domains first
	// mailed in it (all of whose recipients are then new too).
	j.acc.log.recipients(func(first int64) {
		if first >= l0 && first < l1 {
			f.newRcpts++
		}
	})
	old, fresh := 0, 0
	j.acc.log.doms.each(func(d domStat) {
		switch {
		case d.first < l0:
			old++
		case d.first < l1:
			f.domains++
			fresh += int(d.n)
		}
	})
	if f.newRcpts > 0 && old > 0 {
		f.newDomainRcpt = math.Min(1, float64(fresh)/float64(f.newRcpts))
	}

	// Forms of the Message-IDs in the log, and of the programs in the
	// returned messages.
	f.formKnown, f.newFormMsgs, f.newForms = newForms(j.acc.log.shapes, l0, l1)
	f.mailerKnown, f.newMailer, f.newMailers = newForms(b.mailers, w0, w1)
	for i, m := range f.newMailers {
		f.newMailers[i] = strings.TrimSpace(strings.ReplaceAll(m, "#", "")) // "foxmail #" reads "foxmail"
	}
	return f
}

// newForms weighs the forms first seen in [w0, w1) against those seen
// before: known says there were enough earlier ones, fresh counts the uses
// of the forms first seen in the window (their whole counts: a form first
// seen in the window was used from then on), names the most used of them.
func newForms(m forms, w0, w1 int64) (known bool, fresh int, names []string) {
	old := 0
	type named struct {
		k string
		n int
	}
	var list []named
	for _, f := range m {
		switch {
		case f.first < w0:
			old += int(f.n)
		case f.first < w1:
			fresh += int(f.n)
			if f.key != otherKey {
				list = append(list, named{f.key, int(f.n)})
			}
		}
	}
	known = old >= minFormHistory
	if !known || fresh < minBehaviour {
		return known, 0, nil
	}
	sort.Slice(list, func(i, k int) bool {
		if list[i].n != list[k].n {
			return list[i].n > list[k].n
		}
		return list[i].k < list[k].k
	})
	for i := 0; i < len(list) && i < maxListedForms; i++ {
		names = append(names, list[i].k)
	}
	return known, fresh, names
}

// weighHours compares the hours of the window's mail with the account's
// usual hours, learnt from its own sent series before the window (or,
// without a log, from its bounces); without enough history, night in the
// configured zone is the unusual time.
func (j *judge) weighHours(f *behaviourFacts) {
	s := j.sSeries
	if len(s.Counts) == 0 || !j.hasLog {
		s = j.bSeries
	}
	var hist, win [24]float64
	histN, winN := 0.0, 0.0
	for i, v := range s.Counts {
		if v == 0 {
			continue
		}
		t := s.Hour(i)
		h := t.In(j.a.loc).Hour()
		switch {
		case t.Before(j.wFrom):
			hist[h] += v
			histN += v
		case t.Before(j.wTo):
			win[h] += v
			winN += v
		}
	}
	f.oddSample = int(winN)
	if winN == 0 {
		return
	}
	learnt := histN >= minHistoryMsgs && j.longHistory
	f.oddNight = !learnt
	odd := 0.0
	for h := range 24 {
		if win[h] == 0 {
			continue
		}
		usual := h >= nightEnd
		if learnt {
			usual = hist[h] >= usualHourShare*histN
		}
		if !usual {
			odd += win[h]
			f.oddHours = append(f.oddHours, h)
		}
	}
	f.oddShare = odd / winN

	// A scheduled mailing: the same hours of the same weekday held as
	// much mail in an earlier week.
	if !j.hasLog || len(j.sSeries.Counts) == 0 {
		return
	}
	for k := 1; k <= recurringWeeks; k++ {
		earlier := 0.0
		for i, v := range s.Counts {
			t := s.Hour(i).Add(time.Duration(k) * 7 * 24 * time.Hour)
			if !t.Before(j.wFrom) && t.Before(j.wTo) {
				earlier += v
			}
		}
		if winN >= minCampaignSize && earlier >= recurringShare*winN {
			f.recurring = append(f.recurring, k)
		}
	}
}

// The behaviour signals.
func (f behaviourFacts) odd() bool {
	return f.oddSample >= minBehaviour && f.oddShare >= oddShareMin
}

func (f behaviourFacts) spammy() bool {
	return f.subjBounces >= minCount && f.spamShare >= spamShareMin
}

func (f behaviourFacts) spread() bool {
	if f.newRcpts < minBehaviour {
		return false
	}
	wide := f.domains >= minSpreadDoms && float64(f.domains) >= spreadRatio*float64(f.newRcpts)
	unrelated := f.domains >= minCount*2 && f.newDomainRcpt >= newDomainShare
	return wide || unrelated
}

func (j *judge) newForm(f behaviourFacts) bool {
	byLog := f.formKnown && f.newFormMsgs >= minBehaviour && float64(f.newFormMsgs) >= newFormShareMin*j.window.Observed
	byMailer := f.mailerKnown && f.newMailer >= minBehaviour && float64(f.newMailer) >= newFormShareMin*float64(j.nB)
	return byLog || byMailer
}

// oneSubject: one subject, not of spam's shape, holds most of the
// window's bounces: a campaign.
func (f behaviourFacts) oneSubject() bool {
	return f.subjBounces >= minCount && f.topShare >= campaignShare && !f.topSpam
}

// stableDomains: the new recipients sit at few domains the account
// already mails (a customer list), not spread over unrelated ones.
func (f behaviourFacts) stableDomains() bool {
	return f.newRcpts >= minBehaviour && !f.spread()
}

// campaignFacts describes the campaign of the window: its subject's
// bounces, when it started, and the account's sent mail from then to the
// window's end.
func (j *judge) campaignFacts(f behaviourFacts) *Campaign {
	if !f.oneSubject() {
		return nil
	}
	c := &Campaign{Subject: f.top}
	for _, v := range f.variants {
		c.Subject += " / " + v
	}
	// The campaign's bounces: from the window's start to a day after its
	// end (late notices come hours after the mailing).
	w0, w1 := j.wFrom.Unix(), j.wTo.Add(24*time.Hour).Unix()
	var first, last int64
	for _, key := range append([]string{f.topKey}, f.variantKeys...) {
		s := j.acc.b.beh.subjects[key]
		if key == "" || s == nil {
			continue
		}
		for h, st := range s.hours {
			if t := h * unixHour; t < w0 || t >= w1 {
				continue
			}
			c.Bounced += st.rcpts
			c.HardBounces += st.hard
			if first == 0 || st.first < first {
				first = st.first
			}
			last = max(last, st.last)
		}
	}
	if c.Bounced < minCount {
		return nil
	}
	c.Start = time.Unix(first, 0).In(j.a.loc)
	if j.hasLog {
		// The recipients of the account's mail in the hours from its
		// first to its last bounced message: the account's other mail in
		// them is counted too (a few messages beside a campaign's
		// thousands). A message to several recipients counts for each.
		from, to := c.Start.Truncate(time.Hour), time.Unix(last, 0).Truncate(time.Hour).Add(time.Hour)
		for i, v := range j.sSeries.Counts {
			if t := j.sSeries.Hour(i); !t.Before(from) && t.Before(to) {
				c.Sent += int(v)
			}
		}
		for k, v := range j.acc.log.multi {
			if t := time.Unix(k, 0).Add(j.r.shift); !t.Before(from) && t.Before(to) {
				c.Sent += int(v)
			}
		}
		if c.Sent > 0 {
			c.BounceRate = math.Round(float64(c.Bounced)/float64(c.Sent)*10000) / 10000
		}
	}
	for _, k := range f.recurring {
		c.Earlier = append(c.Earlier, c.Start.AddDate(0, 0, -7*k))
	}
	return c
}

// describeBehaviour says which of the four changes a hijack brings besides
// volume the window shows, and returns how many.
func (j *judge) describeBehaviour() int {
	f := j.beh
	n := 0
	if f.odd() {
		n++
		hours := make([]string, 0, len(f.oddHours))
		for _, h := range f.oddHours {
			hours = append(hours, fmt.Sprintf("%02d:00", h))
		}
		list := strings.Join(hours, ", ")
		if f.oddNight {
			j.say(SignalOddHours,
				fmt.Sprintf("%s of the mail in the surge window was sent at night (%s, %s), and the log is too short to learn the account's own hours",
					pct(f.oddShare), list, j.a.loc),
				fmt.Sprintf("急増期間のメールの %s は夜間（%s、%s）に送られています（ログが短く、このアカウントの普段の送信時間はわかりません）",
					pct(f.oddShare), list, j.a.loc))
		} else {
			j.say(SignalOddHours,
				fmt.Sprintf("%s of the mail in the surge window was sent at hours this account does not send at (%s, %s), judged from its own earlier log",
					pct(f.oddShare), list, j.a.loc),
				fmt.Sprintf("急増期間のメールの %s は、このアカウントが普段送信しない時間帯（%s、%s）に送られています（それ以前のログから判断）",
					pct(f.oddShare), list, j.a.loc))
		}
	}
	if f.spammy() {
		n++
		j.say(SignalSpamSubjects,
			fmt.Sprintf("%s of the returned messages' subjects use spam or phishing words, over %s (most frequent: «%s»)",
				pct(f.spamShare), plural(f.distinct, "distinct subject", "distinct subjects"), f.top),
			fmt.Sprintf("返送されたメッセージの件名の %s に迷惑メール・フィッシングの語句があり、件名は %s 種類です（最多：「%s」）",
				pct(f.spamShare), num(f.distinct), f.top))
	}
	if f.spread() {
		n++
		j.say(SignalManyDomains,
			fmt.Sprintf("The %s first mailed in the window are spread over %s this account had never mailed (%s of them): a spam list, not a customer list",
				plural(f.newRcpts, "recipient", "recipients"), plural(f.domains, "domain", "domains"), pct(f.newDomainRcpt)),
			fmt.Sprintf("期間中に初めて送られた宛先 %s 件は、このアカウントが一度も送ったことのない %s 個のドメインに散らばっています（その %s。顧客リストではなく迷惑メールの宛先リストの特徴です）",
				num(f.newRcpts), num(f.domains), pct(f.newDomainRcpt)))
	}
	if j.newForm(f) {
		n++
		var en, ja string
		if f.formKnown && f.newFormMsgs >= minBehaviour {
			en = fmt.Sprintf("%s in the log carry a Message-ID form never seen for this account before (%s): another program wrote them",
				plural(f.newFormMsgs, "message", "messages"), strings.Join(f.newForms, ", "))
			ja = fmt.Sprintf("ログのメッセージ %s 件に、このアカウントでこれまで見られなかった Message-ID の形式（%s）があります。別のプログラムが書いたメールです",
				num(f.newFormMsgs), strings.Join(f.newForms, ", "))
		}
		if f.mailerKnown && f.newMailer >= minBehaviour {
			if en != "" {
				en += "; "
				ja += "。"
			}
			en += fmt.Sprintf("%s returned messages written by a mail program never seen for this account (%s)", num(f.newMailer), strings.Join(f.newMailers, ", "))
			ja += fmt.Sprintf("返送されたメッセージ %s 件は、このアカウントでこれまで見られなかったメールソフト（%s）で書かれています", num(f.newMailer), strings.Join(f.newMailers, ", "))
		}
		j.say(SignalNewClientForm, en, ja)
	}
	return n
}

// ownAddress explains a hijack whose logins came from the account's usual
// addresses: malware on the owner's own device.
func (j *judge) ownAddress() {
	j.say(SignalOwnAddress,
		"The logins came from addresses this account always uses, yet its hours, subjects, recipients or program changed: malware on one of the owner's own devices is sending with the saved password",
		"ログインはこのアカウントがいつも使うアドレスからですが、送信時間・件名・宛先・メールソフトが変わっています。持ち主自身の端末に入り込んだマルウェアが、保存されたパスワードで送信しています")
}

// describeCampaign says what the campaign was and which of a hijack's
// changes were looked for and not found.
func (j *judge) describeCampaign(intrusion bool) {
	j.campaignSaid = true
	f, c := j.beh, j.campaign
	// What a campaign does too is no sign of a hijack here: a list
	// mailed for the first time reaches new recipients, and it is sent
	// with the account's password. The figures stay in the report.
	if j.unsay(SignalFirstTimeRcpts) {
		j.say("",
			fmt.Sprintf("%s of the campaign's recipients had never been mailed by this account: a list mailed for the first time, no sign of a hijack when nothing else changed", num(j.firstTime)),
			fmt.Sprintf("一斉送信の宛先のうち %s 件は、このアカウントが初めて送った宛先です。初めて配信するリストであり、ほかに変化がなければ乗っ取りの兆候ではありません", num(j.firstTime)))
	}
	j.unsay(SignalESMTPSA)
	if c != nil {
		en := fmt.Sprintf("The surge follows a campaign of the account's own: from %s, «%s» (the subject of %s of the surge's returned messages of ours)",
			j.fmtTime(c.Start), c.Subject, pct(f.topShare))
		ja := fmt.Sprintf("急増は、このアカウント自身の一斉送信によるものです。%s から「%s」（急増中に返送された当方のメッセージの %s がこの件名）",
			j.fmtTime(c.Start), c.Subject, pct(f.topShare))
		if c.Sent > 0 {
			en += fmt.Sprintf(": %s sent, %s bounced (%s), %s of them hard bounces", num(c.Sent), num(c.Bounced), pctRate(c.BounceRate), num(c.HardBounces))
			ja += fmt.Sprintf("。送信 %s 通、バウンス %s 件（%s）、うち宛先不明など恒久的なエラー %s 件", num(c.Sent), num(c.Bounced), pctRate(c.BounceRate), num(c.HardBounces))
		} else {
			en += fmt.Sprintf(": %s bounced, %s of them hard bounces", num(c.Bounced), num(c.HardBounces))
			ja += fmt.Sprintf("。バウンス %s 件、うち恒久的なエラー %s 件", num(c.Bounced), num(c.HardBounces))
		}
		j.say(SignalCampaign, en, ja)
	}
	if len(f.recurring) > 0 {
		var en, ja []string
		base := j.wFrom
		if c != nil {
			base = c.Start
		}
		for _, k := range f.recurring {
			t := j.fmtTime(base.AddDate(0, 0, -7*k))
			en, ja = append(en, t), append(ja, t)
		}
		j.say(SignalRecurringCampaign,
			fmt.Sprintf("The account sent as much at the same hours a week or more before (%s): a scheduled mailing", strings.Join(en, ", ")),
			fmt.Sprintf("このアカウントは、以前の週の同じ時間帯（%s）にも同じくらい送信しています。定期的な配信です", strings.Join(ja, "、")))
	}
	// What was looked for and not found.
	var en, ja []string
	if j.longHistory && !intrusion {
		en, ja = append(en, "no login from a new address or network"), append(ja, "新しいアドレスやネットワークからのログインはない")
	}
	if f.oddSample >= minBehaviour && !f.odd() {
		en, ja = append(en, "the account's usual hours"), append(ja, "普段どおりの時間帯")
	}
	if f.subjBounces >= minCount && !f.spammy() {
		en, ja = append(en, "no subjects of spam's shape"), append(ja, "迷惑メールのような件名はない")
	}
	if f.stableDomains() {
		en = append(en, fmt.Sprintf("new recipients mostly at domains the account already mails (%s new), as a customer list", plural(f.domains, "domain", "domains")))
		ja = append(ja, fmt.Sprintf("新しい宛先の多くは普段の送信先と同じドメインにある（新しいドメインは %s 個、顧客リストの特徴）", num(f.domains)))
	}
	if (f.formKnown || f.mailerKnown) && !j.newForm(f) {
		en, ja = append(en, "its usual Message-ID forms and mail programs"), append(ja, "普段どおりの Message-ID の形式とメールソフト")
	}
	if len(en) > 0 {
		j.say("",
			"None of what a hijack changes besides volume: "+strings.Join(en, "; ")+". No password change is needed for this",
			"乗っ取りで変わるはずの点（送信量以外）は見られません："+strings.Join(ja, "、")+"。このためにパスワードを変更する必要はありません")
	}
}

// pctRate writes a rate (0.06) as a percentage with one decimal.
func pctRate(x float64) string { return strconv.FormatFloat(100*x, 'f', 1, 64) + "%" }

// campaignBeside names the account's campaign seen beside a hijack or a
// forgery, so that its bounces are not taken for the intruder's. Beside a
// hijack, a mailing is the account's own only when it began before the
// first login from a new network; else (or with no such login: malware
// on the owner's PC) it cannot be told from the intruder's, and no
// campaign is reported.
func (j *judge) campaignBeside(v advice.Verdict) {
	c := j.campaign
	if c == nil || j.campaignSaid {
		return
	}
	if v == advice.Hijacked || v == advice.Mixed {
		first := time.Time{}
		if len(j.newIPs) > 0 {
			first = j.firstNewLogin()
		}
		for _, ip := range j.laterIPs {
			p, _ := netip.ParseAddr(ip)
			if t := time.Unix(j.acc.log.loginFirst(p), 0).Add(j.r.shift); first.IsZero() || t.Before(first) {
				first = t
			}
		}
		if first.IsZero() || !c.Start.Before(first) {
			j.campaign = nil
			return
		}
	}
	j.say(SignalCampaign,
		fmt.Sprintf("Beside this, the account's own campaign of %s («%s») is in the surge: %s of its bounces are the ordinary failures of a mailing; clean the list once the rest is dealt with",
			j.fmtTime(c.Start), c.Subject, num(c.Bounced)),
		fmt.Sprintf("このほかに、このアカウント自身の %s の一斉送信（「%s」）が急増に含まれています。そのバウンス %s 件は一斉送信のよくあるエラーです。対処が済んだら配信リストを整理してください",
			j.fmtTime(c.Start), c.Subject, num(c.Bounced)))
}

// honorifics end a recipient's name in a personalised subject
// ("山田太郎様へ", "花子さん"); the name before them is replaced by 〇〇,
// as Japanese forms write "so-and-so".
var honorifics = []string{"様", "さま", "さん", "殿", "ちゃん", "くん"}

// greetings start a recipient's name in English subjects ("Dear Anna,").
var greetings = []string{"dear ", "hi ", "hello ", "hey "}

// stripPersonal takes the recipient's name out of a personalised subject,
// so that a newsletter's subjects group as one: "山田太郎様へ 11月のご案内"
// and "佐藤花子様へ 11月のご案内" both give "〇〇様へ 11月のご案内"; "Dear
// Anna, news" gives "Dear …, news".
func stripPersonal(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	var out []rune
	for i := 0; i < len(r); i++ {
		matched := ""
		for _, h := range honorifics {
			hr := []rune(h)
			if i+len(hr) <= len(r) && string(r[i:i+len(hr)]) == h {
				matched = h
				break
			}
		}
		if matched != "" {
			// Walk back over the name: letters, at most 12 of them, in
			// at most two parts (family and given name, "山田 太郎").
			end := len(out)
			space := func(c rune) bool { return c == ' ' || c == '　' }
			if end > 0 && space(out[end-1]) {
				end-- // "佐藤 花子 様": the space stays
			}
			k := end
			name := func(c rune) bool { return (unicode.IsLetter(c) || c == '・') && !isBracket(c) }
			for part := 0; part < 2; part++ {
				for k > 0 && end-k < 12 && name(out[k-1]) {
					k--
				}
				if k < 2 || k == end || !space(out[k-1]) || !name(out[k-2]) {
					break
				}
				k--
			}
			if k < end && space(out[k]) {
				k++
			}
			if k < end {
				tail := append([]rune(nil), out[end:]...)
				out = append(append(out[:k], []rune("〇〇")...), tail...)
			}
			out = append(out, []rune(matched)...)
			i += len([]rune(matched)) - 1
			continue
		}
		out = append(out, r[i])
	}
	s = string(out)
	low := strings.ToLower(s)
	for _, g := range greetings {
		if i := strings.Index(low, g); i >= 0 && (i == 0 || low[i-1] == ' ') {
			j := i + len(g)
			k := j
			for k < len(s) && s[k] != ',' && s[k] != ' ' && s[k] != '!' {
				k++
			}
			if k > j {
				s = s[:j] + "…" + s[k:]
			}
			break
		}
	}
	return s
}

func isBracket(c rune) bool {
	switch c {
	case '【', '】', '「', '」', '（', '）', '(', ')', '[', ']', '『', '』', '〈', '〉', '《', '》':
		return true
	}
	return false
}

// loginPlace notes where a login came from, as far as the log tells
// without a GeoIP database (none is available offline): the country code
// of the client's reverse DNS name ("…vnpt.example.vn" gives "cc:vn";
// generic domains such as .com tell no country) and the address family
// ("ip:4", "ip:6").
func (a *logAcct) loginPlace(host, ip string, t time.Time) {
	if t.IsZero() || ip == "" {
		return
	}
	if p, err := netip.ParseAddr(ip); err == nil {
		fam := "ip:4"
		if p.Unmap().Is6() {
			fam = "ip:6"
		}
		a.places.add(fam, t.Unix())
	}
	host = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(host), "."))
	if i := strings.LastIndexByte(host, '.'); i > 0 && len(host)-i == 3 {
		cc := host[i+1:]
		if cc[0] >= 'a' && cc[0] <= 'z' && cc[1] >= 'a' && cc[1] <= 'z' {
			a.places.add(placeCountry[cc], t.Unix())
		}
	}
}

// placeCountry interns the country keys.
var placeCountry = func() map[string]string {
	m := map[string]string{}
	for a := 'a'; a <= 'z'; a++ {
		for b := 'a'; b <= 'z'; b++ {
			cc := string([]rune{a, b})
			m[cc] = "cc:" + cc
		}
	}
	return m
}()

// newPlaces lists the places of the account's logins first seen in the
// window [l0, l1) (log times) while it had logged in from others of the
// same kind before: new country codes of the clients' reverse names, a
// new address family.
func (j *judge) newPlaces(l0, l1 int64) (countries []string, family string) {
	oldKind := map[string]bool{}
	for _, p := range j.acc.log.places {
		if p.first < l0 && len(p.key) > 3 {
			oldKind[p.key[:3]] = true
		}
	}
	for _, p := range j.acc.log.places {
		if p.first < l0 || p.first >= l1 || len(p.key) <= 3 || !oldKind[p.key[:3]] {
			continue
		}
		switch p.key[:3] {
		case "cc:":
			countries = append(countries, "."+p.key[3:])
		case "ip:":
			family = "IPv" + p.key[3:]
		}
	}
	sort.Strings(countries)
	return countries, family
}

// describePlaces adds, beside the new login addresses, what the log
// tells of where they are.
func (j *judge) describePlaces() {
	if j.wFrom.IsZero() || !j.longHistory {
		return
	}
	sh := int64(j.r.shift / time.Second)
	cs, fam := j.newPlaces(j.wFrom.Unix()-sh, j.wTo.Unix()-sh)
	if len(cs) == 0 && fam == "" {
		return
	}
	var en, ja []string
	if len(cs) > 0 {
		what := "a country code"
		if len(cs) > 1 {
			what = "country codes"
		}
		en = append(en, fmt.Sprintf("reverse DNS names under %s, %s never seen for this account", strings.Join(cs, ", "), what))
		ja = append(ja, fmt.Sprintf("逆引き名の国別ドメイン %s はこのアカウントでこれまで見られませんでした", strings.Join(cs, "、")))
	}
	if fam != "" {
		en = append(en, "the first logins over "+fam)
		ja = append(ja, fam+" での初めてのログイン")
	}
	j.say(SignalNewLoginPlaces,
		"Where the logins came from: "+strings.Join(en, "; ")+" (no GeoIP database is used: countries are told by the host names' country codes only)",
		"ログイン元："+strings.Join(ja, "、")+"（GeoIP データベースは使っていないため、国はホスト名の国別ドメインからの推定です）")
}

// unsay takes back the sentences and the code of a signal; it reports
// whether there were any.
func (j *judge) unsay(signal string) bool {
	n := len(j.signals)
	j.signals = slices.DeleteFunc(j.signals, func(s string) bool { return s == signal })
	j.ev = slices.DeleteFunc(j.ev, func(s sentence) bool { return s.signal == signal })
	return len(j.signals) < n
}

// intruderAfter looks past the surge's window for logins from networks
// the account never used: a small hijack later the same day, too small
// to make a surge of its own, must not hide behind the campaign. It says
// so, once, and reports whether there were any.
func (j *judge) intruderAfter() bool {
	if j.wTo.IsZero() || !j.longHistory {
		return false
	}
	if j.afterSaid {
		return true
	}
	sh := int64(j.r.shift / time.Second)
	l0, l1 := j.wFrom.Unix()-sh, j.wTo.Unix()-sh
	old := map[netip.Prefix]bool{}
	j.acc.log.eachLoginIP(func(ip netip.Addr, first int64) {
		if first < l0 {
			old[network(ip)] = true
		}
	})
	if len(old) == 0 {
		return false
	}
	var later []netip.Addr
	var at int64
	j.acc.log.eachLoginIP(func(ip netip.Addr, first int64) {
		if first >= l1 && !old[network(ip)] {
			later = append(later, ip)
			if at == 0 || first < at {
				at = first
			}
		}
	})
	if len(later) == 0 {
		return false
	}
	slices.SortFunc(later, func(a, b netip.Addr) int { return a.Compare(b) })
	for _, ip := range later {
		j.laterIPs = append(j.laterIPs, ip.String())
	}
	shown := j.laterIPs[:min(5, len(j.laterIPs))]
	t := j.fmtTime(time.Unix(at+sh, 0))
	j.afterSaid = true
	j.say(SignalNewLoginIPs,
		fmt.Sprintf("After the surge, from %s, SASL logins for %s came from %s in networks never seen for this account (%s): whoever holds the password is using it beside the account's own mailing",
			t, j.acc.key, plural(len(later), "IP address", "IP addresses"), strings.Join(shown, ", ")),
		fmt.Sprintf("急増の後、%s から、%s への SASL ログインがこのアカウントで使われたことのないネットワークの IP アドレス %s 件（%s）からあります。アカウント自身の一斉送信とは別に、パスワードを持つ誰かが使っています",
			t, j.acc.key, num(len(later)), strings.Join(shown, ", ")))
	return true
}
