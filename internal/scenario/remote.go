package scenario

import (
	"fmt"
	"strings"
	"time"
)

// bounceKind is the format a remote system writes its notices in: the
// carriers' and Yahoo's gateways run Postfix-like software for that.
func bounceKind(m mta) mta {
	switch m {
	case mtaYahooJP, mtaDocomo, mtaAU, mtaSoftBank:
		return mtaPostfix
	}
	return m
}

// remoteReceived returns the trace fields a remote system adds when it
// receives a message from peer, newest first.
func (w *world) remoteReceived(kind mta, r *remote, rcpt, envFrom string, at time.Time, peer client, qid string) []string {
	host := peer.host
	switch kind {
	case mtaSendmail:
		return []string{fmt.Sprintf("Received: from %s (%s [%s])\n\tby %s (8.15.2/8.15.2) with ESMTPS id %s\n\t(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NOT)\n\tfor <%s>; %s",
			peer.helo, host, peer.ip, r.mx, qid, rcpt, rfc5322(at, r.zone))}
	case mtaExim:
		from := "[" + peer.ip + "]"
		if host != "unknown" {
			from = host + " ([" + peer.ip + "]"
			from += " helo=" + peer.helo + ")"
		} else {
			from += " (helo=" + peer.helo + ")"
		}
		return []string{
			"Return-path: <" + envFrom + ">",
			fmt.Sprintf("Received: from %s\n\tby %s with esmtps  (TLS1.3) tls TLS_AES_256_GCM_SHA384\n\t(Exim 4.96)\n\t(envelope-from <%s>)\n\tid %s\n\tfor %s;\n\t%s",
				from, r.mx, envFrom, qid, rcpt, at.In(r.zone).Format("Mon, 02 Jan 2006 15:04:05 -0700")),
		}
	case mtaQmail:
		d := at.UTC().Format("2 Jan 2006 15:04:05 -0000")
		return []string{
			"Return-Path: <" + envFrom + ">",
			"Delivered-To: " + rcpt,
			fmt.Sprintf("Received: (qmail %d invoked from network); %s", 10000+w.rng.IntN(89999), d),
			fmt.Sprintf("Received: from %s (HELO %s) (%s)\n  by %s with ESMTPS (TLS_AES_256_GCM_SHA384 encrypted); %s", host, peer.helo, peer.ip, r.mx, d),
		}
	case mtaM365:
		return []string{fmt.Sprintf("Received: from %s (%s) by TYZAPC01FT0%02d.mail.protection.outlook.com (10.118.152.%d) with Microsoft SMTP\n Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.8989.12 via Frontend\n Transport; %s",
			host, peer.ip, w.rng.IntN(99), w.rng.IntN(250), at.UTC().Format("Mon, 2 Jan 2006 15:04:05 -0700"))}
	case mtaGmail:
		return []string{fmt.Sprintf("Received: from %s (%s. [%s])\n        by mx.google.com with ESMTPS id %s\n        for <%s>\n        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);\n        %s",
			host, host, peer.ip, "d9443c01a7336-"+w.hex(10)+"si"+fmt.Sprint(w.rng.IntN(999999)), rcpt, at.In(r.zone).Format("Mon, 02 Jan 2006 15:04:05 -0700 (MST)"))}
	}
	return []string{fmt.Sprintf("Received: from %s (%s [%s])\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)\n\t(No client certificate requested)\n\tby %s (Postfix) with ESMTPS id %s\n\tfor <%s>; %s",
		peer.helo, host, peer.ip, r.mx, qid, rcpt, postfixDate(at, r.zone))}
}

// noticeQID returns a queue ID in the style of the reporter's software.
func (w *world) noticeQID(kind mta, t time.Time) string {
	switch kind {
	case mtaSendmail:
		return w.sendmailQID()
	case mtaExim:
		return w.eximID(t)
	case mtaQmail, mtaM365, mtaGmail:
		return ""
	}
	return w.postfixQID(t)
}

