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
		return nil
	}
	h, _ := parseHeader([]byte(strings.TrimLeft(fb.Text, "\n")))
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
	for _, v := range h.all("Original-Rcpt-To") {
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
		if o := parseOriginal(f.Original); o != nil {
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
		// under the reported domain or the report's own addressee.
		a := cleanAddress(f.Header.get("To"))
		if d := h.get("Reported-Domain"); d != "" && !strings.Contains(a, "@") {
			a = "postmaster@" + strings.TrimSpace(d)
		}
		if strings.Contains(a, "@") {
			r := base
			r.Recipient = a
			recs = append(recs, r)
		}
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
