package attrib

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/bounce"
)

// Verdict says whether a bounced message was sent by us.
type Verdict string

// Verdicts.
const (
	Ours    Verdict = "ours"
	NotOurs Verdict = "not_ours"
	Unknown Verdict = "unknown"
)

// Item is one piece of evidence.
type Item struct {
	Code         string  `json:"code"`
	SupportsOurs bool    `json:"supports_ours"`
	Weight       float64 `json:"weight"` // positive: ours; negative: not ours
	En           string  `json:"en"`
	Ja           string  `json:"ja"`
}

// Attribution is the answer for one bounce.
type Attribution struct {
	Verdict Verdict `json:"verdict"`
	Score   float64 `json:"score"` // the sum of the items' weights
	Items   []Item  `json:"items"`
	// SASLUser and ClientIP come from the send log's entry for the
	// message, when it was found there.
	SASLUser string `json:"sasl_user,omitempty"`
	ClientIP string `json:"client_ip,omitempty"`
	// LogFrom is the envelope sender of the send log's entry.
	LogFrom string `json:"log_from,omitempty"`
	// InLog is true when the message was found in the send log.
	InLog bool `json:"in_log,omitempty"`
	// AuthVia names what showed an authenticated submission at our relay
	// ("ESMTPSA", "X-MS-Exchange-Organization-AuthAs: Internal", …), and
	// EntryClient the client that submitted; "" when none did.
	AuthVia     string `json:"auth_via,omitempty"`
	EntryClient string `json:"entry_client,omitempty"`
	// Fake is set when the bounce looks like phishing posing as a bounce;
	// keep it out of the evidence.
	Fake *Fake `json:"fake,omitempty"`
}

// Fake says why a bounce looks like phishing posing as a bounce.
type Fake struct {
	Reasons []Item `json:"reasons"`
}

// Evidence codes.
const (
	CodeMessageIDInLog     = "message_id_in_log"
	CodeMessageIDNotInLog  = "message_id_not_in_log"
	CodeQueueIDInLog       = "queue_id_in_log"
	CodeReceivedOurRelay   = "received_our_relay"
	CodeReceivedESMTPSA    = "received_esmtpsa_our_relay"
	CodeReceivedNotOurs    = "received_not_our_relay"
	CodeDKIMOursVerified   = "dkim_ours_verified"
	CodeDKIMOursFailed     = "dkim_ours_failed"
	CodeDKIMOursUnverified = "dkim_ours_present_unverified"
	CodeDKIMForeignOnly    = "dkim_foreign_only"
	CodeBATVValid          = "batv_valid"
	CodeBATVInvalid        = "batv_invalid"
	CodeBATVExpired        = "batv_expired"
	CodeBATVAbsent         = "batv_absent_but_we_sign"
	CodeMessageIDOurForm   = "message_id_our_form"
	CodeMessageIDForeign   = "message_id_foreign_form"
	CodeDateInActivity     = "date_in_activity"
	CodeDateOutside        = "date_outside_activity"
	CodeNoOriginal         = "no_original"
	// CodeReceivedUnauthenticated: the message in our name entered the
	// mail system from a client that did not log in, nowhere near our
	// relays.
	CodeReceivedUnauthenticated = "received_unauthenticated_entry"
	// CodeDKIMOursAbsent: no signature, though our relays sign nearly
	// every message (learnt from the bounces together).
	CodeDKIMOursAbsent = "dkim_ours_absent"
)

// Weights of the evidence (see the package documentation).
const (
	WeightLog              = 10
	WeightNotInLog         = -3
	WeightRelay            = 3
	WeightESMTPSA          = 1
	WeightNotOurRelay      = -2
	WeightDKIMVerified     = 6
	WeightDKIMUnverified   = 2
	WeightDKIMFailed       = -4
	WeightDKIMForeignOnly  = -1
	WeightBATVValid        = 6
	WeightBATVInvalid      = -6
	WeightBATVExpired      = -3
	WeightBATVAbsent       = -4
	WeightMessageIDForm    = 1
	WeightMessageIDForeign = -1
	WeightDateIn           = 1
	WeightDateOutside      = -2
	WeightUnauthenticated  = -2
	WeightDKIMAbsent       = -2

	// ThresholdOurs and ThresholdNotOurs cut the score into verdicts.
	ThresholdOurs    = 3
	ThresholdNotOurs = -3
	// Contradiction: at least this much on both sides gives Unknown
	// (unless the send log matched).
	Contradiction = 5
)

