package domaincheck

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"

	"github.com/emersion/go-msgauth/dmarc"
	"golang.org/x/net/publicsuffix"
)

// DMARCRecord is a parsed DMARC record (RFC 7489 section 6.3). Parsing of
// the values is go-msgauth's dmarc.Parse; this adds the tag order, the
// tags as written, duplicate and unknown tags, and the report URIs.
type DMARCRecord struct {
	Tags []DMARCTag `json:"tags"`
	// Policy and SubdomainPolicy are none, quarantine or reject;
	// SubdomainPolicy is "" when sp= is absent (p applies).
	Policy          string `json:"p"`
	SubdomainPolicy string `json:"sp,omitempty"`
	// Percent is pct=, 100 when absent.
	Percent int      `json:"pct"`
	RUA     []string `json:"rua"`
	RUF     []string `json:"ruf"`
	// ADKIM and ASPF are "r" (relaxed, the default) or "s" (strict).
	ADKIM string `json:"adkim"`
	ASPF  string `json:"aspf"`
	FO    string `json:"fo,omitempty"`
	// Unknown lists tags RFC 7489 does not define (ignored by receivers,
	// often a typo).
	Unknown []string `json:"unknown,omitempty"`
}

// DMARCTag is one tag=value pair as written.
type DMARCTag struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// DMARCSyntaxError is a record receivers would discard.
type DMARCSyntaxError struct {
	Reason string
}

func (e *DMARCSyntaxError) Error() string { return "dmarc: " + e.Reason }

var dmarcTags = map[string]bool{"v": true, "p": true, "sp": true, "pct": true, "rua": true, "ruf": true,
	"adkim": true, "aspf": true, "fo": true, "rf": true, "ri": true}

// IsDMARC reports whether a TXT string is a DMARC record (begins v=DMARC1).
func IsDMARC(txt string) bool {
	s := strings.TrimLeft(txt, " \t")
	if !strings.HasPrefix(s, "v") {
		return false
	}
	s = strings.TrimLeft(s[1:], " \t")
	if !strings.HasPrefix(s, "=") {
		return false
	}
	s = strings.TrimLeft(s[1:], " \t")
	return strings.HasPrefix(s, "DMARC1") && (len(s) == 6 || strings.ContainsRune(" \t;", rune(s[6])))
}

// ParseDMARC parses a DMARC record. Errors are *DMARCSyntaxError.
func ParseDMARC(txt string) (*DMARCRecord, error) {
	rec := &DMARCRecord{Tags: []DMARCTag{}, RUA: []string{}, RUF: []string{}}
	seen := map[string]bool{}
	for i, part := range strings.Split(txt, ";") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || name == "" {
			return nil, &DMARCSyntaxError{Reason: fmt.Sprintf("%q is not tag=value", strings.TrimSpace(part))}
		}
		if i == 0 && (name != "v" || value != "DMARC1") {
			return nil, &DMARCSyntaxError{Reason: `the record must begin with "v=DMARC1"`}
		}
		lname := strings.ToLower(name)
		if seen[lname] {
			return nil, &DMARCSyntaxError{Reason: fmt.Sprintf("tag %s= appears twice", name)}
		}
		seen[lname] = true
		if !dmarcTags[name] {
			rec.Unknown = append(rec.Unknown, name)
		}
		rec.Tags = append(rec.Tags, DMARCTag{Name: name, Value: value})
	}
	if len(rec.Tags) == 0 {
		return nil, &DMARCSyntaxError{Reason: "empty record"}
	}
	r, err := dmarc.Parse(txt)
	if err != nil {
		return nil, &DMARCSyntaxError{Reason: strings.TrimPrefix(err.Error(), "dmarc: ")}
	}
	rec.Policy = string(r.Policy)
	rec.SubdomainPolicy = string(r.SubdomainPolicy)
	rec.Percent = 100
	if r.Percent != nil {
		rec.Percent = *r.Percent
	}
	rec.ADKIM, rec.ASPF = string(r.DKIMAlignment), string(r.SPFAlignment)
	for _, t := range rec.Tags {
		if t.Name == "fo" {
			rec.FO = t.Value
		}
	}
	for _, u := range r.ReportURIAggregate {
		if u != "" {
			rec.RUA = append(rec.RUA, u)
		}
	}
	for _, u := range r.ReportURIFailure {
		if u != "" {
			rec.RUF = append(rec.RUF, u)
		}
	}
	return rec, nil
}

