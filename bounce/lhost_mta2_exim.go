package bounce

import (
	"strings"

	"github.com/bouncewatch/bouncewatch/reason"
)

// Exim (https://www.exim.org/) writes its bounces in prose (deliver.c):
//
//	This message was created automatically by mail delivery software.
//
//	A message that you sent could not be delivered to one or more of its
//	recipients. This is a permanent error. The following address(es) failed:
//
//	  kijitora@example.jp
//	    SMTP error from remote mail server after RCPT TO:<kijitora@example.jp>:
//	    host mx.example.jp [192.0.2.153]: 550 5.1.1 <kijitora@example.jp>... User Unknown
//
//	------ This is a copy of the message, including all the headers. ------
//
// Each failed address is indented by two spaces and its error text by four.
// Newer versions add a message/delivery-status part. McAfee SaaS (formerly
// MXLogic) runs an Exim clone that writes "  <addr>: error" on one line.

// eximOriginalMarkers start the returned message in an Exim bounce.
var eximOriginalMarkers = []string{
	"------ This is a copy of the message",
	"----- This is a copy of the message",
	"------ This is a copy of your message",
	"Included is a copy of the message header:",
	"Content-Type: message/rfc822",
	"Content-Type: text/rfc822-headers",
}

// eximIntroMarkers are the first lines of Exim's notices.
var eximIntroMarkers = []string{
	"This message was created automatically by mail delivery software",
	"This message was created automatically by the SMTP relay",
	"A message that you sent was rejected by the local scanning code",
	"A message that you sent was rejected by the local scannning code",
	"A message that you sent contained one or more recipient addresses",
	"A message that you sent could not be delivered to all of its recipients",
	"router encountered the following error(s):",
}

// eximSubjects are the Subject lines Exim gives its notices.
var eximSubjects = []string{
	"mail delivery failed",
	"mail failure",
	"message frozen",
	"warning: message ",
	"error(s) in forwarding or filtering",
	"delivery status notification",
}

// eximOwnMessages are error texts Exim itself writes (not a remote
// server's reply), with the reason each states.
var eximOwnMessages = []struct {
	text   string
	reason reason.Reason
}{
	{"mailbox is full", reason.MailboxFull},
	{"error: quota exceed", reason.MailboxFull},
	{"an MX or SRV record indicated no SMTP service", reason.NotAccept},
	{"no host found for existing SMTP connection", reason.NotAccept},
	{"angle-brackets nested too deep", reason.SyntaxError},
	{`expected word or "<"`, reason.SyntaxError},
	{"domain missing in source-routed address", reason.SyntaxError},
	{"malformed address:", reason.SyntaxError},
	{`Too many "Received" headers`, reason.ContentError},
	{"all host address lookups failed permanently", reason.HostUnknown},
	{"all relevant MX records point to non-existent hosts", reason.HostUnknown},
	{"Unrouteable address", reason.HostUnknown},
	{"user not found", reason.UserUnknown},
	{"delivery to file forbidden", reason.SystemError},
	{"delivery to pipe forbidden", reason.SystemError},
	{"local delivery failed", reason.SystemError},
	{"retry timeout exceeded", reason.Expired},
	{"retry time not reached for any host after a long failure period", reason.Expired},
	{"all hosts have been failing for a long time", reason.Expired},
	{"has been frozen", reason.Expired},
	{"was frozen on arrival", reason.Expired},
}

// isEximMessageID reports whether id looks like "<E1P1YNN-0003AD-Ga@host>".
func isEximMessageID(id string) bool {
	id = strings.TrimSpace(id)
	return len(id) > 19 && id[0] == '<' && strings.IndexByte(id, '-') == 8 && strings.IndexByte(id, '@') == 18
}

// eximClone reports whether m comes from McAfee SaaS / MXLogic.
func eximClone(m *flat) bool {
	return m.hhas("X-MX-Bounce") || m.hhas("X-MXL-Hash") || m.hhas("X-MXL-NoteHash") ||
		strings.Contains(m.hget("Message-Id"), "<mxl~")
}