func item(code string, w float64, en, ja string) Item {
	return Item{Code: code, SupportsOurs: w > 0, Weight: w, En: en, Ja: ja}
}

// Attribute weighs the evidence that the message res returned was sent by
// us: Judge over the Facts an Extractor for the Index's Config reads. It
// is safe for concurrent use while nothing is added to the Index.
func (ix *Index) Attribute(res *bounce.Result) Attribution {
	ex := &Extractor{cfg: ix.cfg, ix: ix, now: time.Now}
	return ix.Judge(ex.Extract(res), nil)
}

// Judge weighs the evidence of f against what the Index knows now (the
// send log, our domains and relays) and what the bounces together taught
// (pop, from Learn; nil for nothing). It is safe for concurrent use while
// nothing is added to the Index.
func (ix *Index) Judge(f *Facts, pop *Population) Attribution {
	return ix.judge(f, judgeCtx{ix: ix, pop: pop})
}

// JudgeCodes is Judge without the items' text (En and Ja empty): what a
// report over many bounces needs, at a fraction of the cost.
func (ix *Index) JudgeCodes(f *Facts, pop *Population) Attribution {
	return ix.judge(f, judgeCtx{ix: ix, pop: pop, noText: true})
}

func (ix *Index) judge(f *Facts, jc judgeCtx) Attribution {
	var a Attribution
	if f == nil || !f.Returned {
		a.Items = []Item{item(CodeNoOriginal, 0,
			"The bounce returned nothing of the original message, so it cannot be matched with our mail",
			"バウンスに元のメッセージが含まれていないため、当方の送信メールと照合できません")}
	} else {
		a.Items = jc.evidence(f, &a)
	}
	var pos, neg float64
	logMatch := false
	for _, it := range a.Items {
		a.Score += it.Weight
		if it.Weight > 0 {
			pos += it.Weight
		} else {
			neg += it.Weight
		}
		switch it.Code {
		case CodeMessageIDInLog, CodeQueueIDInLog, CodeDKIMOursVerified, CodeBATVValid:
			// The log, or a proof only we can make (our DKIM key, our
			// BATV key): the truth, whatever else the chain shows.
			logMatch = true
		}
	}
	switch {
	case logMatch:
		a.Verdict = Ours
	case pos >= Contradiction && neg <= -Contradiction:
		a.Verdict = Unknown
	case a.Score >= ThresholdOurs:
		a.Verdict = Ours
	case a.Score <= ThresholdNotOurs:
		a.Verdict = NotOurs
	default:
		a.Verdict = Unknown
	}
	if f != nil && f.Fake != nil {
		// Told from the message alone (DetectFake): the same whatever
		// the log says.
		a.Fake = f.Fake
		a.Verdict = Unknown
	}
	return a
}

// judgeCtx is the Index and the Population one judgement reads.
type judgeCtx struct {
	ix     *Index
	pop    *Population
	noText bool // codes and weights only (JudgeCodes)
}

// item makes an Item, writing its text only when asked for.
func (jc judgeCtx) item(code string, w float64, text func() (string, string)) Item {
	if jc.noText {
		return Item{Code: code, SupportsOurs: w > 0, Weight: w}
	}
	en, ja := text()
	return item(code, w, en, ja)
}

func (jc judgeCtx) isOurDomain(d string) bool {
	return jc.ix.isOurDomain(d) || jc.pop.isOurDomain(d)
}

// relayBy reports whether the host that added hop h is one of our relays:
// configured or learnt from the log, a host in one of our domains, or the
// entry host the bounces together name (Learn); a relay known only by its
// organisation (Microsoft 365's many servers) counts for the entry hop of
// an authenticated submission only.
func (jc judgeCtx) relayBy(f *Facts, h *Hop) bool {
	if h.By == "" {
		return false
	}
	if jc.ix.isRelay(h.By) || jc.isOurDomain(h.By) {
		return true
	}
	if jc.pop == nil {
		return false
	}
	if jc.pop.hosts[h.By] {
		return true
	}
	if len(jc.pop.orgs) > 0 && h == f.Entry() && jc.pop.orgs[jc.pop.orgOf(h.By)] {
		auth, _ := f.Authenticated()
		return auth
	}
	return false
}

