package bounce

import (
	"strings"

	"github.com/bouncewatch/bouncewatch/reason"
)

// Small formats of appliances, list managers and unnamed MTAs.

// mta2Lines splits text into trimmed lines, at most limit of them.
func mta2Lines(text string, limit int) []string {
	ls := strings.SplitN(text, "\n", limit+1)
	if len(ls) > limit {
		ls = ls[:limit]
	}
	for i := range ls {
		ls[i] = strings.TrimSpace(ls[i])
	}
	return ls
}

// mta2Paragraph joins the non-empty lines from ls[i] on, up to the first
// empty line or a line starting with one of stops.
func mta2Paragraph(ls []string, i int, stops ...string) string {
	var out []string
	for ; i < len(ls) && len(out) < 20; i++ {
		l := ls[i]
		if l == "" {
			if len(out) > 0 {
				break
			}
			continue
		}
		for _, s := range stops {
			if strings.HasPrefix(l, s) {
				return strings.Join(out, " ")
			}
		}
		out = append(out, l)
	}
	return strings.Join(out, " ")
}

// --- X2: a qmail clone (old Yahoo! and others): "Message from example.com.
// Unable to deliver message to the following address(es)." with qmail's
// "<addr>:" paragraphs and "--- Original message follows.".

func scanX2(m *flat) *scan {
	if !mta2FromDaemon(m) || !strings.Contains(m.Body, "Unable to deliver message to the following address") {
		return nil
	}
	if !strings.Contains(m.Body, "Message from ") {
		return nil
	}
	return readQmail(m, "qmail-style notice 'Unable to deliver message to the following address(es)'")
}

// --- X1: "Mail Deliver System" (sic) notices:
//
//	---The following addresses had delivery errors---
//
//	kijitora@example.co.jp [User unknown]

func scanX1(m *flat) *scan {
	if !mta2FromHas(m, "mail deliver system") || !mta2SubjectHasPrefix(m, "returned mail: ") {
		return nil
	}
	const marker = "---The following addresses had delivery errors---"
	i := strings.Index(m.Body, marker)
	if i < 0 {
		return nil
	}
	var recs []Record
	for _, l := range mta2Lines(m.Body[i+len(marker):], 200) {
		if l == "" {
			continue
		}
		if strings.HasPrefix(l, "--") {
			break
		}
		a, rest, _ := strings.Cut(l, " ")
		if !strings.Contains(a, "@") {
			continue
		}
		r := Record{Recipient: a, Action: "failed"}
		r.DiagnosticCode = strings.Trim(strings.TrimSpace(rest), "[]")
		recs = append(recs, r)
	}
	if len(recs) == 0 {
		return nil
	}
	return &scan{records: recs, evidence: []string{"From 'Mail Deliver System' and '---The following addresses had delivery errors---'"}}
}

// --- X3: "This is an automatically generated Delivery Status Notification."
// with "* addr" lines and a "Technical details:" section.

func scanX3(m *flat) *scan {
	if !mta2FromHas(m, "mail delivery system") || !mta2SubjectHasPrefix(m, "delivery status notification") {
		return nil
	}
	text, _, _ := cutAt(m.Body, "Content-Type: message/rfc822", "Content-Type: message/delivery-status")
	i := strings.Index(text, "This is an automatically generated Delivery Status Notification")
	if i < 0 {
		return nil
	}
	ls := mta2Lines(text[i:], 300)
	var recs []Record
	var details string
	expired := false
	for j, l := range ls {
		switch {
		case strings.HasPrefix(l, "* ") && strings.Contains(l, "@"):
			recs = append(recs, Record{Recipient: strings.TrimSpace(l[2:]), Action: "failed"})
		case strings.Contains(l, "following recipients was aborted after"):
			expired = true
		case strings.HasPrefix(l, "Technical details:"):
			details = mta2Paragraph(ls, j+1, "====")
		}
	}
	if len(recs) == 0 {
		return nil
	}
	for k := range recs {
		r := &recs[k]
		r.DiagnosticCode = details
		if strings.HasPrefix(details, "SMTP:") {
			// "SMTP:RCPT host 192.0.2.233: 553 5.3.0 ..."
			f := strings.Fields(details[5:])
			if len(f) > 0 {
				r.Command = commandName(f[0])
			}
			if len(f) > 2 && f[1] == "host" {
				r.RemoteMTA = strings.TrimSuffix(f[2], ":")
			}
			if c := strings.Index(details, ": "); c >= 0 {
				r.DiagnosticCode = strings.TrimSpace(details[c+2:])
			}
			r.DiagnosticType = "SMTP"
		}
		if expired {
			// "was aborted after 5.0 hour(s)": the queue lifetime
			// ran out and the system gave up, so the delivery
			// failed (RFC 3464 section 2.3.3 "failed"), its reason
			// the expiry; a delay would still be retried.
			r.Reason = reason.Expired
		}
	}
	return &scan{records: recs, evidence: []string{"'This is an automatically generated Delivery Status Notification' (Subject 'Delivery status notification')"}}
}

