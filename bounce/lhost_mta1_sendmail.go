package bounce

import (
	"strings"

	"github.com/bouncewatch/bouncewatch/reason"
	"github.com/bouncewatch/bouncewatch/smtpcode"
)

// Sendmail (8.x) and its ancestor V5 Sendmail. Sendmail 8 sends a MIME
// report with a delivery-status part and a prose part:
//
//	   ----- The following addresses had permanent fatal errors -----
//	<user@example.com>
//	    (reason: 550 5.1.1 <user@example.com>... User unknown)
//
//	   ----- Transcript of session follows -----
//	... while talking to mx.example.com.:
//	>>> DATA
//	<<< 550 5.1.1 <user@example.com>... User unknown
//	550 5.1.1 <user@example.com>... User unknown
//
// V5 Sendmail writes only the transcript, then "----- Unsent message
// follows -----" and the message. The transcript names the command that the
// remote server refused, which the DSN does not.

const (
	smTranscript = "----- Transcript of session follows -----"
	smFatal      = "----- The following addresses had permanent fatal errors -----"
	smTransient  = "----- The following addresses had transient non-fatal errors -----"
)

// smTxEntry is what the transcript says of one recipient.
type smTxEntry struct {
	addr, host, command, diag string
	typ                       string // diagnostic type when known: "X-Unix" for a local program
}

func scanSendmail(m *flat) *scan {
	if !sendmailSubject(m) {
		return nil
	}
	body := m.Body
	forwarded := false
	if !strings.Contains(body, smTranscript) && !strings.Contains(body, smFatal) && !strings.Contains(body, smTransient) {
		return nil
	}
	if mk := firstOf(body, smFatal, smTranscript, smTransient); mk != "" {
		i := strings.Index(body, mk)
		if ls := strings.LastIndexByte(body[:i], '\n') + 1; strings.HasPrefix(body[ls:i], ">") {
			body = mta1Unquote(body)
			forwarded = true
		}
	}
	hasDSN := false
	for _, p := range m.Parts {
		if p.Type == "message/delivery-status" || p.Type == "message/global-delivery-status" {
			hasDSN = true
			break
		}
	}
	v5 := !hasDSN && !strings.Contains(body, smFatal) && !strings.Contains(body, smTransient) &&
		(strings.Contains(body, "----- Unsent message follows -----") || strings.Contains(body, "----- No message was collected -----"))
	prose := body
	if hasDSN {
		prose = proseText(m)
	}
	report, orig := mta1SplitOriginal(prose, "----- Unsent message follows -----", "----- Original message follows -----",
		"----- Message header follows -----", "----- No message was collected -----", "\nContent-Type: message/rfc822", "\nContent-Type: text/rfc822-headers")
	if m.Original != nil || hasDSN {
		orig = nil
	}
	tx, orphans := sendmailTranscript(report)
	fatal := sendmailFatal(report)

	var recs []Record
	var ev []string
	switch {
	case hasDSN:
		if s := scanRFC3464(m); s != nil {
			recs = s.records
		}
		ev = append(ev, "Sendmail prose beside a delivery-status part")
	case !v5:
		recs = mta1InlineDSN(body)
		ev = append(ev, "Sendmail notification without a delivery-status part")
	default:
		ev = append(ev, "V5 Sendmail transcript and '----- Unsent message follows -----'")
	}
	if forwarded {
		ev = append(ev, "notification forwarded inline (quoted with '>')")
	}
	if len(recs) == 0 {
		for _, f := range fatal {
			recs = append(recs, Record{Recipient: f.addr, DiagnosticCode: f.diag, Action: "failed"})
		}
		for _, e := range tx {
			if e.addr != "" && mta1IndexRecipient(recs, e.addr) < 0 {
				recs = append(recs, Record{Recipient: e.addr, Action: "failed"})
			}
		}
	}
	if len(recs) == 0 && v5 {
		// No address in the transcript: the returned message's To:.
		h, _ := parseHeader(orig)
		if a := cleanAddress(h.get("To")); strings.Contains(a, "@") && !strings.ContainsAny(a, " ,") {
			recs = append(recs, Record{Recipient: a, Action: "failed"})
		}
	}
	if len(recs) == 0 {
		return nil
	}
	for i := range recs {
		r := &recs[i]
		var e *smTxEntry
		for j := range tx {
			if strings.EqualFold(tx[j].addr, cleanAddress(r.Recipient)) || r.Alias != "" && strings.EqualFold(tx[j].addr, cleanAddress(r.Alias)) {
				e = &tx[j]
				break
			}
		}
		if e == nil && len(recs) == 1 {
			// One recipient: the transcript speaks of it even when it
			// names the address differently (an alias, X-Actual-Recipient).
			switch {
			case len(tx) == 1:
				e = &tx[0]
			case len(tx) == 0 && len(orphans) > 0:
				e = &orphans[0]
			}
		}
		if e != nil {
			if r.Command == "" {
				r.Command = e.command
			}
			if r.RemoteMTA == "" {
				r.RemoteMTA = e.host
			}
			if r.DiagnosticType == "" {
				r.DiagnosticType = e.typ
			}
			d := mta1SquashReply(r.DiagnosticCode)
			if d == "" || !strings.Contains(d, " ") || len(e.diag) > len(d) && strings.HasPrefix(e.diag, d) {
				r.DiagnosticCode = e.diag
			}
		}
		if r.DiagnosticCode == "" {
			for _, f := range fatal {
				if strings.EqualFold(f.addr, cleanAddress(r.Recipient)) {
					r.DiagnosticCode = f.diag
				}
			}
		}
		r.DiagnosticCode = mta1SquashReply(r.DiagnosticCode)
		if strings.HasSuffix(r.Status, ".4.7") {
			// Sendmail reports 4.4.7 when it gave up on a queued message;
			// the remote server's last reply says why it was queued.
			if st := smtpcode.FindStatus(r.DiagnosticCode); st != "" && st[0] == r.Status[0] && !strings.HasSuffix(st, ".0.0") {
				r.Status = st
			}
		}
		if r.DiagnosticCode == "" && len(orphans) > 0 {
			r.DiagnosticCode = orphans[0].diag
		}
		if r.Command == "" {
			r.Command = findCommand(r.DiagnosticCode)
		}
		if r.DiagnosticType == "" && r.RemoteMTA != "" && mta1ReplyStart(r.DiagnosticCode) {
			r.DiagnosticType = "SMTP"
		}
		if sendmailExpired(m) && r.Reason == "" {
			r.Reason = reason.Expired
		}
	}
	name := "Sendmail"
	if v5 {
		name = "V5 Sendmail"
	}
	ev = append([]string{name + " marker '" + strings.Trim(firstOf(body, smFatal, smTranscript, smTransient), "- ") + "'"}, ev...)
	return &scan{records: recs, original: orig, evidence: ev}
}

