package bounce

import (
	"regexp"
	"strings"

	"github.com/bouncewatch/bouncewatch/reason"
)

// Google's own bounces: the old Gmail text notice ("Delivery to the
// following recipient failed permanently"), Google Groups' refusals, the
// Google Workspace notices without a DSN ("** Message not delivered **"),
// and the DSNs that googlemail.com writes itself.

// gmsFromGoogle reports whether m comes from Google's mailer-daemon.
func gmsFromGoogle(m *flat) bool {
	return headerHas(m, "From", "mailer-daemon@googlemail.com", "mailer-daemon@google.com")
}

var (
	reGMSGmailState  = regexp.MustCompile(`\(state (\d{1,2})\)`)
	reGMSGmailRemote = regexp.MustCompile(`(?i)\bby ([a-z0-9][a-z0-9.-]*[a-z0-9])\.? \[[0-9a-f.:]+\]`)
)

// gmsGmailState is what Gmail's "(state N)" suffix says: the SMTP command that
// was answered and, where the state alone decides it, the reason.
var gmsGmailState = map[string]struct {
	command string
	reason  reason.Reason
}{
	"6":  {"MAIL", reason.FailedSTARTTLS}, // 500 Remote server does not support TLS
	"8":  {"AUTH", ""},                    // 535 SMTP AUTH failed with the remote server
	"9":  {"AUTH", reason.FailedSTARTTLS}, // 454 TLS missing certificate
	"12": {"AUTH", reason.NoRelaying},     // 500 Remote server does not support SMTP Authenticated Relay
	"13": {"EHLO", reason.Blocked},        // 550 5.7.1 Access denied
	"14": {"RCPT", ""},                    // 550 5.1.1 User Unknown, 4.2.2 Mailbox Full: the code says
	"15": {"DATA", reason.Filtered},       // 550 5.7.1 SPF unauthorized mail is prohibited
	"17": {"DATA", reason.Filtered},       // 550 5.1.0 Address rejected
	"18": {"DATA", reason.Filtered},       // 550 Unknown user / 554 5.7.0 Header error
}

// scanGmail reads Gmail's text notices.
//
//	Delivery to the following recipient failed permanently:
//	     user@example.jp
//	Technical details of permanent failure:
//	Google tried to deliver your message, but it was rejected by the server
//	for the recipient domain example.jp by mx.example.jp. [192.0.2.1].
//	The error that the other server returned was:
//	550 5.1.1 <user@example.jp>... User Unknown
//	----- Original message -----
func scanGmail(m *flat) *scan {
	if !gmsFromGoogle(m) || !strings.Contains(subjectOf(m), "delivery status notification") {
		return nil
	}
	i := strings.Index(m.Body, "Delivery to the following recipient")
	if i < 0 {
		return nil
	}
	text, orig := gmsCutOriginal(m.Body[i:], "----- Original message -----", "----- Message header follows -----")
	text = gmsBeforeReturned(text)

	delayed := strings.HasPrefix(text, "Delivery to the following recipient has been delayed")
	var rcpts, prose []string
	details := ""
	lines := strings.Split(text, "\n")
	for n, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		if strings.HasPrefix(t, "Technical details of ") {
			details = strings.Join(lines[n+1:], "\n")
			break
		}
		if n > 0 && (l[0] == ' ' || l[0] == '\t') && strings.IndexByte(t, ' ') < 0 {
			if a := findAddress(t); a != "" {
				rcpts = append(rcpts, a)
				continue
			}
		}
		prose = append(prose, t)
	}
	if len(rcpts) == 0 {
		rcpts = gmsHeaderAddresses(m, "X-Failed-Recipients")
	}
	if len(rcpts) == 0 {
		raw := orig
		if raw == nil {
			raw = m.Original
		}
		if a := gmsOriginalTo(raw); a != "" {
			rcpts = []string{a}
		}
	}
	if len(rcpts) == 0 {
		return nil
	}

	r := Record{Action: "failed"}
	if delayed || strings.Contains(text, "Technical details of temporary failure") {
		r.Action = "delayed"
	}
	diag := details
	if _, after, ok := cutAt(details, "The error that the other server returned was:"); ok {
		// The marker may end a line or be followed by the reply on the
		// same line ("...returned was: 554 554 5.7.0 Header error").
		j := strings.Index(gmsFold(details), "The error that the other server returned was:")
		if j >= 0 {
			diag = gmsFold(details)[j+len("The error that the other server returned was:"):]
		} else {
			diag = after
		}
		r.DiagnosticType = "SMTP"
		if mm := reGMSGmailRemote.FindStringSubmatch(details); mm != nil {
			r.RemoteMTA = strings.ToLower(mm[1])
		}
	}
	diag = gmsFold(diag)
	if diag == "" {
		diag = gmsFold(strings.Join(prose, " "))
	}
	r.DiagnosticCode = gmsCap(diag, 2000)

	if mm := reGMSGmailState.FindStringSubmatch(r.DiagnosticCode); mm != nil {
		if st, ok := gmsGmailState[mm[1]]; ok {
			r.Command, r.Reason = st.command, st.reason
		}
	}
	if r.Command == "" {
		r.Command = findCommand(r.DiagnosticCode)
	}
	if r.Reason == "" {
		switch {
		case strings.Contains(r.DiagnosticCode, "DNS Error: Domain name not found"),
			strings.Contains(r.DiagnosticCode, "DNS Error: DNS server returned answer with no data"):
			r.Reason = reason.HostUnknown
		case strings.Contains(r.DiagnosticCode, "The recipient server did not accept our requests to connect"),
			strings.Contains(r.DiagnosticCode, "DNS Error: Could not contact DNS servers"),
			delayed && r.DiagnosticType == "" && !strings.Contains(r.DiagnosticCode, "(state "):
			// Google could not reach the server and gave up (or keeps
			// trying): the queue lifetime is what ends it.
			r.Reason = reason.Expired
		}
	}
	recs := make([]Record, 0, len(rcpts))
	for _, a := range rcpts {
		x := r
		x.Recipient = a
		recs = append(recs, x)
	}
	ev := []string{"From: Google's mailer-daemon and Subject 'Delivery Status Notification' (Gmail)",
		"Gmail marker 'Delivery to the following recipient'"}
	return &scan{records: recs, original: orig, evidence: ev}
}

