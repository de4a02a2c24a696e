package attrib

import (
	"errors"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/bouncewatch/bouncewatch/bounce"
)

// Facts is what attribution needs of one bounce, read once when the bounce
// arrives and independent of the send log: the returned message's
// Message-ID and its form, its Date, the Received chain in short, the
// DKIM signatures (verified when a verifier is configured), the BATV tags
// of the envelope recipient, the markers of an authenticated submission,
// and the answers of the fake-notice check. [Index.Judge] weighs Facts
// against the log known at that time, so a bounce read before the log
// line of its message is judged again once the line arrives. About 300
// bytes for a typical bounce.
type Facts struct {
	// Returned is false when the bounce returned nothing of the original.
	Returned bool
	// Body is true when the whole original came back, not only its header.
	Body      bool
	MessageID string // normalised, without angle brackets
	Shape     string // MessageIDShape of MessageID
	// Date is the original's Date (zero when absent or unreadable).
	Date time.Time
	// FromDomain and ReturnPath are the original's From domain and
	// Return-Path address (lower case).
	FromDomain string
	ReturnPath string
	// Hops are the returned Received fields, newest first.
	Hops []Hop
	// DKIM holds each DKIM-Signature of the original.
	DKIM []Sig
	// BATV holds the checks of the envelope recipient's prvs tags.
	BATV []BATVCheck
	// AuthHeader names a header field of the original that says the
	// message entered its first server by an authenticated submission
	// ("X-MS-Exchange-Organization-AuthAs: Internal", "X-Authenticated-User:
	// …"), or "".
	AuthHeader string
	// OriginatingIP is the client the original's headers name
	// (X-Originating-IP, or the entry hop's client).
	OriginatingIP string
	// Fake says why the message is a fake notice (phishing), nil when it
	// is not: DetectFake's answer, from the message and our domains alone.
	Fake *Fake
}

// Hop is one Received field in short.
type Hop struct {
	By, From string // host names, lower case
	IP       string // the client's address as the field gives it (canonical)
	Client   string // the real client address (the one in the comment)
	With     string // protocol, upper case: ESMTPSA, SMTP, …
	ID       string
	// Auth is how the field says the client authenticated: the RFC 3848
	// protocol ("ESMTPSA") or a comment ("Authenticated sender"); "" when
	// it does not.
	Auth string
}

// Sig is one DKIM-Signature of the returned message.
type Sig struct {
	Domain, Selector string
	// Status is the verification's outcome; "" when not verified.
	Status DKIMStatus
	Err    string
	// Why says why it was not verified, when it was not.
	WhyEn, WhyJa string
}

// BATVCheck is the check of one envelope recipient against our BATV key.
type BATVCheck struct {
	Addr   string
	Domain string
	Result BATVResult
	Day    int
}

// BATVResult is the outcome of a BATV check.
type BATVResult uint8

// BATV outcomes.
const (
	BATVNone    BATVResult = iota // not a prvs address
	BATVOK                        // valid with our key
	BATVExpired                   // our hash, but expired
	BATVBad                       // the hash is not ours
)

// Extractor reads the Facts of bounces for one site's Config. It is safe
// for concurrent use and reads nothing of the send log, so it can run in
// the decoding workers while the log still grows.
type Extractor struct {
	cfg Config
	ix  *Index // the configuration only: what the fake check may ask
	now func() time.Time
}

// NewExtractor returns an Extractor for cfg.
func NewExtractor(cfg Config) *Extractor {
	return &Extractor{cfg: cfg, ix: NewIndex(cfg), now: time.Now}
}

// Extract reads the Facts of res (nil gives the Facts of a bounce that
// returned nothing).
func (ex *Extractor) Extract(res *bounce.Result) *Facts {
	f := &Facts{}
	var o *bounce.Original
	if res != nil {
		o = res.Returned()
	}
	if o != nil && (o.MessageID != "" || len(o.Received) > 0 || len(o.Headers) > 0 || o.From != "") {
		f.Returned = true
		ex.original(f, res, o)
	}
	if res == nil {
		return f
	}
	f.Fake = (fakeInput{res: res, ours: ex.ix.domains}).detect()
	f.own()
	return f
}

