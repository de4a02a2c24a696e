package bounce

import (
	"regexp"
	"strconv"
	"strings"
)

// proseText returns the human-readable text parts of a message (not the
// delivery-status or returned-message parts), joined. It is built once
// per message: the decoder and nine recognisers ask for it, and building
// it again for each was a tenth of the bytes decode allocated
// (BenchmarkDecodeCLI).
func proseText(f *flat) string {
	if f.proseDone {
		return f.prose
	}
	n := 0
	for _, p := range f.Parts {
		if isProsePart(p.Type) {
			n += len(p.Text) + 1
		}
	}
	var sb strings.Builder
	sb.Grow(n)
	for _, p := range f.Parts {
		if isProsePart(p.Type) {
			sb.WriteString(p.Text)
			sb.WriteByte('\n')
		}
	}
	f.prose, f.proseDone = sb.String(), true
	return f.prose
}

// isProsePart reports whether a part of media type t is text for a person.
func isProsePart(t string) bool {
	return strings.HasPrefix(t, "text/") && t != "text/rfc822-headers"
}

// subjectOf returns the decoded Subject of m in lower case, decoded once
// per message (a dozen recognisers ask).
func subjectOf(m *flat) string {
	if !m.subjectDone {
		m.subject, m.subjectDone = strings.ToLower(decodeWords(m.hget("Subject"))), true
	}
	return m.subject
}

// prose indexes the addresses of a text once, so that the paragraphs of
// many recipients (a DSN may list thousands) are found without searching
// the whole text for each.
type prose struct {
	text string
	at   map[string]int // lower-case address -> offset of its first mention
}

func newProse(text string) *prose {
	p := &prose{text: text}
	if !strings.Contains(text, "@") {
		return p
	}
	p.at = make(map[string]int, 4)
	for off := 0; ; {
		a, start, end := nextAddress(text, off)
		if a == "" {
			break
		}
		k := strings.ToLower(a)
		if _, ok := p.at[k]; !ok {
			p.at[k] = start
		}
		off = end
	}
	return p
}

func (p *prose) paragraph(addrs ...string) string {
	at := -1
	for _, a := range addrs {
		// A DSN field may hold the address in angle brackets
		// ("rfc822;<user@example.net>", CommuniGate Pro): the text's
		// addresses are indexed without them.
		a = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(a), "<"), ">")
		if a == "" {
			continue
		}
		if i, ok := p.at[strings.ToLower(a)]; ok && (at < 0 || i < at) {
			at = i
		}
	}
	if at < 0 {
		return ""
	}
	text := p.text
	start := strings.LastIndexByte(text[:at], '\n') + 1
	var out []string
	rest := text[start:]
	for i := 0; rest != "" && len(out) < 12; i++ {
		l := rest
		if nl := strings.IndexByte(rest, '\n'); nl >= 0 {
			l, rest = rest[:nl], rest[nl+1:]
		} else {
			rest = ""
		}
		t := strings.TrimSpace(l)
		if t == "" {
			if i == 0 {
				continue
			}
			break
		}
		if i > 0 && l[0] != ' ' && l[0] != '\t' && strings.HasPrefix(t, "<") && strings.Contains(t, "@") {
			break // the next recipient
		}
		out = append(out, t)
	}
	return strings.Join(out, " ")
}

// commandPhrases are the lower-case ways in which MTAs say which SMTP
// command an error answered, most specific first.
var commandPhrases = []struct{ phrase, cmd string }{
	{"in reply to rcpt to", "RCPT"}, {"after rcpt to", "RCPT"}, {"in reply to rcpt", "RCPT"},
	{"response to rcpt to", "RCPT"}, {"rcpt to response", "RCPT"},
	{"in reply to end of data", "DATA"}, {"after end of data", "DATA"}, {"in reply to data", "DATA"},
	{"after data", "DATA"}, {"response to data", "DATA"}, {"in reply to bdat", "DATA"},
	{"in reply to mail from", "MAIL"}, {"after mail from", "MAIL"}, {"in reply to mail", "MAIL"},
	{"response to mail from", "MAIL"}, {"mail from response", "MAIL"},
	{"in reply to ehlo", "EHLO"}, {"after ehlo", "EHLO"}, {"in reply to helo", "HELO"}, {"after helo", "HELO"},
	{"in reply to starttls", "STARTTLS"}, {"after starttls", "STARTTLS"},
	{"in reply to auth", "AUTH"}, {"in reply to xforward", "XFORWARD"},
	{"after initial connection", "CONN"}, {"while connecting", "CONN"}, {"after connect", "CONN"},
}

// commandKeys are the words of which every command phrase holds one;
// commandPhraseKey[i] is the index in commandKeys of commandPhrases[i]'s.
var commandKeys = [...]string{"in reply to", "after", "response", "while connecting"}

