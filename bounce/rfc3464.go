package bounce

import (
	"strings"

	"github.com/bouncewatch/bouncewatch/reason"
)

// dsnFields is one block of a message/delivery-status part (RFC 3464
// section 2.1: a per-message block, then one block per recipient).
type dsnFields = header

// parseDSN splits the text of a delivery-status part into the per-message
// fields and the per-recipient blocks. Blocks are separated by empty lines;
// a block with several Final-Recipient fields (MTAs that forget the empty
// line) is split before each of them.
func parseDSN(text string) (dsnFields, []dsnFields) {
	var msg dsnFields
	var rcpts []dsnFields
	rest := strings.TrimLeft(text, "\n")
	for len(rest) > 0 {
		var h header
		before := len(rest)
		h, rest = parseHeaderString(rest)
		if len(h) == 0 {
			if len(rest) < before {
				// An empty line was consumed (blocks separated by more
				// than one empty line, as the IIS SMTP service writes
				// them): what follows may be the next block's first
				// field, so nothing more is skipped.
				continue
			}
			// A non-field line: skip one line.
			if i := strings.IndexByte(rest, '\n'); i >= 0 {
				rest = rest[i+1:]
				continue
			}
			break
		}
		for _, blk := range splitRecipientBlocks(h) {
			if blk.has("Final-Recipient") || blk.has("Original-Recipient") || blk.has("X-Actual-Recipient") {
				rcpts = append(rcpts, blk)
			} else if msg == nil {
				msg = blk
			} else if len(rcpts) > 0 {
				// Fields after a recipient block belong to it.
				rcpts[len(rcpts)-1] = append(rcpts[len(rcpts)-1], blk...)
			} else {
				msg = append(msg, blk...)
			}
		}
	}
	return msg, rcpts
}

// splitRecipientBlocks cuts h before every Final-Recipient after the first,
// and before an Original-Recipient that precedes a new Final-Recipient.
func splitRecipientBlocks(h header) []header {
	var out []header
	start := 0
	seenFinal := false
	for i := 0; i < len(h); i++ {
		// Names compared in place: a lower-cased copy of every name
		// was most of what parsing a DSN allocated.
		name := h[i].Name
		switch {
		case nameIs(name, "final-recipient"):
			if seenFinal {
				cut := i
				if cut > start && strings.EqualFold(h[cut-1].Name, "Original-Recipient") {
					cut--
				}
				out = append(out, h[start:cut])
				start = cut
			}
			seenFinal = true
		case nameIs(name, "reporting-mta"), nameIs(name, "arrival-date"), nameIs(name, "received-from-mta"):
			// Per-message fields after recipient fields start a new block.
			if seenFinal {
				out = append(out, h[start:i])
				start = i
				seenFinal = false
			}
		}
	}
	return append(out, h[start:])
}

// typedValue splits "rfc822; user@example.com" into ("rfc822", "user@...").
func typedValue(v string) (string, string) {
	t, val, ok := strings.Cut(v, ";")
	if !ok {
		return "", strings.TrimSpace(v)
	}
	return strings.TrimSpace(t), strings.TrimSpace(val)
}

// scanGenericDSN is the RFC 3464 reader as a recogniser of its own, for
// the notices no MTA's recogniser claimed: a challenge-response system's
// hold notice written as a DSN is not a delivery failure.
func scanGenericDSN(f *flat) *scan {
	s := scanRFC3464(f)
	if s != nil && challengeDSN(f, s.records) {
		return nil
	}
	if s != nil && len(s.records) == 1 {
		proseReason(f, &s.records[0])
	}
	return s
}

// proseReason gives the one recipient of a DSN whose fields say nothing
// to classify ("Diagnostic-Code: X-XWall; 5.9.8 Spam", no Diagnostic-Code
// at all) the reason the notice's own text states ("The message seems to
// be spam and was not delivered"): issue 7 section 3, onhold only where
// the notice gives nothing to classify. The line used is added to the
// diagnostic, so that the record shows it.
func proseReason(f *flat, r *Record) {
	if st := cleanStatus(r.Status); st != "" && !strings.HasSuffix(st, ".0.0") {
		return // a specific status code (RFC 3463) classifies the record
	}
	got := reason.Classify(reason.Facts{Status: cleanStatus(r.Status), DiagnosticType: r.DiagnosticType,
		Diagnostic: r.DiagnosticCode, Action: r.Action, Command: r.Command})
	if got != reason.OnHold && got != reason.Undefined {
		return
	}
	prose, _, _ := noticeProse(f) // without a returned message quoted in the text
	for line := range strings.Lines(clip(prose, maxOpening)) {
		t := strings.TrimSpace(line)
		if t == "" || len(t) > maxLineScan {
			continue
		}
		if x := reason.FromText(t); x != "" && x != reason.Vacation {
			r.Reason = x
			r.DiagnosticCode = strings.TrimSpace(r.DiagnosticCode + " " + t)
			return
		}
	}
}