// own makes f's strings its own: the decoder's are slices of the whole
// message, which a kept Facts must not hold alive.
func (f *Facts) own() {
	c := strings.Clone
	f.MessageID, f.Shape, f.FromDomain, f.ReturnPath = c(f.MessageID), c(f.Shape), c(f.FromDomain), c(f.ReturnPath)
	f.AuthHeader, f.OriginatingIP = c(f.AuthHeader), c(f.OriginatingIP)
	for i := range f.Hops {
		h := &f.Hops[i]
		h.By, h.From, h.IP, h.Client, h.With, h.ID, h.Auth = c(h.By), c(h.From), c(h.IP), c(h.Client), c(h.With), c(h.ID), c(h.Auth)
	}
	for i := range f.DKIM {
		d := &f.DKIM[i]
		d.Domain, d.Selector, d.Err = c(d.Domain), c(d.Selector), c(d.Err)
	}
	for i := range f.BATV {
		f.BATV[i].Addr, f.BATV[i].Domain = c(f.BATV[i].Addr), c(f.BATV[i].Domain)
	}
	if fk := f.Fake; fk != nil {
		for i := range fk.Reasons {
			fk.Reasons[i].En, fk.Reasons[i].Ja = c(fk.Reasons[i].En), c(fk.Reasons[i].Ja)
		}
	}
	if len(f.Hops) > 0 {
		f.Hops = append([]Hop(nil), f.Hops...) // no spare capacity
	}
}

func (ex *Extractor) original(f *Facts, res *bounce.Result, o *bounce.Original) {
	f.Body = o.BodyReturned
	f.MessageID = normMessageID(o.MessageID)
	if f.MessageID != "" {
		f.Shape = MessageIDShape(f.MessageID)
	}
	if d, err := bounce.ParseMailDate(strings.TrimSpace(o.Date)); err == nil {
		f.Date = d
	}
	f.FromDomain = domainOf(o.From)
	if rp := addresses(o.ReturnPath); len(rp) > 0 {
		f.ReturnPath = strings.ToLower(rp[0])
	}
	for _, h := range o.Received {
		hop := Hop{
			By: normDomain(h.By), From: normDomain(h.From), IP: canonIP(h.IP), Client: canonIP(clientIP(h)),
			With: strings.ToUpper(strings.TrimSpace(h.With)), ID: strings.TrimSpace(h.ID),
		}
		if i := strings.IndexAny(hop.With, " \t("); i >= 0 {
			hop.With = hop.With[:i]
		}
		if len(hop.With) > 24 {
			hop.With = hop.With[:24]
		}
		switch {
		case authProtocol(hop.With):
			hop.Auth = hop.With
		default:
			hop.Auth = authComment(h.Raw)
		}
		f.Hops = append(f.Hops, hop)
	}
	f.AuthHeader, f.OriginatingIP = authHeaders(o.Headers)
	if f.OriginatingIP == "" {
		if e := f.Entry(); e != nil {
			f.OriginatingIP = e.Client
		}
	}
	f.DKIM = ex.dkim(o)
	f.BATV = ex.batv(res, o)
}

// Entry returns the oldest hop that names the host that added it: where
// the message entered the mail system; nil when there is none.
func (f *Facts) Entry() *Hop {
	for i := len(f.Hops) - 1; i >= 0; i-- {
		if f.Hops[i].By != "" {
			return &f.Hops[i]
		}
	}
	return nil
}

// Authenticated reports whether the returned message shows an
// authenticated submission (a hop's protocol or comment, or a header of
// the submission server), and names what showed it.
func (f *Facts) Authenticated() (bool, string) {
	for i := len(f.Hops) - 1; i >= 0; i-- {
		if a := f.Hops[i].Auth; a != "" {
			if authProtocol(a) {
				return true, "Received: … with " + a
			}
			return true, "Received: … (" + a + ")"
		}
	}
	if f.AuthHeader != "" {
		return true, f.AuthHeader
	}
	return false, ""
}

// authComment finds an authentication marker in a Received field's
// comments: Postfix's "(Authenticated sender: user)"
// (smtpd_sasl_authenticated_header), Sendmail's "(authenticated bits=0)",
// cPanel's "authenticated_id".
func authComment(raw string) string {
	l := strings.ToLower(raw)
	for _, m := range []struct{ needle, name string }{
		{"authenticated sender:", "Authenticated sender"},
		{"(authenticated bits=", "authenticated bits"},
		{"(authenticated as ", "authenticated as"},
		{"authenticated_id:", "authenticated_id"},
		{"(authenticated user ", "authenticated user"},
	} {
		if strings.Contains(l, m.needle) {
			return m.name
		}
	}
	return ""
}

