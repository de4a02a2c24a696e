package bounce

import (
	"slices"
	"strings"

	"github.com/bouncewatch/bouncewatch/reason"
	"github.com/bouncewatch/bouncewatch/smtpcode"
)

// Limits of the last-resort reader: it reads a notice's own text (not the
// returned message) up to these bounds, so that its cost stays linear and
// small whatever the message (issue 7 sections 1 and 6).
const (
	maxFallbackProse   = 256 << 10 // bytes of a notice's prose read
	maxFallbackLines   = 5000      // lines of it
	maxFallbackRecords = 1000      // recipients taken from prose
	maxLineScan        = 1000      // bytes of one line matched against the phrase tables
)

// Rules of the last-resort reader, named in each record's evidence, in
// their order of trust (issue 7 section 1).
const (
	ruleDSNText    = "fallback rule a: delivery-status fields (RFC 3464 section 2.3) in the notice's text"
	ruleXFailed    = "fallback rule b: header X-Failed-Recipients (the notice's text names no failed address)"
	ruleCodeLine   = "fallback rule b: address on a line with an SMTP error code"
	ruleWordsLine  = "fallback rule b: address on a line that says delivery to it failed"
	ruleIntro      = "fallback rule b: address after a phrase naming failed recipients"
	ruleFollowed   = "fallback rule b: address alone on its line, next to an SMTP error or failure words"
	ruleQmailLine  = "fallback rule b: address alone as '<addr>:', the form of qmail's notices"
	ruleSubject    = "fallback rule b: the subject names the failed address after words of failure"
	ruleSummaryTo  = "fallback rule c: the notice names no failed address; the To: line of its summary of the message"
	ruleReturnedTo = "fallback rule c: the notice names no address; the recipient (To) of the returned message"
	ruleBareName   = "fallback rule b: a user name without domain after a phrase naming failed recipients"
)

