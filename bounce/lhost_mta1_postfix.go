package bounce

import (
	"net/netip"
	"regexp"
	"strings"
)

// Postfix (bounce(8) templates). A notification is a MIME report whose
// prose part ends with one paragraph per recipient:
//
//	<user@example.jp>: host mx.example.jp[192.0.2.1] said: 550 5.1.1
//	    <user@example.jp>... User Unknown (in reply to RCPT TO command)
//
//	<alias@example.jp> (expanded from <list@example.org>): unknown user: "alias"
//
// and a delivery-status part. Old versions and some relays send the prose
// alone. The SMTP server's "errors from" notice to the postmaster carries a
// session transcript ("In:"/"Out:") instead.

var postfixSubjects = []string{
	"undelivered mail returned to sender", "delayed mail (still being retried)",
	"successful mail delivery report", "mail delivery status report",
}

var postfixMarkers = []string{
	"This is the Postfix program", "This is the mail system at host", "The Postfix program",
	"The mail system", "I'm sorry to have to inform you that", "--- Delivery report unavailable ---",
}

// postfixPara is one recipient paragraph of the prose.
type postfixPara struct {
	addr, alias, text string
}

// rePostfixParaStart matches the first line of a recipient paragraph:
// "<a@b>: ..." or "<a@b> (expanded from ...".
var rePostfixParaStart = regexp.MustCompile(`^<([^<>\s]*@[^<>\s]*|[^<>\s@]+)>(?::|\s+\(expanded\s+from|\s*$)`)

func scanPostfix(m *flat) *scan {
	subj := subjectOf(m)
	if strings.Contains(subj, "smtp server: errors from") {
		return scanPostfixSMTPD(m)
	}
	ok := false
	for _, s := range postfixSubjects {
		if strings.Contains(subj, s) {
			ok = true
			break
		}
	}
	if !ok {
		return nil
	}
	marker := firstOf(m.Body, postfixMarkers...)
	if marker == "" {
		return nil
	}
	ev := []string{"Subject '" + subj + "' and Postfix marker '" + marker + "'"}
	hasDSN := false
	for _, p := range m.Parts {
		if p.Type == "message/delivery-status" || p.Type == "message/global-delivery-status" {
			hasDSN = true
			break
		}
	}
	prose := m.Body
	if hasDSN {
		prose = proseText(m)
	}
	report, orig := mta1SplitOriginal(prose, "\nContent-Type: message/rfc822", "\nContent-Type: text/rfc822-headers",
		"\nContent-Type: message/delivery-status")
	if m.Original != nil || hasDSN {
		orig = nil
	}
	paras := postfixParagraphs(report)
	var recs []Record
	switch {
	case hasDSN:
		if s := scanRFC3464(m); s != nil {
			recs = s.records
		}
		ev = append(ev, "MIME part message/delivery-status")
	default:
		recs = mta1InlineDSN(prose)
		if len(recs) > 0 {
			ev = append(ev, "delivery-status fields in the text")
		}
		if orig == nil && m.Original == nil {
			if i := strings.Index(prose, "\nContent-Type: message/rfc822"); i >= 0 {
				orig = []byte(strings.TrimLeft(prose[i+len("\nContent-Type: message/rfc822"):], "\n"))
			}
		}
	}
	if len(recs) == 0 {
		for _, p := range paras {
			recs = append(recs, Record{Recipient: p.addr, Alias: p.alias, Action: "failed"})
		}
	}
	if len(recs) == 0 && strings.Contains(report, "--- Delivery report unavailable ---") {
		raw := orig
		if raw == nil {
			raw = m.Original
		}
		h, _ := parseHeader(raw)
		if a := cleanAddress(h.get("To")); strings.Contains(a, "@") && !strings.ContainsAny(a, " ,") {
			recs = append(recs, Record{Recipient: a, Action: "failed"})
			ev = append(ev, "'--- Delivery report unavailable ---': recipient from the returned message's To:")
		}
	}
	if len(recs) == 0 {
		return nil
	}
	// Index the paragraphs by address and alias once: a notice may name
	// thousands of recipients.
	byAddr := make(map[string]int, len(paras))
	byAlias := make(map[string]int, len(paras))
	for j := len(paras) - 1; j >= 0; j-- {
		byAddr[strings.ToLower(paras[j].addr)] = j
		if paras[j].alias != "" {
			byAlias[strings.ToLower(paras[j].alias)] = j
		}
	}
	for i := range recs {
		r := &recs[i]
		var p *postfixPara
		j, ok := byAddr[strings.ToLower(cleanAddress(r.Recipient))]
		if !ok && r.Alias != "" {
			a := strings.ToLower(cleanAddress(r.Alias))
			if j, ok = byAddr[a]; !ok {
				j, ok = byAlias[a]
			}
		}
		if ok {
			p = &paras[j]
		}
		if p == nil && len(paras) == 1 && len(recs) == 1 {
			p = &paras[0]
		}
		if p == nil {
			if r.Command == "" {
				r.Command = findCommand(r.DiagnosticCode)
			}
			continue
		}
		if r.Alias == "" && p.alias != "" {
			r.Alias = p.alias
		}
		diag, host, cmd := postfixReply(p.text)
		if r.Command == "" {
			r.Command = cmd
		}
		if r.RemoteMTA == "" {
			r.RemoteMTA = host
		}
		d := mta1Fold(r.DiagnosticCode)
		if d == "" || onlyDigits(d) || len(diag) > len(d) && strings.Contains(mta1Fold(p.text), d) ||
			strings.Contains(d, " refused to talk to me: ") && strings.Contains(d, diag) {
			r.DiagnosticCode = diag
		}
		r.DiagnosticCode = mta1SquashReply(r.DiagnosticCode)
		if r.DiagnosticType == "" && host != "" {
			r.DiagnosticType = "SMTP"
		}
	}
	return &scan{records: recs, original: orig, evidence: ev}
}

func onlyDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// postfixParagraphs finds the recipient paragraphs of the prose.
func postfixParagraphs(text string) []postfixPara {
	var out []postfixPara
	var cur []string
	flush := func() {
		if len(cur) == 0 {
			return
		}
		joined := mta1Fold(strings.Join(cur, " "))
		cur = nil
		mm := rePostfixParaStart.FindStringSubmatch(joined)
		if mm == nil {
			return
		}
		p := postfixPara{addr: mm[1]}
		rest := joined[len("<"+mm[1]+">"):]
		rest = strings.TrimSpace(rest)
		if strings.HasPrefix(rest, "(expanded from") {
			if j := strings.Index(rest, "):"); j >= 0 {
				p.alias = mta1Bracketed(rest[:j])
				rest = rest[j+1:]
			}
		}
		p.text = strings.TrimSpace(strings.TrimPrefix(rest, ":"))
		if strings.Contains(p.addr, "@") || p.text != "" {
			out = append(out, p)
		}
	}
	for n, l := range strings.Split(text, "\n") {
		if n > maxProseLines {
			break
		}
		t := strings.TrimSpace(l)
		if t == "" {
			flush()
			continue
		}
		if l[0] == '<' && rePostfixParaStart.MatchString(l) {
			flush()
			cur = append(cur, t)
			continue
		}
		if len(cur) > 0 && len(cur) < 40 {
			cur = append(cur, t)
		}
	}
	flush()
	return out
}

var rePostfixSaid = regexp.MustCompile(`(?i)^(?:.*?\b)?host\s+(\S+?)(?:\[[^\]]*\])?\s+said:\s*`)
var rePostfixInReply = regexp.MustCompile(`(?i)\s*\(in reply to ([a-z .]+?) command\)\s*$`)

