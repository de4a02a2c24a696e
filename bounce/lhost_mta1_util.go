package bounce

import (
	"strings"
)

// Helpers shared by the mta1 recognisers (Postfix, Sendmail, V5 Sendmail,
// DragonFly DMA, OpenSMTPD, Courier, Apache James).

// mta1Fold folds runs of white space (line ends included) to one space.
func mta1Fold(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// mta1After returns the text of s after the first occurrence of marker, or
// "" and false when marker does not occur.
func mta1After(s, marker string) (string, bool) {
	i := strings.Index(s, marker)
	if i < 0 {
		return "", false
	}
	return s[i+len(marker):], true
}

// mta1SplitOriginal cuts text before the first line holding one of the
// markers; orig is the text after that line (the returned message), nil when
// no marker occurs or nothing follows it.
func mta1SplitOriginal(text string, markers ...string) (report string, orig []byte) {
	before, after, ok := cutAt(text, markers...)
	if !ok {
		return text, nil
	}
	after = strings.TrimLeft(after, "\n")
	if strings.TrimSpace(after) == "" {
		return before, nil
	}
	return before, []byte(after)
}

// mta1Unquote removes the "> " quoting of a bounce forwarded inline by a
// person ("Begin forwarded message:"), so that its markers can be read.
// Lines without the quote are kept as they are.
func mta1Unquote(s string) string {
	if !strings.Contains(s, "\n>") {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ">") {
			l = l[1:]
			if strings.HasPrefix(l, " ") && !strings.HasPrefix(l, ">>") {
				l = l[1:]
			}
			lines[i] = l
		}
	}
	return strings.Join(lines, "\n")
}

// mta1IndexRecipient returns the index of the record for addr in recs
// (compared without regard to case), or -1.
func mta1IndexRecipient(recs []Record, addr string) int {
	a := cleanAddress(addr)
	for i := range recs {
		if strings.EqualFold(cleanAddress(recs[i].Recipient), a) {
			return i
		}
	}
	return -1
}

// mta1Bracketed returns the address inside the first <...> of s, or the
// first address in s when it has no angle brackets.
func mta1Bracketed(s string) string {
	if i := strings.IndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 1 {
			if a := s[i+1 : i+j]; strings.Contains(a, "@") {
				return a
			}
		}
	}
	return findAddress(s)
}

// mta1HasHeaderValue reports whether any field named name contains sub
// (case-sensitive; sub is a fixed marker such as "(DragonFly Mail Agent").
func mta1HasHeaderValue(m *flat, name, sub string) bool {
	for i := range m.Header {
		if strings.EqualFold(m.Header[i].Name, name) && strings.Contains(m.Header[i].Value, sub) {
			return true
		}
	}
	return false
}

// mta1InlineDSN reads delivery-status fields written into the text of a
// message (a notification forwarded inline, or quoted): the block starting
// at the first "Reporting-MTA:" or "Final-Recipient:" line. It returns nil
// when there is none.
func mta1InlineDSN(text string) []Record {
	i := strings.Index(text, "\nFinal-Recipient:")
	if i < 0 {
		return nil
	}
	if j := strings.LastIndex(text[:i], "\nReporting-MTA:"); j >= 0 && i-j < 2000 {
		i = j
	}
	block := text[i+1:]
	// The block ends where the returned message starts.
	if k := strings.Index(block, "\nContent-Type: "); k >= 0 {
		block = block[:k]
	}
	s := scanRFC3464(&flat{Parts: []part{{Type: "message/delivery-status", Text: block}}})
	if s == nil {
		return nil
	}
	return s.records
}

// mta1SquashReply removes the repeated reply code and status of a
// multi-line SMTP reply written on one line: "550-5.2.1 The user ... 550-5.2.1
// prevents ..." becomes "550-5.2.1 The user ... prevents ...".
func mta1SquashReply(s string) string {
	s = mta1Fold(s)
	if !mta1ReplyStart(s) || len(s) < 5 {
		return s
	}
	code := s[:3]
	f := strings.Fields(s[4:])
	status := ""
	if len(f) > 0 && len(f[0]) >= 5 && f[0][1] == '.' && (f[0][0] == '2' || f[0][0] == '4' || f[0][0] == '5') {
		status = f[0]
	}
	head, rest := s[:4], s[4:]
	for _, sep := range []string{"-", " "} {
		if status != "" {
			rest = strings.ReplaceAll(rest, " "+code+sep+status+" ", " ")
		}
		rest = strings.ReplaceAll(rest, " "+code+sep, " ")
	}
	return head + rest
}