// scanGoogleGroups reads Google Groups' refusal of a post: the group does
// not exist or the sender may not post to it. The refused group is named
// in X-Failed-Recipients; the text is localised.
func scanGoogleGroups(m *flat) *scan {
	xf := m.hget("X-Failed-Recipients")
	if xf == "" || !gmsFromGoogle(m) || !strings.Contains(subjectOf(m), "delivery status notification") {
		return nil
	}
	body := m.Body
	if !strings.Contains(body, "Google Groups") && !strings.Contains(body, "groups.google.com") {
		return nil
	}
	if strings.Contains(body, "Delivery to the following recipient") || strings.Contains(body, "\nFinal-Recipient:") {
		return nil
	}
	text, orig := gmsCutOriginal(body, "----- Original message -----")
	text = gmsBeforeReturned(text)
	rcpts := findAddresses(xf)
	if len(rcpts) == 0 {
		return nil
	}
	// The explanation: the paragraphs before "If you have questions ...",
	// i.e. the first three paragraphs (greeting, the reason, the list).
	paras := strings.SplitN(strings.TrimSpace(text), "\n\n", 4)
	if len(paras) > 3 {
		paras = paras[:3]
	}
	diag := gmsCap(gmsFold(strings.Join(paras, " ")), 2000)
	recs := make([]Record, 0, len(rcpts))
	for _, a := range rcpts {
		recs = append(recs, Record{
			Recipient:      a,
			Action:         "failed",
			DiagnosticCode: diag,
			Reason:         reason.Rejected, // the group refused the sender
		})
	}
	ev := []string{"From: Google's mailer-daemon with X-Failed-Recipients (Google Groups)",
		"Google Groups refusal text naming the group"}
	return &scan{records: recs, original: orig, evidence: ev}
}

// scanGoogleWorkspace reads the notices Google sends without a usable DSN:
//
//	** Message not delivered **
//	You're sending this from a different address or alias using the 'Send mail as' feature. ...
//	The response was:
//	Unspecified Error (SENT_SECOND_EHLO): Smtp server does not advertise AUTH capability
//
// The recipient is the To: of the returned message.
func scanGoogleWorkspace(m *flat) *scan {
	if !gmsFromGoogle(m) || !strings.Contains(subjectOf(m), "delivery status notification") {
		return nil
	}
	if strings.Contains(m.Body, "\nFinal-Recipient:") || strings.Contains(m.Body, "\nDiagnostic-Code:") {
		return nil // a DSN: read by scanGoogleDSN
	}
	var text string
	for _, p := range m.Parts {
		if p.Type == "text/plain" {
			text = p.Text
			break
		}
	}
	i := strings.Index(text, "** ")
	if i < 0 || (i > 0 && text[i-1] != '\n') {
		return nil
	}
	text = text[i:]
	rcpt := gmsOriginalTo(m.Original)
	if rcpt == "" {
		rcpt = findAddress(m.hget("X-Failed-Recipients"))
	}
	if rcpt == "" {
		return nil
	}
	r := Record{Recipient: rcpt, Action: "failed", DiagnosticCode: gmsCap(gmsFold(text), 2000)}
	if _, after, ok := cutAt(text, "The response was:", "The response from the remote server was:"); ok {
		if resp := gmsFold(after); resp != "" {
			r.DiagnosticCode = resp
		}
	}
	lower := strings.ToLower(text)
	switch {
	case strings.Contains(lower, "because the address couldn't be found"):
		r.Reason = reason.UserUnknown
	case strings.Contains(lower, "'send mail as'"), strings.Contains(lower, "customfromdenied"):
		// Google refused to send as the configured alias: the sender side.
		r.Reason = reason.Rejected
		r.DiagnosticCode = gmsCap(gmsFold(text), 2000)
	}
	ev := []string{"From: Google's mailer-daemon and Subject 'Delivery Status Notification' (Google Workspace)",
		"Google notice line '" + gmsCap(strings.TrimSpace(strings.SplitN(text, "\n", 2)[0]), 60) + "'"}
	return &scan{records: []Record{r}, evidence: ev}
}

// scanGoogleDSN reads the DSNs that Google's own servers write
// (Reporting-MTA: dns; googlemail.com). When the error is Google's own (a
// DNS failure, a null MX: no Remote-MTA), the reporting host is the one
// that decided, and is given as the remote host so that Google's table of
// messages applies.
func scanGoogleDSN(m *flat) *scan {
	if !gmsFromGoogle(m) {
		return nil
	}
	s := scanRFC3464(m)
	if s == nil {
		return nil
	}
	for i := range s.records {
		r := &s.records[i]
		if r.RemoteMTA == "" && gmsProviderHost(r.ReportingMTA, "googlemail.com", ".google.com") {
			r.RemoteMTA = r.ReportingMTA
		}
	}
	s.evidence = append(s.evidence, "From: Google's mailer-daemon (Google DSN)")
	return s
}