// scanFallback is the last-resort reader (issue 7 section 1). It runs after
// every format recogniser, on a message none of them claimed, and reads it
// when it has the marks of a delivery notice: an automatic sender or header
// (null Return-Path, MAILER-DAEMON or postmaster, Auto-Submitted,
// multipart/report, X-Failed-Recipients) and words saying that delivery
// failed (subject or opening, in the languages of fallback_phrases.go), or
// delivery-status fields. It takes, in this order of trust:
//
//	a. machine-readable recipients: delivery-status fields anywhere, even in
//	   a part mislabelled text/plain, indented or quoted;
//	b. addresses in the notice's own text whose context names them as
//	   failed: an SMTP error code or failure words in the address's
//	   sentence, a phrase such as "could not be delivered to" before it (or
//	   before the list it stands in), or the error on the lines after an
//	   address alone on its line; else an address the subject names after
//	   words of failure; else the header X-Failed-Recipients;
//	c. when the notice names no address at all but says delivery failed,
//	   the To of the returned message (unless that is itself a notice);
//
// and never the bounce's own recipient, sender or list addresses, a
// postmaster or mailer-daemon, the returned message's author, an address
// to contact for help, an alias the failed address was expanded from, or
// an address inside a link. The reason comes from the status code and the
// server's words around the address (or the notice's first line that has
// them), else it is undefined.
func scanFallback(f *flat) *scan {
	autoEv := automatedMarks(f)
	if len(autoEv) == 0 {
		return nil // ordinary mail: the common case, decided on the header alone
	}
	prose, inline, cut := noticeProse(f)
	subj := subjectOf(f)
	op := opening(prose)
	bad := forbiddenAddresses(f, inline)

	var recs []Record
	for _, p := range f.Parts {
		if !strings.HasPrefix(p.Type, "text/") && !strings.HasSuffix(p.Type, "delivery-status") {
			continue
		}
		for _, r := range textDSNRecords(p.Text) {
			if !bad.has(r.Recipient) {
				r.Evidence = []string{ruleDSNText + " (" + p.Type + " part)"}
				recs = append(recs, r)
			}
		}
	}
	if challengeDSN(f, recs) {
		return nil // a challenge-response hold notice written as a DSN
	}
	failEv := failureMarks(f, subj, op)
	if len(recs) == 0 {
		if len(failEv) == 0 {
			return nil
		}
		if nf := classifyNotFailure(f, subj, op); nf != notFailureNone {
			return nil
		}
		if generatedOnly(autoEv) {
			// "Auto-Submitted: auto-generated" and nothing else: cron's
			// and logwatch's reports (a pflogsumm summary lists every
			// bounce of the day), a tracker's or a newsletter's mail,
			// whose prose may speak of failed deliveries; a mail
			// system's notice has a null reverse path, a system sender,
			// a notice's subject or form, or fields (rule a).
			return nil
		}
		if containsAny(op, vacationOpenings) && !containsAny(subj, failureWords) && !hasReplyCode(op) {
			return nil // an out-of-office reply from an automatic address
		}
	}
	named := false
	if len(recs) == 0 {
		recs, named = proseRecipients(prose, bad)
	}
	if len(recs) == 0 {
		recs = subjectRecipient(subj, bad)
	}
	if len(recs) == 0 {
		// Exim's header lists the failed addresses as they were given;
		// the notice's text, read above, names them as they failed
		// (after forwarding or rewriting), which the sender needs more.
		for _, a := range headerAddresses(f.hget("X-Failed-Recipients")) {
			if !bad.has(a) {
				recs = append(recs, Record{Recipient: a, Evidence: []string{ruleXFailed}})
			}
		}
	}
	if len(recs) == 0 {
		// The names a list gives without domain are named as failed,
		// whatever other address (the sender's) the text mentions.
		recs = bareRecipients(f, prose, inline, bad)
	}
	if len(recs) == 0 && !named && (containsAny(subj, failureWords) || containsAny(op, failureWords)) {
		raw := f.Original
		if raw == nil {
			raw = inline
		}
		// A returned message that is itself a notice (a bounce of a
		// bounce) was addressed to a sender, not to a failed recipient.
		if o := parseOriginal(raw); o != nil && !systemSender(o.From) {
			for i, a := range headerAddresses(o.To) {
				if i >= 20 {
					break
				}
				if !bad.has(a) {
					recs = append(recs, Record{Recipient: a, Evidence: []string{ruleReturnedTo}})
				}
			}
		}
	}
	if len(recs) == 0 && (containsAny(subj, failureWords) || containsAny(op, failureWords)) {
		recs = summaryRecipients(prose, bad)
	}
	if len(recs) == 0 {
		return nil
	}
	text := newProse(prose)
	general := noticeDiagnostic(prose)
	delayed := (containsAny(subj, delayWords) || containsAny(op, delayWords)) && !containsAny(op, permanentWords)
	for i := range recs {
		r := &recs[i]
		if r.DiagnosticCode == "" {
			para := addressParagraph(prose, text, r.Recipient)
			if informative(para) {
				r.DiagnosticCode = para
			} else {
				r.DiagnosticCode = general
			}
		}
		if r.Action == "" && delayed {
			r.Action = "delayed" // RFC 3464 section 2.3.3
		}
		if r.Command == "" {
			r.Command = findCommand(r.DiagnosticCode)
		}
		if r.Command == "" && len(recs) == 1 {
			// One recipient: the command the notice names anywhere
			// ("in reply to end of DATA command") is the one refused.
			r.Command = findCommand(clip(prose, 8<<10))
		}
		if r.Reason == "" && r.Command == "" && r.Status == "" && smtpcode.FindStatus(r.DiagnosticCode) == "" {
			// No status code: the words decide (issue 7 section 3). The
			// classifier's first pass takes a "user unknown" with no
			// SMTP command for a refusal after DATA (filtered), which a
			// notice that names neither code nor command does not say.
			r.Reason = reason.FromText(r.DiagnosticCode)
		}
		if r.RemoteMTA == "" && indexFold(r.DiagnosticCode, " said") >= 0 {
			r.RemoteMTA = findRemoteHost(r.DiagnosticCode)
		}
	}
	ev := append([]string{"fallback: no recogniser knew this format; read as a delivery notice"}, autoEv...)
	ev = append(ev, failEv...)
	sc := &scan{records: recs, evidence: ev}
	if cut != cutNone {
		// Said in every record's evidence and on standard error, as the
		// decoder's other limits are (issue 7 section 6).
		sc.warnings = []Warning{{Kind: WarnProseLines, Limit: maxFallbackLines}}
		if cut == cutBytes {
			sc.warnings[0] = Warning{Kind: WarnTextSize, Limit: maxFallbackProse}
		}
	}
	if f.Original == nil && inline != nil {
		sc.original = inline
	}
	return sc
}

// summaryRecipients returns the addresses of the "To:" lines with which a
// notice that names no failed address otherwise sums up the message it
// could not deliver ("I wasn't able to deliver the following message.
// Subject: ... To: <addr>"), at most 20 (rule c).
func summaryRecipients(prose string, bad addrSet) []Record {
	var recs []Record
	for off, n := 0, 0; off < len(prose) && n < 200 && len(recs) < 20; n++ {
		line := prose[off:]
		if end := strings.IndexByte(line, '\n'); end >= 0 {
			line = line[:end]
			off += end + 1
		} else {
			off = len(prose)
		}
		t := strings.TrimLeft(line, " \t")
		if len(t) < 4 || !strings.EqualFold(t[:3], "to:") {
			continue
		}
		for _, a := range findAddresses(t[3:]) {
			if !bad.has(a) && len(recs) < 20 {
				recs = append(recs, Record{Recipient: a, Evidence: []string{ruleSummaryTo + ": " + clip(strings.TrimSpace(t), 160)}})
			}
		}
	}
	return recs
}