// handoffMissing reports whether hop i, which names one of our relays
// as its writer, is contradicted by the hop above it: that server (not
// ours) names the client it received the message from, by a host name,
// and it is neither our relay nor a host of its organisation, or it
// received the message by something else than SMTP. Only the
// fields above the first such break were written by servers that saw
// the message pass (RFC 5321 section 4.4: every relay prepends its own);
// those below it are the sender's own text, and a forger can write a
// hop "by our relay with ESMTPSA" there.
func (jc judgeCtx) handoffMissing(f *Facts, i int) bool {
	if i == 0 {
		return false
	}
	up, h := &f.Hops[i-1], &f.Hops[i]
	if up.By == "" || jc.relayBy(f, up) || jc.relayFrom(up) {
		return false
	}
	switch up.With {
	case "HTTP", "HTTPS", "LOCAL", "MAPI":
		return true // a relay hands mail on by SMTP, never "with HTTP" or "local"
	}
	name := up.From
	if name == "" || strings.HasPrefix(name, "[") || net.ParseIP(name) != nil {
		// The client is named by its address alone: nothing to compare
		// it with, unless our relays' addresses are configured (above).
		return false
	}
	if name == h.By || parentDomain(name) != "" && parentDomain(name) == parentDomain(h.By) {
		return false
	}
	if jc.ix.isRelay(name) || jc.isOurDomain(name) || jc.pop != nil && jc.pop.hosts[name] {
		return false
	}
	return true
}

// parentDomain is a host name without its first label, when at least two
// labels remain ("mx1.provider.example" → "provider.example").
func parentDomain(host string) string {
	i := strings.IndexByte(host, '.')
	if i < 0 || !strings.Contains(host[i+1:], ".") {
		return ""
	}
	return host[i+1:]
}

func (jc judgeCtx) relayFrom(h *Hop) bool {
	return jc.ix.isRelay(h.From) || jc.ix.isRelay(h.IP) || jc.ix.isRelay(h.Client)
}

// knowsRelays reports whether a chain that never touches our relays says
// anything: we know at least one relay, or our domains.
func (jc judgeCtx) knowsRelays() bool {
	r, d := jc.ix.knows()
	return r || d || jc.pop != nil && (len(jc.pop.hosts) > 0 || len(jc.pop.orgs) > 0 || len(jc.pop.domains) > 0)
}

// claimsOurs reports whether the original claims to come from us: its
// From or Return-Path is in our domains.
func (jc judgeCtx) claimsOurs(f *Facts) bool {
	return jc.isOurDomain(f.FromDomain) || jc.isOurDomain(domainOf(f.ReturnPath))
}

func hopText(h *Hop) string {
	var b strings.Builder
	b.WriteString("Received:")
	if h.From != "" || h.Client != "" {
		b.WriteString(" from " + firstNonEmpty(h.From, h.Client))
		if h.Client != "" && h.From != "" {
			b.WriteString(" [" + h.Client + "]")
		}
	}
	if h.By != "" {
		b.WriteString(" by " + h.By)
	}
	if h.With != "" {
		b.WriteString(" with " + h.With)
	}
	if h.ID != "" {
		b.WriteString(" id " + h.ID)
	}
	return b.String()
}

