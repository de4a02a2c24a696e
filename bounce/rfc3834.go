package bounce

import (
	"strings"
)

// autoReplySubjects are Subject prefixes of automatic replies (out of
// office, vacation) in the languages our users meet.
var autoReplySubjects = []string{
	"auto:", "auto reply", "auto-reply", "autoreply", "automatic reply", "auto response",
	"autoresponse", "autorespons", "auto-response", "out of office", "out of the office", "away until",
	"vacation", "on vacation", "i am away", "i'm away", "abwesenheitsnotiz", "automatische antwort",
	"réponse automatique", "respuesta automática", "risposta automatica", "resposta automática",
	"automatisch antwoord", "afwezigheidsmelding", "afwezig", "abwesend", "außer haus", "ausser haus",
	"absence", "absent du bureau", "fuera de la oficina", "ausente", "fuori ufficio", "fuori sede",
	"fora do escritório", "автоответ", "автоматический ответ", "вне офиса", "в отпуске", "자동 응답", "부재",
	"自動応答", "自動返信", "不在", "休暇", "自动回复", "自動回覆", "休假", "不在办公室",
}

// scanRFC3834 reads automatic replies (RFC 3834): Auto-Submitted:
// auto-replied, or the headers and subjects that vacation responders use.
// The recipient is the author of the reply: the person who is away. It
// runs after every bounce recogniser, because MTAs mark their bounces
// auto-replied too.
func scanRFC3834(f *flat) *scan {
	h := f.Header
	// A bounce marked auto-replied is not a vacation message: refuse
	// mailer-daemons and delivery reports first, on the header alone.
	if from := h.get("From"); jpHasFold(from, "mailer-daemon") || jpHasFold(from, "postmaster") {
		return nil
	}
	if ct, _ := mediaType(h.get("Content-Type")); ct == "multipart/report" {
		return nil
	}
	subj := strings.ToLower(decodeWords(h.get("Subject")))
	var ev []string
	as := strings.ToLower(h.get("Auto-Submitted"))
	if strings.HasPrefix(as, "auto-replied") {
		ev = append(ev, "header Auto-Submitted: "+as+" (RFC 3834)")
	}
	for _, name := range []string{"X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Response-Suppress"} {
		if v := h.get(name); v != "" && name != "X-Auto-Response-Suppress" {
			ev = append(ev, "header "+name+": "+v)
		}
	}
	if headerHas(f, "Precedence", "auto_reply") || headerHas(f, "X-Precedence", "auto_reply") {
		// RFC 3834 section 3.1.8 mentions it as a non-standard field that
		// responders write; taken with the words of the reply itself.
		if containsAny(openingText(f), vacationOpenings) {
			ev = append(ev, "header Precedence: auto_reply and an out-of-office text")
		}
	}
	headerMarked := len(ev) > 0
	marked := headerMarked || headerHas(f, "Precedence", "auto_reply", "bulk", "junk")
	for _, p := range autoReplySubjects {
		// Words of languages written without spaces (Japanese 「不在」,
		// Chinese 「自动回复」) stand anywhere in the subject; taken alone
		// they must open it (after a bracket), since a person may write
		// them too.
		cjk := !isASCII(p) && p[0] >= 0xE3
		at := strings.Index(subj, p)
		if !(strings.HasPrefix(subj, p) || strings.Contains(subj, p+" ") || strings.Contains(subj, " "+p) && len(p) > 8 ||
			cjk && (marked && at >= 0 || bracketed(subj, p))) {
			continue
		}
		if !headerMarked && !autoReplyBySubject(f, subj, p, at) {
			// "Register to win your Dream Vacation", "Re: Dermot is
			// out of the office": words in a subject, not a responder's.
			continue
		}
		ev = append(ev, "subject of an automatic reply: "+p)
		break
	}
	if len(ev) == 0 {
		return nil
	}
	// A challenge-response request, a list server's reply or a delivery
	// receipt ("Delivered: ...", "Your message has been delivered to the
	// following recipients") marked auto-replied is neither a vacation
	// message nor a failure (issue 7 section 2).
	if nf := classifyNotFailure(f, subj, openingText(f)); nf != notFailureNone {
		return nil
	}
	rcpt := cleanAddress(h.get("From"))
	if !strings.Contains(rcpt, "@") {
		rcpt = cleanAddress(h.get("Return-Path"))
	}
	if !strings.Contains(rcpt, "@") {
		return nil
	}
	diag := strings.TrimSpace(proseText(f))
	if len(diag) > 400 {
		diag = diag[:400]
	}
	return &scan{
		records:  []Record{{Recipient: rcpt, Reason: "vacation", DiagnosticCode: diag}},
		evidence: ev,
	}
}