// automatedMarks returns the header evidence that a machine wrote m: a null
// Return-Path (RFC 5321 section 4.5.5: notices are sent with a null reverse
// path), a system sender, Auto-Submitted (RFC 3834 section 5), a
// multipart/report (RFC 6522), X-Failed-Recipients (Exim).
func automatedMarks(f *flat) []string {
	var ev []string
	h := f.Header
	if rp, ok := headerValue(h, "Return-Path"); ok && strings.Trim(rp, "<> \t") == "" {
		ev = append(ev, "header Return-Path: <> (null reverse path, RFC 5321 section 4.5.5)")
	}
	for _, name := range []string{"From", "Sender", "Return-Path"} {
		if v := h.get(name); v != "" && systemSender(v) {
			ev = append(ev, "header "+name+" is a system sender: "+clip(v, 80))
			break
		}
	}
	if as := strings.ToLower(strings.TrimSpace(h.get("Auto-Submitted"))); as != "" && as != "no" {
		ev = append(ev, "header Auto-Submitted: "+clip(as, 40)+" (RFC 3834)")
	}
	if h.has("X-Failed-Recipients") {
		ev = append(ev, "header X-Failed-Recipients")
	}
	if p := ndrSubject(f); p != "" {
		ev = append(ev, "subject opens as a non-delivery report does: "+p)
	}
	if ct, _ := mediaType(h.get("Content-Type")); ct == "multipart/report" {
		ev = append(ev, "Content-Type: multipart/report (RFC 6522)")
	}
	return ev
}

// generatedOnly reports whether the only automatic mark that
// automatedMarks found is "Auto-Submitted: auto-generated" (RFC 3834
// section 5: a message generated automatically, not in reply to one).
// Sendmail's "auto-generated (failure)" names a notice of failure.
func generatedOnly(autoEv []string) bool {
	return len(autoEv) == 1 && strings.HasPrefix(autoEv[0], "header Auto-Submitted: auto-generated") &&
		!strings.Contains(autoEv[0], "(failure")
}

// ndrSubject returns the prefix of ndrSubjects that m's subject opens
// with, or "". A person's reply or forward opens with "Re:" or "Fwd:"
// instead.
func ndrSubject(f *flat) string {
	subj := strings.TrimSpace(subjectOf(f))
	for _, p := range ndrSubjects {
		if strings.HasPrefix(subj, p) {
			return p
		}
	}
	return ""
}

// headerValue returns the value of the named field and whether it is there.
func headerValue(h header, name string) (string, bool) {
	for i := range h {
		if nameIs(h[i].Name, name) {
			return h[i].Value, true
		}
	}
	return "", false
}

// systemSender reports whether an address field names a mail system rather
// than a person: MAILER-DAEMON, postmaster (RFC 5321 section 4.5.1), or a
// display name such as "Mail Delivery System".
func systemSender(v string) bool {
	for _, s := range []string{"mailer-daemon", "mailer_daemon", "mailerdaemon", "postmaster", "mail delivery",
		"mail administrator", "mail system", "mail deliver system", "delivery subsystem", "mdaemon",
		// Exchange 5.5/2000/2003 sent its NDRs as "System Administrator";
		// gateways sign theirs "SMTP Mail Service" or "Mail Service".
		"system administrator", "mail service", "mail_service"} {
		if indexFold(v, s) >= 0 { // in place: this runs on every message no recogniser claimed
			return true
		}
	}
	return false
}

// failureMarks returns the evidence that a notice says delivery failed: its
// subject or its opening in the vocabulary of failure, X-Failed-Recipients.
func failureMarks(f *flat, subj, op string) []string {
	var ev []string
	if p := firstPhrase(subj, failureWords); p != "" {
		ev = append(ev, "subject says delivery failed: "+p)
	}
	if p := firstPhrase(op, failureWords); p != "" {
		ev = append(ev, "the notice's text says delivery failed: "+p)
	}
	if len(ev) == 0 {
		if p := firstPhrase(subj, delayWords); p != "" {
			ev = append(ev, "subject says delivery is delayed: "+p)
		} else if p := firstPhrase(op, delayWords); p != "" {
			ev = append(ev, "the notice's text says delivery is delayed: "+p)
		}
	}
	if len(ev) == 0 && f.hhas("X-Failed-Recipients") {
		ev = append(ev, "header X-Failed-Recipients names failed recipients")
	}
	return ev
}

// firstPhrase returns the first of the phrases that s contains, or "".
func firstPhrase(s string, phrases []string) string {
	if s == "" {
		return ""
	}
	for _, p := range phrases {
		if strings.Contains(s, p) {
			return p
		}
	}
	return ""
}

// opening returns the lower-cased beginning of a notice's text.
func opening(prose string) string {
	if len(prose) > maxOpening {
		prose = prose[:maxOpening]
	}
	return strings.ToLower(prose)
}

// clip shortens s to at most n bytes, at a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}

// noticeProse returns the notice's own text: its text parts, without a
// returned message quoted inline, at most maxFallbackProse bytes and
// maxFallbackLines lines. inline is the returned message when one follows
// in the text (its header block first); cut says which of the limits the
// text passed (cutNone when it fits).
func noticeProse(f *flat) (prose string, inline []byte, cut proseCut) {
	text := proseText(f)
	if len(text) > maxFallbackProse {
		text, cut = text[:maxFallbackProse], cutBytes
		if nl := strings.LastIndexByte(text, '\n'); nl > 0 {
			text = text[:nl+1]
		}
	}
	lines := 0
	for off := 0; off < len(text); lines++ {
		if lines >= maxFallbackLines {
			return text[:off], nil, cutLines
		}
		end := strings.IndexByte(text[off:], '\n')
		next := len(text)
		if end >= 0 {
			next = off + end + 1
			end += off
		} else {
			end = len(text)
		}
		line := text[off:end]
		if start, ok := returnedStart(line, text[next:]); ok {
			rest := strings.TrimLeft(text[next:], " \t\n")
			if start == 0 {
				rest = text[off:]
				if strings.HasPrefix(rest, "From ") {
					rest = text[next:]
				}
			}
			if h, _ := parseHeaderString(rest); len(h) >= 2 {
				inline = []byte(rest)
			}
			return text[:off], inline, cut
		}
		off = next
	}
	return text, nil, cut
}