func (jc judgeCtx) evidence(f *Facts, a *Attribution) []Item {
	ix := jc.ix
	items := make([]Item, 0, 6) // one allocation: growing from nil was three, a million times at the detector's cold start
	mid := f.MessageID
	date := f.Date
	active, covered := false, false
	if !date.IsZero() {
		active, covered = ix.activityNear(date.Add(-jc.pop.logShift()))
	}

	// 1. The send log.
	found := false
	if e, x, ok := ix.lookupMsgID(mid); ok {
		found = true
		a.SASLUser, a.ClientIP, a.LogFrom, a.InLog = x.strs[e.sasl], x.strs[e.ip], x.strs[e.from], true
		items = append(items, jc.item(CodeMessageIDInLog, WeightLog, func() (string, string) {
			return fmt.Sprintf("Message-ID <%s> appears in our send log (%s)", mid, x.describeEn(e)),
				fmt.Sprintf("Message-ID <%s> は送信ログにあります（%s）", mid, x.describeJa(e))
		}))
	}

	// 2. The Received chain, and queue IDs our relays gave.
	relaySeen, authSeen, qidSeen, anyAuth := false, false, false, false
	cut := len(f.Hops) // the hops above it were written by servers the message passed
	for i := range f.Hops {
		h := &f.Hops[i]
		by := jc.relayBy(f, h)
		if by && jc.handoffMissing(f, i) {
			// The server above says it got the message from someone
			// else: this hop of "ours" and everything below it was
			// written by the sender, not by our relay.
			cut = i
			break
		}
		from := jc.relayFrom(h)
		anyAuth = anyAuth || h.Auth != ""
		if by && h.ID != "" && !qidSeen {
			if e, x, ok := ix.lookupQueueID(h.ID); ok {
				qidSeen = true
				if !a.InLog {
					a.SASLUser, a.ClientIP, a.LogFrom, a.InLog = x.strs[e.sasl], x.strs[e.ip], x.strs[e.from], true
				}
				items = append(items, jc.item(CodeQueueIDInLog, WeightLog, func() (string, string) {
					return fmt.Sprintf("Queue ID %s, given by our relay %s in the returned Received chain, appears in our send log (%s)", h.ID, h.By, x.describeEn(e)),
						fmt.Sprintf("返送されたメッセージの Received にある当方リレー %s のキュー ID %s が送信ログにあります（%s）", h.By, h.ID, x.describeJa(e))
				}))
			}
		}
		if (by || from) && !relaySeen {
			relaySeen = true
			host := h.By
			if !by {
				host = firstNonEmpty(h.From, h.IP)
			}
			items = append(items, jc.item(CodeReceivedOurRelay, WeightRelay, func() (string, string) {
				return fmt.Sprintf("The returned message passed through our relay %s (%s)", host, hopText(h)),
					fmt.Sprintf("返送されたメッセージは当方のリレー %s を経由しています（%s）", host, hopText(h))
			}))
		}
		if by && !authSeen {
			how := ""
			if h.Auth != "" {
				how = h.Auth
			} else if ok, m := f.Authenticated(); ok && h == f.Entry() && f.AuthHeader != "" {
				how = m
			}
			if how != "" {
				authSeen = true
				a.AuthVia = how
				a.EntryClient = firstNonEmpty(f.OriginatingIP, h.Client, h.IP)
				items = append(items, jc.item(CodeReceivedESMTPSA, WeightESMTPSA, func() (string, string) {
					return fmt.Sprintf("Our relay %s accepted it by authenticated submission (%s) from %s: someone logged in with an account of ours", h.By, how, firstNonEmpty(a.EntryClient, h.From, "an unknown client")),
						fmt.Sprintf("当方リレー %s が %s から認証付き送信（%s）で受け付けています。当方のアカウントでログインして送信されたものです", h.By, firstNonEmpty(a.EntryClient, h.From, "不明なクライアント"), how)
				}))
			}
		}
	}
	// A chain that never touches our relays, while we know them: the
	// message entered the internet elsewhere (RFC 5321 section 4.4: every
	// relay adds its field, ours included).
	if !relaySeen && cut > 0 && jc.knowsRelays() {
		first := f.Hops[cut-1]
		items = append(items, jc.item(CodeReceivedNotOurs, WeightNotOurRelay, func() (string, string) {
			return fmt.Sprintf("The returned message's Received chain (%d hops, first %s) never passes through our relays", cut, firstNonEmpty(first.From, first.IP, first.By, "unknown")),
				fmt.Sprintf("返送されたメッセージの Received（%d 段、最初は %s）は当方のリレーを一度も経由していません", cut, firstNonEmpty(first.From, first.IP, first.By, "不明"))
		}))
	}
	// Mail of ours is submitted by a logged-in client; a message in our
	// name that entered the mail system from a client without logging in,
	// nowhere near our relays, was sent by someone else (a bot straight to
	// the recipient's server).
	if !relaySeen && !anyAuth && f.AuthHeader == "" && jc.claimsOurs(f) {
		if e := publicEntry(f.Hops[:cut]); e != nil && e.Auth == "" {
			client := firstNonEmpty(e.Client, e.IP, e.From)
			items = append(items, jc.item(CodeReceivedUnauthenticated, WeightUnauthenticated, func() (string, string) {
				return fmt.Sprintf("The message entered the mail system at %s from %s without authentication (%s), nowhere near our relays: not a submission of ours", e.By, client, hopText(e)),
					fmt.Sprintf("このメッセージは %s から認証なしで %s に入っており（%s）、当方のリレーを経由していません。当方からの送信ではありません", client, e.By, hopText(e))
			}))
		}
	}
	if !found && !qidSeen && mid != "" && ix.hasMsgIDs() && covered {
		items = append(items, jc.item(CodeMessageIDNotInLog, WeightNotInLog, func() (string, string) {
			return fmt.Sprintf("Message-ID <%s> is not in our send log, though the log covers the time the message claims (%s)", mid, date.Format(time.RFC3339)),
				fmt.Sprintf("送信ログはメッセージの日時（%s）を含む期間のものですが、Message-ID <%s> はありません", date.Format(time.RFC3339), mid)
		}))
	}

	// 3. DKIM.
	items = append(items, jc.dkimEvidence(f, relaySeen)...)

	// 4. BATV.
	items = append(items, jc.batvEvidence(f)...)

	// 5. The Message-ID's form.
	shape := f.Shape
	dom := ""
	if at := strings.LastIndexByte(mid, '@'); at >= 0 {
		dom = mid[at+1:]
	}
	nShape, nDom, anyShape, anyDom := ix.shapes(shape, dom)
	if mid != "" && (anyShape || anyDom) {
		switch {
		case nShape > 0 || !anyShape && nDom > 0:
			items = append(items, jc.item(CodeMessageIDOurForm, WeightMessageIDForm, func() (string, string) {
				return fmt.Sprintf("The Message-ID has the form our server and mail programs produce (%s)", shape),
					fmt.Sprintf("Message-ID の形式が当方のサーバーやメールソフトのものと一致します（%s）", shape)
			}))
		case nDom == 0 && jc.isOurDomain(f.FromDomain):
			items = append(items, jc.item(CodeMessageIDForeign, WeightMessageIDForeign, func() (string, string) {
				return fmt.Sprintf("The Message-ID has a form never seen in our send log (%s), though From is an address of ours", shape),
					fmt.Sprintf("From は当方のアドレスですが、Message-ID は送信ログに見られない形式です（%s）", shape)
			}))
		}
	}

	// 6. Activity.
	switch {
	case active:
		items = append(items, jc.item(CodeDateInActivity, WeightDateIn, func() (string, string) {
			return fmt.Sprintf("The original's Date (%s) lies within %v of sending activity in our log", date.Format(time.RFC3339), ix.window),
				fmt.Sprintf("元のメッセージの日時（%s）の前後 %v 以内に送信ログの記録があります", date.Format(time.RFC3339), ix.window)
		}))
	case covered:
		items = append(items, jc.item(CodeDateOutside, WeightDateOutside, func() (string, string) {
			return fmt.Sprintf("Our log shows no sending within %v of the original's Date (%s), though it covers that time", ix.window, date.Format(time.RFC3339)),
				fmt.Sprintf("元のメッセージの日時（%s）の前後 %v に送信ログの記録がありません（ログはその期間を含みます）", date.Format(time.RFC3339), ix.window)
		}))
	}
	if len(items) == 0 {
		return nil // as before the capacity above
	}
	return items
}

