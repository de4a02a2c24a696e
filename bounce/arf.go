package bounce

import (
	"strings"
)

// scanARF reads RFC 5965 Abuse Reporting Format feedback reports: a
// multipart/report whose message/feedback-report part names the complaint.
// Each Original-Rcpt-To is a record; without one, the To: of the returned
// message is.
func scanARF(f *flat) *scan {
	var fb *part
	for i := range f.Parts {
		if f.Parts[i].Type == "message/feedback-report" {
			fb = &f.Parts[i]
			break
		}
	}
	if fb == nil {
		if s := scanAppleUnsubscribe(f); s != nil {
			return s
		}
		return scanComplaintForward(f)
	}
	h, _ := parseHeaderString(strings.TrimLeft(fb.Text, "\n"))
	ftype := strings.ToLower(h.get("Feedback-Type"))
	if ftype == "" {
		return nil
	}
	ev := []string{"MIME part message/feedback-report with Feedback-Type: " + ftype + " (RFC 5965)"}
	_, reporting := typedValue(h.get("Reporting-MTA"))
	base := Record{
		Reason:         "feedback",
		FeedbackType:   ftype,
		ReportingMTA:   reporting,
		Timestamp:      parseDate(h.get("Arrival-Date")),
		DiagnosticCode: strings.TrimSpace(h.get("Authentication-Results")),
	}
	if base.Timestamp.IsZero() {
		base.Timestamp = parseDate(h.get("Received-Date"))
	}
	var recs []Record
	for _, v := range append(h.all("Original-Rcpt-To"), h.all("Removal-Recipient")...) {
		for _, a := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
			if a = cleanAddress(a); strings.Contains(a, "@") {
				r := base
				r.Recipient = a
				recs = append(recs, r)
			}
		}
	}
	if len(recs) == 0 {
		var to string
		if o := f.original(f.Original); o != nil {
			to = o.To
		}
		for _, a := range addressList(to) {
			r := base
			r.Recipient = a
			recs = append(recs, r)
		}
	}
	if len(recs) == 0 {
		// A report that names no recipient is still a complaint: keep it
		// under the reported domain, or under the placeholder of an
		// undisclosed recipient. The report's own To: is the abuse desk
		// that received the report, not the person who complained.
		r := base
		r.Recipient = undisclosedRecipient
		if d := strings.TrimSpace(h.get("Reported-Domain")); d != "" && !strings.ContainsAny(d, " @") {
			r.Recipient = "postmaster@" + d
		}
		recs = append(recs, r)
	}
	if len(recs) == 0 {
		return nil
	}
	return &scan{records: recs, evidence: ev}
}

// addressList returns the bare addresses in an address header value.
func addressList(v string) []string {
	var out []string
	for _, p := range splitAddressList(v) {
		if a := cleanAddress(p); strings.Contains(a, "@") && !strings.ContainsAny(a, " \t") {
			out = append(out, a)
		}
	}
	return out
}

// splitAddressList splits on commas outside quotes and angle brackets.
func splitAddressList(v string) []string {
	var out []string
	depth, inq, start := 0, false, 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '"':
			inq = !inq
		case '<':
			depth++
		case '>':
			if depth > 0 {
				depth--
			}
		case ',':
			if !inq && depth == 0 {
				out = append(out, v[start:i])
				start = i + 1
			}
		}
	}
	return append(out, v[start:])
}

// undisclosedRecipient stands for the recipient of a complaint that names
// none ("To: <Undisclosed Recipients>"). It is the placeholder the
// reference decoder (sisimai) uses, so that results compare; the .invalid
// top-level domain (RFC 2606) ensures it is never a deliverable address.
const undisclosedRecipient = "undisclosed-recipient-in-headers@libsisimai.org.invalid"

// scanAppleUnsubscribe reads the unsubscribe requests that Apple Mail sends
// on the user's behalf (header X-Apple-Unsubscribe: true): an opt-out
// complaint by the author of the request.
func scanAppleUnsubscribe(f *flat) *scan {
	if !strings.EqualFold(strings.TrimSpace(f.hget("X-Apple-Unsubscribe")), "true") {
		return nil
	}
	a := cleanAddress(f.hget("From"))
	if !strings.Contains(a, "@") {
		return nil
	}
	diag := jpFold(proseText(f))
	if len(diag) > 400 {
		diag = diag[:400]
	}
	return &scan{
		records: []Record{{
			Recipient:      a,
			Reason:         "feedback",
			FeedbackType:   "opt-out",
			DiagnosticCode: diag,
		}},
		evidence: []string{"header X-Apple-Unsubscribe: true (Apple Mail unsubscribe request)"},
	}
}

// complaintSenders are the feedback loops that forward a complaint as a
// plain multipart/mixed message (Microsoft JMRP, Amazon SES complaints),
// with Subject "complaint about message from <IP>".
var complaintSenders = []string{"staff@hotmail.com", "complaints@email-abuse.amazonses.com"}

// scanComplaintForward reads complaints forwarded without a
// message/feedback-report part. The complainant is the returned message's
// X-HmXmrOriginalRecipient (Microsoft), else its To:.
func scanComplaintForward(f *flat) *scan {
	if f.Original == nil || !jpHasFold(f.hget("Subject"), "complaint about message from ") {
		return nil
	}
	from := f.hget("From")
	ok := false
	for _, s := range complaintSenders {
		if jpHasFold(from, s) {
			ok = true
			break
		}
	}
	if !ok {
		return nil
	}
	oh, _ := parseHeader(f.Original)
	var addrs []string
	if a := cleanAddress(oh.get("X-HmXmrOriginalRecipient")); strings.Contains(a, "@") {
		addrs = append(addrs, a)
	} else {
		addrs = addressList(oh.get("To"))
	}
	if len(addrs) == 0 {
		addrs = []string{undisclosedRecipient}
	}
	var recs []Record
	for _, a := range addrs {
		recs = append(recs, Record{
			Recipient:      a,
			Reason:         "feedback",
			FeedbackType:   "abuse",
			DiagnosticCode: strings.TrimSpace(oh.get("Authentication-Results")),
		})
	}
	return &scan{records: recs, evidence: []string{"From: " + from + " and Subject 'complaint about message from' (forwarded complaint)"}}
}