// returnedStart reports whether line starts a returned message quoted in a
// notice's text: a separator line with the words of returnedMarkers (start
// 1: the message follows the line), or a header block that opens with a
// field only a transported message has, or an mbox From_ line (start 0:
// the message starts on this line). rest is the text after the line.
func returnedStart(line, rest string) (start int, ok bool) {
	if line == "" {
		return 0, false
	}
	if line[0] != ' ' && line[0] != '\t' {
		if strings.HasPrefix(line, "From ") && strings.Contains(line, "@") && startsWithField(rest) {
			return 0, true
		}
		switch fieldName(line) {
		case "received", "return-path", "message-id", "dkim-signature", "mime-version", "x-original-to", "delivered-to":
			if startsWithField(rest) || strings.HasPrefix(rest, " ") || strings.HasPrefix(rest, "\t") {
				return 0, true
			}
		}
	}
	t := strings.TrimSpace(line)
	if len(t) < 6 || len(t) > 120 {
		return 0, false
	}
	decorated := strings.IndexByte("-=*|#_<[(", t[0]) >= 0 || strings.HasPrefix(t, "【") || strings.HasSuffix(t, ":") ||
		strings.HasSuffix(t, "--") || strings.HasSuffix(t, "==") || strings.HasSuffix(t, "：")
	if !decorated {
		return 0, false
	}
	if lt := strings.ToLower(t); containsAny(lt, returnedMarkers) && !containsAny(lt, recipientIntros) {
		// "The following addresses did NOT receive a copy of your
		// message:" (MDaemon) introduces the failed addresses, not
		// the returned message.
		return 1, true
	}
	return 0, false
}

// startsWithField reports whether s starts with a header field line.
func startsWithField(s string) bool {
	n := fieldName(s)
	return n != "" && validFieldName(n)
}

// addrSet is a set of lower-case addresses.
type addrSet map[string]bool

func (s addrSet) has(a string) bool {
	a = strings.ToLower(cleanAddress(a))
	if s[a] {
		return true
	}
	local, domain, ok := strings.Cut(a, "@")
	if !ok {
		return true
	}
	if s["listid:"+local+"."+domain] {
		return true
	}
	switch local {
	case "postmaster", "mailer-daemon", "mailer_daemon", "mailerdaemon", "mdaemon":
		return true
	}
	for _, x := range listServerSenders {
		if strings.HasPrefix(x, "-") && strings.HasSuffix(local, x) || strings.HasSuffix(x, "-") && strings.HasPrefix(local, x) {
			return true
		}
	}
	return false
}

func (s addrSet) add(v string) {
	for _, a := range findAddresses(v) {
		s[strings.ToLower(cleanAddress(a))] = true
	}
}

// forbiddenAddresses are the addresses the fallback never takes for a
// failed recipient (issue 7 section 1 d): the bounce's own recipients and
// senders, the addresses of a list or forwarder that relayed it, and the
// returned message's author (ourselves, the sender of the mail that
// bounced).
func forbiddenAddresses(f *flat, inline []byte) addrSet {
	s := addrSet{}
	for _, name := range []string{
		"To", "Cc", "Bcc", "Delivered-To", "Envelope-To", "X-Envelope-To", "Return-Path",
		"From", "Sender", "Reply-To", "Errors-To", "Resent-From", "Resent-To", "Resent-Sender", "Mail-Followup-To",
		"List-Post", "List-Owner", "List-Help", "List-Subscribe", "List-Unsubscribe", "X-BeenThere",
		"X-Original-Sender", "X-Original-From", "X-Loop", "X-Envelope-From",
	} {
		for _, v := range f.hall(name) {
			s.add(v)
		}
	}
	// X-Original-To is the bounce's own recipient when the delivering MTA
	// added it with Delivered-To (Postfix local and virtual delivery);
	// alone, some MTAs (DragonFly Mail Agent) write the failed address
	// there.
	if f.hhas("Delivered-To") {
		for _, v := range f.hall("X-Original-To") {
			s.add(v)
		}
	}
	// List-Id: "Cats <cats.lists.example.org>" names the list cats@lists.example.org
	// (RFC 2919 section 2).
	if id := f.hget("List-Id"); id != "" {
		if i := strings.LastIndexByte(id, '<'); i >= 0 {
			id = id[i+1:]
		}
		s["listid:"+strings.ToLower(strings.Trim(strings.TrimSpace(id), "<>"))] = true
	}
	raw := f.Original
	if raw == nil {
		raw = inline
	}
	if raw != nil {
		h, _ := parseHeader(raw[:headerEnd(raw)])
		for _, name := range []string{"From", "Sender", "Return-Path", "Reply-To"} {
			for _, v := range h.all(name) {
				s.add(v)
			}
		}
	}
	return s
}