// remoteBounce: the system receiving rcpt took msg from peer at arrival
// and, after f.delay, bounces it to envFrom in its own format; the notice
// reaches our server and the mailbox. ours says we sent msg (else it is
// backscatter for forged mail).
func (w *world) remoteBounce(msg *message, envFrom, rcpt string, f fate, arrival time.Time, peer client, ours bool) {
	r := w.remoteOf(rcpt)
	kind := bounceKind(r.mta)
	orig := msg.clone()
	qid := w.noticeQID(kind, arrival)
	tr := w.remoteReceived(kind, r, rcpt, envFrom, arrival, peer, qid)
	for i := len(tr) - 1; i >= 0; i-- {
		orig.addTrace(tr[i])
	}
	status, diag := laterFailure(&remote{domain: r.domain, mta: kind}, rcpt, f.why)
	cmd := "RCPT TO"
	if f.why == whyFull {
		cmd = "end of DATA"
	}
	at := arrival.Add(f.delay)
	reporter := r.mx
	in := client{host: r.mx, ip: r.ip, helo: r.mx}
	switch kind {
	case mtaM365:
		reporter = r.domain
		in = client{host: fmt.Sprintf("mail-tycjpn01on20%02d.outbound.protection.outlook.com", w.rng.IntN(99)), ip: "192.0.2.200"}
		in.helo = in.host
	case mtaGmail:
		reporter = "googlemail.com"
		in = client{host: fmt.Sprintf("mail-sor-f%d.google.com", 40+w.rng.IntN(30)), ip: "192.0.2.201"}
		in.helo = in.host
	}
	n := &notice{kind: kind, at: at, reporter: reporter, zone: r.zone, to: envFrom,
		fails: []failure{{rcpt: rcpt, status: status, diag: diag, command: cmd}},
		orig:  orig, arrival: arrival, qid: qid, bqid: w.noticeQID(kind, at), peer: peer.host, peerIP: peer.ip, headersOnly: f.headersOnly}
	if n.qid == "" {
		n.qid = w.upperHex(10)
	}
	if n.bqid == "" {
		n.bqid = w.upperHex(10)
	}
	raw := w.write(n)
	if ours {
		w.stats.BouncesOurs++
	} else {
		w.stats.Backscatter++
	}
	w.receive(at.Add(w.secs(0.5, 20)), in, "", envFrom, raw, headerValue(raw, "Message-ID"))
}

// headerValue returns a field's value (angle brackets dropped) from the
// header of raw, or "".
func headerValue(raw []byte, name string) string {
	s := string(raw)
	if i := strings.Index(s, "\n\n"); i >= 0 {
		s = s[:i+1]
	}
	for _, line := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(k, name) {
			return strings.Trim(strings.TrimSpace(v), "<>")
		}
	}
	return ""
}

// foreignWords name the foreign businesses whose servers accept mail for
// addresses that do not exist and bounce it afterwards: the source of
// backscatter.
var foreignWords = []string{
	"muller-bau", "rossi-import", "novak-trans", "silva-tech", "kowalski-med", "jensen-shipping",
	"dupont-conseil", "garcia-hnos", "kim-trading", "nguyen-foods", "ivanov-stroy", "schmidt-kg",
	"bianchi-moda", "svensson-ab", "oconnor-law", "haddad-group", "patel-pharma", "chen-elec",
	"lopez-seguros", "wagner-metall", "moreau-vins", "kaya-tekstil", "horvat-drvo", "nowak-agro",
	"santos-imoveis", "fischer-optik", "petrov-neft", "larsen-fisk", "romano-caffe", "weber-druck",
}

// reporter returns the i-th foreign system that produces backscatter.
func (w *world) reporter(i int) *remote {
	word := foreignWords[i%len(foreignWords)]
	if k := i / len(foreignWords); k > 0 {
		word = fmt.Sprintf("%s%d", word, k+1)
	}
	d := word + "." + []string{"example.com", "example.net", "example.org"}[i%3]
	if r, ok := w.remotes[d]; ok {
		return r
	}
	kinds := []mta{mtaExim, mtaExim, mtaExim, mtaPostfix, mtaPostfix, mtaQmail, mtaQmail, mtaSendmail, mtaSendmail, mtaM365}
	k := kinds[(i*3+len(word))%len(kinds)]
	zones := []*time.Location{time.UTC, zone("Europe/Berlin", 3600), zone("America/New_York", -5*3600), zone("Asia/Seoul", 9*3600), zone("Europe/Moscow", 3*3600)}
	r := &remote{domain: d, mta: k, zone: zones[i%len(zones)], ip: fmt.Sprintf("203.0.113.%d", 1+i%254)}
	switch k {
	case mtaM365:
		r.mx = strings.ReplaceAll(d, ".", "-") + ".mail.protection.outlook.com"
	case mtaQmail:
		r.mx = "mx1." + d
	default:
		r.mx = "mail." + d
	}
	w.remotes[d] = r
	return r
}