// ReportAddress returns the domain a report URI sends to and checks its
// form (RFC 7489 section 6.2: a URI, optionally followed by !size).
// mailto: gives the address's domain; https: the host.
func ReportAddress(uri string) (string, error) {
	u, _, _ := strings.Cut(uri, "!")
	p, err := url.Parse(u)
	if err != nil {
		return "", fmt.Errorf("invalid report URI %q: %w", uri, err)
	}
	switch strings.ToLower(p.Scheme) {
	case "mailto":
		addr, err := mail.ParseAddress(p.Opaque)
		if err != nil {
			return "", fmt.Errorf("invalid report address %q: %w", uri, err)
		}
		_, dom, _ := strings.Cut(addr.Address, "@")
		return strings.ToLower(dom), nil
	case "https", "http":
		if p.Host == "" {
			return "", fmt.Errorf("report URI %q has no host", uri)
		}
		return strings.ToLower(p.Hostname()), nil
	}
	return "", fmt.Errorf("report URI %q: use mailto:", uri)
}

// DMARCResult is the DMARC policy that applies to the domain.
type DMARCResult struct {
	// Name is where the record was found: _dmarc.<domain>, or
	// _dmarc.<organisational domain> when Inherited.
	Name      string       `json:"name,omitempty"`
	Record    string       `json:"record,omitempty"`
	Inherited bool         `json:"inherited"`
	OrgDomain string       `json:"org_domain"`
	Parsed    *DMARCRecord `json:"parsed,omitempty"`
	// Policy is the policy for the domain checked: p=, or for a
	// subdomain under an inherited record, sp= when present.
	Policy string `json:"policy,omitempty"`
}

func (c *checker) checkDMARC() DMARCResult {
	var res DMARCResult
	org, err := publicsuffix.EffectiveTLDPlusOne(c.domain)
	if err != nil {
		org = c.domain
	}
	res.OrgDomain = org
	txt, name, ok := c.dmarcAt(c.domain)
	if !ok {
		return res
	}
	if txt == "" && org != c.domain {
		if txt, name, ok = c.dmarcAt(org); !ok {
			return res
		}
		res.Inherited = txt != ""
	}
	if txt == "" {
		c.add(Error, "dmarc.missing", tr(
			"No DMARC record at _dmarc.%s. Without one, receivers have no instruction to refuse mail that fails SPF and DKIM, so forgeries of your address are delivered or bounced back to you.",
			"_dmarc.%s に DMARC レコードがありません。これがないと、SPF と DKIM に不合格のメールを拒否する指示が受信側に伝わらず、あなたのアドレスを偽ったメールは配送されるか、あなたにエラーとして返ってきます。",
			c.domain))
		return res
	}
	res.Name, res.Record = name, txt
	rec, err := ParseDMARC(txt)
	if err != nil {
		c.add(Error, "dmarc.syntax", tr(
			"The DMARC record at %s is invalid, so receivers ignore it: %v",
			"%s の DMARC レコードが不正なため、受信側はこれを無視します: %v",
			name, err))
		return res
	}
	res.Parsed = rec
	res.Policy = rec.Policy
	if res.Inherited {
		if rec.SubdomainPolicy != "" {
			res.Policy = rec.SubdomainPolicy
		}
		c.add(Info, "dmarc.inherited", tr(
			"%s has no DMARC record of its own; the record of the organisational domain %s applies (policy %s).",
			"%s には専用の DMARC レコードがなく、組織ドメイン %s のレコードが適用されます (ポリシー %s)。",
			c.domain, org, res.Policy))
	}
	switch res.Policy {
	case "none":
		c.add(Warn, "dmarc.policy_none", tr(
			"DMARC policy is p=none: monitoring only. Receivers report forgeries to you but still deliver them — or accept and bounce them to you. Move to p=quarantine, then p=reject, so that receivers refuse the forged mail during delivery and no bounce is ever made.",
			"DMARC のポリシーが p=none (監視のみ) です。受信側は偽装をレポートで知らせるだけで、偽装メールはそのまま配送されるか、受け取った後にエラーとしてあなたへ返されます。p=quarantine、次に p=reject へ進めると、受信側は偽装メールを受信の時点で拒否し、エラーメール自体が作られなくなります。"))
	case "quarantine":
		c.add(Info, "dmarc.policy_quarantine", tr(
			"DMARC policy is p=quarantine: forgeries go to the spam folder. Once the reports show that your own mail passes, go to p=reject.",
			"DMARC のポリシーは p=quarantine で、偽装メールは迷惑メールフォルダーに入ります。レポートで自分のメールが合格していると確認できたら p=reject に進めてください。"))
	case "reject":
		c.add(OK, "dmarc.policy_reject", tr(
			"DMARC policy is p=reject: receivers refuse mail that fails SPF and DKIM alignment.",
			"DMARC のポリシーは p=reject で、SPF・DKIM の整合に不合格のメールは受信側で拒否されます。"))
	}
	if !res.Inherited && rec.SubdomainPolicy == "none" && rec.Policy != "none" {
		c.add(Warn, "dmarc.sp_none", tr(
			"sp=none leaves subdomains (anything.%s) unprotected: forgers can use them instead. Remove sp= or set it like p=.",
			"sp=none のため、サブドメイン (任意の名前.%s) が保護されず、偽装に使われます。sp= を削除するか p= と同じ値にしてください。",
			c.domain))
	}
	if rec.Percent < 100 {
		c.add(Warn, "dmarc.pct_partial", tr(
			"pct=%d: the policy applies to only %d%% of failing mail; the rest is handled as p=none. Raise to 100 (or remove pct=).",
			"pct=%d のため、ポリシーは不合格メールの %d%% にしか適用されず、残りは p=none 扱いです。100 にする (または pct= を削除する) ことを勧めます。",
			rec.Percent, rec.Percent))
	}
	if len(rec.RUA) == 0 {
		c.add(Warn, "dmarc.rua_missing", tr(
			"No rua= address: you get no aggregate reports, so you cannot see who sends as your domain, nor safely tighten the policy. Add rua=mailto:dmarc@%s (a mailbox you read, or a report service).",
			"rua= がないため集計レポートが届かず、誰があなたのドメインを名乗って送っているか分からず、ポリシーを安全に強められません。rua=mailto:dmarc@%s (読めるメールボックスか、レポート集計サービス) を追加してください。",
			c.domain))
	}
	for _, uri := range append(append([]string{}, rec.RUA...), rec.RUF...) {
		dom, err := ReportAddress(uri)
		if err != nil {
			c.add(Warn, "dmarc.report_uri_invalid", tr("%v", "%v", err))
			continue
		}
		c.checkExternalReport(strings.TrimPrefix(name, "_dmarc."), dom, uri)
	}
	for _, u := range rec.Unknown {
		c.add(Warn, "dmarc.unknown_tag", tr(
			"Unknown tag %q is ignored by receivers (a typo?).",
			"不明なタグ %q は受信側で無視されます (入力ミスでは?)。", u))
	}
	align := func(s string) Text {
		if s == "s" {
			return Text{En: "strict", Ja: "厳格 (strict)"}
		}
		return Text{En: "relaxed", Ja: "緩和 (relaxed)"}
	}
	dk, sp := align(rec.ADKIM), align(rec.ASPF)
	c.add(Info, "dmarc.alignment", Text{
		En: fmt.Sprintf("Alignment: DKIM %s, SPF %s. Relaxed lets subdomains (mail.%s) count as your domain; strict needs the exact name.",
			dk.En, sp.En, c.domain),
		Ja: fmt.Sprintf("整合 (アライメント): DKIM %s、SPF %s。relaxed ではサブドメイン (mail.%s など) も同じドメインとみなし、strict では完全一致が必要です。",
			dk.Ja, sp.Ja, c.domain),
	})
	return res
}