// --- X6: "We had trouble delivering your message. Full details follow:"

func scanX6(m *flat) *scan {
	if !mta2SubjectHasPrefix(m, "there was an error sending your mail") || !mta2FromDaemon(m) {
		return nil
	}
	i := strings.Index(m.Body, "We had trouble delivering your message")
	if i < 0 {
		return nil
	}
	var recs []Record
	for _, l := range mta2Lines(m.Body[i:], 200) {
		if strings.HasPrefix(l, "The attachment contains the original") {
			break
		}
		if !strings.Contains(l, "@") {
			continue
		}
		r := Record{Action: "failed", DiagnosticType: "SMTP"}
		switch {
		case strings.HasPrefix(l, "The following recipients returned permanent errors:"):
			rest := strings.TrimSpace(l[len("The following recipients returned permanent errors:"):])
			a, why, _ := strings.Cut(rest, " Reason: ")
			r.Recipient = strings.TrimSuffix(strings.TrimSpace(a), ".")
			r.DiagnosticCode = why
		case strings.Contains(l, "rejected recipient <"):
			k := strings.Index(l, "rejected recipient <") + len("rejected recipient <")
			if e := strings.IndexByte(l[k:], '>'); e > 0 {
				r.Recipient = l[k : k+e]
			}
			r.DiagnosticCode = l
		default:
			continue
		}
		if k := strings.Index(r.DiagnosticCode, "follows: ["); k >= 0 {
			r.DiagnosticCode = strings.TrimSuffix(r.DiagnosticCode[k+len("follows: ["):], "]")
		} else if k := strings.Index(r.DiagnosticCode, "error message: ["); k >= 0 {
			r.Command = findX6Command(r.DiagnosticCode[:k])
			r.DiagnosticCode = strings.TrimSuffix(r.DiagnosticCode[k+len("error message: ["):], "]")
		}
		if r.Command == "" {
			r.Command = findX6Command(l)
		}
		if h := strings.Index(l, "SMTP Server <"); h >= 0 {
			if e := strings.IndexByte(l[h+13:], '>'); e > 0 {
				r.RemoteMTA = l[h+13 : h+13+e]
			}
		}
		if strings.Contains(r.Recipient, "@") {
			recs = append(recs, r)
		}
	}
	if len(recs) == 0 {
		return nil
	}
	return &scan{records: recs, evidence: []string{"'We had trouble delivering your message. Full details follow:'"}}
}

// findX6Command reads "(Error following RCPT command)" or "message (DATA)".
func findX6Command(s string) string {
	if i := strings.Index(s, "(Error following "); i >= 0 {
		return commandName(s[i+len("(Error following "):])
	}
	if i := strings.Index(s, "("); i >= 0 {
		if e := strings.IndexByte(s[i:], ')'); e > 0 {
			return commandName(s[i+1 : i+e])
		}
	}
	return ""
}

// --- IMail Server (Ipswitch): X-Mailer "<SMTP32 v...>", Subject
// "Undeliverable Mail", one line per failure, then "Original message follows.".

var imailErrors = []struct {
	prefix string
	reason reason.Reason
}{
	{"Unknown user:", reason.UserUnknown},
	{"Invalid final delivery userid:", reason.UserUnknown},
	{"User mailbox exceeds allowed size:", reason.MailboxFull},
	{"Requested action not taken: mailbox unavailable", reason.MailboxFull},
	{"Delivery failed ", reason.Expired}, // "Delivery failed 20 attempts: addr"
	{"undeliverable to ", ""},
	{"Host unknown:", reason.HostUnknown},
	{"Unable to deliver to ", ""},
}

