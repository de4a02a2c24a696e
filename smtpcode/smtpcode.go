// Package smtpcode finds SMTP reply codes (RFC 5321, "550") and enhanced
// status codes (RFC 3463, "5.1.1") in the free text of bounce messages.
//
// The finders are deliberately conservative: a diagnostic text is full of
// numbers that look like codes (IP addresses, version numbers, dates, ports,
// queue ids), and a wrong code is worse than none.
package smtpcode

import "strings"

// FindStatus returns the first plausible enhanced status code in text, such
// as "5.1.1", "4.7.0" or "5.7.26", or "" when there is none.
//
// A code is class 2, 4 or 5, a subject of one digit 0-7 and a detail of one
// to three digits. It must stand alone: not preceded by a letter, digit, dot
// or similar, and not followed by a letter, a digit or a dot plus digit (so
// that "192.168.1.1", "v2.1.3" or "5.1.1.4" never count). When a code follows
// a reply code ("550 5.1.1" or "550-5.1.1"), that one is preferred over an
// earlier one that does not.
func FindStatus(text string) string {
	first := ""
	for i := 0; i+4 < len(text); i++ {
		c := text[i]
		if c != '2' && c != '4' && c != '5' {
			continue
		}
		n := statusAt(text, i)
		if n == 0 {
			continue
		}
		code := text[i : i+n]
		if followsReplyCode(text, i) {
			return code
		}
		if first == "" {
			first = code
		}
		i += n - 1
	}
	return first
}

// statusAt returns the length of an enhanced status code that starts at
// text[i], or 0 when there is none.
func statusAt(text string, i int) int {
	if i > 0 && !statusLeft(text[i-1]) {
		return 0
	}
	if i+4 >= len(text) {
		return 0
	}
	// class
	if text[i+1] != '.' {
		return 0
	}
	// subject: one digit 0-7
	s := text[i+2]
	if s < '0' || s > '7' {
		return 0
	}
	if text[i+3] != '.' {
		return 0
	}
	j := i + 4
	k := j
	for k < len(text) && k-j < 4 && isDigit(text[k]) {
		k++
	}
	if k == j || k-j > 3 {
		return 0
	}
	if k < len(text) {
		r := text[k]
		if isAlnum(r) || r == '_' || r == '-' && k+1 < len(text) && isDigit(text[k+1]) {
			return 0
		}
		if (r == '.' || r == ':' || r == '/') && k+1 < len(text) && isDigit(text[k+1]) {
			return 0
		}
	}
	return k - i
}

// statusLeft reports whether c may precede an enhanced status code.
func statusLeft(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '#', '(', '[', '<', '{', ':', ';', '"', '\'', '=', ',', '-':
		return true
	}
	return false
}

// followsReplyCode reports whether the code at text[i] comes right after a
// three-digit reply code and one space or hyphen ("550 5.1.1", "550-5.1.1").
func followsReplyCode(text string, i int) bool {
	if i < 4 {
		return false
	}
	sep := text[i-1]
	if sep != ' ' && sep != '-' {
		return false
	}
	r := text[i-4 : i-1]
	if !isReplyDigits(r) {
		return false
	}
	return i == 4 || !isAlnum(text[i-5]) && text[i-5] != '.'
}

// FindReplyCode returns the first SMTP reply code (2xx, 4xx or 5xx) in text
// that stands as a reply code, or "" when there is none.
//
// A number counts when it stands at the start of the text or of a line, or
// right after one of the markers MTAs put before a reply ("said:", "<<<",
// "SMTP error", "reason:", "smtp;", ...), or when an enhanced status code
// follows it. It must be followed by a space, a hyphen, the end of the text
// or a line break. Numbers inside IP addresses, ports, dates and queue ids do
// not count.
func FindReplyCode(text string) string {
	for i := 0; i+3 <= len(text); i++ {
		c := text[i]
		if c != '2' && c != '4' && c != '5' {
			continue
		}
		if !isReplyDigits(text[i : i+3]) {
			continue
		}
		if i > 0 && (isAlnum(text[i-1]) || strings.IndexByte(".:/_-+[", text[i-1]) >= 0) {
			continue
		}
		end := i + 3
		if end < len(text) {
			r := text[end]
			if r != ' ' && r != '-' && r != '\r' && r != '\n' && r != '\t' {
				continue
			}
			if r == '-' && end+1 < len(text) && isDigit(text[end+1]) && !(end+2 < len(text) && text[end+2] == '.') {
				// "550-12" looks like a range or an id, not "550-5.1.1"
				continue
			}
		}
		if replyContext(text, i) {
			return text[i:end]
		}
		// "451 4.7.1 ..." anywhere counts too.
		if end+1 < len(text) && statusAt(text, end+1) > 0 {
			if s := text[end+1]; s == '2' || s == '4' || s == '5' {
				return text[i:end]
			}
		}
	}
	return ""
}

// replyMarkers are the texts MTAs put right before a reply code.
var replyMarkers = []string{
	"said:", "<<<", "smtp error", "reason:", "smtp;", "response:", "reply:",
	"responded:", "replied:", "code:", "error:", "returned:", "status:",
	"answer:", "message:", "rejected:", "failed:", "diagnostic-code:",
}

// replyContext reports whether the number at text[i] stands where a reply
// code does: at the start of the text or a line (leading blanks allowed), or
// after a marker such as "said:".
func replyContext(text string, i int) bool {
	j := i
	for j > 0 && (text[j-1] == ' ' || text[j-1] == '\t') {
		j--
	}
	if j == 0 || text[j-1] == '\n' || text[j-1] == '\r' {
		return true
	}
	// only a short look-back: markers are short
	start := j - 20
	if start < 0 {
		start = 0
	}
	before := strings.ToLower(text[start:j])
	for _, m := range replyMarkers {
		if strings.HasSuffix(before, m) {
			return true
		}
	}
	// "(in reply to ...) 550" is not a marker, but "smtp error from remote
	// mail server after RCPT TO:<a@b>: 550" is: the colon after an address.
	if strings.HasSuffix(before, ">:") {
		return true
	}
	return false
}

// Class returns the class of an enhanced status code or reply code: '2', '4'
// or '5', or 0 when status is not one.
func Class(status string) byte {
	if status == "" {
		return 0
	}
	switch c := status[0]; c {
	case '2', '4', '5':
		if len(status) >= 5 && status[1] == '.' || len(status) == 3 && isReplyDigits(status) {
			return c
		}
	}
	return 0
}

// IsTemporary reports whether an enhanced status code ("4.2.2") or a reply
// code ("421") says the failure is temporary (class 4).
func IsTemporary(statusOrReplyCode string) bool {
	return Class(statusOrReplyCode) == '4'
}

func isReplyDigits(s string) bool {
	if len(s) != 3 {
		return false
	}
	if s[0] != '2' && s[0] != '4' && s[0] != '5' {
		return false
	}
	return s[1] >= '0' && s[1] <= '5' && isDigit(s[2])
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
