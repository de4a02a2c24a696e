package domaincheck

import (
	"strings"

	"github.com/miekg/dns"
)

// RFC 7208 section 4.6.4 limits.
const (
	MaxSPFLookups     = 10 // DNS-querying terms, across includes and redirects
	MaxSPFVoidLookups = 2  // lookups that return NXDOMAIN or no records
	MaxSPFMXNames     = 10 // names in one mx mechanism's MX answer
)

// maxSPFDepth and maxSPFQueries bound the walk through includes, so that
// a hostile chain cannot make the checker query without end. Counting goes
// on past the limit of 10 to tell the user how far over the record is.
const (
	maxSPFDepth   = 20
	maxSPFQueries = 100
)

// SPFResult is the domain's SPF as receivers see it.
type SPFResult struct {
	// Record is the domain's v=spf1 record; Records lists all of them
	// when there are several (a permanent error).
	Record  string     `json:"record"`
	Records []string   `json:"records,omitempty"`
	Parsed  *SPFRecord `json:"parsed,omitempty"`
	// All is the final "all" in effect, through redirect= ("-all",
	// "~all", "?all", "+all"), or "" when none.
	All string `json:"all"`
	// Lookups is the number of DNS-querying terms counted through every
	// include and redirect; VoidLookups those that found nothing.
	Lookups     int `json:"lookups"`
	VoidLookups int `json:"void_lookups"`
	// Tree lists the records followed, top first, with their depth.
	Tree []SPFNode `json:"tree"`
}

// SPFNode is one record reached while following includes and redirects.
type SPFNode struct {
	Domain string `json:"domain"`
	Via    string `json:"via"` // "", "include" or "redirect"
	Depth  int    `json:"depth"`
	Record string `json:"record,omitempty"`
	// Lookups is the number of DNS-querying terms in this record alone.
	Lookups int `json:"lookups"`
	// Problem is set when the record could not be used ("no SPF record",
	// "loop", a syntax error).
	Problem string `json:"problem,omitempty"`
}

type spfWalk struct {
	c       *checker
	res     *SPFResult
	queries int
	loop    bool
	ptr     bool
}

func (c *checker) checkSPF() SPFResult {
	res := SPFResult{Tree: []SPFNode{}}
	txts, _, err := c.r.txt(c.ctx, c.server, c.domain)
	if err != nil {
		c.dnsFailure(err)
		return res
	}
	var recs []string
	for _, t := range txts {
		if IsSPF(t) {
			recs = append(recs, t)
		}
	}
	switch {
	case len(recs) == 0:
		c.add(Error, "spf.missing", tr(
			"No SPF record. Receivers cannot tell which servers may send mail as @%s, so forged mail with your address is accepted and its bounces come back to you.",
			"SPF レコードがありません。受信側は @%s を名乗ってよいサーバーを判断できないため、あなたのアドレスを偽ったメールが受け付けられ、そのエラーメールがあなたに返ってきます。",
			c.domain))
		return res
	case len(recs) > 1:
		res.Records = recs
		c.add(Error, "spf.multiple", tr(
			"%d SPF records are published; RFC 7208 says receivers must then treat SPF as broken (permerror) and ignore it. Merge them into one record.",
			"SPF レコードが %d 件あります。RFC 7208 では複数あると受信側は SPF を壊れたもの (permerror) として扱い、無視します。1 件にまとめてください。",
			len(recs)))
		return res
	}
	res.Record = recs[0]
	w := &spfWalk{c: c, res: &res}
	rec, err := ParseSPF(res.Record)
	res.Parsed = rec
	if err != nil {
		for _, e := range unjoin(err) {
			c.add(Error, "spf.syntax", tr(
				"SPF syntax error — receivers treat the whole record as broken (permerror): %v",
				"SPF の書式エラー。受信側はレコード全体を壊れたもの (permerror) として扱います: %v",
				e))
		}
	}
	res.All = w.walk(c.domain, "", 0, rec, nil)
	w.report(rec)
	return res
}

