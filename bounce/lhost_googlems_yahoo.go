package bounce

import "strings"

// Yahoo's notice (Yahoo Mail, Yahoo! JAPAN and the mail services that run
// its software):
//
//	Subject: Failure Notice
//
//	Sorry, we were unable to deliver your message to the following address.
//
//	<user@example.org>:
//	Remote host said: 550 5.1.1 <user@example.org>... User Unknown [RCPT_TO]
//
//	--- Below this line is a copy of the message.

const yahooMarker = "Sorry, we were unable to deliver your message to the following address"

// yahooCommands maps the bracketed stage Yahoo appends to the SMTP command.
var yahooCommands = []struct{ tag, cmd string }{
	{"[RCPT_TO]", "RCPT"},
	{"[MAIL_FROM]", "MAIL"},
	{"[DATA]", "DATA"},
	{"[BDAT]", "DATA"},
	{"[EHLO]", "EHLO"},
	{"[HELO]", "HELO"},
	{"[CONNECT]", "CONN"},
}

func scanYahoo(m *flat) *scan {
	if !strings.Contains(subjectOf(m), "failure notice") {
		return nil
	}
	i := strings.Index(m.Body, yahooMarker)
	if i < 0 {
		return nil
	}
	text, orig := gmsCutOriginal(m.Body[i:], "--- Below this line is a copy of the message.")
	text = gmsBeforeReturned(text)
	if nl := strings.IndexByte(text, '\n'); nl >= 0 {
		text = text[nl+1:]
	} else {
		return nil
	}
	var recs []Record
	var diag []string
	flush := func() {
		if len(recs) == 0 {
			return
		}
		r := &recs[len(recs)-1]
		d := gmsFold(strings.Join(diag, " "))
		diag = diag[:0]
		for _, c := range yahooCommands {
			if strings.Contains(d, c.tag) {
				r.Command = c.cmd
				d = strings.TrimSpace(strings.Replace(d, c.tag, "", 1))
				break
			}
		}
		if strings.HasPrefix(d, "Remote host said:") {
			d = strings.TrimSpace(d[len("Remote host said:"):])
			r.DiagnosticType = "SMTP"
		}
		r.DiagnosticCode = gmsCap(d, 2000)
		if r.Command == "" {
			r.Command = findCommand(d)
		}
	}
	for _, l := range strings.Split(text, "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "<") && strings.HasSuffix(t, ">:") && strings.Contains(t, "@") {
			flush()
			if a := findAddress(t); a != "" {
				recs = append(recs, Record{Recipient: a, Action: "failed"})
			}
			continue
		}
		if t != "" && len(recs) > 0 && len(diag) < 40 {
			diag = append(diag, t)
		}
	}
	flush()
	if len(recs) == 0 {
		return nil
	}
	ev := []string{"Subject 'Failure Notice' (Yahoo)", "Yahoo marker '" + yahooMarker + "'"}
	return &scan{records: recs, original: orig, evidence: ev}
}