// headerAddresses returns the addresses in a header value.
func headerAddresses(v string) []string {
	if v == "" {
		return nil
	}
	return findAddresses(decodeWords(v))
}

// proseRecipients finds the addresses that a notice's text names as failed
// (rule b). named is true when the text names any address that is not
// forbidden, failed or not: rule c then does not apply.
func proseRecipients(prose string, bad addrSet) (recs []Record, named bool) {
	// intro counts the lines after a phrase naming failed recipients that
	// may still come before its list ("The following addresses failed:",
	// "This is a permanent error.", then the addresses).
	intro := 0
	const introLines = 3
	blanks := 0
	listed := false           // an address of the current list was taken
	taken := map[string]int{} // lower-case address -> index in recs
	prev := ""                // the last non-blank line
	for off := 0; off < len(prose) && len(recs) < maxFallbackRecords; {
		end := strings.IndexByte(prose[off:], '\n')
		next := len(prose)
		if end >= 0 {
			next = off + end + 1
			end += off
		} else {
			end = len(prose)
		}
		line := prose[off:end]
		off = next
		last := prev
		prev = line
		adjacent := blanks == 0 // no blank line between last and this one
		if strings.TrimSpace(line) == "" {
			prev = last
			if blanks++; blanks > 2 {
				intro = 0
			}
			continue
		}
		blanks = 0
		if strings.IndexByte(line, '@') < 0 {
			switch {
			case containsAny(lowerClip(line), recipientIntros):
				intro = introLines
			case listed:
				intro = 0 // the list has ended
			case intro > 0:
				intro--
			}
			listed = false
			continue
		}
		found := false
		for aoff := 0; len(recs) < maxFallbackRecords; {
			a, start, aend := nextAddress(line, aoff)
			if a == "" {
				break
			}
			aoff = aend
			if inURL(line, start, aend) || strings.ContainsAny(a, "/?") {
				continue // part of a link (a phishing notice's "login?u=you@..."), or a path
			}
			rule := lineRule(line, start, aend, intro > 0)
			if rule == "" && alone(line, start, aend) &&
				(informative(followingLines(prose[off:])) || adjacent && informative(clip(last, maxLineScan))) {
				// "<a@b>:" on its own line, the error on the lines
				// after it (qmail, Postfix, Exim) or on the line just
				// before it (Lotus Notes "Failure Reasons").
				rule = ruleFollowed
			}
			if rule == "" && strings.TrimSpace(line[:start]) == "<" && strings.TrimSpace(line[aend:]) == ">:" {
				// "<a@b>:" alone, the form in which qmail-send
				// (qmail-send.c, "Hi. This is the qmail-send
				// program") and the systems that copy its notices
				// list each failed address, even with no reason.
				rule = ruleQmailLine
			}
			before, after := around(line, start, aend)
			role := before // the words that may give the address a role
			if strings.TrimSpace(before) == "" {
				// "For help, write to\nhelp@example.net": the words
				// may end the line before.
				role = last[max(0, len(last)-60):]
			}
			other := otherRole(role, after)
			if other && indexFold(role, "expanded from") >= 0 {
				named = true // the address expanded from this alias was named
			}
			if other || bad.has(a) || senderContext(role, after) {
				// Not taken; but when the text says it failed, the
				// notice named its failed address (rule c must not
				// guess another).
				named = named || rule != ""
				continue
			}
			named = true
			if rule == "" {
				continue
			}
			found = true
			listed = true
			k := strings.ToLower(a)
			i, again := taken[k]
			if again && recs[i].DiagnosticCode != "" {
				continue // named again (a summary, a transcript): the first mention says it
			}
			// The diagnostic is the words around this mention and the
			// lines after it, when they say why.
			d := strings.Join(strings.Fields(before+a+after+" "+followingLines(prose[off:])), " ")
			if !informative(d) {
				d = ""
			}
			if again {
				recs[i].DiagnosticCode = d // a later mention says why
				continue
			}
			taken[k] = len(recs)
			recs = append(recs, Record{Recipient: a, DiagnosticCode: d, Evidence: []string{rule + ": " + clip(strings.TrimSpace(line), 160)}})
		}
		switch {
		case containsAny(lowerClip(line), recipientIntros) && !found:
			intro = introLines
		case !found:
			// A line with addresses that are not failed ends a list.
			intro = 0
		}
	}
	return recs, named
}

// alone reports whether line holds nothing but the address at
// line[start:end] and punctuation.
func alone(line string, start, end int) bool {
	return strings.Trim(line[:start], " \t<(\"'[") == "" && strings.Trim(line[end:], " \t>):;,.\"']") == ""
}

// followingLines returns the lines at the start of s up to a blank line or
// a line naming another address, at most six lines and maxLineScan bytes.
func followingLines(s string) string {
	n := 0
	end := 0
	for n < 6 && end < len(s) && end < maxLineScan {
		nl := strings.IndexByte(s[end:], '\n')
		line := s[end:]
		if nl >= 0 {
			line = s[end : end+nl]
		}
		if strings.TrimSpace(line) == "" || strings.IndexByte(line, '@') >= 0 && n > 0 {
			break
		}
		n++
		if nl < 0 {
			end = len(s)
			break
		}
		end += nl + 1
	}
	return clip(s[:min(end, len(s))], maxLineScan)
}