// postfixReply splits a paragraph's text into the remote server's reply,
// the remote host and the command: "host mx[1.2.3.4] said: 550 ... (in
// reply to RCPT TO command)".
func postfixReply(text string) (diag, host, cmd string) {
	diag = text
	// Each regexp runs only on text holding its literal ("(in reply to ",
	// "aid:" of "said:"; ASCII letters with no non-ASCII fold): the two
	// regexps on every paragraph showed in the profile of
	// BenchmarkDecodeCLI.
	if indexFold(diag, "(in reply to ") >= 0 {
		if mm := rePostfixInReply.FindStringSubmatchIndex(diag); mm != nil {
			cmd = commandName(diag[mm[2]:mm[3]])
			diag = diag[:mm[0]]
		}
	}
	var mm []int
	if indexFold(diag, "aid:") >= 0 {
		mm = rePostfixSaid.FindStringSubmatchIndex(diag)
	}
	if mm != nil {
		host = strings.ToLower(diag[mm[2]:mm[3]])
		diag = diag[mm[1]:]
	} else if i := strings.Index(diag, " refused to talk to me: "); i >= 0 {
		// "host mx[ip] refused to talk to me: 554 ...": the greeting.
		if f := strings.Fields(diag[:i]); len(f) > 0 {
			h := f[len(f)-1]
			if b := strings.IndexByte(h, '['); b > 0 {
				h = h[:b]
			}
			host = strings.ToLower(h)
		}
		if cmd == "" {
			cmd = "CONN"
		}
		if rest := strings.TrimSpace(diag[i+len(" refused to talk to me: "):]); mta1ReplyStart(rest) {
			diag = rest
		}
	}
	if cmd == "" {
		cmd = findCommand(text)
	}
	return mta1SquashReply(diag), host, cmd
}

// scanPostfixSMTPD reads the notice Postfix's SMTP server sends to the
// postmaster ("Postfix SMTP server: errors from host[addr]"): a transcript
// of the session, "In:" the client's commands and "Out:" the replies.
// A recipient that the server refused at RCPT to a client other than the
// host itself (a content filter's reinjection, a local program) is mail
// addressed to this system that it did not accept, from someone else (a
// dictionary attack, a relay probe): no delivery of ours failed (issue 7
// section 2), and it makes no record.
func scanPostfixSMTPD(m *flat) *scan {
	at := strings.Index(m.Body, "Transcript of session follows.")
	if at < 0 {
		return nil
	}
	remote := !loopbackClient(subjectOf(m))
	var recs []Record
	var cmd, arg string
	var rcpt string
	var lastKind string
	for n, l := range strings.Split(m.Body[at:], "\n") {
		if n > maxProseLines {
			break
		}
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "In:"):
			lastKind = "in"
			arg = strings.TrimSpace(t[3:])
			verb := strings.ToUpper(strings.Fields(arg + " x")[0])
			cmd = commandName(verb)
			if cmd == "" {
				cmd = verb
			}
			if cmd == "RCPT" {
				rcpt = mta1Bracketed(arg)
			}
		case strings.HasPrefix(t, "Out:"):
			lastKind = "out"
			reply := strings.TrimSpace(t[4:])
			if len(reply) < 3 || reply[0] != '4' && reply[0] != '5' || !mta1ReplyStart(reply) {
				continue
			}
			a := rcpt
			if a == "" || remote && cmd == "RCPT" {
				continue
			}
			if mta1IndexRecipient(recs, a) >= 0 {
				continue
			}
			recs = append(recs, Record{Recipient: a, Action: "failed", DiagnosticCode: reply, Command: cmd, DiagnosticType: "SMTP"})
		case t != "" && l[0] == ' ' && lastKind == "in" && cmd == "RCPT" && rcpt == "":
			rcpt = mta1Bracketed(t)
		}
	}
	if len(recs) == 0 {
		return nil
	}
	return &scan{records: recs, evidence: []string{"Subject 'Postfix SMTP server: errors from' and a session transcript (In:/Out:)"}}
}

// loopbackClient reports whether the subject of a Postfix SMTP server's
// notice ("... errors from localhost[127.0.0.1]") names a client on the
// host itself: a loopback address (RFC 5735 127.0.0.0/8, RFC 4291 ::1).
func loopbackClient(subj string) bool {
	open := strings.LastIndexByte(subj, '[')
	end := strings.LastIndexByte(subj, ']')
	if open < 0 || end < open {
		return false
	}
	a, err := netip.ParseAddr(strings.TrimPrefix(subj[open+1:end], "ipv6:"))
	return err == nil && a.IsLoopback()
}
