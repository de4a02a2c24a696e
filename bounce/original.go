package bounce

import (
	"bytes"
	"net/mail"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// parseOriginal reads the returned message's header block.
func parseOriginal(raw []byte) *Original {
	if len(raw) == 0 {
		return nil
	}
	h, body := parseHeader(raw)
	return originalOf(raw, h, body)
}

// original is parseOriginal for a message's returned message, whose header
// block flatten has already parsed: raw is f.Original, or a cut that a
// recogniser made of the text.
func (f *flat) original(raw []byte) *Original {
	if f.origHeader != nil && len(raw) == len(f.Original) && len(raw) > 0 && &raw[0] == &f.Original[0] {
		return originalOf(raw, f.origHeader, f.origBody)
	}
	return parseOriginal(raw)
}

// originalOf builds the Original of raw from its header block h and what
// follows it, body.
func originalOf(raw []byte, h header, body []byte) *Original {
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
	o.BodyReturned = len(bytes.TrimSpace(body)) > 0 // no string copy of the whole body
	o.Raw = raw
	o.Headers = slices.Clip([]Field(h)) // as in decodeFlat
	n := 0
	for i := range h {
		if nameIs(h[i].Name, "Received") {
			n++
		}
	}
	if n > 0 {
		o.Received = make([]Received, 0, n)
		for i := range h {
			if nameIs(h[i].Name, "Received") {
				o.Received = append(o.Received, parseReceived(h[i].Value))
			}
		}
	}
	for _, v := range h.all("DKIM-Signature") {
		o.DKIM = append(o.DKIM, parseDKIM(v))
	}
	o.AuthenticationResults = h.all("Authentication-Results")
	// Empty lists, not null, in JSON.
	if o.Received == nil {
		o.Received = []Received{}
	}
	if o.DKIM == nil {
		o.DKIM = []DKIM{}
	}
	if o.AuthenticationResults == nil {
		o.AuthenticationResults = []string{}
	}
	return o
}

// parseReceived parses a Received field value (RFC 5321 section 4.4:
// "from" and "by" clauses, "with", "id", "for", and the date after the last
// ';'), keeping the raw text. The client's IP address is looked for in the
// "from" clause only. Hand-written: the regexps it replaced were a seventh
// of the decoder's time.
func parseReceived(v string) Received {
	r := Received{Raw: v}
	clauses := v
	if i := strings.LastIndexByte(v, ';'); i >= 0 {
		clauses = v[:i]
		r.Date = parseDate(strings.TrimSpace(v[i+1:]))
	}
	var buf [32]string
	fields := fieldsInto(buf[:0], clauses)
	fromEnd := len(fields)
	depth := 0 // inside a comment "( ... )"
	for i := 0; i < len(fields); i++ {
		tok := fields[i]
		open := parenBalance(tok)
		if depth > 0 {
			depth += open
			continue
		}
		if i+1 >= len(fields) {
			break
		}
		// The clause's value, trimmed only after a keyword (Trim with a
		// cutset builds its set at every call: it showed in the profile).
		kw := receivedKeyword(tok)
		next := ""
		if kw != "" {
			next = strings.Trim(fields[i+1], "<>;,")
		}
		switch kw {
		case "from":
			if i == 0 {
				r.From = next
			}
		case "by":
			if r.By == "" {
				r.By = next
				if fromEnd == len(fields) {
					fromEnd = i
				}
			}
		case "with":
			if r.With == "" {
				r.With = next
			}
		case "id":
			if r.ID == "" {
				r.ID = next
			}
		case "for":
			if r.For == "" && strings.Contains(next, "@") {
				r.For = next
			}
		}
		depth += open
		if depth < 0 {
			depth = 0
		}
	}
	for _, tok := range fields[:fromEnd] {
		if ip := ipIn(tok); ip != "" {
			r.IP = ip
			break
		}
	}
	return r
}

// ipIn returns the IPv4 or IPv6 address in a token such as "[192.0.2.1]",
// "(192.0.2.1)", "[IPv6:2001:db8::1]" or "(host.example [192.0.2.1])".
func ipIn(tok string) string {
	t := strings.Trim(tok, "()[];,")
	t = strings.TrimPrefix(t, "IPv6:")
	if i := strings.LastIndexByte(t, '['); i >= 0 {
		t = strings.TrimPrefix(t[i+1:], "IPv6:")
	}
	if !maybeIP(t) {
		// Spares ParseAddr, whose error is an allocation, for the
		// host names and words of every "from" clause.
		return ""
	}
	if a, err := netip.ParseAddr(t); err == nil {
		if a.Is4() {
			return t // ParseAddr takes only the canonical dotted quad
		}
		return a.String()
	}
	return ""
}

// maybeIP reports whether s could be an address that netip.ParseAddr
// accepts: hex digits, dots and colons, or anything with a zone ('%').
func maybeIP(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F', c == '.', c == ':':
		case c == '%':
			return true
		default:
			return false
		}
	}
	return true
}

// parenBalance is the number of '(' in tok less the number of ')'.
func parenBalance(tok string) int {
	n := 0
	for i := 0; i < len(tok); i++ {
		switch tok[i] {
		case '(':
			n++
		case ')':
			n--
		}
	}
	return n
}

