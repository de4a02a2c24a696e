package bounce

import (
	"regexp"
	"strings"

	"github.com/bouncewatch/bouncewatch/reason"
)

// Verizon Wireless (MMS gateway vzwpix.com, SMS gateway vtext.com) and Zoho
// Mail.

// scanVerizon reads the two texts of Verizon's gateways:
//
//	Message could not be delivered to mobile.
//	Error: No valid recipients for this MM
//	Original Message:
//	To: 0000000000@vzwpix.com
//
// and
//
//	Error: Invalid user address
//	Error message below:
//	550 - Requested action not taken: no such user here
//	Message details:
//	  RCPT TO: user@vtext.com
func scanVerizon(m *flat) *scan {
	if !providerHeaderHas(m, "From", "vzwpix.com", "vtext.com", "verizon") {
		return nil
	}
	body := m.Body
	if len(body) > 64<<10 {
		body = body[:64<<10]
	}
	if i := strings.Index(body, "Message could not be delivered to mobile"); i >= 0 {
		text := body[i:]
		_, orig, ok := cutAt(text, "Original Message:")
		if !ok {
			return nil
		}
		var rcpts []string
		var diag string
		for _, line := range strings.Split(text, "\n") {
			t := strings.TrimSpace(line)
			if strings.HasPrefix(t, "Error:") && diag == "" {
				diag = strings.TrimSpace(t[len("Error:"):])
			}
			if strings.HasPrefix(t, "Original Message:") {
				break
			}
		}
		oh, _ := parseHeaderString(strings.TrimLeft(orig, "\n"))
		rcpts = findAddresses(oh.get("To"))
		if len(rcpts) == 0 {
			return nil
		}
		var recs []Record
		for _, a := range rcpts {
			r := Record{Recipient: a, Action: "failed", DiagnosticCode: diag}
			if strings.Contains(strings.ToLower(diag), "no valid recipients") {
				r.Reason = reason.UserUnknown
			}
			recs = append(recs, r)
		}
		return &scan{
			records:  recs,
			original: []byte(strings.TrimLeft(orig, "\n")),
			evidence: []string{"Verizon MMS gateway text 'Message could not be delivered to mobile.'"},
		}
	}
	i := strings.Index(body, "Message details:")
	if i < 0 || !strings.Contains(body[:i], "Error:") {
		return nil
	}
	head, details := body[:i], body[i:]
	var diag []string
	if _, after, ok := cutAt(head, "Error message below:"); ok {
		for _, line := range strings.Split(after, "\n") {
			if t := strings.TrimSpace(line); t != "" && len(diag) < 6 {
				diag = append(diag, t)
			}
		}
	}
	if len(diag) == 0 {
		if j := strings.Index(head, "Error:"); j >= 0 {
			l := head[j+len("Error:"):]
			if nl := strings.IndexByte(l, '\n'); nl >= 0 {
				l = l[:nl]
			}
			diag = append(diag, strings.TrimSpace(l))
		}
	}
	var rcpts []string
	var orig strings.Builder
	for _, line := range strings.Split(details, "\n") {
		t := strings.TrimSpace(line)
		if k, v, ok := strings.Cut(t, ":"); ok {
			switch strings.ToUpper(k) {
			case "RCPT TO":
				rcpts = append(rcpts, findAddresses(v)...)
				orig.WriteString("To: " + strings.TrimSpace(v) + "\n")
			case "SUBJECT":
				orig.WriteString("Subject: " + strings.TrimSpace(v) + "\n")
			case "FROM":
				orig.WriteString("From: " + strings.TrimSpace(v) + "\n")
			}
		}
	}
	if len(rcpts) == 0 {
		return nil
	}
	d := strings.Join(diag, " ")
	// "Error: Invalid user address" is the gateway's own verdict.
	var why reason.Reason
	if strings.Contains(strings.ToLower(head), "error: invalid user address") {
		why = reason.UserUnknown
	}
	var recs []Record
	for _, a := range rcpts {
		recs = append(recs, Record{Recipient: a, Action: "failed", DiagnosticCode: d, DiagnosticType: "SMTP", Reason: why})
	}
	return &scan{
		records:  recs,
		original: []byte(orig.String()),
		evidence: []string{"Verizon SMS gateway text 'Error message below:' and 'Message details:'"},
	}
}

var (
	reZohoInvalid = regexp.MustCompile(`^(\S+@\S+)\s+Invalid Address,\s*(.*)$`)
	reZohoStatus  = regexp.MustCompile(`^\[Status:\s*([^,]*),\s*Address:\s*<?([^>,\s]+)>?,\s*(.*?)\]?$`)
	reZohoCode    = regexp.MustCompile(`ERROR_CODE\s*:\s*|ResponseCode\s+`)
)