// authHeaders reads the header fields submission servers add for an
// authenticated client: Microsoft 365's X-MS-Exchange-Organization-AuthAs
// (and CrossTenant) "Internal", X-Authenticated-User and
// X-Authenticated-Sender (Zimbra, IceWarp, cPanel),
// X-Get-Message-Sender-Via "authenticated_id:" (cPanel/Exim),
// X-Auth-ID; and the client's address in X-Originating-IP.
func authHeaders(hs []bounce.Field) (marker, origIP string) {
	for _, h := range hs {
		name := strings.ToLower(h.Name)
		v := strings.TrimSpace(h.Value)
		switch name {
		case "x-ms-exchange-organization-authas", "x-ms-exchange-crosstenant-authas":
			if strings.EqualFold(v, "Internal") && marker == "" {
				marker = h.Name + ": Internal"
			}
		case "x-authenticated-user", "x-authenticated-sender", "x-auth-id", "x-authuser", "x-sender-id":
			if v != "" && marker == "" {
				marker = h.Name + ": " + shorten(v, 80)
			}
		case "x-get-message-sender-via":
			if strings.Contains(strings.ToLower(v), "authenticated_id:") && marker == "" {
				marker = h.Name + ": " + shorten(v, 80)
			}
		case "x-originating-ip", "x-ms-exchange-organization-originalclientipaddress":
			if origIP == "" {
				origIP = canonIP(strings.Trim(v, "[] "))
			}
		}
	}
	return marker, origIP
}

// dkim reads (and, with a verifier, verifies) the signatures.
func (ex *Extractor) dkim(o *bounce.Original) []Sig {
	if len(o.DKIM) == 0 {
		return nil
	}
	sigs := make([]Sig, 0, len(o.DKIM))
	for _, s := range o.DKIM {
		sigs = append(sigs, Sig{Domain: normDomain(s.Domain), Selector: strings.ToLower(strings.TrimSpace(s.Selector))})
	}
	unverified := func(en, ja string) {
		for i := range sigs {
			sigs[i].WhyEn, sigs[i].WhyJa = en, ja
		}
	}
	if ex.cfg.DKIM == nil {
		unverified("not verified: no verifier configured", "検証は設定されていません")
		return sigs
	}
	if !o.BodyReturned || len(o.Raw) == 0 {
		unverified("not verifiable: only the headers came back", "本文が返送されていないため検証できません")
		return sigs
	}
	// Verifying costs DNS queries: only when a signature may be ours.
	if len(ex.ix.domains) > 0 {
		mine := false
		for _, s := range sigs {
			mine = mine || ex.ix.isOurDomain(s.Domain)
		}
		if !mine {
			unverified("not verified: not our domain", "当方のドメインではないため検証していません")
			return sigs
		}
	}
	rs, err := ex.cfg.DKIM.Verify(o.Raw)
	if err != nil {
		unverified("verification impossible: "+err.Error(), "検証できませんでした: "+err.Error())
		return sigs
	}
	unverified("the verifier returned no result for it", "検証結果がありません")
	for _, r := range rs {
		for i := range sigs {
			if sigs[i].Domain == normDomain(r.Domain) && sigs[i].Status == "" {
				sigs[i].Status = r.Status
				if r.Err != nil {
					sigs[i].Err = r.Err.Error()
				} else if r.Status == DKIMFail {
					sigs[i].Err = "signature does not verify"
				}
				if r.Status == DKIMTempError {
					sigs[i].WhyEn, sigs[i].WhyJa = "the key could not be fetched now", "公開鍵を取得できませんでした"
				}
				break
			}
		}
	}
	return sigs
}

// batv checks the bounce's envelope recipients against our key.
func (ex *Extractor) batv(res *bounce.Result, o *bounce.Original) []BATVCheck {
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
	if len(ex.cfg.BATVKey) == 0 || len(cands) == 0 {
		return nil
	}
	at, ok := res.Time()
	if !ok {
		at = ex.now()
	}
	var out []BATVCheck
	for _, c := range cands {
		if len(out) >= 8 {
			break
		}
		ch := BATVCheck{Addr: c, Domain: domainOf(c)}
		t, err := ValidateBATV(c, ex.cfg.BATVKey, at)
		switch {
		case errors.Is(err, ErrNotBATV):
			ch.Result = BATVNone
		case err == nil:
			ch.Result = BATVOK
		case errors.Is(err, ErrBATVExpired):
			ch.Result, ch.Day = BATVExpired, t.Day
		default:
			ch.Result, ch.Day = BATVBad, t.Day
		}
		out = append(out, ch)
	}
	return out
}

// Org returns the registrable domain (eTLD+1) of a host name, or the name
// itself when it has none.
func Org(host string) string {
	host = normDomain(host)
	if host == "" || canonIP(host) != "" {
		return host
	}
	if o, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return o
	}
	return host
}