func scanExim(m *flat) *scan {
	if eximClone(m) {
		return nil
	}
	return readExim(m, false)
}

// scanMXLogic reads the notices of McAfee SaaS (formerly MXLogic).
func scanMXLogic(m *flat) *scan {
	if !eximClone(m) {
		return nil
	}
	return readExim(m, true)
}

func readExim(m *flat, clone bool) *scan {
	if !clone {
		votes := 0
		if mta2FromHas(m, "mail delivery system") {
			votes++
		}
		s := mta2Subject(m)
		for _, t := range eximSubjects {
			if mta2ContainsFold(s, t) {
				votes++
				break
			}
		}
		if isEximMessageID(m.hget("Message-Id")) {
			votes++
		}
		if votes < 2 {
			return nil
		}
	}
	text, orig, cut := cutAt(m.Body, eximOriginalMarkers...)
	text, _, _ = cutAt(text, "Content-Type: message/delivery-status")
	start := mta2IndexAny(text, eximIntroMarkers...)
	if start < 0 {
		return nil
	}
	text = text[start:]
	recs, extra := eximBlocks(text)
	ev := []string{"Exim notice: 'This message was created automatically by mail delivery software'"}
	if clone {
		ev = []string{"McAfee SaaS (MXLogic) headers X-MX-Bounce/X-MXL-* with an Exim-style notice"}
	}
	if len(recs) == 0 {
		// Nothing readable: the failed addresses of the header.
		for _, a := range findAddresses(m.hget("X-Failed-Recipients")) {
			recs = append(recs, Record{Recipient: a, Action: "failed"})
		}
		if len(recs) == 0 {
			return nil
		}
	}
	failed := findAddresses(m.hget("X-Failed-Recipients"))
	delayed := strings.Contains(text, "has not yet been delivered")
	dsn := eximDSN(m)
	reporting := ""
	for i := range recs {
		r := &recs[i]
		if !strings.Contains(r.Recipient, "@") {
			switch {
			case strings.Contains(r.Alias, "@"):
				r.Recipient, r.Alias = r.Alias, ""
			case len(failed) == len(recs):
				r.Recipient = failed[i]
			case len(failed) == 1:
				r.Recipient = failed[0]
			}
		}
		if extra != "" && (r.Reason == reason.MailerError || r.DiagnosticCode == "") {
			r.DiagnosticCode = strings.TrimSpace(r.DiagnosticCode + " " + extra)
		}
		if delayed {
			r.Action = "delayed"
		} else if r.Action == "" {
			r.Action = "failed"
		}
		if d, ok := dsn[strings.ToLower(r.Recipient)]; ok {
			if r.Status == "" {
				r.Status = d.Status
			}
			if r.RemoteMTA == "" {
				r.RemoteMTA = d.RemoteMTA
			}
			reporting = d.ReportingMTA
		}
		if r.ReportingMTA == "" {
			r.ReportingMTA = reporting
		}
	}
	out := recs[:0]
	for _, r := range recs {
		if strings.Contains(r.Recipient, "@") {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil
	}
	sc := &scan{records: out, evidence: ev}
	if cut && m.Original == nil {
		sc.original = []byte(strings.TrimLeft(orig, "-\n "))
	}
	return sc
}

// eximDSN returns the DSN blocks of an Exim notice by recipient.
func eximDSN(m *flat) map[string]Record {
	var out map[string]Record
	for _, p := range m.Parts {
		if p.Type != "message/delivery-status" {
			continue
		}
		msg, blocks := parseDSN(p.Text)
		_, rep := typedValue(msg.get("Reporting-MTA"))
		for _, b := range blocks {
			_, rcpt := typedValue(b.get("Final-Recipient"))
			if rcpt == "" {
				continue
			}
			if out == nil {
				out = map[string]Record{}
			}
			_, rm := typedValue(b.get("Remote-MTA"))
			out[strings.ToLower(rcpt)] = Record{Status: b.get("Status"), RemoteMTA: rm, ReportingMTA: rep}
		}
	}
	return out
}

// mta2IndexAny returns the smallest index of any of subs in s, or -1.
func mta2IndexAny(s string, subs ...string) int {
	best := -1
	for _, t := range subs {
		if i := strings.Index(s, t); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	return best
}

// eximBlocks reads the address blocks of an Exim notice: from the first
// unindented line that ends with ':' ("The following address(es) failed:")
// on, each address indented by two spaces with its error text below it.
// extra is the output a pipe or filter wrote ("The following text was
// generated during the delivery attempt").
func eximBlocks(text string) (recs []Record, extra string) {
	lines := strings.Split(text, "\n")
	inList := false
	var cur *Record
	var detail []string
	flush := func() {
		if cur == nil {
			return
		}
		eximDetail(cur, detail)
		recs = append(recs, *cur)
		cur, detail = nil, nil
	}
	for i := 0; i < len(lines) && i < maxProseLines; i++ {
		l := strings.TrimRight(lines[i], " \t")
		if l == "" {
			continue
		}
		indent := len(l) - len(strings.TrimLeft(l, " \t"))
		t := strings.TrimSpace(l)
		if indent == 0 {
			if inList {
				flush()
				if strings.HasPrefix(t, "The following text was generated during the delivery attempt") {
					var x []string
					for j := i + 1; j < len(lines) && j < i+20; j++ {
						s := strings.TrimSpace(lines[j])
						if s == "" {
							break
						}
						if strings.HasPrefix(s, "------") || strings.HasSuffix(s, "------") {
							continue
						}
						x = append(x, s)
					}
					extra = strings.Join(x, " ")
				}
				if len(recs) > 0 {
					continue
				}
			}
			if strings.HasSuffix(t, ":") {
				inList = true
			}
			continue
		}
		if !inList {
			continue
		}
		if indent == 2 && eximAddressLine(t) {
			flush()
			cur = &Record{}
			eximAddress(cur, t)
			continue
		}
		if cur != nil {
			detail = append(detail, t)
		}
	}
	flush()
	return recs, extra
}

// eximAddressLine reports whether a line indented by two spaces names a
// failed address (not "host mx.example.net [192.0.2.1]").
func eximAddressLine(t string) bool {
	switch {
	case strings.HasPrefix(t, "pipe to "), strings.HasPrefix(t, "save to "),
		strings.HasPrefix(t, "an undisclosed address"):
		return true
	case strings.HasPrefix(t, "host "), strings.HasPrefix(t, "("):
		return false
	case strings.HasPrefix(t, "<") && strings.Contains(t, "@") && strings.Contains(t, ">:"):
		return true // MXLogic: "<addr>: error"
	case strings.HasPrefix(t, "<"):
		return false // the sender in "A message sent by <addr>"
	}
	first, _, _ := strings.Cut(t, " ")
	if strings.Contains(first, "@") {
		return true
	}
	return !strings.ContainsAny(t, " \t:")
}

// eximAddress reads the address line of a block.
func eximAddress(r *Record, t string) {
	switch {
	case strings.HasPrefix(t, "pipe to "), strings.HasPrefix(t, "save to "):
		r.DiagnosticType = "X-Unix"
		if strings.HasPrefix(t, "pipe to ") {
			r.Reason = reason.MailerError
		}
		r.DiagnosticCode = t
		return
	case strings.HasPrefix(t, "an undisclosed address"):
		return
	}
	if lt := strings.Index(t, "<"); lt >= 0 {
		if gt := strings.Index(t[lt:], ">:"); gt > 0 {
			// "<addr>: error" or "addr <addr2>: malformed address: ..."
			r.Recipient = t[lt+1 : lt+gt]
			r.DiagnosticCode = strings.TrimSpace(t[lt+gt+2:])
			return
		}
	}
	a, msg, ok := strings.Cut(t, ": ")
	r.Recipient = strings.TrimSpace(a)
	if ok {
		r.DiagnosticCode = strings.TrimSpace(msg) // "addr: forced freeze"
	}
}

// eximDetail reads the indented lines under an address.
func eximDetail(r *Record, detail []string) {
	var text []string
	for _, d := range detail {
		lower := strings.ToLower(d)
		switch {
		case strings.HasPrefix(lower, "(generated from "), strings.HasPrefix(lower, "(ultimately generated from "),
			strings.HasPrefix(lower, "generated by "):
			if a := findAddress(d); a != "" && r.Alias == "" {
				r.Alias = a
			}
			continue
		case strings.HasPrefix(lower, "host ") && strings.Contains(d, "[") && !strings.Contains(d, "]: "):
			// "host mx.example.net [192.0.2.1]" alone on its line.
			if f := strings.Fields(d); len(f) > 1 && r.RemoteMTA == "" {
				r.RemoteMTA = strings.ToLower(strings.TrimSuffix(f[1], ":"))
			}
			continue
		}
		text = append(text, d)
	}
	s := strings.Join(text, " ")
	s = strings.TrimSpace(strings.TrimPrefix(s, "Delay reason:"))
	lower := strings.ToLower(s)
	if strings.HasPrefix(lower, "smtp error from remote") || strings.HasPrefix(lower, "lmtp error after") {
		r.DiagnosticType = "SMTP"
		after := strings.Index(lower, " after ")
		rest := s[after+7:]
		r.Command = mta2EximCommand(rest)
		if c := strings.Index(rest, ": "); c >= 0 {
			rest = strings.TrimSpace(rest[c+2:])
		} else {
			rest = ""
		}
		if strings.HasPrefix(strings.ToLower(rest), "host ") {
			// "host mx.example.jp [192.0.2.20]: 550 ..."
			if f := strings.Fields(rest); len(f) > 1 && r.RemoteMTA == "" {
				r.RemoteMTA = strings.ToLower(strings.TrimSuffix(f[1], ":"))
			}
			if c := strings.Index(rest, "]:"); c >= 0 {
				rest = strings.TrimSpace(rest[c+2:])
			} else if c := strings.Index(rest, ": "); c >= 0 {
				rest = strings.TrimSpace(rest[c+2:])
			}
		}
		if rest == "" {
			rest = s
		}
		if strings.HasPrefix(lower, "lmtp") {
			r.DiagnosticType = "LMTP"
		}
		r.DiagnosticCode = strings.TrimSpace(r.DiagnosticCode + " " + rest)
		switch r.Command {
		case "HELO", "EHLO":
			r.Reason = reason.Blocked // the remote refused our name
		}
		return
	}
	if s != "" {
		r.DiagnosticCode = strings.TrimSpace(r.DiagnosticCode + " " + s)
	}
	if r.Reason != "" {
		return
	}
	for _, e := range eximOwnMessages {
		if strings.Contains(r.DiagnosticCode, e.text) {
			r.Reason = e.reason
			break
		}
	}
}

// mta2EximCommand names the SMTP state in "after RCPT TO:<...>", "after end of
// data", "after initial connection", "after EHLO host".
func mta2EximCommand(s string) string {
	u := strings.ToUpper(strings.TrimSpace(s))
	switch {
	case strings.HasPrefix(u, "INITIAL CONNECTION"):
		return "CONN"
	case strings.HasPrefix(u, "END OF DATA"), strings.HasPrefix(u, "DATA"), strings.HasPrefix(u, "BDAT"):
		return "DATA"
	case strings.HasPrefix(u, "RCPT"):
		return "RCPT"
	case strings.HasPrefix(u, "MAIL"):
		return "MAIL"
	case strings.HasPrefix(u, "EHLO"):
		return "EHLO"
	case strings.HasPrefix(u, "HELO"):
		return "HELO"
	case strings.HasPrefix(u, "STARTTLS"):
		return "STARTTLS"
	case strings.HasPrefix(u, "AUTH"):
		return "AUTH"
	case strings.HasPrefix(u, "PIPELINED"):
		return findCommand("after " + strings.TrimSpace(s[len("pipelined"):]))
	}
	return ""
}