// walk counts the DNS-querying terms of rec (published at domain), follows
// its includes and redirect, and returns the "all" in effect.
func (w *spfWalk) walk(domain, via string, depth int, rec *SPFRecord, stack []string) string {
	node := len(w.res.Tree)
	w.res.Tree = append(w.res.Tree, SPFNode{Domain: domain, Via: via, Depth: depth})
	if rec != nil {
		w.res.Tree[node].Record = rec.String()
	} else {
		return ""
	}
	stack = append(stack, strings.ToLower(domain))
	all := ""
	var redirect *SPFTerm
	for i := range rec.Terms {
		t := &rec.Terms[i]
		if t.QueriesDNS() {
			w.res.Lookups++
			w.res.Tree[node].Lookups++
		}
		target := t.Domain
		if target == "" {
			target = domain
		}
		switch t.Mechanism {
		case "all":
			if all == "" {
				all = string(t.Qualifier) + "all"
			}
		case "ptr":
			w.ptr = true
		case "include":
			if t.HasMacro() {
				continue
			}
			w.follow(target, "include", depth+1, stack)
		case "a":
			if !t.HasMacro() {
				w.void(target, dns.TypeA, dns.TypeAAAA)
			}
		case "mx":
			if !t.HasMacro() {
				if n := w.void(target, dns.TypeMX); n > MaxSPFMXNames {
					w.c.add(Error, "spf.mx_too_many", tr(
						"The term %q finds %d mail servers; SPF allows at most %d (RFC 7208 section 4.6.4), so receivers fail the check.",
						"%q は %d 台のメールサーバーを指しています。SPF で許されるのは %d 台までで (RFC 7208 4.6.4)、受信側の検査はエラーになります。",
						t.Raw, n, MaxSPFMXNames))
				}
			}
		}
		if t.Modifier == "redirect" {
			redirect = t
		}
	}
	// redirect= applies only when no "all" matched (RFC 7208 section 6.1).
	if redirect != nil && all == "" && !redirect.HasMacro() {
		all = w.follow(redirect.Domain, "redirect", depth+1, stack)
	}
	return all
}

// follow fetches the record that an include or redirect names and walks it.
func (w *spfWalk) follow(target, via string, depth int, stack []string) string {
	c := w.c
	t := strings.ToLower(strings.TrimSuffix(target, "."))
	for _, s := range stack {
		if s == t {
			w.res.Tree = append(w.res.Tree, SPFNode{Domain: target, Via: via, Depth: depth, Problem: "loop"})
			if !w.loop {
				c.add(Error, "spf.loop", tr(
					"SPF loop: %s is reached again through %s (%s). Receivers stop with a permanent error, and the record protects nothing.",
					"SPF がループしています: %s が %s で再び参照されます (%s)。受信側は永続エラーで検査を打ち切り、レコードは何も守りません。",
					target, via, strings.Join(append(stack, t), " → ")))
			}
			w.loop = true
			return ""
		}
	}
	if depth > maxSPFDepth || w.queries >= maxSPFQueries {
		w.res.Tree = append(w.res.Tree, SPFNode{Domain: target, Via: via, Depth: depth, Problem: "not followed: too deep"})
		return ""
	}
	w.queries++
	txts, a, err := c.r.txt(c.ctx, c.server, target)
	if err != nil {
		c.dnsFailure(err)
		return ""
	}
	var recs []string
	for _, s := range txts {
		if IsSPF(s) {
			recs = append(recs, s)
		}
	}
	if len(recs) != 1 {
		problem := "no SPF record"
		if len(recs) > 1 {
			problem = "several SPF records"
		} else if a.empty() {
			w.res.VoidLookups++
		}
		w.res.Tree = append(w.res.Tree, SPFNode{Domain: target, Via: via, Depth: depth, Problem: problem})
		c.add(Error, "spf.include_broken", tr(
			"%s:%s has %s; receivers treat that as a permanent error (RFC 7208 section 5.2). Remove the term or fix the name.",
			"%s:%s は %s の状態です。受信側は永続エラーとして扱います (RFC 7208 5.2)。その項目を削除するか、名前を直してください。",
			via, target, problem))
		return ""
	}
	rec, err := ParseSPF(recs[0])
	if err != nil {
		c.add(Error, "spf.include_syntax", tr(
			"The SPF record of %s, reached through %s, has a syntax error: %v",
			"%[2]s で参照される %[1]s の SPF レコードに書式エラーがあります: %[3]v",
			target, via, err))
	}
	return w.walk(target, via, depth, rec, stack)
}

// void looks the name up with each type in turn until one has records,
// counts a void lookup when none has, and returns the number of records.
func (w *spfWalk) void(name string, types ...uint16) int {
	if w.queries >= maxSPFQueries {
		return 0
	}
	for _, qt := range types {
		w.queries++
		a, err := w.c.r.lookup(w.c.ctx, w.c.server, name, qt)
		if err != nil {
			w.c.dnsFailure(err)
			return 0
		}
		if !a.empty() {
			return len(a.rrs)
		}
	}
	w.res.VoidLookups++
	return 0
}

