package bounce

import (
	"strings"

	"github.com/bouncewatch/bouncewatch/reason"
)

// qmail (https://cr.yp.to/qmail.html) and its descendants (netqmail,
// notqmail, qmail-ldap, indimail) write (qmail-send.c):
//
//	Hi. This is the qmail-send program at mx.example.jp.
//	I'm afraid I wasn't able to deliver your message to the following addresses.
//	This is a permanent error; I've given up. Sorry it didn't work out.
//
//	<kijitora@example.jp>:
//	192.0.2.153 does not like recipient.
//	Remote host said: 550 5.1.1 <kijitora@example.jp>... User Unknown
//	Giving up on 192.0.2.153.
//
//	--- Below this line is a copy of the message.

var qmailIntroMarkers = []string{
	"Hi. This is the qmail",
	"He/Her is not ",
	"unable to deliver your message to the following addresses",
	"Su mensaje no pudo ser entregado",
	"Sorry, we were unable to deliver your message to the following address",
	"This is the machine generated message from mail service",
	"This is the mail delivery agent at",
	"Unable to deliver message to the following address",
	"Unfortunately, your mail was not delivered to the following address:",
	"Your mail message to the following address",
	"Your message to the following addresses",
}

var qmailOriginalMarkers = []string{
	"--- Below this line is a copy of the message.",
	"--- Below this line is a copy of the mail header.",
	"--- Below the next line is a copy of the message.",
	"--- Enclosed is a copy of the message.",
	"--- Enclosed are the original headers of the message.",
	"--- Mensaje original adjunto.",
	"--- Original message follows.",
	"Content-Type: message/rfc822",
	"Original message follows.",
}

// qmailStages are qmail-remote's fixed sentences for the SMTP state at
// which the remote server refused (qmail-remote.c).
var qmailStages = []struct{ text, command string }{
	{" but greeting failed", "CONN"},
	{" but my name was rejected", "EHLO"},
	{" but sender was rejected", "MAIL"},
	{" does not like recipient", "RCPT"},
	{" failed on DATA command", "DATA"},
	{" failed after I sent the message", "DATA"},
}

// qmailOwnMessages are errors that qmail and qmail-ldap write themselves,
// with the reason each states.
var qmailOwnMessages = []struct {
	text   string
	reason reason.Reason
}{
	{"Sorry, no mailbox here by that name", reason.UserUnknown},
	{"Sorry, I couldn't find any host ", reason.HostUnknown},
	{"Sorry, I couldn't find a mail exchanger or IP address", reason.NotAccept},
	{"disk quota exceeded", reason.MailboxFull},
	{"Message size exceeds fixed maximum message size:", reason.MesgTooBig},
	{"The message exeeded the maximum size the user accepts", reason.ExceedLimit},
	{"Mailaddress is administrativ", reason.Suspend},
	{"Requested action not taken: mailbox unavailable (not enough free space)", reason.SystemFull},
	{"Automatic homedir creator crashed", reason.SystemError},
	{"Illegal value in LDAP attribute", reason.SystemError},
	{"LDAP attribute is not given but mandatory", reason.SystemError},
	{"Timeout while performing search on LDAP server", reason.SystemError},
	{"Too many results returned but needs to be unique", reason.SystemError},
	{"Permanent error while executing qmail-forward", reason.SystemError},
	{"Temporary error in automatic homedir creation", reason.SystemError},
	{"Temporary error while executing qmail-forward", reason.SystemError},
	{"Temporary failure in LDAP lookup", reason.SystemError},
	{"Unable to contact LDAP server", reason.SystemError},
	{"Unable to login into LDAP server", reason.SystemError},
	{"bad interpreter: No such file or directory", reason.SystemError},
}

const qmailTooLong = "this message has been in the queue too long"

func scanQmail(m *flat) *scan {
	if !mta2ContainsFold(mta2Subject(m), "failure notice") {
		q := false
		for _, v := range m.hall("Received") {
			if strings.Contains(v, "(qmail ") || strings.Contains(v, "invoked for bounce") {
				q = true
				break
			}
		}
		if !q {
			return nil
		}
	}
	return readQmail(m, "")
}

