package bounce

import (
	"strings"

	"github.com/bouncewatch/bouncewatch/reason"
)

// au by KDDI (auone-net.jp, dion.ne.jp): a short English notice from
// no-reply@<host>.dion.ne.jp (Reply-To no-reply@app.auone-net.jp):
//
//	Your mail sent on: Thu, 29 Apr 2013 00:00:00 +0900
//	     Could not be delivered to: <user@example.dion.ne.jp>
//	     As their mailbox is full.
//
// The returned message follows in a message/rfc822 part.

// kddiReasons are the notice's documented sentences.
var kddiReasons = []struct {
	phrase string
	reason reason.Reason
}{
	{"As their mailbox is full", reason.MailboxFull},
	{"Due to the following SMTP relay error", reason.NoRelaying},
	{"As the remote domain doesnt exist", reason.HostUnknown},
	{"As the remote domain doesn't exist", reason.HostUnknown},
}

// isKDDI reports whether the header of m is that of an au/KDDI notice.
func isKDDI(m *flat) bool {
	from := m.hget("From")
	if jpHasFold(from, "no-reply@") && jpHasFold(from, ".dion.ne.jp") {
		return true
	}
	if jpHasFold(m.hget("Reply-To"), "no-reply@app.auone-net.jp") {
		return true
	}
	for _, f := range m.Header {
		if strings.EqualFold(f.Name, "Received") &&
			(strings.Contains(f.Value, "ezweb.ne.jp (") || strings.Contains(f.Value, ".au.com (") || strings.Contains(f.Value, "auone-net.jp")) {
			// Relayed through au: the notice's own sentence decides.
			return strings.Contains(m.Body, "Could not be delivered to: <")
		}
	}
	return false
}

// scanKDDI reads au/KDDI notices.
func scanKDDI(m *flat) *scan {
	if !isKDDI(m) {
		return nil
	}
	text, original := jpNoticeText(m.Body)
	start := strings.Index(text, "Your mail sent on:")
	if start < 0 {
		start = strings.Index(text, "Your mail attempted to be delivered on:")
	}
	if start < 0 {
		return nil
	}
	var recs []Record
	var cur *Record
	for _, l := range strings.Split(text[start:], "\n") {
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		if i := strings.Index(t, "Could not be delivered to: <"); i >= 0 {
			if a := findAddress(t[i:]); a != "" {
				recs = append(recs, Record{Recipient: a, Action: "failed"})
				cur = &recs[len(recs)-1]
			}
			continue
		}
		if strings.HasPrefix(t, "Your mail ") {
			continue
		}
		if cur != nil && (l[0] == ' ' || l[0] == '\t') && jpASCII(t) {
			cur.DiagnosticCode = jpJoin(cur.DiagnosticCode, t)
		}
	}
	if len(recs) == 0 {
		return nil
	}
	filtered := strings.EqualFold(strings.TrimSpace(m.hget("X-SPASIGN")), "NG")
	for i := range recs {
		r := &recs[i]
		r.Command = findCommand(r.DiagnosticCode)
		switch {
		case filtered:
			r.Reason = reason.Filtered
		case r.Command == "RCPT":
			r.Reason = reason.UserUnknown
		default:
			for _, e := range kddiReasons {
				if strings.Contains(r.DiagnosticCode, e.phrase) {
					r.Reason = e.reason
					break
				}
			}
		}
	}
	sc := &scan{records: recs, evidence: []string{"au/KDDI notice 'Your mail sent on: ... Could not be delivered to:' from no-reply@*.dion.ne.jp"}}
	if m.Original == nil && original != "" {
		sc.original = []byte(original)
	}
	return sc
}