var commandPhraseKey = func() []int {
	keys := make([]int, len(commandPhrases))
	for i, c := range commandPhrases {
		keys[i] = -1
		for k, key := range commandKeys {
			if strings.Contains(c.phrase, key) {
				keys[i] = k
				break
			}
		}
		if keys[i] < 0 {
			panic("bounce: command phrase without a key word: " + c.phrase)
		}
	}
	return keys
}()

// findCommand returns the SMTP command that an error text says was
// answered: "(in reply to RCPT TO command)", "after RCPT TO:", ...
func findCommand(s string) string {
	if s == "" {
		return ""
	}
	// ASCII text (nearly all) is searched in place; lowering a copy of
	// every diagnostic showed in the decoder's profile.
	index := func(sub string) int { return indexFold(s, sub) }
	if !isASCII(s) {
		lower := strings.ToLower(s)
		index = func(sub string) int { return strings.Index(lower, sub) }
	}
	// A phrase is looked for only when its key word is in the text: the
	// 27 searches of the whole text showed in the profile of
	// BenchmarkDecodeCLI.
	var present [len(commandKeys)]bool
	found := false
	for k, key := range commandKeys {
		present[k] = index(key) >= 0
		found = found || present[k]
	}
	if !found {
		return ""
	}
	best, cmd := -1, ""
	for j, c := range commandPhrases {
		if !present[commandPhraseKey[j]] {
			continue
		}
		if i := index(c.phrase); i >= 0 && (best < 0 || i < best) {
			best, cmd = i, c.cmd
		}
	}
	return cmd
}

// commandName maps the ways MTAs name a command to its verb.
func commandName(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	switch {
	case strings.HasPrefix(s, "RCPT"):
		return "RCPT"
	case strings.HasPrefix(s, "MAIL"):
		return "MAIL"
	case strings.HasSuffix(s, "DATA"), s == "BDAT":
		return "DATA"
	case s == "HELO", s == "EHLO", s == "STARTTLS", s == "AUTH", s == "QUIT", s == "XFORWARD":
		return s
	}
	return ""
}

var reRemoteHost = regexp.MustCompile(`(?i)\bhost\s+([a-z0-9][a-z0-9.-]*\.[a-z]{2,})(?:\s*\[[0-9a-f.:]+\])?\s+said`)

// findRemoteHost returns the remote host named in "host mx.example.com[...]
// said:" (Postfix and Sendmail prose).
func findRemoteHost(s string) string {
	if indexFold(s, "said") < 0 {
		return "" // no need to run the expression
	}
	if m := reRemoteHost.FindStringSubmatch(s); m != nil {
		return strings.ToLower(m[1])
	}
	return ""
}

// expiryDays returns the number of days a server says it kept trying
// ("could not be delivered for 5 days", "after 120 hours", "within the
// last 2 days", "over 48h"), or 0. It finds the first number that follows
// white space and is followed by a unit, then checks what precedes it
// (one of for, after, over, than, within; optionally "the last/past"):
// what the regular expression
//
//	(?i)(?:for|after|over|than|within)\s+(?:the\s+(?:last|past)\s+)?(\d{1,3}(?:\.\d+)?)\s*(days?|hours?|h\b)
//
// finds (TestExpiryDaysMatchesRegexp), without running a backtracking
// matcher over every expired notice's whole text (BenchmarkDecodeCLI).
func expiryDays(s string) int {
	if indexFold(s, "day") < 0 && indexFold(s, "hour") < 0 {
		return 0
	}
	for i := 1; i < len(s); i++ {
		if !isDigit(s[i]) || !isRegexpSpace(s[i-1]) {
			continue
		}
		num, unit, ok := expiryAt(s, i)
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(num, 64)
		if err != nil || v <= 0 {
			return 0
		}
		if unit == 'h' {
			v /= 24
		}
		return max(int(v+0.5), 1)
	}
	return 0
}

// expiryAt reads "N[.N] unit" at s[i:] (i at the first digit, after white
// space) and checks the words before it; unit is 'd' or 'h'.
func expiryAt(s string, i int) (num string, unit byte, ok bool) {
	j := i
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	if j-i > 3 {
		return "", 0, false
	}
	if j+1 < len(s) && s[j] == '.' && isDigit(s[j+1]) {
		j++
		for j < len(s) && isDigit(s[j]) {
			j++
		}
	}
	num = s[i:j]
	for j < len(s) && isRegexpSpace(s[j]) {
		j++
	}
	rest := s[j:]
	switch {
	case hasPrefixFold(rest, "day"):
		unit = 'd'
	case hasPrefixFold(rest, "hour"):
		unit = 'h'
	case len(rest) > 0 && (rest[0] == 'h' || rest[0] == 'H') && (len(rest) == 1 || !isWordChar(rest[1])):
		unit = 'h'
	default:
		return "", 0, false
	}
	before := trimSpaceRight(s[:i], 1)
	if before < 0 {
		return "", 0, false
	}
	if expiryKeyword(s[:before]) {
		return num, unit, true
	}
	// "the last" or "the past" between the keyword and the number.
	if !hasSuffixFold(s[:before], "last") && !hasSuffixFold(s[:before], "past") {
		return "", 0, false
	}
	k := trimSpaceRight(s[:before-4], 1)
	if k < 0 || !hasSuffixFold(s[:k], "the") {
		return "", 0, false
	}
	k = trimSpaceRight(s[:k-3], 1)
	if k < 0 || !expiryKeyword(s[:k]) {
		return "", 0, false
	}
	return num, unit, true
}

