package attrib

import (
	"errors"
	"fmt"
	"net/mail"
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
// us. It is safe for concurrent use once the Index is built.
func (ix *Index) Attribute(res *bounce.Result) Attribution {
	var a Attribution
	var o *bounce.Original
	if res != nil {
		o = res.Returned()
	}
	if o == nil || (o.MessageID == "" && len(o.Received) == 0 && len(o.Headers) == 0 && o.From == "") {
		a.Items = []Item{item(CodeNoOriginal, 0,
			"The bounce returned nothing of the original message, so it cannot be matched with our mail",
			"バウンスに元のメッセージが含まれていないため、当方の送信メールと照合できません")}
	} else {
		a.Items = ix.evidence(res, o, &a)
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
		if it.Code == CodeMessageIDInLog || it.Code == CodeQueueIDInLog {
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
	if res != nil {
		if f := (fakeInput{res: res, ours: ix.domains}).detect(); f != nil {
			a.Fake = f
			a.Verdict = Unknown
		}
	}
	return a
}

func (ix *Index) evidence(res *bounce.Result, o *bounce.Original, a *Attribution) []Item {
	var items []Item
	mid := normMessageID(o.MessageID)
	date, dateErr := mail.ParseDate(strings.TrimSpace(o.Date))
	active, covered := false, false
	if dateErr == nil {
		active, covered = ix.activityNear(date)
	}

	// 1. The send log.
	found := false
	if e, ok := ix.lookupMsgID(mid); ok {
		found = true
		a.SASLUser, a.ClientIP, a.LogFrom, a.InLog = ix.strs[e.sasl], ix.strs[e.ip], ix.strs[e.from], true
		items = append(items, item(CodeMessageIDInLog, WeightLog,
			fmt.Sprintf("Message-ID <%s> appears in our send log (%s)", mid, ix.describeEn(e)),
			fmt.Sprintf("Message-ID <%s> は送信ログにあります（%s）", mid, ix.describeJa(e))))
	}

	// 2. The Received chain, and queue IDs our relays gave.
	relaySeen, authSeen, qidSeen := false, false, false
	for _, h := range o.Received {
		by := ix.isRelay(h.By)
		from := ix.isRelay(h.From) || ix.isRelay(h.IP) || ix.isRelay(clientIP(h))
		if by && h.ID != "" && !qidSeen {
			if e, ok := ix.lookupQueueID(h.ID); ok {
				qidSeen = true
				if !a.InLog {
					a.SASLUser, a.ClientIP, a.LogFrom, a.InLog = ix.strs[e.sasl], ix.strs[e.ip], ix.strs[e.from], true
				}
				items = append(items, item(CodeQueueIDInLog, WeightLog,
					fmt.Sprintf("Queue ID %s, given by our relay %s in the returned Received chain, appears in our send log (%s)", h.ID, h.By, ix.describeEn(e)),
					fmt.Sprintf("返送されたメッセージの Received にある当方リレー %s のキュー ID %s が送信ログにあります（%s）", h.By, h.ID, ix.describeJa(e))))
			}
		}
		if (by || from) && !relaySeen {
			relaySeen = true
			host := h.By
			if !by {
				host = firstNonEmpty(h.From, h.IP)
			}
			items = append(items, item(CodeReceivedOurRelay, WeightRelay,
				fmt.Sprintf("The returned message passed through our relay %s (Received: %s)", host, shorten(h.Raw, 160)),
				fmt.Sprintf("返送されたメッセージは当方のリレー %s を経由しています（Received: %s）", host, shorten(h.Raw, 160))))
		}
		if by && authProtocol(h.With) && !authSeen {
			authSeen = true
			items = append(items, item(CodeReceivedESMTPSA, WeightESMTPSA,
				fmt.Sprintf("Our relay %s accepted it by authenticated submission (%s) from %s: someone logged in with an account of ours", h.By, h.With, firstNonEmpty(clientIP(h), h.From, "an unknown client")),
				fmt.Sprintf("当方リレー %s が %s から認証付き送信（%s）で受け付けています。当方のアカウントでログインして送信されたものです", h.By, firstNonEmpty(clientIP(h), h.From, "不明なクライアント"), h.With)))
		}
	}
	// A chain that never touches our relays, while we know them: the
	// message entered the internet elsewhere (RFC 5321 section 4.4: every
	// relay adds its field, ours included).
	if !relaySeen && len(o.Received) > 0 && len(ix.relays) > 0 {
		first := o.Received[len(o.Received)-1]
		items = append(items, item(CodeReceivedNotOurs, WeightNotOurRelay,
			fmt.Sprintf("The returned message's Received chain (%d hops, first %s) never passes through our relays", len(o.Received), firstNonEmpty(first.From, first.IP, first.By, "unknown")),
			fmt.Sprintf("返送されたメッセージの Received（%d 段、最初は %s）は当方のリレーを一度も経由していません", len(o.Received), firstNonEmpty(first.From, first.IP, first.By, "不明"))))
	}
	if !found && !qidSeen && mid != "" && len(ix.byMsgID) > 0 && covered {
		items = append(items, item(CodeMessageIDNotInLog, WeightNotInLog,
			fmt.Sprintf("Message-ID <%s> is not in our send log, though the log covers the time the message claims (%s)", mid, date.Format(time.RFC3339)),
			fmt.Sprintf("送信ログはメッセージの日時（%s）を含む期間のものですが、Message-ID <%s> はありません", date.Format(time.RFC3339), mid)))
	}

	// 3. DKIM.
	items = append(items, ix.dkimEvidence(o)...)

	// 4. BATV.
	items = append(items, ix.batvEvidence(res, o)...)

	// 5. The Message-ID's form.
	if mid != "" && (len(ix.midShapes) > 0 || len(ix.midDomains) > 0) {
		shape := MessageIDShape(mid)
		dom := ""
		if at := strings.LastIndexByte(mid, '@'); at >= 0 {
			dom = mid[at+1:]
		}
		switch {
		case ix.midShapes[shape] > 0 || len(ix.midShapes) == 0 && ix.midDomains[dom] > 0:
			items = append(items, item(CodeMessageIDOurForm, WeightMessageIDForm,
				fmt.Sprintf("The Message-ID has the form our server and mail programs produce (%s)", shape),
				fmt.Sprintf("Message-ID の形式が当方のサーバーやメールソフトのものと一致します（%s）", shape)))
		case ix.midDomains[dom] == 0 && ix.isOurDomain(domainOf(o.From)):
			items = append(items, item(CodeMessageIDForeign, WeightMessageIDForeign,
				fmt.Sprintf("The Message-ID has a form never seen in our send log (%s), though From is an address of ours", shape),
				fmt.Sprintf("From は当方のアドレスですが、Message-ID は送信ログに見られない形式です（%s）", shape)))
		}
	}

	// 6. Activity.
	switch {
	case active:
		items = append(items, item(CodeDateInActivity, WeightDateIn,
			fmt.Sprintf("The original's Date (%s) lies within %v of sending activity in our log", date.Format(time.RFC3339), ix.window),
			fmt.Sprintf("元のメッセージの日時（%s）の前後 %v 以内に送信ログの記録があります", date.Format(time.RFC3339), ix.window)))
	case covered:
		items = append(items, item(CodeDateOutside, WeightDateOutside,
			fmt.Sprintf("Our log shows no sending within %v of the original's Date (%s), though it covers that time", ix.window, date.Format(time.RFC3339)),
			fmt.Sprintf("元のメッセージの日時（%s）の前後 %v に送信ログの記録がありません（ログはその期間を含みます）", date.Format(time.RFC3339), ix.window)))
	}
	return items
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

// dkimEvidence is rule 3.
func (ix *Index) dkimEvidence(o *bounce.Original) []Item {
	if len(o.DKIM) == 0 || len(ix.domains) == 0 {
		return nil
	}
	var ours, foreign []string
	for _, s := range o.DKIM {
		if ix.isOurDomain(s.Domain) {
			ours = append(ours, normDomain(s.Domain))
		} else {
			foreign = append(foreign, normDomain(s.Domain))
		}
	}
	if len(ours) == 0 {
		return []Item{item(CodeDKIMForeignOnly, WeightDKIMForeignOnly,
			fmt.Sprintf("The returned message is DKIM-signed only by other domains (d=%s), not by ours", strings.Join(foreign, ", d=")),
			fmt.Sprintf("返送されたメッセージの DKIM 署名は他のドメイン（d=%s）のもので、当方のドメインの署名はありません", strings.Join(foreign, ", d=")))}
	}
	d := ours[0]
	unverified := func(whyEn, whyJa string) []Item {
		return []Item{item(CodeDKIMOursUnverified, WeightDKIMUnverified,
			fmt.Sprintf("The returned message carries a DKIM-Signature of our domain d=%s (%s)", d, whyEn),
			fmt.Sprintf("返送されたメッセージに当方ドメインの DKIM 署名（d=%s）があります（%s）", d, whyJa))}
	}
	if ix.cfg.DKIM == nil {
		return unverified("not verified: no verifier configured", "検証は設定されていません")
	}
	if !o.BodyReturned || len(o.Raw) == 0 {
		return unverified("not verifiable: only the headers came back", "本文が返送されていないため検証できません")
	}
	rs, err := ix.cfg.DKIM.Verify(o.Raw)
	if err != nil {
		return unverified("verification impossible: "+err.Error(), "検証できませんでした: "+err.Error())
	}
	var failErr error
	temp := false
	for _, r := range rs {
		if !ix.isOurDomain(r.Domain) {
			continue
		}
		switch r.Status {
		case DKIMPass:
			return []Item{item(CodeDKIMOursVerified, WeightDKIMVerified,
				fmt.Sprintf("The DKIM-Signature of our domain d=%s verifies over the returned message", r.Domain),
				fmt.Sprintf("当方ドメイン d=%s の DKIM 署名が返送されたメッセージで検証に成功しました", r.Domain))}
		case DKIMFail:
			if failErr == nil {
				failErr = r.Err
				if failErr == nil {
					failErr = errors.New("signature does not verify")
				}
				d = r.Domain
			}
		default:
			temp = true
		}
	}
	if failErr != nil {
		return []Item{item(CodeDKIMOursFailed, WeightDKIMFailed,
			fmt.Sprintf("The DKIM-Signature of our domain d=%s does not verify (%v): forged, or altered on the way", d, failErr),
			fmt.Sprintf("当方ドメイン d=%s の DKIM 署名が検証に失敗しました（%v）。偽造されたか途中で改変されています", d, failErr))}
	}
	if temp {
		return unverified("the key could not be fetched now", "公開鍵を取得できませんでした")
	}
	return unverified("the verifier returned no result for it", "検証結果がありません")
}

// envelopeHeaders are the bounce's header fields that may carry its
// envelope recipient (the original's envelope sender).
var envelopeHeaders = []string{"Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To"}

// batvEvidence is rule 4.
func (ix *Index) batvEvidence(res *bounce.Result, o *bounce.Original) []Item {
	if len(ix.cfg.BATVKey) == 0 {
		return nil
	}
	var cands []string
	for _, name := range envelopeHeaders {
		for _, f := range res.Headers {
			if strings.EqualFold(f.Name, name) {
				cands = append(cands, addresses(f.Value)...)
			}
		}
	}
	if o.ReturnPath != "" {
		cands = append(cands, addresses(o.ReturnPath)...)
	}
	at, ok := res.Time()
	if !ok {
		at = time.Now()
	}
	oursSeen := ""
	for _, c := range cands {
		dom := domainOf(c)
		if len(ix.domains) > 0 && !ix.isOurDomain(dom) {
			continue
		}
		t, err := ValidateBATV(c, ix.cfg.BATVKey, at)
		switch {
		case errors.Is(err, ErrNotBATV):
			if oursSeen == "" {
				oursSeen = c
			}
			continue
		case err == nil:
			return []Item{item(CodeBATVValid, WeightBATVValid,
				fmt.Sprintf("The bounce went to %s, whose BATV tag validates with our key", c),
				fmt.Sprintf("バウンスの宛先 %s の BATV タグが当方の鍵で検証できました", c))}
		case errors.Is(err, ErrBATVExpired):
			return []Item{item(CodeBATVExpired, WeightBATVExpired,
				fmt.Sprintf("The bounce went to %s: our BATV tag, but expired (day %03d): an old address reused", c, t.Day),
				fmt.Sprintf("バウンスの宛先 %s は当方の BATV タグですが期限切れです（日付 %03d）。古いアドレスが再利用されています", c, t.Day))}
		default:
			return []Item{item(CodeBATVInvalid, WeightBATVInvalid,
				fmt.Sprintf("The bounce went to %s, whose BATV tag does not validate with our key: we never sent with this envelope sender", c),
				fmt.Sprintf("バウンスの宛先 %s の BATV タグが当方の鍵で検証できません。当方はこのエンベロープ送信者で送信していません", c))}
		}
	}
	if oursSeen != "" && ix.cfg.BATVSignsAll {
		return []Item{item(CodeBATVAbsent, WeightBATVAbsent,
			fmt.Sprintf("The bounce went to %s without a BATV tag, though we tag every envelope sender", oursSeen),
			fmt.Sprintf("当方はすべてのエンベロープ送信者に BATV タグを付けていますが、バウンスの宛先 %s にはタグがありません", oursSeen))}
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