func scanIMail(m *flat) *scan {
	if !strings.HasPrefix(strings.TrimSpace(m.hget("X-Mailer")), "<SMTP32 v") {
		return nil
	}
	text, orig, cut := cutAt(m.Body, "Original message follows.")
	ls := mta2Lines(text, 500)
	var recs []Record
	for j, l := range ls {
		for _, e := range imailErrors {
			if !strings.HasPrefix(l, e.prefix) {
				continue
			}
			a := findAddress(l[len(e.prefix)-1:])
			if a == "" {
				continue
			}
			r := Record{Recipient: a, Action: "failed", Reason: e.reason, DiagnosticCode: l}
			for k := j + 1; k < len(ls) && k < j+4; k++ {
				if strings.HasPrefix(ls[k], "Body of message generated response:") {
					r.DiagnosticCode = mta2Paragraph(ls, k+1)
					r.DiagnosticType = "SMTP"
					break
				}
			}
			recs = append(recs, r)
			break
		}
	}
	if len(recs) == 0 {
		return nil
	}
	sc := &scan{records: recs, evidence: []string{"IMail Server: X-Mailer '<SMTP32 v...>'"}}
	if cut && m.Original == nil {
		sc.original = []byte(strings.TrimLeft(orig, "\n"))
	}
	return sc
}

// --- fml mailing list manager: X-MLServer "fml", errors about the list
// itself ("You are not a member of this mailing list <list>", "Duplicated
// Message-ID in <list>").

func scanFML(m *flat) *scan {
	if !mta2ContainsFold(m.hget("X-MLServer"), "fml") {
		return nil
	}
	subj := subjectOf(m)
	var why reason.Reason
	switch {
	case strings.Contains(subj, "are not member") || strings.Contains(m.Body, "You are not a member of this mailing list"):
		why = reason.Rejected
	case strings.Contains(subj, "loop alert") || strings.Contains(m.Body, "Duplicated Message-ID"):
		why = reason.SystemError
	case strings.Contains(subj, "not allowed") || strings.Contains(subj, "is not permitted"):
		why = reason.SecurityError
	default:
		return nil
	}
	ls := mta2Lines(m.Body, 100)
	for _, l := range ls {
		if l == "" {
			continue
		}
		lt := strings.IndexByte(l, '<')
		if lt < 0 {
			continue
		}
		a := findAddress(l[lt:])
		if a == "" {
			continue
		}
		r := Record{Recipient: a, Action: "failed", Reason: why, DiagnosticCode: l, DiagnosticType: "X-Unix"}
		return &scan{records: []Record{r}, evidence: []string{"fml mailing list manager (X-MLServer: fml): " + l}}
	}
	return nil
}

// --- m-FILTER (Japanese appliance): X-Mailer "m-FILTER"; the address,
// then "-------server message" and "-------SMTP command" sections.

func scanMFilter(m *flat) *scan {
	if strings.TrimSpace(m.hget("X-Mailer")) != "m-FILTER" {
		return nil
	}
	text, orig, cut := cutAt(m.Body, "-------original message", "-------original mail info")
	ls := mta2Lines(text, 300)
	var recs []Record
	for j, l := range ls {
		switch {
		case l == "-------server message":
			if len(recs) > 0 {
				recs[len(recs)-1].DiagnosticCode = mta2Paragraph(ls, j+1, "-------")
			}
		case l == "-------SMTP command":
			if len(recs) > 0 && j+1 < len(ls) {
				recs[len(recs)-1].Command = commandName(ls[j+1])
			}
		case strings.Contains(l, "@") && !strings.Contains(l, " ") && !strings.HasPrefix(l, "-"):
			if len(recs) > 0 && recs[len(recs)-1].DiagnosticCode == "" {
				continue
			}
			recs = append(recs, Record{Recipient: l, Action: "failed", DiagnosticType: "SMTP"})
		}
	}
	if len(recs) == 0 {
		return nil
	}
	sc := &scan{records: recs, evidence: []string{"m-FILTER notice (X-Mailer: m-FILTER)"}}
	if cut && m.Original == nil {
		sc.original = []byte(strings.TrimLeft(orig, "\n"))
	}
	return sc
}

// --- Active!hunter: Subject "FAILURE NOTICE :", sendmail-like text:
// ">>> addr <addr>" and "----- Transcript of session follows -----".