func expiryKeyword(s string) bool {
	for _, kw := range [...]string{"for", "after", "over", "than", "within"} {
		if hasSuffixFold(s, kw) {
			return true
		}
	}
	return false
}

// trimSpaceRight returns the length of s without its trailing white space
// (as \s in a regular expression: space, tab, LF, FF, CR), or -1 when fewer
// than min bytes of it end s.
func trimSpaceRight(s string, min int) int {
	k := len(s)
	for k > 0 && isRegexpSpace(s[k-1]) {
		k--
	}
	if len(s)-k < min {
		return -1
	}
	return k
}

func isRegexpSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isWordChar(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}

func hasSuffixFold(s, suf string) bool {
	return len(s) >= len(suf) && strings.EqualFold(s[len(s)-len(suf):], suf)
}

// cutAt splits text at the first of the markers found (compared without
// regard to case) and returns the text before it and the text after the
// line that holds it. ok is false when no marker occurs.
func cutAt(text string, markers ...string) (before, after string, ok bool) {
	best := -1
	lower := ""
	for _, m := range markers {
		var i int
		if isASCII(m) {
			// Searched in place: lowering a copy of a whole body for
			// every marker showed in the decoder's profile, and a
			// lowered copy of each marker in BenchmarkDecodeCLI's.
			i = indexFold(text, m)
		} else {
			if lower == "" {
				lower = strings.ToLower(text)
			}
			i = strings.Index(lower, strings.ToLower(m))
		}
		if i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	if best < 0 {
		return text, "", false
	}
	before = text[:best]
	after = text[best:]
	if nl := strings.IndexByte(after, '\n'); nl >= 0 {
		after = after[nl+1:]
	} else {
		after = ""
	}
	return before, after, true
}

// isASCII reports whether s is all ASCII.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// indexFold returns the first index of sub in s with ASCII letters
// compared without regard to case (sub may be given in either case), or
// -1. It jumps with IndexByte between the places of the byte of sub that
// is rarest in mail text, in both its cases ("y" of "in reply to", not
// its "i"), so that it runs at memory speed over long bodies; an ASCII sub
// is then compared byte by byte (strings.EqualFold, which the comparison
// of an ASCII sub amounts to, was a third of the time of this function).
func indexFold(s, sub string) int {
	n := len(sub)
	if n == 0 {
		return 0
	}
	if n > len(s) {
		return -1
	}
	ascii := isASCII(sub)
	a := 0 // the anchor: the offset in sub of the byte looked for
	if ascii {
		for k := 1; k < n; k++ {
			if byteRarity[sub[k]] > byteRarity[sub[a]] {
				a = k
			}
		}
	}
	lo, up := sub[a], sub[a]
	if l := lo | 0x20; 'a' <= l && l <= 'z' {
		lo, up = l, l-('a'-'A')
	}
	// The anchor of a match starting at i is at i+a: t holds the places
	// it can have.
	t := s[:len(s)-n+a+1]
	next := func(c byte, i int) int {
		if k := strings.IndexByte(t[i:], c); k >= 0 {
			return i + k
		}
		return len(t)
	}
	pl, pu := next(lo, a), len(t)
	if up != lo {
		pu = next(up, a)
	}
	for {
		i := min(pl, pu)
		if i >= len(t) {
			return -1
		}
		w := s[i-a : i-a+n]
		if ascii && equalFoldASCII(w, sub) || !ascii && strings.EqualFold(w, sub) {
			return i - a
		}
		// Move past i only the finder that stood there; the other one
		// is still ahead and stays valid.
		if pl == i {
			pl = next(lo, i+1)
		}
		if pu == i {
			pu = next(up, i+1)
		}
	}
}

// lowerASCII reports whether s is ASCII without upper-case letters.
func lowerASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return true
}