// dmarcAt fetches the DMARC record of domain: "" when there is none; ok
// false after a DNS failure or several records (both reported).
func (c *checker) dmarcAt(domain string) (txt, name string, ok bool) {
	name = "_dmarc." + domain
	txts, _, err := c.r.txt(c.ctx, c.server, name)
	if err != nil {
		c.dnsFailure(err)
		return "", name, false
	}
	var recs []string
	for _, t := range txts {
		if IsDMARC(t) {
			recs = append(recs, t)
		}
	}
	if len(recs) > 1 {
		c.add(Error, "dmarc.multiple", tr(
			"%d DMARC records at %s; receivers then apply none of them (RFC 7489 section 6.6.3). Keep one.",
			"%[2]s に DMARC レコードが %[1]d 件あり、受信側はどれも適用しません (RFC 7489 6.6.3)。1 件にしてください。",
			len(recs), name))
		return "", name, false
	}
	if len(recs) == 1 {
		return recs[0], name, true
	}
	return "", name, true
}

// checkExternalReport checks that a report address outside the
// organisational domain has agreed to receive reports (RFC 7489 section
// 7.1: a v=DMARC1 TXT record at <domain>._report._dmarc.<its domain>).
func (c *checker) checkExternalReport(recDomain, dom, uri string) {
	org, err := publicsuffix.EffectiveTLDPlusOne(recDomain)
	if err != nil {
		org = recDomain
	}
	if dorg, err := publicsuffix.EffectiveTLDPlusOne(dom); dom == org || strings.HasSuffix(dom, "."+org) || (err == nil && dorg == org) {
		return
	}
	name := recDomain + "._report._dmarc." + dom
	txts, _, err := c.r.txt(c.ctx, c.server, name)
	if err != nil {
		var de *DNSError
		if errors.As(err, &de) {
			c.dnsFailure(err)
			return
		}
	}
	for _, t := range txts {
		if IsDMARC(t) {
			return
		}
	}
	c.add(Warn, "dmarc.report_unauthorized", tr(
		"Reports to %s go to another domain, which has not authorised them (no TXT \"v=DMARC1\" at %s); receivers will not send those reports.",
		"%s へのレポートは別ドメイン宛てですが、受け取りの許可 (%s の TXT \"v=DMARC1\") がないため、受信側はレポートを送りません。",
		uri, name))
}