// readQmail reads the "<addr>:" paragraphs of qmail and its clones.
func readQmail(m *flat, evidence string) *scan {
	text, orig, cut := cutAt(m.Body, qmailOriginalMarkers...)
	start := mta2IndexAny(text, qmailIntroMarkers...)
	if start < 0 {
		return nil
	}
	text = text[start:]
	var recs []Record
	var paras [][]string
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if i > maxProseLines {
			break
		}
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		if t[0] == '<' {
			if gt := strings.Index(t, ">:"); gt > 0 && strings.Contains(t[:gt], "@") {
				recs = append(recs, Record{Recipient: t[1:gt]})
				paras = append(paras, nil)
				if rest := strings.TrimSpace(t[gt+2:]); rest != "" {
					paras[len(paras)-1] = append(paras[len(paras)-1], rest)
				}
				continue
			}
		}
		if len(recs) > 0 {
			paras[len(paras)-1] = append(paras[len(paras)-1], t)
		}
	}
	if len(recs) == 0 {
		return nil
	}
	for i := range recs {
		qmailDetail(&recs[i], strings.Join(paras[i], " "))
	}
	if evidence == "" {
		evidence = "qmail marker '" + strings.TrimSpace(mta2FirstLine(text)) + "'"
	}
	sc := &scan{records: recs, evidence: []string{evidence}}
	if cut && m.Original == nil {
		sc.original = []byte(strings.TrimLeft(orig, "\n"))
	}
	return sc
}

// mta2FirstLine returns s up to its first line end, at most 80 bytes.
func mta2FirstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 80 {
		s = s[:80]
	}
	return s
}

// qmailDetail reads the error paragraph of one recipient.
func qmailDetail(r *Record, p string) {
	r.Action = "failed"
	for _, st := range qmailStages {
		if i := strings.Index(p, st.text); i >= 0 {
			r.Command = st.command
			// "Connected to 192.0.2.1 but ..." / "192.0.2.1 does not like recipient."
			head := strings.TrimPrefix(strings.TrimSpace(mta2LastSentence(p[:i])), "Connected to ")
			if f := strings.Fields(head); len(f) > 0 {
				r.RemoteMTA = strings.ToLower(f[len(f)-1])
			}
			break
		}
	}
	if r.Command == "" {
		if i := strings.Index(p, "most progress was "); i >= 0 {
			r.Command = commandName(p[i+len("most progress was "):])
		}
	}
	if r.RemoteMTA == "" {
		for _, k := range []string{"Giving up on ", "remote host "} {
			if i := strings.Index(p, k); i >= 0 {
				if f := strings.Fields(p[i+len(k):]); len(f) > 0 {
					r.RemoteMTA = strings.ToLower(strings.TrimRight(f[0], ".:"))
				}
				break
			}
		}
	}
	diag := p
	remote := false
	if i := strings.Index(p, "Remote host said:"); i >= 0 {
		diag = strings.TrimSpace(p[i+len("Remote host said:"):])
		remote = true
	}
	// Drop qmail's closing sentences from the remote's text.
	tooLong := strings.Contains(diag, qmailTooLong)
	for _, k := range []string{"Giving up on ", "I'm not going to try again;"} {
		if i := strings.Index(diag, k); i > 0 {
			diag = strings.TrimSpace(diag[:i])
		}
	}
	r.DiagnosticCode = diag
	if remote || strings.Contains(p, " said: ") {
		r.DiagnosticType = "SMTP"
	}
	switch {
	case r.Command == "EHLO":
		r.Reason = reason.Blocked
		return
	case strings.Contains(p, " does not like recipient") && strings.Contains(p, qmailTooLong):
		r.Reason = reason.OnHold
		return
	}
	for _, e := range qmailOwnMessages {
		if strings.Contains(p, e.text) {
			r.Reason = e.reason
			return
		}
	}
	switch {
	case tooLong && !remote:
		r.Reason = reason.Expired
	case strings.Contains(p, "Sorry, I wasn't able to establish an SMTP connection"),
		strings.Contains(p, "Sorry. Although I'm listed as a best-preference MX or A for that host"):
		r.Reason = reason.NetworkError
	}
}

// mta2LastSentence returns the text after the last ". " in s.
func mta2LastSentence(s string) string {
	if i := strings.LastIndex(s, ". "); i >= 0 {
		return s[i+2:]
	}
	return s
}
