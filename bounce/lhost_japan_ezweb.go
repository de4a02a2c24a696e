package bounce

import (
	"strings"

	"github.com/bouncewatch/bouncewatch/reason"
)

// au by KDDI, EZweb (ezweb.ne.jp, au.com): a free-text notice from
// Postmaster@ezweb.ne.jp, Subject "Mail System Error - Returned Mail", with
// a Japanese paragraph, an English line that says what happened and the
// recipients in angle brackets:
//
//	The user(s) account is disabled.
//
//	<user@ezweb.ne.jp>: 550 user unknown (in reply to RCPT TO command)
//
// or a transcript:
//
//	Each of the following recipients was rejected by a remote
//	mail server.
//
//	    Recipient: <user@ezweb.ne.jp>
//	    >>> RCPT TO:<user@ezweb.ne.jp>
//	    <<< 550 <user@ezweb.ne.jp>: User unknown
//
// The returned message follows a line of dashes, or a message/rfc822 part.

// ezwebReasons are the English sentences of the notice whose meaning is
// documented by au (https://www.au.com/support/): the account is stopped,
// the mailbox is full, the message expired. "Each of the following
// recipients was rejected" says only that the remote server refused: the
// classifier reads the server's reply instead.
var ezwebReasons = []struct {
	phrase string
	reason reason.Reason
}{
	{"The user(s) account is temporarily over quota", reason.MailboxFull},
	{"The user(s) account is disabled.", reason.Suspend},
	{"The user(s) account is temporarily limited.", reason.Suspend},
	{"Your message was not delivered within ", reason.Expired},
}

// ezwebStarts are the first lines of the English part of the notice.
var ezwebStarts = []string{"The user(s) ", "Your message ", "Each of the following", "The following recipients", "<"}

// isEZweb reports whether the header of m is that of an au/EZweb notice:
// two of its sender, subject, Message-Id and Received markers.
func isEZweb(m *flat) bool {
	score := 0
	from := m.hget("From")
	if jpHasFold(from, "postmaster@ezweb.ne.jp") || jpHasFold(from, "postmaster@au.com") {
		score++
	}
	if strings.TrimSpace(m.hget("Subject")) == "Mail System Error - Returned Mail" {
		score++
	}
	if score == 0 {
		return false
	}
	mid := m.hget("Message-Id")
	if jpHasFold(mid, ".ezweb.ne.jp>") || jpHasFold(mid, ".au.com>") {
		score++
	}
	if score < 2 {
		for _, f := range m.Header {
			if strings.EqualFold(f.Name, "Received") &&
				(strings.Contains(f.Value, "ezweb.ne.jp (EZweb Mail) with") || strings.Contains(f.Value, ".au.com (")) {
				score++
				break
			}
		}
	}
	return score >= 2
}

// scanEZweb reads au/EZweb notices.
func scanEZweb(m *flat) *scan {
	if !isEZweb(m) {
		return nil
	}
	text, original := jpNoticeText(m.Body)
	lines := strings.Split(text, "\n")
	var recs []Record
	var preamble []string // English lines before the first recipient
	reading := false
	var cur *Record
	for i := 0; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], " \t")
		t := strings.TrimSpace(l)
		if !reading {
			for _, s := range ezwebStarts {
				if strings.HasPrefix(t, s) {
					reading = true
					break
				}
			}
			if !reading {
				continue
			}
		}
		if t == "" || !jpASCII(t) {
			continue
		}
		if strings.HasPrefix(t, "Content-Type:") || jpDSNField(t) {
			// The delivery-status part that some notices carry: read by
			// scanRFC3464 below.
			break
		}
		lt := strings.Index(t, "<")
		if strings.HasPrefix(t, "<<<") {
			lt = -1
		}
		if lt >= 0 && (lt == 0 || strings.HasPrefix(t, "Recipient: <")) && strings.Contains(t[lt:], "@") && strings.Contains(t[lt:], ">") {
			addr := findAddress(t[lt:])
			if addr != "" {
				recs = append(recs, Record{Recipient: addr})
				cur = &recs[len(recs)-1]
				if lt == 0 {
					cur.DiagnosticCode = t
				}
				continue
			}
		}
		switch {
		case strings.HasPrefix(t, ">>>"):
			if cur != nil {
				cur.Command = jpTranscriptCommand(t)
			}
		case strings.HasPrefix(t, "<<<"):
			if cur != nil {
				cur.DiagnosticCode = jpJoin(cur.DiagnosticCode, strings.TrimSpace(t[3:]))
				cur.DiagnosticType = "SMTP"
			}
		default:
			if cur == nil {
				preamble = append(preamble, t)
			} else if !strings.HasPrefix(t, "----") {
				cur.DiagnosticCode = jpJoin(cur.DiagnosticCode, t)
			}
		}
	}
	if len(recs) == 0 {
		return nil
	}
	pre := strings.Join(preamble, " ")
	filtered := strings.EqualFold(strings.TrimSpace(m.hget("X-SPASIGN")), "NG")
	var dsn []Record
	if s := scanRFC3464(m); s != nil {
		dsn = s.records
	}
	for i := range recs {
		r := &recs[i]
		whole := jpJoin(pre, r.DiagnosticCode)
		if r.Command == "" {
			r.Command = findCommand(whole)
		}
		for _, d := range dsn {
			if strings.EqualFold(cleanAddress(d.Recipient), r.Recipient) {
				r.Status, r.Action, r.ReportingMTA, r.RemoteMTA = d.Status, d.Action, d.ReportingMTA, d.RemoteMTA
				if !d.Timestamp.IsZero() {
					r.Timestamp = d.Timestamp
				}
				break
			}
		}
		if filtered {
			// X-SPASIGN: NG marks a message refused by the recipient's
			// own filter (au's "spam filter" or domain filter).
			r.Reason = reason.Filtered
		} else {
			for _, e := range ezwebReasons {
				if strings.Contains(jpFold(whole), e.phrase) {
					r.Reason = e.reason
					break
				}
			}
		}
		if r.Reason == "" && strings.HasPrefix(r.DiagnosticCode, "<") && !jpAuDomain(r.Recipient) {
			// "<user@other.example>: ..." for an address outside au: the
			// relay could not find the recipient.
			r.Reason = reason.UserUnknown
		}
		if r.Reason == reason.Filtered || r.Reason == reason.Suspend || r.Reason == reason.MailboxFull || r.Reason == reason.Expired {
			// The sentence that decided the reason is the diagnostic.
			r.DiagnosticCode = jpFold(whole)
		} else if r.DiagnosticCode == "" {
			r.DiagnosticCode = jpFold(whole)
		} else {
			r.DiagnosticCode = jpFold(r.DiagnosticCode)
		}
		if r.Action == "" {
			r.Action = "failed"
		}
	}
	ev := []string{"From: Postmaster@ezweb.ne.jp and Subject 'Mail System Error - Returned Mail' (au EZweb)"}
	if filtered {
		ev = append(ev, "header X-SPASIGN: NG (refused by the recipient's filter)")
	}
	sc := &scan{records: recs, evidence: ev}
	if m.Original == nil && original != "" {
		sc.original = []byte(original)
	}
	return sc
}