// lineRule returns the rule by which the address at line[start:end] is a
// failed recipient, or "".
func lineRule(line string, start, end int, introActive bool) string {
	// The words that count are those of the address's own sentence:
	// "Delivery failed. Questions? Write to help@example.com" names no
	// failed address.
	before, after := around(line, start, end)
	rest := before + " " + after
	if hasReplyCode(rest) {
		return ruleCodeLine
	}
	lower := lowerClip(rest)
	if containsAny(lower, failureOnLine) {
		return ruleWordsLine
	}
	if r := reason.FromText(clip(rest, maxLineScan)); r != "" && r != reason.Vacation {
		return ruleWordsLine
	}
	if strings.Trim(before, " \t<([\"'") == "" {
		// "<a@b>: Name service error for domain b", "a@b: 550 ...": an
		// address opening its line, its reason after a colon.
		if t := strings.TrimLeft(after, " \t>)]\"'"); len(t) > 2 && t[0] == ':' && strings.TrimSpace(t[1:]) != "" {
			return ruleWordsLine
		}
	}
	if containsAny(lowerClip(before), recipientIntros) || introActive {
		return ruleIntro
	}
	return ""
}

// lowerClip lower-cases at most maxLineScan bytes of s.
func lowerClip(s string) string {
	return strings.ToLower(clip(s, maxLineScan))
}

// informative reports whether a diagnostic text says something the
// classifier can use: an SMTP error code or words of a reason.
func informative(s string) bool {
	if s == "" {
		return false
	}
	if hasReplyCode(s) {
		return true
	}
	r := reason.FromText(clip(s, maxLineScan))
	return r != "" && r != reason.Vacation
}

// noticeDiagnostic returns the line of a notice's text that best says why
// delivery failed: the first with an SMTP error code, else the first whose
// words name a reason; "" when none does (the reason is then undefined).
func noticeDiagnostic(prose string) string {
	var words string
	n := 0
	for off := 0; off < len(prose) && n < 200; n++ {
		end := strings.IndexByte(prose[off:], '\n')
		line := prose[off:]
		if end >= 0 {
			line = prose[off : off+end]
			off += end + 1
		} else {
			off = len(prose)
		}
		t := strings.TrimSpace(line)
		if t == "" {
			continue
		}
		if hasReplyCode(t) {
			return clip(t, maxLineScan)
		}
		if words == "" {
			if r := reason.FromText(clip(t, maxLineScan)); r != "" && r != reason.Vacation {
				words = clip(t, maxLineScan)
			}
		}
	}
	if words == "" {
		words = paragraphDiagnostic(prose)
	}
	return words
}

// paragraphDiagnostic returns the first paragraph of a notice's text (its
// lines up to a blank one, joined) whose words name a reason, or "": a
// notice wraps its sentences ("the destination computer was\nnot reachable
// within the allowed queue period"), which no single line then says.
func paragraphDiagnostic(prose string) string {
	var para []string
	// said returns the paragraph held when its words name a reason.
	said := func() string {
		if len(para) > 1 {
			p := clip(strings.Join(para, " "), maxLineScan)
			if r := reason.FromText(p); r != "" && r != reason.Vacation {
				return p
			}
		}
		para = para[:0]
		return ""
	}
	n := 0
	for line := range strings.Lines(prose) {
		if n++; n > 200 {
			return ""
		}
		if t := strings.TrimSpace(line); t != "" {
			para = append(para, t)
		} else if p := said(); p != "" {
			return p
		}
	}
	return said()
}

// textDSNRecords reads delivery-status fields (RFC 3464 sections 2.2 and
// 2.3) wherever they stand in a text: indented, quoted with "> ", in a
// part labelled text/plain, or with stray lines between them. Every line
// that is a delivery-status field (or continues one) is kept, dedented;
// other lines become block separators.
func textDSNRecords(text string) []Record {
	if indexFold(text, "final-recipient") < 0 && indexFold(text, "original-recipient") < 0 {
		return nil
	}
	var sb strings.Builder
	inField := false
	for off := 0; off < len(text); {
		end := strings.IndexByte(text[off:], '\n')
		line := text[off:]
		if end >= 0 {
			line = text[off : off+end]
			off += end + 1
		} else {
			off = len(text)
		}
		t := strings.TrimLeft(line, " \t>")
		if name := fieldName(t); name != "" && dsnFieldNames[name] {
			sb.WriteString(t)
			sb.WriteByte('\n')
			inField = true
			continue
		}
		if inField && t != "" && (line[0] == ' ' || line[0] == '\t') && !dsnFieldNames[fieldName(t)] {
			sb.WriteString(" ")
			sb.WriteString(strings.TrimSpace(t))
			sb.WriteByte('\n')
			continue
		}
		if inField {
			sb.WriteByte('\n')
		}
		inField = false
	}
	recs := dsnRecords(nil, sb.String())
	for i := range recs {
		recs[i].Recipient = mailboxOf(recs[i].Recipient)
	}
	return slices.DeleteFunc(recs, func(r Record) bool { return r.Recipient == "" })
}