// equalFoldASCII reports whether a and b, of the same length, are equal
// with ASCII letters compared without regard to case.
func equalFoldASCII(a, b string) bool {
	for i := 0; i < len(a); i++ {
		c, d := a[i], b[i]
		if c == d {
			continue
		}
		if l := c | 0x20; l != d|0x20 || l < 'a' || l > 'z' {
			return false
		}
	}
	return true
}

// byteRarity scores how seldom each byte occurs in the text of mail
// (higher: rarer): letters by their frequency in English, white space and
// common punctuation below them, other bytes above. indexFold anchors its
// search on the rarest byte of what it looks for.
var byteRarity = func() (r [256]uint8) {
	for c := range r {
		r[c] = 40
	}
	for i, c := range []byte("etaoinshrdlcumwfgypbvkjxqz") {
		r[c], r[c-('a'-'A')] = uint8(10+i), uint8(10+i)
	}
	for c := '0'; c <= '9'; c++ {
		r[c] = 30
	}
	for _, c := range []byte(" \t\n.,:-") {
		r[c] = 1
	}
	return r
}()

// findAddress returns the first e-mail address in s, or "".
func findAddress(s string) string {
	a, _, _ := nextAddress(s, 0)
	return a
}

// findAddresses returns every distinct e-mail address in s, in order.
func findAddresses(s string) []string {
	var out []string
	var seen map[string]bool
	for off := 0; ; {
		a, _, end := nextAddress(s, off)
		if a == "" {
			return out
		}
		off = end
		if seen == nil {
			seen = map[string]bool{}
		}
		if k := strings.ToLower(a); !seen[k] {
			seen[k] = true
			out = append(out, a)
		}
	}
}

// nextAddress finds the next e-mail address in s at or after off and
// returns it with its start and end offsets; "" when there is none. It
// expands around each '@' over the characters of a local part (RFC 5322
// dot-atom) and of a domain with at least one dot. Hand-written: a regexp
// here was a third of the decoder's time.
func nextAddress(s string, off int) (string, int, int) {
	for off < len(s) {
		i := strings.IndexByte(s[off:], '@')
		if i < 0 {
			return "", 0, 0
		}
		at := off + i
		start := at
		for start > 0 && isLocalChar(s[start-1]) {
			start--
		}
		end := at + 1
		dots := 0
		for end < len(s) && (isDomainChar(s[end])) {
			if s[end] == '.' {
				dots++
			}
			end++
		}
		// Trim dots and hyphens at either end.
		for start < at && s[start] == '.' {
			start++
		}
		for end > at+1 && (s[end-1] == '.' || s[end-1] == '-') {
			if s[end-1] == '.' {
				dots--
			}
			end--
		}
		// An address quoted in apostrophes ('user@example.jp', as
		// CommuniGate Pro and others write it) does not start with one,
		// though RFC 5322 atext allows it.
		for start < at && s[start] == '\'' && end < len(s) && s[end] == '\'' {
			start++
		}
		if start < at && end > at+1 && dots > 0 && s[at+1] != '.' {
			return s[start:end], start, end
		}
		off = at + 1
	}
	return "", 0, 0
}

func isLocalChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte("!#$%&'*+/=?^_{|}~.-", c) >= 0
}

func isDomainChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
}

// headerHas reports whether the named header of m contains any of the
// substrings, compared in lower case (give the substrings in lower case).
func headerHas(m *flat, name string, subs ...string) bool {
	v := m.hget(name)
	if v == "" {
		return false
	}
	if !isASCII(v) {
		v = strings.ToLower(v)
		for _, s := range subs {
			if strings.Contains(v, s) {
				return true
			}
		}
		return false
	}
	// Compared in place: lowering a copy of the header for every call
	// showed in the profile of decode (BenchmarkDecodeCLI).
	for _, s := range subs {
		if isASCII(s) && indexFold(v, s) >= 0 {
			return true
		}
	}
	return false
}

// fromMailerDaemon reports whether m comes from a mailer-daemon,
// postmaster or a similar system sender.
func fromMailerDaemon(m *flat) bool {
	return headerHas(m, "From", "mailer-daemon", "postmaster", "mail delivery", "mail administrator", "mailer_daemon", "noreply", "no-reply")
}

// findLinks returns the distinct http(s) URLs in s, at most max of them.
func findLinks(s string, max int) []string {
	var out []string
	for off := 0; len(out) < max; {
		i := strings.Index(s[off:], "http")
		if i < 0 {
			break
		}
		i += off
		rest := s[i:]
		if !strings.HasPrefix(rest, "http://") && !strings.HasPrefix(rest, "https://") {
			off = i + 4
			continue
		}
		end := strings.IndexAny(rest, " \t\n<>\"'()[]")
		if end < 0 {
			end = len(rest)
		}
		u := strings.TrimRight(rest[:end], ".,;:")
		dup := false
		for _, o := range out {
			if o == u {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, u)
		}
		off = i + end
	}
	return out
}