// scanV5Sendmail is scanSendmail for the V5 layout only: it gives the
// result its own name.
func scanV5Sendmail(m *flat) *scan {
	if !headerHas(m, "Subject", "returned mail:") || strings.Contains(m.Body, smFatal) {
		return nil
	}
	if !strings.Contains(m.Body, "----- Unsent message follows -----") && !strings.Contains(m.Body, "----- No message was collected -----") {
		return nil
	}
	for _, p := range m.Parts {
		if p.Type == "message/delivery-status" {
			return nil
		}
	}
	return scanSendmail(m)
}

func firstOf(s string, subs ...string) string {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return x
		}
	}
	return ""
}

// sendmailSubject reports whether the Subject is one Sendmail writes.
func sendmailSubject(m *flat) bool {
	return headerHas(m, "Subject", "returned mail:", "postmaster notify:", "warning: could not send message",
		"see transcript for details", "delivery status notification", "undeliverable mail", "mail delivery failure")
}

// sendmailExpired reports whether the Subject says that the queue lifetime
// ran out: "Returned mail: Cannot send message for 5 days".
func sendmailExpired(m *flat) bool {
	return headerHas(m, "Subject", "cannot send message for", "cannot send message within")
}

// sendmailFatal reads the "following addresses had ... errors" section:
// each address, then its indented "(reason: ...)".
func sendmailFatal(text string) []smTxEntry {
	at := strings.Index(text, smFatal)
	if at < 0 {
		at = strings.Index(text, smTransient)
	}
	if at < 0 {
		return nil
	}
	var out []smTxEntry
	lines := strings.Split(text[at:], "\n")
	for _, l := range lines[1:] {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "-----") {
			break
		}
		if t == "" {
			continue
		}
		if l[0] != ' ' && l[0] != '\t' {
			if a := mta1Bracketed(t); a != "" {
				out = append(out, smTxEntry{addr: a})
			}
			continue
		}
		if rest, ok := mta1After(t, "(reason:"); ok && len(out) > 0 {
			out[len(out)-1].diag = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), ")"))
		}
	}
	return out
}