// publicEntry is the oldest hop whose client has a public address or a
// name: where the message came from the internet (a bot's own trace
// fields from private addresses are skipped).
func publicEntry(hops []Hop) *Hop {
	for i := len(hops) - 1; i >= 0; i-- {
		h := &hops[i]
		if h.By == "" {
			continue
		}
		ip := firstNonEmpty(h.Client, h.IP)
		if ip != "" {
			if p, err := netip.ParseAddr(ip); err == nil && (p.IsPrivate() || p.IsLoopback() || p.IsLinkLocalUnicast()) {
				continue
			}
			return h
		}
		if h.From != "" && h.From != "localhost" {
			return h
		}
	}
	return nil
}

// describeEn and describeJa describe a log entry for the evidence text.
func (ix *Index) describeEn(e entry) string {
	var parts []string
	if e.qlen > 0 {
		parts = append(parts, "queue "+ix.queueID(e))
	}
	if u := ix.strs[e.sasl]; u != "" {
		parts = append(parts, "SASL user "+u)
	}
	if ip := ix.strs[e.ip]; ip != "" {
		parts = append(parts, "client "+ip)
	}
	if e.stamp != 0 {
		parts = append(parts, "sent "+time.Unix(int64(e.stamp)*60, 0).UTC().Format("2006-01-02 15:04Z"))
	}
	return strings.Join(parts, ", ")
}

