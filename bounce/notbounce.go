package bounce

import (
	"strings"
)

// notFailure says why an automatic message is not a delivery failure.
type notFailure string

const (
	notFailureNone      notFailure = ""
	notFailureChallenge notFailure = "challenge-response or sender verification request"
	notFailureList      notFailure = "list server's reply to a command or a posting"
	notFailureSuccess   notFailure = "delivery success report"
	notFailureRefused   notFailure = "SMTP server's transcript of mail it refused from a client"
)

// maxOpening bounds how much of a notice's text the bounce-or-not rules and
// the fallback's marks read: its opening, where a notice says what it is.
const maxOpening = 4 << 10

// classifyNotFailure tells apart the automatic messages that look like
// notices but report no failed recipient (issue 7 section 2):
// challenge-response requests (Boxbe and similar), list-server replies to
// commands or postings (Mailman, Majordomo, LISTSERV, fml), delivery
// success reports written as prose, and an SMTP server's transcript of a
// session in which it refused a client's recipients. It is called before the last-resort
// reader and the automatic-reply reader; the format recognisers, which
// read their own formats strictly, run before it. op is the lower-cased
// opening of the notice's text, subj its lower-cased subject.
func classifyNotFailure(f *flat, subj, op string) notFailure {
	if containsAny(subj, challengeWords) || containsAny(op, challengeWords) && !hasReplyCode(op) {
		return notFailureChallenge
	}
	if isListServer(f) && (containsAny(subj, listCommandWords) || containsAny(op, listCommandWords)) &&
		!(containsAny(subj, failureWords) && containsAny(op, failureWords)) {
		// A list's notice that bounced ("Non-Delivery: Your message to
		// X awaits moderator approval", relayed back through the list)
		// says so in both its subject and its opening.
		return notFailureList
	}
	if containsAny(subj, listCommandWords) && !containsAny(subj, failureWords) && !containsAny(op, failureWords) {
		return notFailureList
	}
	if serverTranscript(op) {
		return notFailureRefused
	}
	success := false
	for _, s := range successSubjects {
		if strings.HasPrefix(subj, s) || strings.HasPrefix(s, "delivery status") && strings.Contains(subj, s) {
			success = true
			break
		}
	}
	if !success {
		success = containsAny(op, successOpenings)
	}
	if success && !containsAny(subj, failureWords) && !containsAny(op, failureWords) {
		return notFailureSuccess
	}
	return notFailureNone
}

// challengeDSN reports whether the delivery-status records recs of f are a
// challenge-response system's notice that it holds the message until the
// sender proves to be a person (Boxbe writes a multipart/report with
// "Action: failed", "Status: 4.7.0" and "Diagnostic-Code: X-Boxbe-Notice;
// Sender not pre-approved"): no recipient's diagnostic is an SMTP reply
// code of a refusal (RFC 5321 section 4.2), and the notice's subject or
// text is in the vocabulary of challenges (issue 7 section 2). A remote
// server's refusal that merely mentions a whitelist keeps its reply code
// and stays a failure.
func challengeDSN(f *flat, recs []Record) bool {
	if len(recs) == 0 {
		return false
	}
	for _, r := range recs {
		if hasReplyCode(r.DiagnosticCode) { // digits: no case to fold
			return false
		}
	}
	return classifyNotFailure(f, subjectOf(f), opening(proseText(f))) == notFailureChallenge
}

// isListServer reports whether m comes from a list server's own address
// (From or Sender), or carries the header fields list servers add to
// their own replies (X-Mailman-Version with no List-Post: a command reply).
func isListServer(f *flat) bool {
	for _, name := range []string{"From", "Sender"} {
		a := strings.ToLower(cleanAddress(f.hget(name)))
		local, _, ok := strings.Cut(a, "@")
		if !ok {
			continue
		}
		for _, s := range listServerSenders {
			if strings.HasPrefix(s, "-") && strings.HasSuffix(local, s) ||
				strings.HasSuffix(s, "-") && strings.HasPrefix(local, s) || local == s {
				return true
			}
		}
	}
	return f.hhas("X-Mailman-Version") && !f.hhas("List-Post")
}

// containsAny reports whether the lower-cased text s contains one of the
// lower-case phrases.
func containsAny(s string, phrases []string) bool {
	if s == "" {
		return false
	}
	for _, p := range phrases {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// hasReplyCode reports whether s holds an SMTP reply code of a failure
// (4xx or 5xx, RFC 5321 section 4.2) as a word of its own, followed by a
// space, a hyphen or an enhanced status code.
func hasReplyCode(s string) bool {
	_, ok := findFailureCode(s)
	return ok
}

// findFailureCode returns the offset of the first 4xx/5xx reply code (RFC
// 5321 section 4.2.1: second digit 0-5) or enhanced status code (RFC 3463:
// 4.x.x or 5.x.x) in s that stands as a word of its own.
func findFailureCode(s string) (int, bool) {
	for i := 0; i+3 <= len(s); i++ {
		c := s[i]
		if c != '4' && c != '5' {
			continue
		}
		if i > 0 && (isDigit(s[i-1]) || s[i-1] == '.' || isLetter(s[i-1]) || s[i-1] == ':' || s[i-1] == '-') {
			continue
		}
		// Enhanced status code: 5.1.1, 4.7.0, 5.4.14 (RFC 3463 section 2).
		if s[i+1] == '.' {
			j := i + 2
			d1 := 0
			for j < len(s) && isDigit(s[j]) && d1 < 3 {
				j++
				d1++
			}
			if d1 == 0 || j >= len(s) || s[j] != '.' {
				continue
			}
			j++
			d2 := 0
			for j < len(s) && isDigit(s[j]) && d2 < 3 {
				j++
				d2++
			}
			if d2 > 0 && (j == len(s) || !isDigit(s[j]) && s[j] != '.') {
				return i, true
			}
			continue
		}
		if !isDigit(s[i+1]) || s[i+1] > '5' || !isDigit(s[i+2]) {
			continue
		}
		if i+3 == len(s) {
			return i, true
		}
		if n := s[i+3]; n == ' ' || n == '-' || n == '\t' {
			return i, true
		}
	}
	return 0, false
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// openingText returns the lower-cased first maxOpening bytes of the text
// parts of m, without copying the rest.
func openingText(f *flat) string {
	var sb strings.Builder
	for _, p := range f.Parts {
		if sb.Len() >= maxOpening {
			break
		}
		if strings.HasPrefix(p.Type, "text/") && p.Type != "text/rfc822-headers" {
			sb.WriteString(clip(p.Text, maxOpening-sb.Len()))
			sb.WriteByte('\n')
		}
	}
	return strings.ToLower(sb.String())
}

// serverTranscript reports whether the lower-cased opening op holds the
// transcript of a session as an SMTP server saw it ("Transcript of session
// follows.", Postfix's notice to the postmaster): the client's commands
// are its input, "In:  RCPT TO:<...>". A recipient refused there was
// addressed to this system by a client; the recognisers read the sessions
// of the host's own clients (scanPostfixSMTPD), the rest reports no
// delivery of ours. An SMTP client's transcript sends "Out: RCPT TO:".
func serverTranscript(op string) bool {
	at := strings.Index(op, "transcript of session follows")
	if at < 0 {
		return false
	}
	for line := range strings.Lines(op[at:]) {
		t := strings.TrimLeft(line, " \t")
		if strings.HasPrefix(t, "in:") && strings.Contains(t, "rcpt to:") {
			return true
		}
	}
	return false
}
