package bounce

import (
	"strings"

	"github.com/bouncewatch/bouncewatch/reason"
)

// OpenSMTPD writes its notices from fixed templates (smtpd/bounce.c):
//
//	    This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.
//
//	    An error has occurred while attempting to deliver a message for
//	    the following list of recipients:
//
//	user@example.jp: 550 5.2.2 <user@example.jp>... Mailbox Full
//
//	    Below is a copy of the original message:
//
// Newer versions add a message/delivery-status part with a bare Status.

const smtpdIntro = "This is the MAILER-DAEMON, please DO NOT REPLY to this"

// smtpdMessages are OpenSMTPD's own error strings (smtpd/mta.c,
// smtpd/queue.c): they name the reason themselves.
var smtpdMessages = []struct {
	text   string
	reason reason.Reason
}{
	{"Envelope expired", reason.Expired},
	{"Could not retrieve credentials", reason.SecurityError},
	{"Invalid domain name", reason.HostUnknown},
	{"Domain does not exist", reason.HostUnknown},
	{"Destination seem to reject all mails", reason.NotAccept},
	{"No MX found for domain", reason.NotAccept},
	{"No MX found for destination", reason.NotAccept},
	{"Address family mismatch on destination MXs", reason.NetworkError},
	{"All routes to destination blocked", reason.NetworkError},
	{"bad DNS lookup error code", reason.NetworkError},
	{"Could not retrieve source address", reason.NetworkError},
	{"Loop detected", reason.NetworkError},
	{"Network error on destination MXs", reason.NetworkError},
	{"No valid route to remote MX", reason.NetworkError},
	{"No valid route to destination", reason.NetworkError},
	{"Temporary failure in MX lookup", reason.NetworkError},
}

func scanOpenSMTPD(m *flat) *scan {
	if !headerHas(m, "Subject", "delivery status notification") && !headerHas(m, "From", "mailer daemon") {
		return nil
	}
	at := strings.Index(m.Body, smtpdIntro)
	if at < 0 {
		return nil
	}
	ev := []string{"OpenSMTPD marker '" + smtpdIntro + "'"}
	if mta1HasHeaderValue(m, "Received", "(OpenSMTPD)") {
		ev = append(ev, "Received: header written by OpenSMTPD")
	}
	report, orig := mta1SplitOriginal(m.Body[at:], "Below is a copy of the original message:")
	if m.Original != nil {
		orig = nil
	}
	action := "failed"
	switch {
	case strings.Contains(report, "A message is delayed for more than"):
		action = "delayed"
	case strings.Contains(report, "was successfully delivered to these recipients"):
		action = "delivered"
	case strings.Contains(report, "Your message was relayed to these recipients"):
		action = "relayed"
	}
	var recs []Record
	for _, line := range strings.Split(report, "\n") {
		// Recipient lines start at the margin; the template's prose is
		// indented.
		if line == "" || line[0] == ' ' || line[0] == '\t' {
			continue
		}
		c := strings.Index(line, ": ")
		if c <= 0 || !strings.Contains(line[:c], "@") || strings.ContainsAny(line[:c], " \t") {
			continue
		}
		r := Record{Recipient: line[:c], Action: action, DiagnosticCode: mta1Fold(line[c+2:])}
		r.Command = findCommand(r.DiagnosticCode)
		for _, e := range smtpdMessages {
			if strings.Contains(r.DiagnosticCode, e.text) {
				r.Reason = e.reason
				break
			}
		}
		if r.Reason == "" && mta1ReplyStart(r.DiagnosticCode) {
			r.DiagnosticType = "SMTP"
		}
		recs = append(recs, r)
	}
	if len(recs) == 0 {
		return nil
	}
	// The delivery-status part, when there is one, gives the status and
	// the reporting host.
	if dsn := scanRFC3464(m); dsn != nil {
		for _, d := range dsn.records {
			i := mta1IndexRecipient(recs, d.Recipient)
			if i < 0 {
				continue
			}
			r := &recs[i]
			if r.Status == "" {
				r.Status = d.Status
			}
			if d.Action != "" {
				r.Action = d.Action
			}
			r.ReportingMTA = d.ReportingMTA
			if r.RemoteMTA == "" {
				r.RemoteMTA = d.RemoteMTA
			}
			r.Timestamp = d.Timestamp
		}
	}
	return &scan{records: recs, original: orig, evidence: ev}
}

// mta1ReplyStart reports whether s begins with a three-digit SMTP reply code.
func mta1ReplyStart(s string) bool {
	return len(s) >= 3 && s[0] >= '2' && s[0] <= '5' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9' &&
		(len(s) == 3 || s[3] == ' ' || s[3] == '-')
}