func (ix *Index) describeJa(e entry) string {
	var parts []string
	if e.qlen > 0 {
		parts = append(parts, "キュー "+ix.queueID(e))
	}
	if u := ix.strs[e.sasl]; u != "" {
		parts = append(parts, "SASL ユーザー "+u)
	}
	if ip := ix.strs[e.ip]; ip != "" {
		parts = append(parts, "送信元 "+ip)
	}
	if e.stamp != 0 {
		parts = append(parts, "送信 "+time.Unix(int64(e.stamp)*60, 0).UTC().Format("2006-01-02 15:04Z"))
	}
	return strings.Join(parts, "、")
}

// dkimEvidence is rule 3; relaySeen says the message passed our relays
// (so that a missing signature of ours counts where our relays always
// sign).
func (jc judgeCtx) dkimEvidence(f *Facts, relaySeen bool) []Item {
	if len(f.DKIM) == 0 {
		if jc.pop != nil && jc.pop.signs != "" && !relaySeen && jc.claimsOurs(f) && len(f.Hops) > 0 {
			return []Item{jc.item(CodeDKIMOursAbsent, WeightDKIMAbsent, func() (string, string) {
				return fmt.Sprintf("The returned message carries no DKIM-Signature, though our server signs nearly every message it sends with d=%s", jc.pop.signs),
					fmt.Sprintf("当方のサーバーはほぼすべての送信メールに d=%s で DKIM 署名していますが、返送されたメッセージには署名がありません", jc.pop.signs)
			})}
		}
		return nil
	}
	var ours []*Sig
	var foreign []string
	for i := range f.DKIM {
		s := &f.DKIM[i]
		if jc.isOurDomain(s.Domain) {
			ours = append(ours, s)
		} else {
			foreign = append(foreign, s.Domain)
		}
	}
	if len(ours) == 0 {
		if !jc.knowsOurDomains() {
			return nil
		}
		return []Item{jc.item(CodeDKIMForeignOnly, WeightDKIMForeignOnly, func() (string, string) {
			return fmt.Sprintf("The returned message is DKIM-signed only by other domains (d=%s), not by ours", strings.Join(foreign, ", d=")),
				fmt.Sprintf("返送されたメッセージの DKIM 署名は他のドメイン（d=%s）のもので、当方のドメインの署名はありません", strings.Join(foreign, ", d="))
		})}
	}
	for _, s := range ours {
		if s.Status == DKIMPass {
			return []Item{jc.item(CodeDKIMOursVerified, WeightDKIMVerified, func() (string, string) {
				return fmt.Sprintf("The DKIM-Signature of our domain d=%s verifies over the returned message", s.Domain),
					fmt.Sprintf("当方ドメイン d=%s の DKIM 署名が返送されたメッセージで検証に成功しました", s.Domain)
			})}
		}
	}
	for _, s := range ours {
		if s.Status == DKIMFail {
			return []Item{jc.item(CodeDKIMOursFailed, WeightDKIMFailed, func() (string, string) {
				return fmt.Sprintf("The DKIM-Signature of our domain d=%s does not verify (%v): forged, or altered on the way", s.Domain, s.Err),
					fmt.Sprintf("当方ドメイン d=%s の DKIM 署名が検証に失敗しました（%v）。偽造されたか途中で改変されています", s.Domain, s.Err)
			})}
		}
	}
	s := ours[0]
	sel := ""
	if s.Selector != "" {
		sel = ", s=" + s.Selector
	}
	return []Item{jc.item(CodeDKIMOursUnverified, WeightDKIMUnverified, func() (string, string) {
		return fmt.Sprintf("The returned message carries a DKIM-Signature of our domain d=%s%s (%s)", s.Domain, sel, s.WhyEn),
			fmt.Sprintf("返送されたメッセージに当方ドメインの DKIM 署名（d=%s%s）があります（%s）", s.Domain, sel, s.WhyJa)
	})}
}

func (jc judgeCtx) knowsOurDomains() bool {
	_, d := jc.ix.knows()
	return d || jc.pop != nil && len(jc.pop.domains) > 0
}