// scanRFC3464 reads RFC 3464 delivery status notifications, including
// RFC 6533 message/global-delivery-status, whatever MTA wrote them. The
// notification's text part adds what the DSN lacks: a diagnostic that
// MTAs such as Postfix write only in prose, and the SMTP command.
func scanRFC3464(f *flat) *scan {
	var recs []Record
	var ev []string
	for _, p := range f.Parts {
		if p.Type != "message/delivery-status" && p.Type != "message/global-delivery-status" {
			continue
		}
		n := len(recs)
		recs = dsnRecords(recs, p.Text)
		if len(recs) > n {
			ev = append(ev, "MIME part "+p.Type+" (RFC 3464)")
		}
	}
	prose := ""
	var original []byte
	if len(recs) == 0 {
		// No delivery-status part: an MTA that wrote the DSN fields into
		// the text (no MIME structure, or a broken boundary).
		var dsn string
		prose, dsn, original = inlineDSN(f)
		if dsn == "" {
			return nil
		}
		recs = dsnRecords(recs, dsn)
		if len(recs) == 0 {
			return nil
		}
		ev = append(ev, "delivery-status fields (RFC 3464) in the text of a notice from a mailer-daemon")
		if f.Original != nil {
			original = nil
		}
	} else {
		prose = proseText(f)
	}
	qualifyLocal(f, recs)
	text := newProse(prose) // indexed once: a DSN may list thousands of recipients
	for i := range recs {
		r := &recs[i]
		// The prose names the bare address; a DSN field may bracket it
		// ("Final-Recipient: rfc822;<user@example.jp>", CommuniGate Pro).
		para := text.paragraph(bareAddress(r.Recipient), bareAddress(r.Alias))
		if r.DiagnosticCode == "" && para != "" {
			r.DiagnosticCode = para
		}
		if r.DiagnosticCode == "" {
			// "Status: 4.0.0 (example.net: host name lookup failure)"
			if i := strings.IndexByte(r.Status, '('); i > 0 {
				r.DiagnosticCode = strings.Trim(strings.TrimSpace(r.Status[i:]), "()")
			}
		}
		if r.DiagnosticCode == "" {
			r.DiagnosticCode = transcriptReply(prose)
		}
		if r.Command == "" {
			r.Command = findCommand(r.DiagnosticCode)
			if r.Command == "" {
				r.Command = findCommand(para)
			}
		}
		if r.RemoteMTA == "" {
			r.RemoteMTA = findRemoteHost(para)
		}
	}
	return &scan{records: recs, evidence: ev, original: original}
}

// qualifyLocal completes the recipients that a DSN names by their local
// part only ("Final-Recipient: LOCAL;<hanako>" and no Original-Recipient,
// as a mail store's local delivery module writes it): the returned
// message's recipient (To, Cc) with that local part is the address. A name
// that matches none, or several, is left as it is (and dropped later as
// not an address).
func qualifyLocal(f *flat, recs []Record) {
	var known []string
	done := false
	for i := range recs {
		r := &recs[i]
		name := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(r.Recipient), "<"), ">")
		if name == "" || strings.ContainsAny(name, "@ \t") {
			continue
		}
		if !done {
			done = true
			if o := parseOriginal(f.Original); o != nil {
				known = headerAddresses(o.To)
				for _, h := range o.Headers {
					if strings.EqualFold(h.Name, "Cc") {
						known = append(known, headerAddresses(h.Value)...)
					}
				}
			}
		}
		match := ""
		for _, k := range known {
			if local, _, ok := strings.Cut(k, "@"); ok && strings.EqualFold(local, name) {
				if match != "" && !strings.EqualFold(match, k) {
					match = ""
					break
				}
				match = k
			}
		}
		if match != "" {
			r.Recipient = match
		}
	}
}

// dsnRecords appends the records of the recipient blocks of one
// delivery-status text to recs.
func dsnRecords(recs []Record, text string) []Record {
	msg, blocks := parseDSN(text)
	_, reporting := typedValue(msg.get("Reporting-MTA"))
	arrival := parseDate(msg.get("Arrival-Date"))
	for _, b := range blocks {
		r := Record{ReportingMTA: reporting}
		_, r.Recipient = typedValue(b.get("Final-Recipient"))
		_, r.Alias = typedValue(b.get("Original-Recipient"))
		if r.Recipient == "" || !strings.Contains(r.Recipient, "@") {
			if _, x := typedValue(b.get("X-Actual-Recipient")); strings.Contains(x, "@") {
				r.Recipient = x
			} else if r.Alias != "" {
				r.Recipient = r.Alias
			}
		}
		r.Action = b.get("Action")
		r.Status = b.get("Status")
		_, r.RemoteMTA = typedValue(b.get("Remote-MTA"))
		if dc := b.get("Diagnostic-Code"); dc != "" {
			t, v := typedValue(dc)
			if t == "" || strings.Contains(t, " ") {
				// No type given: "Diagnostic-Code: 550 5.1.1 ..."
				t, v = "", dc
			}
			r.DiagnosticType = strings.ToUpper(t)
			if r.DiagnosticType == "X-UNIX" {
				r.DiagnosticType = "X-Unix"
			}
			r.DiagnosticCode = v
		}
		r.Timestamp = parseDate(b.get("Last-Attempt-Date"))
		if r.Timestamp.IsZero() {
			r.Timestamp = arrival
		}
		if r.Recipient == "" {
			continue
		}
		recs = append(recs, r)
	}
	return recs
}