// jpAuDomain reports whether addr is an au/EZweb mailbox.
func jpAuDomain(addr string) bool {
	a := strings.ToLower(addr)
	return strings.HasSuffix(a, "@ezweb.ne.jp") || strings.HasSuffix(a, ".ezweb.ne.jp") ||
		strings.HasSuffix(a, "@au.com") || strings.HasSuffix(a, "@biz.ezweb.ne.jp")
}

// jpNoticeText returns the part of a flattened body before the returned
// message or the delivery-status part, and the returned message when it
// follows a line of dashes in the text itself.
func jpNoticeText(body string) (notice, original string) {
	end := len(body)
	if i := strings.Index(body, "Content-Type: message/rfc822"); i >= 0 && i < end {
		end = i
	}
	if i := strings.Index(body, "Content-Type: text/rfc822-headers"); i >= 0 && i < end {
		end = i
	}
	notice = body[:end]
	// A line of at least 20 dashes followed by a header block.
	for off := 0; off < len(notice); {
		i := strings.Index(notice[off:], "\n--------------------")
		if i < 0 {
			break
		}
		i += off + 1
		nl := strings.IndexByte(notice[i:], '\n')
		if nl < 0 {
			break
		}
		rest := notice[i+nl+1:]
		if h, _ := parseHeaderString(rest); len(h) >= 2 && strings.Trim(notice[i:i+nl], "-") == "" {
			return notice[:i], rest
		}
		off = i + nl
	}
	return notice, ""
}

// jpASCII reports whether s is plain ASCII: the Japanese lines of these
// notices repeat the English ones and are skipped.
func jpASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// jpDSNField reports whether a line is a field of a delivery-status part.
func jpDSNField(t string) bool {
	for _, p := range []string{"Reporting-MTA:", "Final-Recipient:", "Original-Recipient:", "Arrival-Date:"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

// jpTranscriptCommand returns the command of a ">>> RCPT TO:<...>" line.
func jpTranscriptCommand(t string) string {
	t = strings.TrimSpace(strings.TrimLeft(t, ">"))
	if i := strings.IndexAny(t, ":<"); i >= 0 {
		t = t[:i]
	}
	return commandName(t)
}

// jpJoin joins two pieces of text with a space.
func jpJoin(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " " + b
}

// jpFold folds runs of white space into one space.
func jpFold(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// jpHasFold reports whether s contains sub, compared without regard to
// ASCII case; sub must be lower case. It does not allocate: the header
// checks of every recogniser run on every message.
func jpHasFold(s, sub string) bool {
	if lowerASCII(sub) {
		// The same answer from indexFold, which searches by the rarest
		// byte at memory speed instead of comparing at every offset.
		return indexFold(s, sub) >= 0
	}
	n := len(sub)
	if n == 0 {
		return true
	}
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for ; j < n; j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				break
			}
		}
		if j == n {
			return true
		}
	}
	return false
}