// mailboxOf reduces a recipient field's value to its mailbox: the address
// after an RFC 5321 source route ("@relay.example:user@example.com",
// section C), the address inside a pipe or file destination that an MTA
// reports ("|/usr/bin/prog user@example.com"); "" when it holds none.
func mailboxOf(v string) string {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "@") {
		if i := strings.LastIndexByte(v, ':'); i >= 0 {
			v = v[i+1:]
		}
	}
	if strings.ContainsAny(v, " \t|") || strings.HasPrefix(v, "/") {
		a, _, _ := nextAddress(v, 0)
		if strings.ContainsRune(a, '/') {
			return ""
		}
		return a
	}
	return v
}

// addressParagraph returns the words around the first mention of addr in
// prose (its sentence, at most maxContext bytes on either side) and the
// lines after it that belong to it: up to a blank line, a line naming
// another address, or eight lines.
func addressParagraph(prose string, text *prose, addr string) string {
	at, ok := text.at[strings.ToLower(addr)]
	if !ok {
		return ""
	}
	lo := max(0, at-maxContext)
	start := lo + strings.LastIndexByte(prose[lo:at], '\n') + 1
	end := at + len(addr)
	lineEnd := min(len(prose), end+maxContext)
	if nl := strings.IndexByte(prose[end:lineEnd], '\n'); nl >= 0 {
		lineEnd = end + nl
	}
	before, after := around(prose[start:lineEnd], at-start, end-start)
	out := []string{strings.TrimSpace(before + prose[at:end] + after)}
	rest := ""
	if lineEnd < len(prose) && prose[lineEnd] == '\n' {
		rest = prose[lineEnd+1:]
	}
	for len(out) < 8 && rest != "" {
		l := rest
		if nl := strings.IndexByte(rest, '\n'); nl >= 0 {
			l, rest = rest[:nl], rest[nl+1:]
		} else {
			rest = ""
		}
		t := strings.TrimSpace(l)
		if t == "" || strings.IndexByte(t, '@') >= 0 {
			break
		}
		out = append(out, clip(t, maxLineScan))
	}
	return strings.Join(out, " ")
}

// sentenceStart returns the offset in s after its last sentence end (a
// '.', '!' or '?' after a letter, followed by a space), or 0.
func sentenceStart(s string) int {
	for i := len(s) - 2; i > 0; i-- {
		if s[i+1] == ' ' && (s[i] == '.' || s[i] == '!' || s[i] == '?') && isLetter(s[i-1]) {
			return i + 2
		}
	}
	return 0
}

// sentenceEnd returns the offset of the first sentence end in s, or len(s).
func sentenceEnd(s string) int {
	for i := 1; i+1 < len(s); i++ {
		if s[i+1] == ' ' && (s[i] == '.' || s[i] == '!' || s[i] == '?') && isLetter(s[i-1]) {
			return i + 1
		}
	}
	return len(s)
}

// senderContext reports whether the words around an address name it as the
// sender of the mail, not as a recipient: "from <a@b>", "Sender: a@b",
// "MAIL FROM:<a@b>", "<a@b>: Sender address rejected" (Postfix, RFC 5321
// section 4.1.1.2).
func senderContext(before, after string) bool {
	b := strings.ToLower(strings.TrimRight(before, " \t<:(\"'["))
	if len(b) > 40 {
		b = b[len(b)-40:]
	}
	for _, w := range []string{"from", "sender", "envelope-from", "return-path", "reply-to", "author", "absender", "expéditeur", "remitente", "remetente", "mittente", "afzender", "差出人", "送信者", "发件人", "отправител"} {
		if strings.HasSuffix(b, w) {
			return true
		}
	}
	a := after
	if len(a) > 60 {
		a = a[:60]
	}
	a = strings.ToLower(a)
	return strings.Contains(a, "sender address rejected") || strings.Contains(a, "sender rejected") ||
		strings.Contains(a, "sender verify failed")
}

// subjectRecipient takes the address that a notice's subject names right
// after words of failure and nothing after it ("Undeliverable:
// <bob@example.com>", "Delivery failure: bob@example.com"); a subject that
// goes on after the address is the returned message's own subject, which
// may name anyone.
func subjectRecipient(subj string, bad addrSet) []Record {
	a, start, end := nextAddress(subj, 0)
	if a == "" || bad.has(a) {
		return nil
	}
	if strings.Trim(subj[end:], " >)]'\".") != "" {
		return nil
	}
	if !containsAny(subj[:start], failureWords) {
		return nil
	}
	return []Record{{Recipient: a, Evidence: []string{ruleSubject}}}
}

// maxContext bounds the words read on either side of an address: a line
// of a hostile notice may hold thousands of addresses, and reading the
// whole line for each would be quadratic.
const maxContext = 300

// around returns the words of the sentence around line[start:end] (the
// address), at most maxContext bytes on either side.
func around(line string, start, end int) (before, after string) {
	lo := max(0, start-maxContext)
	before = line[lo:start]
	before = before[sentenceStart(before):]
	after = line[end:min(len(line), end+maxContext)]
	after = after[:sentenceEnd(after)]
	return before, after
}