// sendmailTranscript reads the "Transcript of session follows" section.
// entries are the lines that name a recipient ("550 <a@b>... User
// unknown") with the remote replies ("<<< ...") and the command (">>> ...")
// before them; orphans are remote replies that no recipient line follows.
func sendmailTranscript(text string) (entries, orphans []smTxEntry) {
	at := strings.Index(text, smTranscript)
	if at < 0 {
		return nil, nil
	}
	var host, cmd, rcpt string
	var replies []string
	flushOrphan := func() {
		if len(replies) == 0 {
			return
		}
		o := smTxEntry{host: host, command: cmd, diag: mta1SquashReply(strings.Join(replies, " "))}
		if cmd == "RCPT" && rcpt != "" {
			o.addr = rcpt
			entries = append(entries, o)
		} else {
			if o.command == "" {
				o.command = "CONN"
			}
			orphans = append(orphans, o)
		}
		replies = nil
	}
	lines := strings.Split(text[at:], "\n")
	for n, l := range lines[1:] {
		if n > 500 {
			break
		}
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		if strings.HasPrefix(t, "-----") || strings.HasPrefix(t, "Content-Type:") || strings.HasPrefix(t, "Reporting-MTA:") {
			break
		}
		lt := strings.ToLower(t)
		if rest, ok := mta1After(lt, "while talking to "); ok && (strings.HasPrefix(lt, "while") || strings.HasPrefix(lt, "...")) {
			flushOrphan()
			host = strings.TrimRight(strings.TrimSpace(rest), ".:")
			cmd, rcpt = "", ""
			continue
		}
		if strings.HasPrefix(t, ">>>") {
			flushOrphan()
			c := strings.TrimSpace(t[3:])
			verb := strings.ToUpper(strings.Fields(c + " x")[0])
			switch verb {
			case ".":
				cmd = "DATA"
			default:
				if v := commandName(verb); v != "" {
					cmd = v
				} else {
					cmd = verb
				}
			}
			if cmd == "RCPT" {
				rcpt = mta1Bracketed(c)
			}
			continue
		}
		if strings.HasPrefix(t, "<<<") {
			replies = append(replies, strings.TrimSpace(t[3:]))
			continue
		}
		// "550 5.1.1 <a@b>... User unknown", "<a@b>... Deferred: ..."
		if i := strings.Index(t, "... "); i > 0 && !strings.Contains(t[:i], "@") && mta1ReplyStart(t) && !strings.Contains(t[:i], " (smtp)") {
			// A local delivery program or file: 554 "|/usr/bin/procmail"... Service unavailable
			flushOrphan()
			o := smTxEntry{diag: t[:3] + " " + strings.TrimSpace(t[i+4:])}
			if strings.Contains(t[:i], "|") {
				o.typ = "X-Unix"
			}
			orphans = append(orphans, o)
			continue
		}
		if strings.Index(t, "... ") < 0 && len(replies) == 0 && mta1ReplyStart(t) {
			// Sendmail's own error, no recipient named: "554 Too
			// many hops 26 (25 max): from a@b via localhost, to c@d"
			// (deliver.c, usrerr "Too many hops %d (%d max)").
			flushOrphan()
			orphans = append(orphans, smTxEntry{host: host, command: cmd, diag: t})
			continue
		}
		if i := strings.Index(t, "... "); i > 0 && strings.Contains(t[:i], "@") {
			addr := mta1Bracketed(t[:i])
			if addr == "" {
				continue
			}
			e := smTxEntry{addr: addr, host: host, command: cmd}
			if len(replies) > 0 {
				e.diag = mta1SquashReply(strings.Join(replies, " "))
				replies = nil
			} else {
				msg := strings.TrimSpace(t[i+4:])
				if code := strings.Fields(t)[0]; mta1ReplyStart(code) && !mta1ReplyStart(msg) {
					msg = code + " " + msg
				}
				e.diag = msg
			}
			if e.command == "" && host == "" {
				e.command = ""
			}
			entries = append(entries, e)
			cmd = ""
			continue
		}
	}
	flushOrphan()
	return entries, orphans
}
