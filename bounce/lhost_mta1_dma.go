package bounce

import (
	"strconv"
	"strings"

	"github.com/bouncewatch/bouncewatch/reason"
)

// DragonFly Mail Agent (dma), the small MTA of DragonFly BSD and Debian's
// "dma" package. Its bounce is plain text:
//
//	This is the DragonFly Mail Agent v0.13 at df.example.jp.
//
//	There was an error delivering your mail to <user@example.org>.
//
//	mx.example.org [192.0.2.25] did not like our RCPT TO:
//	550 5.1.1 <user@example.org>: Recipient address rejected: User unknown
//
//	Original message follows.            (or "Message headers follow.")

const dmaIntro = "This is the DragonFly Mail Agent"

func scanDragonFly(m *flat) *scan {
	if !headerHas(m, "Subject", "mail delivery failed") {
		return nil
	}
	at := strings.Index(m.Body, dmaIntro)
	if at < 0 {
		return nil
	}
	ev := []string{"dma marker '" + dmaIntro + "'"}
	if mta1HasHeaderValue(m, "Received", "(DragonFly Mail Agent") {
		ev = append(ev, "Received: header written by the DragonFly Mail Agent")
	}
	report, orig := mta1SplitOriginal(m.Body[at:], "Original message follows.", "Message headers follow.")
	if m.Original != nil {
		orig = nil
	}
	var reporting string
	if first, _, _ := strings.Cut(report, "\n"); strings.Contains(first, " at ") {
		reporting = strings.TrimRight(strings.TrimSpace(first[strings.LastIndex(first, " at ")+4:]), ".")
	}

	var recs []Record
	var diag []string
	flush := func() {
		if len(recs) == 0 {
			return
		}
		r := &recs[len(recs)-1]
		r.DiagnosticCode = mta1Fold(strings.Join(diag, " "))
		diag = diag[:0]
	}
	for _, line := range strings.Split(report, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, dmaIntro) {
			continue
		}
		if rest, ok := mta1After(t, "There was an error delivering your mail to"); ok {
			flush()
			recs = append(recs, Record{Recipient: mta1Bracketed(rest), Action: "failed", ReportingMTA: reporting})
			continue
		}
		if len(recs) == 0 {
			continue
		}
		r := &recs[len(recs)-1]
		if i := strings.Index(t, " did not like our "); i >= 0 {
			// "<host> [<ip>] did not like our RCPT TO:" then the reply.
			if f := strings.Fields(t[:i]); len(f) > 0 {
				r.RemoteMTA = strings.ToLower(strings.Trim(f[0], "[]"))
			}
			r.Command = commandName(strings.TrimRight(t[i+len(" did not like our "):], ":"))
			r.DiagnosticType = "SMTP"
			continue
		}
		diag = append(diag, t)
	}
	flush()
	out := recs[:0]
	for _, r := range recs {
		if !strings.Contains(r.Recipient, "@") {
			continue
		}
		d := r.DiagnosticCode
		switch {
		case strings.Contains(d, "Could not deliver for the last "):
			// dma gives up after MAX_TIMEOUT seconds in the queue.
			r.Reason = reason.Expired
			if s, ok := mta1After(d, "Could not deliver for the last "); ok {
				if n, err := strconv.Atoi(strings.Fields(s + " x")[0]); err == nil && n > 0 {
					r.ExpiredAfter = (n + 43200) / 86400
				}
			}
		case strings.Contains(d, "DNS lookup failure: host "):
			r.Reason = reason.HostUnknown
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil
	}
	return &scan{records: out, original: orig, evidence: ev}
}