// proseCut says which of the reader's limits a notice's text passed.
type proseCut int

const (
	cutNone  proseCut = iota
	cutBytes          // maxFallbackProse
	cutLines          // maxFallbackLines
)

// otherRole reports whether the words before an address give it a role
// other than a failed recipient: an address to contact for help ("please
// contact <support@example.net>", RFC 3464 notices' usual closing
// sentence), or an alias that the failed address was expanded from
// (Postfix "<a@b> (expanded from <alias@b>)", whose failure is that of
// the address it expanded to).
func otherRole(before, _ string) bool {
	b := strings.ToLower(clip(before, maxContext))
	for _, w := range []string{
		"expanded from", "contact", "write to", "send mail to", "send email to", "send an email to",
		"assistance", "questions", "for help", "helpdesk", "support at", "kontakt", "contactez",
		"contacte", "wenden sie sich", "問い合わせ", "お問合せ", "联系", "聯繫", "связ", "обратитесь",
	} {
		if strings.Contains(b, w) {
			return true
		}
	}
	return false
}

// inURL reports whether the address at line[start:end] is part of a URL:
// the word around it holds "://" or starts with "www." or "mailto:" is
// absent but "=" or "?" joins it to what precedes.
func inURL(line string, start, end int) bool {
	ws := strings.LastIndexAny(line[:start], " \t<>\"'(") + 1
	we := strings.IndexAny(line[end:], " \t<>\"')")
	if we < 0 {
		we = len(line)
	} else {
		we += end
	}
	word := line[ws:we]
	return strings.Contains(word, "://") || hasPrefixFold(word, "www.") ||
		ws < start && strings.ContainsAny(line[ws:start], "=?&")
}

// bareRecipients reads the notices that list failed recipients as bare user
// names, with no domain (AOL's "Your mail to the following recipients could
// not be delivered ...:" then "\tname", Novell GroupWise's "The message that
// you sent was undeliverable to the following:" then "\tname (reason)"): a
// name alone on its line, or followed by a parenthesised reason, within a
// few lines after a phrase naming failed recipients. The name is qualified
// with the address of the returned message's recipient that has this local
// part, else with the domain of the notice's system sender (RFC 5321
// section 2.3.5: the domain of the server that reports on its own users).
func bareRecipients(f *flat, prose string, inline []byte, bad addrSet) []Record {
	domain := ""
	if from := f.hget("From"); systemSender(from) {
		if _, d, ok := strings.Cut(mailboxOf(from), "@"); ok && strings.Contains(d, ".") {
			domain = strings.ToLower(d)
		}
	}
	var known []string // the returned message's recipients
	raw := f.Original
	if raw == nil {
		raw = inline
	}
	if o := parseOriginal(raw); o != nil {
		known = headerAddresses(o.To)
	}
	var recs []Record
	intro := 0
	introLine := ""
	for line := range strings.Lines(clip(prose, maxOpening)) {
		t := strings.TrimSpace(line)
		if t == "" {
			continue
		}
		if containsAny(strings.ToLower(t), recipientIntros) {
			intro = 3
			introLine = t
			continue
		}
		if intro == 0 {
			continue
		}
		intro--
		name, why := "", ""
		if line[0] == ' ' || line[0] == '\t' {
			// Lists of names are indented; a word at the margin is prose.
			name, why = bareName(t)
		}
		if name == "" {
			if len(recs) > 0 {
				break // the list has ended
			}
			continue
		}
		addr := ""
		for _, k := range known {
			if local, _, ok := strings.Cut(k, "@"); ok && strings.EqualFold(local, name) {
				addr = k
				break
			}
		}
		if addr == "" && domain != "" {
			addr = name + "@" + domain
		}
		if addr == "" || bad.has(addr) || len(recs) >= maxFallbackRecords {
			continue
		}
		intro = 3 // the list goes on
		if why == "" {
			why = introLine // "... could not be delivered because ..."
		}
		recs = append(recs, Record{Recipient: addr, DiagnosticCode: why,
			Evidence: []string{ruleBareName + ", qualified as " + addr + ": " + clip(t, 160)}})
	}
	return recs
}

// bareName returns the user name that line t consists of ("name", "name
// (User account is expired)") and the reason after it, or
// "" when t is anything else. A name is what RFC 5321 section 4.1.2 allows
// in a dot-string, with no '@'.
func bareName(t string) (name, why string) {
	end := 0
	for end < len(t) && end < 64 {
		c := t[end]
		if isLetter(c) || isDigit(c) || strings.IndexByte("._+-", c) >= 0 {
			end++
			continue
		}
		break
	}
	if end == 0 || t[0] == '.' || t[0] == '-' {
		return "", ""
	}
	rest := strings.TrimSpace(t[end:])
	switch {
	case rest == "":
	case rest[0] == '(' && strings.HasSuffix(rest, ")"):
		why = strings.TrimSpace(rest[1 : len(rest)-1])
	default:
		return "", ""
	}
	name = t[:end]
	if !strings.ContainsFunc(name, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }) {
		return "", "" // a number or punctuation, not a user name
	}
	return name, why
}