// dsnFieldNames are the field names (lower case) that open a block of a
// delivery-status text (RFC 3464 sections 2.2 and 2.3, and the X- fields
// MTAs add).
var dsnFieldNames = map[string]bool{
	"reporting-mta": true, "received-from-mta": true, "arrival-date": true, "original-envelope-id": true,
	"dsn-gateway": true, "final-recipient": true, "original-recipient": true, "action": true,
	"status": true, "remote-mta": true, "diagnostic-code": true, "last-attempt-date": true,
	"will-retry-until": true, "x-actual-recipient": true, "final-log-id": true,
	"x-postfix-queue-id": true, "x-postfix-sender": true, "x-original-message-id": true,
}

// inlineDSN finds delivery-status fields written into the text of a
// notice from a mailer-daemon (or a multipart/report whose boundaries are
// broken). It returns the prose before them, the delivery-status text, and
// the returned message's header block when one follows in the text. It
// returns "" for dsn when the message has no such fields.
func inlineDSN(f *flat) (prose, dsn string, original []byte) {
	if !fromMailerDaemon(f) {
		if ct, _ := mediaType(f.hget("Content-Type")); ct != "multipart/report" {
			return "", "", nil
		}
	}
	body := f.Body
	at := dsnLineIndex(body, "final-recipient:")
	if at < 0 {
		return "", "", nil
	}
	// Start at the block that holds Final-Recipient, or at the per-message
	// block just before it.
	start := strings.LastIndex(body[:at], "\n\n") + 1
	if start > 0 {
		prev := strings.LastIndex(body[:start-1], "\n\n") + 1
		if fieldName(body[prev:start-1]) != "" && dsnFieldNames[fieldName(body[prev:start-1])] {
			start = prev
		}
	}
	// End at the first block that is not made of delivery-status fields.
	end := start
	for end < len(body) {
		for end < len(body) && body[end] == '\n' {
			end++
		}
		name := fieldName(body[end:])
		if !dsnFieldNames[name] {
			break
		}
		next := strings.Index(body[end:], "\n\n")
		if next < 0 {
			end = len(body)
			break
		}
		end += next + 1
	}
	prose = body[:start]
	dsn = body[start:end]
	if rest := strings.TrimLeft(body[end:], "\n"); rest != "" {
		if h, _ := parseHeaderString(rest); len(h) >= 2 && (h.has("From") || h.has("Received") || h.has("Message-Id") || h.has("Subject")) {
			original = []byte(rest)
		}
	}
	return prose, dsn, original
}

// dsnLineIndex returns the offset of the first line of s that starts with
// the lower-case field prefix, compared without regard to case, or -1.
func dsnLineIndex(s, prefix string) int {
	for off := 0; off < len(s); {
		i := strings.IndexByte(s[off:], ':')
		if i < 0 {
			return -1
		}
		i += off
		ls := strings.LastIndexByte(s[:i], '\n') + 1
		if i+1-ls == len(prefix) && strings.EqualFold(s[ls:i+1], prefix) {
			return ls
		}
		nl := strings.IndexByte(s[i:], '\n')
		if nl < 0 {
			return -1
		}
		off = i + nl + 1
	}
	return -1
}

// fieldName returns the lower-case name of the header field that s starts
// with, or "".
func fieldName(s string) string {
	i := strings.IndexByte(s, ':')
	if i <= 0 || i > 40 {
		return ""
	}
	n := s[:i]
	for j := 0; j < len(n); j++ {
		if c := n[j]; c <= ' ' || c >= 127 {
			return ""
		}
	}
	return strings.ToLower(n)
}

// transcriptReply returns the first reply line of a Sendmail-style
// "----- Transcript of session follows -----" section ("554 ... Service
// unavailable"), or "".
func transcriptReply(prose string) string {
	i := strings.Index(prose, "Transcript of session follows")
	if i < 0 {
		return ""
	}
	rest := prose[i:]
	for n := 0; n < 20; n++ {
		nl := strings.IndexByte(rest, '\n')
		if nl < 0 {
			return ""
		}
		rest = rest[nl+1:]
		line := rest
		if j := strings.IndexByte(line, '\n'); j >= 0 {
			line = line[:j]
		}
		t := strings.TrimSpace(line)
		if t == "" && n > 0 {
			return ""
		}
		if len(t) > 4 && t[0] >= '2' && t[0] <= '5' && t[1] >= '0' && t[1] <= '9' && t[2] >= '0' && t[2] <= '9' && (t[3] == ' ' || t[3] == '-') {
			return t
		}
	}
	return ""
}

// bareAddress is the address of a DSN field's value without the angle
// brackets some MTAs put around it (RFC 3464 section 2.3.2 asks for the
// bare addr-spec), or s itself when there are none: the cheap check keeps
// the common case free of allocations.
func bareAddress(s string) string {
	if strings.IndexByte(s, '<') < 0 {
		return s
	}
	return cleanAddress(s)
}