func scanActiveHunter(m *flat) *scan {
	if !mta2SubjectHasPrefix(m, "failure notice :") || !strings.Contains(m.hget("Content-Type"), "Active!Hunter") && !strings.Contains(m.Body, "Active!Hunter") {
		return nil
	}
	i := strings.Index(m.Body, "----- The following addresses had permanent fatal errors -----")
	if i < 0 {
		return nil
	}
	text, _, _ := cutAt(m.Body[i:], "Content-Type: message/rfc822")
	ls := mta2Lines(text, 300)
	var recs []Record
	diag := ""
	for j, l := range ls {
		switch {
		case strings.HasPrefix(l, ">>> "):
			recs = append(recs, Record{Recipient: findAddress(l), Action: "failed", DiagnosticType: "SMTP"})
		case strings.HasPrefix(l, "----- Transcript of session follows -----"):
			diag = mta2Paragraph(ls, j+1, "-----", "------")
		}
	}
	out := recs[:0]
	for _, r := range recs {
		if r.Recipient != "" {
			r.DiagnosticCode = diag
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return &scan{records: out, evidence: []string{"Active!hunter notice (Subject 'FAILURE NOTICE :')"}}
}

// --- Trend Micro InterScan MSS: From "InterScan MSS" or the boundary
// "InterScan_NT_MIME_Boundary"; "Sent <<< RCPT TO:<addr>" / "Received >>>
// reply" pairs, or "Unable to deliver message to <addr>".

func scanTrendMicro(m *flat) *scan {
	if !mta2FromHas(m, "interscan mss") && !strings.Contains(m.hget("Content-Type"), "InterScan_NT_MIME_Boundary") {
		return nil
	}
	text, _, _ := cutAt(m.Body, "Content-Type: message/rfc822")
	ls := mta2Lines(text, 500)
	var recs []Record
	var cmd string
	for j, l := range ls {
		switch {
		case strings.HasPrefix(l, "Sent <<< "):
			c := strings.TrimSpace(l[len("Sent <<< "):])
			cmd = commandName(c)
			if cmd == "RCPT" {
				recs = append(recs, Record{Recipient: findAddress(c), Command: cmd, Action: "failed", DiagnosticType: "SMTP"})
			}
		case strings.HasPrefix(l, "Received >>> "):
			if len(recs) > 0 && recs[len(recs)-1].DiagnosticCode == "" {
				recs[len(recs)-1].DiagnosticCode = strings.TrimSpace(l[len("Received >>> "):])
				recs[len(recs)-1].Command = cmd
			}
		case strings.Contains(l, "Unable to deliver message to <"):
			r := Record{Recipient: findAddress(l[strings.Index(l, "<"):]), Action: "failed", DiagnosticCode: l}
			if j+1 < len(ls) && ls[j+1] != "" && !strings.HasPrefix(ls[j+1], "****") {
				r.DiagnosticCode += " " + ls[j+1]
			}
			recs = append(recs, r)
		}
	}
	out := recs[:0]
	for _, r := range recs {
		if r.Recipient != "" {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return &scan{records: out, evidence: []string{"Trend Micro InterScan Messaging Security Suite notice"}}
}

// --- MailFoundry: Subject "Message delivery has failed", "Unable to
// deliver message to: <addr>" and "Delivery failed for the following reason:".

func scanMailFoundry(m *flat) *scan {
	if !strings.EqualFold(strings.TrimSpace(mta2Subject(m)), "message delivery has failed") || !mta2FromDaemon(m) {
		return nil
	}
	text, _, _ := cutAt(m.Body, "Content-Type: message/rfc822")
	ls := mta2Lines(text, 300)
	var recs []Record
	for j, l := range ls {
		switch {
		case strings.HasPrefix(l, "Unable to deliver message to:"):
			recs = append(recs, Record{Recipient: findAddress(l), Action: "failed", DiagnosticType: "SMTP"})
		case strings.HasPrefix(l, "Delivery failed for the following reason:") && len(recs) > 0:
			d := mta2Paragraph(ls, j+1, "This has been a permanent failure")
			if k := strings.Index(d, " responded with failure: "); k >= 0 {
				h := d[:k]
				if b := strings.IndexByte(h, '['); b > 0 {
					h = h[:b] // "mail.example.org[192.0.2.1]"
				}
				recs[len(recs)-1].RemoteMTA = strings.ToLower(strings.TrimSpace(h))
				d = d[k+len(" responded with failure: "):]
			}
			recs[len(recs)-1].DiagnosticCode = d
		}
	}
	out := recs[:0]
	for _, r := range recs {
		if r.Recipient != "" {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return &scan{records: out, evidence: []string{"MailFoundry notice (Subject 'Message delivery has failed')"}}
}

// --- Sun/Oracle Messaging Server (and PMDF): "This report relates to a
// message you sent with the following header fields:" then per recipient
// "Recipient address:", "Original address:", "Reason:", "Diagnostic code:",
// "Remote system:".

func scanMessagingServer(m *flat) *scan {
	if !mta2SubjectHasPrefix(m, "delivery notification: ") {
		return nil
	}
	i := strings.Index(m.Body, "This report relates to a message you sent")
	if i < 0 {
		return nil
	}
	ev := []string{"Sun/Oracle Messaging Server report ('This report relates to a message you sent')"}
	if sc := scanRFC3464(m); sc != nil {
		// The DSN is sound but for source-routed Final-Recipients
		// ("@smtp.example.net:kijitora@server"): the Original-Recipient
		// is the address the sender wrote.
		ok := true
		for j := range sc.records {
			r := &sc.records[j]
			if strings.HasPrefix(r.Recipient, "@") || strings.Contains(r.Recipient, ":") {
				if strings.Contains(r.Alias, "@") {
					r.Recipient, r.Alias = r.Alias, ""
				} else {
					ok = false
				}
			}
		}
		if ok {
			sc.evidence = append(ev, sc.evidence...)
			return sc
		}
	}
	text, _, _ := cutAt(m.Body[i:], "Content-Type: message/delivery-status", "Content-Type: message/rfc822", "Original-envelope-id:", "Reporting-MTA:")
	var recs []Record
	why := map[int]string{}
	for _, l := range mta2Lines(text, 500) {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		if k == "Recipient address" {
			recs = append(recs, Record{Recipient: v, Action: "failed"})
			continue
		}
		if len(recs) == 0 {
			continue
		}
		r := &recs[len(recs)-1]
		switch k {
		case "Original address":
			r.Alias = v
		case "Reason":
			why[len(recs)-1] = v
		case "Diagnostic code":
			t, d := typedValue(v)
			r.DiagnosticType = strings.ToUpper(t)
			r.DiagnosticCode = d
		case "Remote system":
			_, h := typedValue(v)
			if f := strings.Fields(h); len(f) > 0 {
				r.RemoteMTA = f[0]
			}
		}
	}
	out := recs[:0]
	for j, r := range recs {
		// "@smtp.example.net:kijitora@server" is a source route: the
		// original address is the one the sender wrote.
		if strings.HasPrefix(r.Recipient, "@") || !strings.Contains(r.Recipient, "@") {
			if strings.Contains(r.Alias, "@") {
				r.Recipient, r.Alias = r.Alias, ""
			} else {
				continue
			}
		}
		if r.DiagnosticCode == "" {
			r.DiagnosticCode = why[j]
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil
	}
	return &scan{records: out, evidence: ev}
}

// --- X5: a notice from a mailer-daemon whose own text lists no address
// but which returns another mailer-daemon's bounce (a DSN) as its message:
// the inner bounce says who failed.

func scanX5(m *flat) *scan {
	if len(m.Original) == 0 || !mta2FromDaemon(m) {
		return nil
	}
	if !strings.Contains(m.Body, "----- The following addresses had permanent delivery errors -----") {
		return nil
	}
	ih, _ := parseHeader(m.Original)
	if !strings.Contains(strings.ToLower(ih.get("From")), "mailer-daemon") || !strings.Contains(strings.ToLower(ih.get("Content-Type")), "multipart/report") {
		return nil
	}
	inner := flatten(m.Original)
	sc := scanRFC3464(inner)
	if sc == nil {
		return nil
	}
	sc.original = inner.Original
	if sc.original == nil {
		sc.original = []byte{}
	}
	sc.evidence = append([]string{"a mailer-daemon notice returning another mailer-daemon's DSN"}, sc.evidence...)
	return sc
}

// --- PowerMTA: a standard DSN whose recipient blocks carry
// X-PowerMTA-BounceCategory, PowerMTA's documented classification of the
// failure. The category states the reason.

var powerMTACategories = map[string]reason.Reason{
	"bad-mailbox":         reason.UserUnknown,
	"bad-domain":          reason.HostUnknown,
	"inactive-mailbox":    reason.Suspend,
	"quota-issues":        reason.MailboxFull,
	"spam-related":        reason.SpamDetected,
	"policy-related":      reason.PolicyViolation,
	"message-expired":     reason.Expired,
	"no-answer-from-host": reason.NetworkError,
	"bad-connection":      reason.NetworkError,
	"routing-errors":      reason.SystemError,
	"relaying-issues":     reason.NoRelaying,
	"content-related":     reason.ContentError,
	"virus-related":       reason.VirusDetected,
	"protocol-errors":     reason.SyntaxError,
	"invalid-sender":      reason.Rejected,
	"bad-configuration":   reason.SystemError,
}

func scanPowerMTA(m *flat) *scan {
	var cats map[string]string
	for _, p := range m.Parts {
		if p.Type != "message/delivery-status" || !strings.Contains(p.Text, "X-PowerMTA-BounceCategory") {
			continue
		}
		_, blocks := parseDSN(p.Text)
		for _, b := range blocks {
			_, rcpt := typedValue(b.get("Final-Recipient"))
			if c := b.get("X-PowerMTA-BounceCategory"); c != "" && rcpt != "" {
				if cats == nil {
					cats = map[string]string{}
				}
				cats[strings.ToLower(cleanAddress(rcpt))] = strings.ToLower(strings.TrimSpace(c))
			}
		}
	}
	if cats == nil {
		return nil
	}
	sc := scanRFC3464(m)
	if sc == nil {
		return nil
	}
	for i := range sc.records {
		r := &sc.records[i]
		c := cats[strings.ToLower(cleanAddress(r.Recipient))]
		if why, ok := powerMTACategories[c]; ok && r.Reason == "" {
			r.Reason = why
		}
		if c != "" {
			r.Evidence = append(r.Evidence, "X-PowerMTA-BounceCategory: "+c)
		}
	}
	sc.evidence = append([]string{"PowerMTA DSN (X-PowerMTA-BounceCategory)"}, sc.evidence...)
	return sc
}

// mta2ContainsFold reports whether s contains sub (ASCII, any case)
// without allocating. sub must be lower case.
func mta2ContainsFold(s, sub string) bool {
	n := len(sub)
	if n == 0 {
		return true
	}
	c0 := sub[0]
	for i := 0; i+n <= len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c == c0 && strings.EqualFold(s[i:i+n], sub) {
			return true
		}
	}
	return false
}

// mta2Subject returns the Subject of m: the raw value when it has no
// encoded words (no allocation), the decoded one otherwise.
func mta2Subject(m *flat) string {
	s := m.hget("Subject")
	if strings.Contains(s, "=?") {
		return decodeWords(s)
	}
	return s
}

// mta2SubjectHasPrefix reports whether the Subject starts with prefix
// (lower case), ignoring case and leading space.
func mta2SubjectHasPrefix(m *flat, prefix string) bool {
	s := strings.TrimSpace(mta2Subject(m))
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// mta2FromHas reports whether the From field contains sub (lower case).
func mta2FromHas(m *flat, sub string) bool {
	return mta2ContainsFold(m.hget("From"), sub)
}

// mta2FromDaemon is fromMailerDaemon without allocation.
func mta2FromDaemon(m *flat) bool {
	f := m.hget("From")
	for _, s := range []string{"mailer-daemon", "postmaster", "mail delivery", "mail administrator", "mailer_daemon"} {
		if mta2ContainsFold(f, s) {
			return true
		}
	}
	return false
}

// --- amavis (amavisd-new): From "Content-filter at <host>", a standard
// DSN and a prose part. When amavis stopped the message for a bad header
// (its "BAD-HEADER" checks), the prose names the RFC 5322 defect.

var amavisBadHeader = []string{
	"Duplicate header field:",
	"Missing required header field:",
	"Non-encoded 8-bit data",
	"Improper folded header field",
	"Improper use of control character",
	"Header line longer than 998 characters",
	"Header field syntax error",
}

func scanAmavis(m *flat) *scan {
	if !mta2FromHas(m, "content-filter") {
		return nil
	}
	sc := scanRFC3464(m)
	if sc == nil {
		return nil
	}
	sc.evidence = append([]string{"amavis notice (From 'Content-filter at ...')"}, sc.evidence...)
	prose := proseText(m)
	for _, b := range amavisBadHeader {
		if strings.Contains(prose, b) {
			for i := range sc.records {
				sc.records[i].Reason = reason.NotCompliantRFC
				sc.records[i].Evidence = append(sc.records[i].Evidence, "amavis bad header: "+b)
			}
			break
		}
	}
	return sc
}
