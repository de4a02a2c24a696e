package bounce

import (
	"strings"
)

// Apache James (the Java mail server) notifies with its AbstractNotify
// mailet:
//
//	Error: Invalid user address
//
//	Error message below:
//	550 - Requested action not taken: no such user here
//
//	Message details:
//	  Subject: Test message
//	  MAIL FROM: sender@example.com
//	  RCPT TO: user@example.org
func scanApacheJames(m *flat) *scan {
	var why string
	switch {
	case strings.TrimSpace(m.hget("Subject")) == "[BOUNCE]":
		why = "Subject '[BOUNCE]'"
	case strings.Contains(m.hget("Message-ID"), ".JavaMail."):
		why = "Message-ID of JavaMail"
	case mta1HasHeaderValue(m, "Received", "JAMES SMTP Server"):
		why = "Received: header of the JAMES SMTP Server"
	default:
		return nil
	}
	body := proseText(m)
	at := strings.Index(body, "\nMessage details:")
	if at < 0 || !strings.Contains(body[:at], "Error message below:") {
		return nil
	}
	details := body[at+1:]
	if end := strings.Index(details, "\n\n"); end >= 0 {
		details = details[:end]
	}
	head := body[:at]
	if i := strings.LastIndex(head, "\nError:"); i >= 0 {
		head = head[i+1:]
	}
	var diag []string
	code := ""
	for _, l := range strings.Split(head, "\n") {
		t := strings.TrimSpace(l)
		if t == "" || t == "Error message below:" {
			continue
		}
		if code == "" && mta1ReplyStart(t) {
			code = t[:3]
		}
		diag = append(diag, t)
	}
	d := mta1Fold(strings.Join(diag, " "))
	if len(d) > 1000 {
		d = d[:1000]
	}
	var recs []Record
	for _, l := range strings.Split(details, "\n") {
		t := strings.TrimSpace(l)
		if rest, ok := strings.CutPrefix(t, "RCPT TO:"); ok {
			if a := findAddress(rest); a != "" && mta1IndexRecipient(recs, a) < 0 {
				recs = append(recs, Record{Recipient: a, Action: "failed", DiagnosticCode: d, ReplyCode: code})
			}
		}
	}
	if len(recs) == 0 {
		return nil
	}
	return &scan{records: recs, evidence: []string{why, "Apache James notice: 'Error message below:' and 'Message details:'"}}
}