// bracketed reports whether subj opens with p, after an optional bracket
// such as 「【」 or "[".
func bracketed(subj, p string) bool {
	for _, open := range []string{"", "【", "[", "(", "（", "「", "re: ", "re:"} {
		if strings.HasPrefix(subj, open+p) {
			return true
		}
	}
	return false
}

// replyPrefixes open the subject of a person's reply or forward (English,
// German "AW:"/"WG:", Nordic "SV:", French "TR:", Spanish "RV:", Dutch
// "Antw:", Chinese 「回复:」「答复:」, Japanese 「返信:」), as a word of its own.
var replyPrefixes = []string{"re:", "fwd:", "fw:", "aw:", "wg:", "sv:", "tr:", "rv:", "antw:", "答复:", "回复:", "返信:"}

// autoReplyBySubject reports whether a message that no header marks as an
// automatic reply (RFC 3834 section 5: Auto-Submitted) is one all the
// same, its subject holding the auto-reply words p at offset at: they
// stand before any reply prefix (a responder's "Out of Office: Re: ..."; a
// person's "Re: X is out of the office" answers one), and either open the
// subject as a label ("Vacation:", "Out of office -", 「【自動返信】」) or
// the text itself, outside quoted lines, says its author is away. Words in
// a subject alone ("Register to win your dream vacation", a parcel
// phishing's 「【不在連絡票】」, a travel letter's 「【休暇特集】」) make no
// reply: spam and newsletters write them too (issue 7 section 2).
func autoReplyBySubject(f *flat, subj, p string, at int) bool {
	if at < 0 {
		return false
	}
	for _, w := range strings.Fields(subj[:at]) {
		w = strings.TrimLeft(w, "[(【「")
		for _, rp := range replyPrefixes {
			if strings.HasPrefix(w, rp) {
				return false
			}
		}
	}
	// A label opens the subject, after a bracket, or follows other
	// words of auto-replies (Exchange 2003's "Out of Office AutoReply:").
	if before := strings.TrimSpace(strings.TrimLeft(subj[:at], "[(【「（")); before == "" || containsAny(before, autoReplySubjects) {
		rest := strings.TrimLeft(subj[at+len(p):], " \u00a0")
		if rest == "" || strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, "-") ||
			containsAny(rest[:min(len(rest), 3)], []string{"：", "】", "]", ")", "」", "）"}) {
			return true
		}
	}
	return containsAny(unquotedOpening(f), vacationOpenings)
}

// unquotedOpening is the opening of a message's text (openingText) without
// the lines it quotes from another ("> ...") and the attribution line
// that introduces them ("On ... wrote:").
func unquotedOpening(f *flat) string {
	op := openingText(f)
	if !strings.Contains(op, ">") && !strings.Contains(op, "wrote:") {
		return op
	}
	var sb strings.Builder
	for line := range strings.Lines(op) {
		t := strings.TrimLeft(line, " \t")
		if strings.HasPrefix(t, ">") || strings.HasSuffix(strings.TrimSpace(t), "wrote:") {
			continue
		}
		sb.WriteString(line)
	}
	return sb.String()
}