// receivedKeyword returns tok lower-cased when it may be one of the
// keywords parseReceived looks for (from, by, with, id, for), else "": a
// lower-cased copy of every host name and word was most of parseReceived's
// allocations. Short non-ASCII tokens are lowered as they were ("İD" is
// "id" to strings.ToLower).
func receivedKeyword(tok string) string {
	if len(tok) < 2 || len(tok) > 8 {
		return ""
	}
	if !isASCII(tok) {
		return strings.ToLower(tok)
	}
	for _, k := range [...]string{"from", "by", "with", "id", "for"} {
		if len(tok) == len(k) && strings.EqualFold(tok, k) {
			return k
		}
	}
	return ""
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
	// Drop a trailing comment such as "(JST)" or "(GMT+09:00)".
	if i := strings.IndexByte(s, '('); i > 0 {
		s = strings.TrimSpace(s[:i])
	}
	if t, ok := parseDateFast(s); ok {
		return t
	}
	if t, err := mail.ParseDate(s); err == nil {
		return t
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

var dayNames = [...]string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// isDayName tells whether s is an abbreviated day name, in any case.
func isDayName(s string) bool {
	for _, d := range dayNames {
		if strings.EqualFold(s, d) {
			return true
		}
	}
	return false
}

// ParseMailDate is net/mail.ParseDate, the common form read by hand first
// (parseDateFast): the same answer, without net/mail's failed attempts at
// its other layouts, each an allocated error.
func ParseMailDate(s string) (time.Time, error) {
	if t, ok := parseDateFast(s); ok {
		return t, nil
	}
	return mail.ParseDate(s)
}

var monthNames = [...]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// parseDateFast reads the common RFC 5322 form "[Mon, ]2 Jan 2006
// 15:04[:05] -0700" by hand. net/mail.ParseDate gives the same answer but
// tries its layouts one after the other, and the failed attempts were a
// tenth of the decoder's time (BenchmarkDecodeCorpus); anything else falls
// back to it.
func parseDateFast(s string) (time.Time, bool) {
	if len(s) > 4 && s[3] == ',' {
		if !isDayName(s[:3]) {
			return time.Time{}, false // net/mail refuses it
		}
		s = strings.TrimLeft(s[4:], " ")
	}
	num := func(n int) (int, bool) { // n digits at the front of s
		if len(s) < n {
			return 0, false
		}
		v := 0
		for i := 0; i < n; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		s = s[n:]
		return v, true
	}
	sep := func(c byte) bool {
		if len(s) == 0 || s[0] != c {
			return false
		}
		s = s[1:]
		if c == ' ' {
			s = strings.TrimLeft(s, " ")
		}
		return true
	}
	dn := 1
	if len(s) > 1 && s[1] >= '0' && s[1] <= '9' {
		dn = 2
	}
	day, ok := num(dn)
	if !ok || !sep(' ') || len(s) < 3 {
		return time.Time{}, false
	}
	mon := 0
	for i, m := range monthNames {
		if strings.EqualFold(s[:3], m) {
			mon = i + 1
		}
	}
	s = s[3:]
	if mon == 0 || !sep(' ') {
		return time.Time{}, false
	}
	year, ok := num(4)
	if !ok || !sep(' ') {
		return time.Time{}, false
	}
	hh, ok := num(2)
	if !ok || !sep(':') {
		return time.Time{}, false
	}
	mm, ok := num(2)
	if !ok {
		return time.Time{}, false
	}
	ss := 0
	if sep(':') {
		if ss, ok = num(2); !ok {
			return time.Time{}, false
		}
	}
	if !sep(' ') || len(s) != 5 || (s[0] != '+' && s[0] != '-') {
		return time.Time{}, false
	}
	sign := s[0]
	s = s[1:]
	zh, ok1 := num(2)
	zm, ok2 := num(2)
	// Offsets past 24 hours are refused by time.Parse, and so by
	// net/mail; the rarer forms it takes (minutes of 60) go to it.
	if !ok1 || !ok2 || zh > 24 || zm > 59 || hh > 23 || mm > 59 || ss > 59 || day < 1 {
		return time.Time{}, false
	}
	off := zh*3600 + zm*60
	if sign == '-' {
		off = -off
	}
	t := time.Date(year, time.Month(mon), day, hh, mm, ss, 0, time.FixedZone("", off))
	if t.Day() != day { // 31 Apr: time.Parse refuses it
		return time.Time{}, false
	}
	// As time.Parse does: an offset the local zone uses at that time
	// gives the local zone.
	if _, lo := t.In(time.Local).Zone(); lo == off {
		t = t.In(time.Local)
	}
	return t, true
}

// fieldsInto is strings.Fields appending to dst, so that parseReceived's
// fields can live in a stack array: a slice per Received field showed in
// the profile of BenchmarkDecodeCLI. Text with any non-ASCII byte goes to
// strings.Fields, which splits on Unicode space too.
func fieldsInto(dst []string, s string) []string {
	if !isASCII(s) {
		return append(dst, strings.Fields(s)...)
	}
	start := -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\v', '\f', '\r':
			if start >= 0 {
				dst = append(dst, s[start:i])
				start = -1
			}
		default:
			if start < 0 {
				start = i
			}
		}
	}
	if start >= 0 {
		dst = append(dst, s[start:])
	}
	return dst
}
