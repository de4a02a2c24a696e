package bounce

import (
	"net/mail"
	"regexp"
	"strings"
	"time"
)

// parseOriginal reads the returned message's header block.
func parseOriginal(raw []byte) *Original {
	if len(raw) == 0 {
		return nil
	}
	h, body := parseHeader(raw)
	if len(h) == 0 {
		return nil
	}
	o := &Original{
		From:       decodeWords(h.get("From")),
		To:         decodeWords(h.get("To")),
		Subject:    decodeWords(h.get("Subject")),
		MessageID:  strings.TrimSpace(h.get("Message-ID")),
		Date:       h.get("Date"),
		ReturnPath: h.get("Return-Path"),
		Sender:     decodeWords(h.get("Sender")),
		ReplyTo:    decodeWords(h.get("Reply-To")),
		ListID:     h.get("List-Id"),
		FeedbackID: h.get("Feedback-ID"),
		XMailer:    h.get("X-Mailer"),
	}
	if o.XMailer == "" {
		o.XMailer = h.get("User-Agent")
	}
	o.BodyReturned = len(strings.TrimSpace(string(body))) > 0
	o.Headers = make([]Field, len(h))
	for i, f := range h {
		o.Headers[i] = Field{Name: f.Name, Value: f.Value}
	}
	for _, v := range h.all("Received") {
		o.Received = append(o.Received, parseReceived(v))
	}
	for _, v := range h.all("DKIM-Signature") {
		o.DKIM = append(o.DKIM, parseDKIM(v))
	}
	o.AuthenticationResults = h.all("Authentication-Results")
	return o
}

var (
	reRcvFrom = regexp.MustCompile(`(?i)\bfrom\s+([^\s();]+)`)
	reRcvBy   = regexp.MustCompile(`(?i)\bby\s+([^\s();]+)`)
	reRcvWith = regexp.MustCompile(`(?i)\bwith\s+([A-Za-z0-9_/-]+)`)
	reRcvID   = regexp.MustCompile(`(?i)\bid\s+<?([^\s;<>]+)>?`)
	reRcvFor  = regexp.MustCompile(`(?i)\bfor\s+<?([^\s;<>]+@[^\s;<>]+)>?`)
	reRcvIP   = regexp.MustCompile(`\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]|\(([0-9]{1,3}(?:\.[0-9]{1,3}){3})\)`)
)

// parseReceived parses a Received field value, keeping the raw text. Only
// the "from" clause (before "by") is searched for the client's IP.
func parseReceived(v string) Received {
	r := Received{Raw: v}
	clauses := v
	if i := strings.LastIndexByte(v, ';'); i >= 0 {
		clauses = v[:i]
		r.Date = parseDate(strings.TrimSpace(v[i+1:]))
	}
	if m := reRcvFrom.FindStringSubmatch(clauses); m != nil && strings.HasPrefix(strings.ToLower(strings.TrimSpace(clauses)), "from") {
		r.From = m[1]
	}
	if m := reRcvBy.FindStringSubmatch(clauses); m != nil {
		r.By = m[1]
	}
	if m := reRcvWith.FindStringSubmatch(clauses); m != nil {
		r.With = m[1]
	}
	if m := reRcvID.FindStringSubmatch(clauses); m != nil {
		r.ID = m[1]
	}
	if m := reRcvFor.FindStringSubmatch(clauses); m != nil {
		r.For = m[1]
	}
	fromPart := clauses
	if i := strings.Index(strings.ToLower(clauses), " by "); i >= 0 {
		fromPart = clauses[:i]
	}
	if m := reRcvIP.FindStringSubmatch(fromPart); m != nil {
		r.IP = m[1]
		if r.IP == "" {
			r.IP = m[2]
		}
	}
	return r
}

// parseDKIM reads d= and s= from a DKIM-Signature value.
func parseDKIM(v string) DKIM {
	var d DKIM
	for _, tag := range strings.Split(v, ";") {
		k, val, ok := strings.Cut(tag, "=")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "d":
			d.Domain = strings.ToLower(strings.Join(strings.Fields(val), ""))
		case "s":
			d.Selector = strings.Join(strings.Fields(val), "")
		}
	}
	return d
}

// parseDate reads the date forms found in mail: RFC 5322, with or without the
// weekday, with a zone comment, with a named zone, or in asctime form.
func parseDate(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	if t, err := mail.ParseDate(s); err == nil {
		return t
	}
	// Drop a trailing comment such as "(JST)" or "(GMT+09:00)" and retry.
	if i := strings.IndexByte(s, '('); i > 0 {
		if t, err := mail.ParseDate(strings.TrimSpace(s[:i])); err == nil {
			return t
		}
	}
	f := strings.Fields(s)
	if i := strings.IndexByte(s, ','); i >= 0 && i < 5 {
		f = strings.Fields(s[i+1:])
	}
	for _, layout := range dateLayouts {
		n := strings.Count(layout, " ") + 1
		if len(f) >= n {
			if t, err := time.Parse(layout, strings.Join(f[:n], " ")); err == nil {
				return t
			}
		}
	}
	return time.Time{}
}

var dateLayouts = []string{
	"2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04:05 MST",
	"2 Jan 2006 15:04 -0700",
	"2 Jan 2006 15:04:05",
	"Mon Jan 2 15:04:05 2006",
	"Jan 2 15:04:05 2006",
	"Mon Jan 2 15:04:05 MST 2006",
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05",
	"2006/01/02 15:04:05",
}
