package bounce

import (
	"strings"
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
	rest := []byte(strings.TrimLeft(text, "\n"))
	for len(rest) > 0 {
		var h header
		h, rest = parseHeader(rest)
		if len(h) == 0 {
			// An empty line or a non-field line: skip one line.
			if i := strings.IndexByte(string(rest), '\n'); i >= 0 {
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
		name := strings.ToLower(h[i].Name)
		switch name {
		case "final-recipient":
			if seenFinal {
				cut := i
				if cut > start && strings.EqualFold(h[cut-1].Name, "Original-Recipient") {
					cut--
				}
				out = append(out, h[start:cut])
				start = cut
			}
			seenFinal = true
		case "reporting-mta", "arrival-date", "received-from-mta":
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
		msg, blocks := parseDSN(p.Text)
		if len(blocks) == 0 {
			continue
		}
		ev = append(ev, "MIME part "+p.Type+" (RFC 3464)")
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
	}
	if len(recs) == 0 {
		return nil
	}
	text := newProse(proseText(f))
	for i := range recs {
		r := &recs[i]
		para := text.paragraph(r.Recipient, r.Alias)
		if r.DiagnosticCode == "" && para != "" {
			r.DiagnosticCode = para
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
	return &scan{records: recs, evidence: ev}
}