// scanZoho reads the bounces of Zoho Mail:
//
//	user@example.org Invalid Address, ERROR_CODE :550, ERROR_CODE :5.1.1 <user@...>... User Unknown
//	[Status: Error, Address: <user@example.org>, ResponseCode 421, , Host not reachable.]
func scanZoho(m *flat) *scan {
	if !providerHeaderHas(m, "X-Mailer", "zoho mail") && !m.hhas("X-ZohoMail") && !providerHeaderHas(m, "From", "zoho.com") {
		return nil
	}
	if !providerFromDaemon(m) {
		return nil
	}
	_, text, ok := cutAt(m.Body, "This message was created automatically by mail delivery")
	if !ok {
		return nil
	}
	var orig []byte
	if j := strings.Index(text, "\nReceived:"); j >= 0 {
		if m.Original == nil {
			orig = []byte(text[j+1:])
		}
		text = text[:j]
	}
	delayed := strings.Contains(text, "THIS IS A WARNING MESSAGE ONLY") || strings.Contains(text, "will be retried")
	var recs []Record
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if t == "" {
			continue
		}
		if mm := reZohoInvalid.FindStringSubmatch(t); mm != nil && findAddress(mm[1]) != "" {
			d := reZohoCode.ReplaceAllString(mm[2], "")
			d = strings.Join(strings.Fields(strings.ReplaceAll(d, ",", " ")), " ")
			recs = append(recs, Record{Recipient: mm[1], Action: "failed", DiagnosticCode: d, DiagnosticType: "SMTP"})
			continue
		}
		if mm := reZohoStatus.FindStringSubmatch(t); mm != nil && findAddress(mm[2]) != "" {
			d := reZohoCode.ReplaceAllString(mm[3], "")
			d = strings.Join(strings.Fields(strings.ReplaceAll(d, ",", " ")), " ")
			r := Record{Recipient: mm[2], Action: "failed", DiagnosticCode: d, DiagnosticType: "SMTP"}
			if delayed {
				r.Action = "delayed"
				r.Reason = reason.Expired
			}
			recs = append(recs, r)
		}
	}
	if len(recs) == 0 {
		return nil
	}
	return &scan{records: recs, original: orig, evidence: []string{"From: MAILER-DAEMON of Zoho Mail (X-ZohoMail / X-Mailer: Zoho Mail)"}}
}

// dsnSelfReporters are providers whose own mailer-daemon sends the DSN when
// their inbound servers refuse a message (the refusal is answered inside
// the provider, so the DSN names no Remote-MTA). Their host tables in the
// classifier key on the remote host: it is taken from the Reporting-MTA or
// the sender of the DSN.
var dsnSelfReporters = []string{"messagelabs.com", "facebook.com"}

// scanSelfReportedDSN reads the DSN of such a provider with the RFC 3464
// reader and names the provider's host as the remote MTA.
func scanSelfReportedDSN(m *flat) *scan {
	if !providerHeaderHas(m, "From", dsnSelfReporters...) {
		return nil
	}
	from := strings.ToLower(findAddress(m.hget("From")))
	at := strings.LastIndexByte(from, '@')
	if at < 0 || !providerFromDaemon(m) {
		return nil
	}
	host := from[at+1:]
	domain := ""
	for _, d := range dsnSelfReporters {
		if host == d || strings.HasSuffix(host, "."+d) {
			domain = d
			break
		}
	}
	if domain == "" {
		return nil
	}
	sc := scanRFC3464(m)
	if sc == nil {
		return nil
	}
	for i := range sc.records {
		r := &sc.records[i]
		if r.RemoteMTA != "" {
			continue
		}
		if rep := strings.ToLower(r.ReportingMTA); strings.HasSuffix(rep, "."+domain) {
			r.RemoteMTA = rep
		} else {
			r.RemoteMTA = host
		}
	}
	sc.evidence = append(sc.evidence, "DSN from the mailer-daemon of "+domain+", which answers for its own inbound servers")
	return sc
}

// providerHeaderHas reports whether the named header of m contains one of
// subs (given in lower case), comparing ASCII letters without regard to
// case and without allocating: the cheap first test of this family's
// recognisers.
func providerHeaderHas(m *flat, name string, subs ...string) bool {
	v := m.hget(name)
	if v == "" {
		return false
	}
	for _, s := range subs {
		if indexFoldASCII(v, s) >= 0 {
			return true
		}
	}
	return false
}

// indexFoldASCII returns the first index of sub (lower case) in s with
// ASCII letters compared without regard to case, or -1.
func indexFoldASCII(s, sub string) int {
	if lowerASCII(sub) {
		// The same answer from indexFold, which searches by the rarest
		// byte at memory speed instead of comparing at every offset.
		return indexFold(s, sub)
	}
	n := len(sub)
	if n == 0 {
		return 0
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
			return i
		}
	}
	return -1
}

// providerFromDaemon is fromMailerDaemon without allocation.
func providerFromDaemon(m *flat) bool {
	return providerHeaderHas(m, "From", "mailer-daemon", "postmaster", "mail delivery", "mail administrator", "mailer_daemon", "noreply", "no-reply")
}