// envelopeHeaders are the bounce's header fields that may carry its
// envelope recipient (the original's envelope sender).
var envelopeHeaders = []string{"Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To"}

// batvEvidence is rule 4.
func (jc judgeCtx) batvEvidence(f *Facts) []Item {
	if len(jc.ix.cfg.BATVKey) == 0 {
		return nil
	}
	oursSeen := ""
	for _, c := range f.BATV {
		if jc.knowsOurDomains() && !jc.isOurDomain(c.Domain) {
			continue
		}
		switch c.Result {
		case BATVNone:
			if oursSeen == "" {
				oursSeen = c.Addr
			}
			continue
		case BATVOK:
			return []Item{jc.item(CodeBATVValid, WeightBATVValid, func() (string, string) {
				return fmt.Sprintf("The bounce went to %s, whose BATV tag validates with our key", c.Addr),
					fmt.Sprintf("バウンスの宛先 %s の BATV タグが当方の鍵で検証できました", c.Addr)
			})}
		case BATVExpired:
			return []Item{jc.item(CodeBATVExpired, WeightBATVExpired, func() (string, string) {
				return fmt.Sprintf("The bounce went to %s: our BATV tag, but expired (day %03d): an old address reused", c.Addr, c.Day),
					fmt.Sprintf("バウンスの宛先 %s は当方の BATV タグですが期限切れです（日付 %03d）。古いアドレスが再利用されています", c.Addr, c.Day)
			})}
		default:
			return []Item{jc.item(CodeBATVInvalid, WeightBATVInvalid, func() (string, string) {
				return fmt.Sprintf("The bounce went to %s, whose BATV tag does not validate with our key: we never sent with this envelope sender", c.Addr),
					fmt.Sprintf("バウンスの宛先 %s の BATV タグが当方の鍵で検証できません。当方はこのエンベロープ送信者で送信していません", c.Addr)
			})}
		}
	}
	if oursSeen != "" && jc.ix.cfg.BATVSignsAll {
		return []Item{jc.item(CodeBATVAbsent, WeightBATVAbsent, func() (string, string) {
			return fmt.Sprintf("The bounce went to %s without a BATV tag, though we tag every envelope sender", oursSeen),
				fmt.Sprintf("当方はすべてのエンベロープ送信者に BATV タグを付けていますが、バウンスの宛先 %s にはタグがありません", oursSeen)
		})}
	}
	return nil
}

// addresses returns the addresses in a header value, without display
// names or angle brackets.
func addresses(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		if i := strings.LastIndexByte(p, '<'); i >= 0 {
			p = p[i+1:]
			if j := strings.IndexByte(p, '>'); j >= 0 {
				p = p[:j]
			}
		}
		p = strings.Trim(p, " \t\"'")
		if strings.Contains(p, "@") {
			out = append(out, p)
		}
	}
	return out
}

// authProtocol reports whether a Received "with" protocol says the client
// authenticated (RFC 3848: ESMTPA, ESMTPSA, LMTPA, ... ).
func authProtocol(with string) bool {
	w := strings.ToUpper(strings.TrimSpace(with))
	if i := strings.IndexAny(w, " \t("); i >= 0 {
		w = w[:i]
	}
	switch w {
	case "ESMTPA", "ESMTPSA", "LMTPA", "LMTPSA", "UTF8SMTPA", "UTF8SMTPSA", "UTF8LMTPA", "UTF8LMTPSA":
		return true
	}
	return false
}

// clientIP returns the connecting client's address of a Received hop.
// Postfix and Sendmail write "from HELO (rDNS [IP])": the HELO may itself
// be an address literal, and the one in the comment is the real client.
func clientIP(h bounce.Received) string {
	raw := h.Raw
	if i := strings.Index(raw, " by "); i >= 0 {
		raw = raw[:i]
	}
	if i := strings.IndexByte(raw, '('); i >= 0 {
		c := raw[i:]
		if j := strings.IndexByte(c, ')'); j >= 0 {
			c = c[:j]
		}
		if k := strings.LastIndexByte(c, '['); k >= 0 {
			if l := strings.IndexByte(c[k:], ']'); l > 0 {
				if ip := canonIP(c[k+1 : k+l]); ip != "" {
					return ip
				}
			}
		}
	}
	return h.IP
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