// report turns the counts into findings.
func (w *spfWalk) report(rec *SPFRecord) {
	c, res := w.c, w.res
	if res.Lookups > MaxSPFLookups {
		c.add(Error, "spf.lookups_exceeded", tr(
			"SPF needs %d DNS lookups; the limit is %d (RFC 7208 section 4.6.4). Receivers stop at the 11th with a permanent error, so SPF fails even for your own mail. Remove includes you no longer use, or replace some with ip4:/ip6: ranges.",
			"SPF の DNS 参照が %d 回必要ですが、上限は %d 回です (RFC 7208 4.6.4)。受信側は 11 回目で永続エラーとし、自分のメールまで SPF 不合格になります。使っていない include を削除するか、一部を ip4:/ip6: の範囲に置き換えてください。",
			res.Lookups, MaxSPFLookups))
	} else {
		sev := OK
		if res.Lookups >= 8 {
			sev = Info
		}
		c.add(sev, "spf.lookups", tr(
			"SPF needs %d of the %d DNS lookups allowed.",
			"SPF の DNS 参照は %d 回で、上限 %d 回の範囲内です。",
			res.Lookups, MaxSPFLookups))
	}
	if res.VoidLookups > MaxSPFVoidLookups {
		c.add(Error, "spf.void_lookups_exceeded", tr(
			"%d names in the SPF record do not exist or have no records; more than %d makes receivers fail SPF (RFC 7208 section 4.6.4). Remove the terms that point nowhere.",
			"SPF レコード内の %d 個の名前が存在しないか、レコードがありません。%d 個を超えると受信側は SPF をエラーにします (RFC 7208 4.6.4)。どこも指していない項目を削除してください。",
			res.VoidLookups, MaxSPFVoidLookups))
	} else if res.VoidLookups > 0 {
		c.add(Warn, "spf.void_lookups", tr(
			"%d name(s) in the SPF record do not exist or have no records (at most %d are tolerated). Remove the terms that point nowhere.",
			"SPF レコード内の %d 個の名前が存在しないか、レコードがありません (許容は %d 個まで)。どこも指していない項目を削除してください。",
			res.VoidLookups, MaxSPFVoidLookups))
	}
	if w.ptr {
		c.add(Warn, "spf.ptr", tr(
			"The ptr mechanism is deprecated (RFC 7208 section 5.5): slow, unreliable, and some receivers ignore it. Replace it with ip4:/ip6: or a:.",
			"ptr は非推奨です (RFC 7208 5.5)。遅く不確実で、無視する受信側もあります。ip4:/ip6: または a: に置き換えてください。"))
	}
	if rec != nil {
		for i, t := range rec.Terms {
			if t.Mechanism == "all" && i < len(rec.Terms)-1 {
				for _, u := range rec.Terms[i+1:] {
					if u.Mechanism != "" {
						c.add(Warn, "spf.after_all", tr(
							"Terms after %q are never used: all matches every sender. Move %q to the end.",
							"%q より後ろの項目は使われません (all がすべての送信元に一致するため)。%q を末尾に移してください。",
							t.Raw, t.Raw))
						break
					}
				}
				break
			}
		}
	}
	switch res.All {
	case "-all":
		c.add(OK, "spf.all_fail", tr(
			"SPF ends in -all: receivers are told to refuse mail from servers not listed.",
			"SPF は -all で終わっています。記載のないサーバーからのメールは拒否するよう受信側に伝えています。"))
	case "~all":
		c.add(Warn, "spf.all_softfail", tr(
			"SPF ends in ~all (soft fail): forged mail is only marked as suspicious, and many receivers still accept it — and bounce it to you. Acceptable while you check that all your senders are listed; change to -all once DMARC is at quarantine or reject.",
			"SPF は ~all (ソフトフェイル) で終わっています。偽装メールは「疑わしい」と印が付くだけで、多くの受信側はそのまま受け取り、エラーメールをあなたに返します。送信元がすべて記載されているか確認する間は許容できますが、DMARC を quarantine か reject にしたら -all に変えてください。"))
	case "?all":
		c.add(Error, "spf.all_neutral", tr(
			"SPF ends in ?all (neutral): it says nothing about servers not listed, so it gives no protection against forgery. Use -all.",
			"SPF は ?all (中立) で終わっています。記載のないサーバーについて何も言っていないため、偽装を防げません。-all にしてください。"))
	case "+all":
		c.add(Error, "spf.all_pass", tr(
			"SPF ends in +all: every server in the world is allowed to send as your domain. This is worse than no SPF. Use -all.",
			"SPF が +all で終わっています。世界中のどのサーバーでもあなたのドメインを名乗って送信してよい、という意味で、SPF がないより悪い状態です。-all にしてください。"))
	default:
		if rec != nil && !w.loop {
			c.add(Error, "spf.no_all", tr(
				"SPF has no final all, so servers not listed get a neutral result and forgeries pass. End the record with -all.",
				"SPF に最後の all がないため、記載のないサーバーは「中立」扱いとなり、偽装メールが通ります。レコードの最後に -all を付けてください。"))
		}
	}
}

// unjoin lists the errors inside an errors.Join.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
