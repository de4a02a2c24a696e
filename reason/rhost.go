package reason

import (
	"strconv"
	"strings"
)

// Tables for remote hosts whose error messages are documented (or well
// known) and say more than their status codes. When the host that answered
// belongs to one of these providers, its table is tried before the general
// probes. All tables are read only.

// hostRule is one documented message of a provider: the reason, an optional
// status code the message comes with (compared without its class, so that
// "7.26" covers 4.7.26 and 5.7.26; "" for any), and a lower-case fragment.
type hostRule struct {
	reason Reason
	status string
	phrase string
}

// provider is one mailbox provider: the suffixes of its MX host names and
// the function that reads its messages.
type provider struct {
	name     string
	suffixes []string
	decide   func(*facts) Reason
}

var providers = []provider{
	{"Google", []string{"aspmx.l.google.com", "gmail-smtp-in.l.google.com", ".google.com"}, byRules(googleRules)},
	{"GoogleWorkspace", []string{"googlemail.com"}, decideGoogleWorkspace},
	{"Microsoft", []string{".prod.outlook.com", ".protection.outlook.com", ".onmicrosoft.com", ".exchangelabs.com", ".outlook.com"}, decideMicrosoft},
	{"Outlook", []string{".hotmail.com", ".live.com"}, byRules(outlookRules)},
	{"YahooInc", []string{".yahoodns.net", ".yahoo.com"}, byRules(yahooRules)},
	{"Aol", []string{".mail.aol.com", ".mx.aol.com"}, byRules(aolRules)},
	{"Apple", []string{".mail.icloud.com", ".apple.com", ".me.com"}, byRules(appleRules)},
	{"FrancePTT", []string{".laposte.net", ".orange.fr", ".wanadoo.fr"}, decideFrancePTT},
	{"NTTdocomo", []string{"mfsmax.docomo.ne.jp"}, decideDocomo},
	{"KDDI", []string{".ezweb.ne.jp", "msmx.au.com"}, byRules(kddiRules)},
	{"Zoho", []string{".zoho.com", ".zohomail.com"}, byRules(zohoRules)},
	{"Tencent", []string{".qq.com"}, byRules(tencentRules)},
	{"Cox", []string{"cox.net"}, byRules(coxRules)},
	{"Spectrum", []string{"charter.net"}, decideSpectrum},
	{"GoDaddy", []string{"smtp.secureserver.net", "mailstore1.secureserver.net"}, byRules(godaddyRules)},
	{"Mimecast", []string{".mimecast.com"}, byRules(mimecastRules)},
	{"MessageLabs", []string{".messagelabs.com"}, decideMessageLabs},
	{"Cloudflare", []string{".mx.cloudflare.net"}, byRules(cloudflareRules)},
	{"Facebook", []string{".facebook.com"}, byRules(facebookRules)},
	{"IUA", []string{".email.ua"}, byRules(iuaRules)},
}

// hostName reduces a Remote-MTA value ("dns; mx.example.jp [192.0.2.1]") to
// a lower-case host name.
func hostName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexByte(s, ';'); i >= 0 {
		s = strings.TrimSpace(s[i+1:])
	}
	if i := strings.IndexAny(s, " [(:"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSuffix(s, ".")
}

// fromHost applies the table of the provider the bounce belongs to: the
// provider of the remote host that answered; failing that, the provider
// whose mail domain the recipient's address is in; failing that, the
// provider of the host that reported the bounce (a relay such as
// MessageLabs reports the refusals of the servers behind it). The first
// provider found decides alone, also when its table says nothing.
func fromHost(x *facts) Reason {
	if x.text == "" {
		return ""
	}
	if p := providerOfHost(x.RemoteMTA); p != nil {
		return p.decide(x)
	}
	if p := providerOfDomain(x.RecipientDomain); p != nil {
		return p.decide(x)
	}
	if p := providerOfHost(x.ReportingMTA); p != nil {
		return p.decide(x)
	}
	return ""
}

// providerOfHost returns the provider a host name ("dns; mx.example.jp
// [192.0.2.1]") belongs to, or nil.
func providerOfHost(s string) *provider {
	if s == "" {
		return nil
	}
	h := hostName(s)
	if h == "" {
		return nil
	}
	for i := range providers {
		p := &providers[i]
		for _, suf := range p.suffixes {
			if strings.HasSuffix(h, suf) {
				return p
			}
		}
	}
	return nil
}

// providerOfDomain returns the provider whose mail hosts are under the
// recipient's domain d (ezweb.ne.jp for ".ezweb.ne.jp", cox.net for
// "cox.net"), or nil. d must have two labels at least.
func providerOfDomain(d string) *provider {
	d = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
	if strings.IndexByte(d, '.') <= 0 {
		return nil
	}
	for i := range providers {
		p := &providers[i]
		for _, suf := range p.suffixes {
			// suf is d or ends in "."+d (compared without building
			// that string for every suffix of every provider).
			if suf == d || len(suf) > len(d) && strings.HasSuffix(suf, d) && suf[len(suf)-len(d)-1] == '.' {
				return p
			}
		}
	}
	return nil
}

// ruleTables lists every table of host rules, so that their phrases are in
// bank. byRules panics (at initialisation) on a table missing here.
var ruleTables = [][]hostRule{
	googleRules, outlookRules, yahooRules, aolRules, appleRules, kddiRules,
	zohoRules, tencentRules, coxRules, spectrumRules, godaddyRules,
	mimecastRules, messageLabsRules, cloudflareRules, facebookRules, iuaRules,
}

// contains reports whether the text of x contains p, whose id in bank is id
// (-1 for a phrase bank does not hold).
func (x *facts) contains(id int32, p string) bool {
	if x.slow || id < 0 {
		return strings.Contains(x.text, p)
	}
	return x.hits.has(id)
}

// byRules returns a decider that tries rules in order.
func byRules(rules []hostRule) func(*facts) Reason {
	ids := make([]int32, len(rules))
	for i, r := range rules {
		if ids[i] = bank.id(r.phrase); ids[i] < 0 {
			panic("reason: host rules missing from ruleTables: " + r.phrase)
		}
	}
	return func(x *facts) Reason {
		for i, r := range rules {
			if !x.contains(ids[i], r.phrase) {
				continue
			}
			if r.status != "" && x.Status != "" && !sameDetail(x.Status, r.status) {
				continue
			}
			return r.reason
		}
		return ""
	}
}

// sameDetail reports whether status ("5.7.26") has the subject and detail
// sd ("7.26").
func sameDetail(status, sd string) bool {
	return len(status) > 2 && status[2:] == sd
}

// Google: https://support.google.com/a/answer/3726730
var googleRules = []hostRule{
	{AuthFailure, "7.24", "the spf record of the sending domain"},
	{AuthFailure, "7.26", "senders to authenticate with either spf or dkim"},
	{AuthFailure, "7.26", "fails to pass spf checks for an spf record with a hard fail"},
	{AuthFailure, "7.26", "has an spf record with a hard fail policy"},
	{AuthFailure, "7.26", "is not accepted due to domain's dmarc policy"},
	{AuthFailure, "", "fails to pass authentication checks"},
	{AuthFailure, "7.27", "senders to authenticate with spf"},
	{AuthFailure, "7.27", "senders to authenticate their email with spf"},
	{AuthFailure, "7.30", "senders to authenticate their email with dkim"},
	{AuthFailure, "7.30", "senders to authenticate with dkim"},
	{AuthFailure, "7.32", "aligned with either the authenticated spf or dkim"},
	{AuthFailure, "7.40", "to add a dmarc record to "},
	{BadReputation, "", "very low reputation of the sending"},
	{Blocked, "7.0", "ip not in whitelist for rcpt domain"},
	{Blocked, "7.0", "try again later, closing connection."},
	{Blocked, "5.4", "empty helo/ehlo argument not allowed"},
	{Blocked, "5.4", "helo/ehlo argument is invalid"},
	{Blocked, "", "an unusual rate of unsolicited mail"},
	{Blocked, "7.28", "an unusual rate of mail"},
	{MesgTooBig, "", "exceeded google's message size limits"},
	{MesgTooBig, "", "exceeds google's message size limit of"},
	{ExceedLimit, "3.4", "exceeds google's limit of limit attachments."},
	{ExceedLimit, "3.4", "bytes per individual header size"},
	{ExceedLimit, "3.4", "exceeds google's header name limit of"},
	{ExceedLimit, "3.4", "exceeds google's message header size limit"},
	{ExceedLimit, "3.4", "message header size limits"},
	{Expired, "7.0", "connection expired"},
	{Expired, "4.2", "timeout - closing connection"},
	{FailedSTARTTLS, "", "must issue a starttls command first"},
	{FailedSTARTTLS, "5.1", "starttls may not be repeated"},
	{FailedSTARTTLS, "7.0", "tls required for rcpt domain"},
	{FailedSTARTTLS, "7.29", "senders to use tls/ssl for smtp"},
	{MailboxFull, "2.2", "inbox is out of storage space"},
	{MailboxFull, "2.2", "is over quota"},
	{MailboxFull, "7.1", "email quota exceeded"},
	{NetworkError, "", "message exceeded 50 hops"},
	{NoRelaying, "7.0", "mail relay denied"},
	{NoRelaying, "7.1", "invalid credentials for relay"},
	{NoRelaying, "7.1", "is not authorized to send email directly to our servers"},
	{NotCompliantRFC, "7.1", "missing a valid address in the from: header"},
	{NotCompliantRFC, "7.1", "multiple addresses in from: header are not accepted"},
	{NotCompliantRFC, "7.1", "is not rfc 5322 compliant"},
	{NotCompliantRFC, "7.1", "missing a valid message-id: header"},
	{NotCompliantRFC, "7.1", "contains a unicode character in a disallowed header"},
	{NotCompliantRFC, "7.1", "encoded-word syntax is not permitted"},
	{NotCompliantRFC, "1.7", "is not a valid rfc 5321 address"},
	{NotCompliantRFC, "6.0", "mail message is malformed"},
	{PolicyViolation, "7.0", "illegal attachment on your message"},
	{PolicyViolation, "7.0", "blocked because its content presents a potential security issue"},
	{PolicyViolation, "7.1", "you are sending to (or from) has a policy that prohibited"},
	{PolicyViolation, "7.28", "sending messages with the same message-id:"},
	{Rejected, "7.0", "mail sending denied"},
	{Rejected, "7.1", "unauthenticated email is not accepted"},
	{RequirePTR, "", "does not have a ptr record"},
	{RequirePTR, "7.23", " have a ptr record, or the ptr record"},
	{RequirePTR, "7.1", "does not meet ipv6 sending guidelines regarding ptr records and authentication"},
	{RequirePTR, "7.25", "does not match the ip address of the hostname"},
	{SecurityError, "7.0", "too many login attempts"},
	{SecurityError, "5.2", "cannot decode response"},
	{SecurityError, "7.0", "no identity changes permitted"},
	{SecurityError, "", "authentication required."},
	{SecurityError, "", "application-specific password required"},
	{SecurityError, "", "please log in with your web browser"},
	{SecurityError, "", "please log in through your web browser"},
	{SecurityError, "", "username and password not accepted"},
	{SpamDetected, "7.0", "due to the nature of the content or the links within"},
	{SpamDetected, "7.1", "likely unsolicited mail"},
	{Speeding, "", "is receiving mail too quickly"},
	{Speeding, "2.1", "peak smtp relay limit exceeded for customer"},
	{Speeding, "", "rate that prevents additional messages from being delivered"},
	{Speeding, "", "daily sending quota exceeded"},
	{Speeding, "", "daily user sending limit exceeded"},
	{Speeding, "", "daily smtp relay limit exceeded for"},
	{Speeding, "", "daily smtp relay sending limit exceeded for"},
	{Speeding, "", "this mail has been rate limited"},
	{Suspend, "2.1", "account that you tried to reach is disabled"},
	{Suspend, "2.1", "account that you tried to reach is inactive"},
	{SyntaxError, "", "smtp protocol violation"},
	{SyntaxError, "5.4", "optional argument not permitted"},
	{SyntaxError, "", "syntax error"},
	{SyntaxError, "5.1", "too many unrecognized commands, goodbye"},
	{SyntaxError, "5.1", "unimplemented command"},
	{SyntaxError, "5.1", "unrecognized command"},
	{SyntaxError, "5.1", "bad sequence of commands"},
	{SyntaxError, "5.1", "ehlo/helo first"},
	{SyntaxError, "5.1", "mail first"},
	{SyntaxError, "5.1", "rcpt first"},
	{SyntaxError, "5.1", "no data after bdat"},
	{SyntaxError, "7.4", "unrecognized authentication type"},
	{SyntaxError, "7.4", "xoauth is no longer supported"},
	{SyntaxError, "7.0", "too many unauthenticated commands"},
	{SystemError, "", "temporary system problem"},
	{SystemError, "4.5", "server busy"},
	{SystemError, "3.0", "multiple destination domains per transaction is unsupported"},
	{SystemError, "3.0", "mail server has temporarily rejected this message"},
	{SystemError, "3.0", "mail server temporarily rejected message"},
	{SystemError, "5.3", "domain policy size per transaction exceeded"},
	{TooManyConn, "5.3", "your message has too many recipients"},
	{TooManyConn, "5.3", "too many recipients for this sender"},
	{UserUnknown, "1.1", "the email account that you tried to reach does not exist"},
	{UserUnknown, "1.2", "we weren't able to find the recipient domain"},
	{UserUnknown, "1.3", "is not a valid rfc 5321 address"},
}

// decideGoogleWorkspace reads the messages of Google Workspace's own
// outbound relay (it reports DNS failures of the recipient's domain).
func decideGoogleWorkspace(x *facts) Reason {
	permanent := strings.HasPrefix(x.Status, "5") || strings.HasPrefix(x.ReplyCode, "5")
	temporary := strings.HasPrefix(x.Status, "4") || strings.HasPrefix(x.ReplyCode, "4")
	switch {
	case strings.Contains(x.text, "because the address couldn't be found. check for typos or unnecessary spaces"):
		return UserUnknown
	case strings.Contains(x.text, "null mx"):
		return NotAccept
	case strings.Contains(x.text, "responded with code nxdomain") || strings.Contains(x.text, "domain name not found"):
		if permanent && x.Status != "" && x.ReplyCode != "" {
			return HostUnknown
		}
		if !permanent {
			return NetworkError
		}
	case strings.Contains(x.text, " had no relevant answers."):
		if !permanent || temporary {
			return NetworkError
		}
	}
	return ""
}

// microsoftRule is one Exchange Online / Exchange Server message: reason,
// status prefix, an optional range of the detail ("850"-"899"), phrase.
type microsoftRule struct {
	reason   Reason
	status   string
	from, to int
	phrase   string
}

// Microsoft: Exchange Online NDR codes,
// https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/
var microsoftRules = []microsoftRule{
	{AuthFailure, "4.7.26", 0, 0, "must pass either spf or dkim validation"},
	{AuthFailure, "5.7.23", 0, 0, "sender policy framework violation"},
	{AuthFailure, "5.7.509", 0, 0, "does not pass dmarc verification"},
	{AuthFailure, "5.7.515", 0, 0, "doesn't meet the required authentication level"},
	{BadReputation, "4.7.650", 0, 0, "has been temporarily rate limited due to ip reputation"},
	{Blocked, "4.4.2", 0, 0, "connection dropped"},
	{Blocked, "4.7.", 500, 899, "access denied, please try again later"},
	{Blocked, "5.7.25", 0, 0, "must have a reverse dns record"},
	{Blocked, "5.7.506", 0, 0, "access denied, bad helo"},
	{Blocked, "5.7.507", 0, 0, "access denied, rejected by recipient"},
	{Blocked, "5.7.510", 0, 0, "does not accept email over ipv6"},
	{Blocked, "5.7.511", 0, 0, "access denied, banned sender"},
	{Blocked, "5.7.513", 0, 0, "using customer block list"},
	{Blocked, "5.7.", 606, 649, "access denied, banned sending ip"},
	{Blocked, "5.5.4", 0, 0, "invalid domain name"},
	{Blocked, "5.7.1", 0, 0, "part of their network is on our block list"},
	{ContentError, "5.3.0", 0, 0, "too many related errors"},
	{ContentError, "5.6.11", 0, 0, "invalid characters"},
	{ContentError, "5.4.11", 0, 0, "agent generated message depth exceeded"},
	{ContentError, "5.5.6", 0, 0, "invalid message content"},
	{MesgTooBig, "5.2.3", 0, 0, "message too large for this recipient"},
	{MesgTooBig, "5.3.4", 0, 0, "message size exceeds fixed maximum message size"},
	{MesgTooBig, "5.3.4", 0, 0, "message too big for system"},
	{Expired, "4.4.1", 0, 0, "connection timed out"},
	{Expired, "4.4.7", 0, 0, "message delayed"},
	{Expired, "4.4.7", 0, 0, "message expired"},
	{Expired, "5.4.300", 0, 0, "message expired"},
	// 5.4.316 "Message expired, connection refused": the destination's
	// servers refused the connections until the message expired; the cause
	// is the network refusal, not the queue lifetime.
	{NetworkError, "5.4.316", 0, 0, "connection refused"},
	{Expired, "5.4.316", 0, 0, "message expired"},
	{FailedSTARTTLS, "", 0, 0, "failed mta-sts validation"},
	{FailedSTARTTLS, "", 0, 0, "starttls is required to send mail"},
	{FailedSTARTTLS, "", 0, 0, "starttls-not-supported:"},
	{FailedSTARTTLS, "", 0, 0, "certificate-expired:"},
	{MailboxFull, "5.2.2", 0, 0, "mailbox full"},
	{MailboxFull, "", 0, 0, "quota exceeded"},
	{UserUnknown, "", 0, 0, "resolver.adr.recipientnotfound"},
	// 5.1.351 "Remote server returned unknown recipient or mailbox
	// unavailable": the next server refused the recipient, and Exchange
	// relays its answer.
	{UserUnknown, "5.1.351", 0, 0, "remote server returned unknown recipient"},
	{UserUnknown, "", 0, 0, "recipient not found by smtp address lookup"},
	{UserUnknown, "5.1.10", 0, 0, "recipient not found"},
	{UserUnknown, "5.1.1", 0, 0, "recipient address rejected: access denied"},
	{UserUnknown, "", 0, 0, "requested action not taken: mailbox unavailable"},
	{HostUnknown, "", 0, 0, "the domain is not reachable"},
	{NoRelaying, "5.7.54", 0, 0, "unable to relay recipient in non-accepted domain"},
	{NoRelaying, "", 0, 0, "unable to relay"},
	{SecurityError, "5.7.57", 0, 0, "client was not authenticated to send anonymous mail"},
	{SecurityError, "5.7.", 700, 750, "tenant"},
	{Speeding, "5.2.121", 0, 0, "recipient's hourly message receive limit"},
	{Speeding, "5.2.122", 0, 0, "recipient's hourly message receive limit"},
	{Speeding, "5.4.14", 0, 0, "hop count exceeded"},
	{Suspend, "", 0, 0, "mailbox is disabled"},
	{Suspend, "", 0, 0, "recipient is disabled"},
}

// microsoftIDs are the phrase ids of microsoftRules in bank. Read only.
var microsoftIDs = func() []int32 {
	ids := make([]int32, len(microsoftRules))
	for i, r := range microsoftRules {
		ids[i] = bank.id(r.phrase)
	}
	return ids
}()

func decideMicrosoft(x *facts) Reason {
	for i, r := range microsoftRules {
		if !x.contains(microsoftIDs[i], r.phrase) {
			continue
		}
		if r.status == "" || x.Status == "" {
			return r.reason
		}
		if r.from == 0 {
			if x.Status == r.status {
				return r.reason
			}
			continue
		}
		if !strings.HasPrefix(x.Status, r.status) {
			continue
		}
		n, err := strconv.Atoi(x.Status[len(r.status):])
		if err == nil && n >= r.from && n <= r.to {
			return r.reason
		}
	}
	return ""
}

var outlookRules = []hostRule{
	{HostUnknown, "", "the mail could not be delivered to the recipient because the domain is not reachable"},
	{UserUnknown, "", "requested action not taken: mailbox unavailable"},
}

// Yahoo Inc. (Yahoo, AOL): https://senders.yahooinc.com/smtp-error-codes
var yahooRules = []hostRule{
	{AuthFailure, "", "yahoo requires all senders to authenticate with either spf or dkim"},
	{Blocked, "", " because the ip is in spamhaus's list;"},
	{Blocked, "", "not accepted from ip addresses on spamhaus xbl"},
	{NoRelaying, "", "relaying denied for "},
	{NotCompliantRFC, "", "headers are not rfc compliant"},
	{PolicyViolation, "", "not accepted for policy reasons"},
	// [TSS04] "temporarily deferred due to unexpected volume or user
	// complaints": Yahoo's judgement of the sending IP address.
	{BadReputation, "", "temporarily deferred due to unexpected volume or user complaints"},
	{Rejected, "", "due to unresolvable rfc.5321 domain"},
	{Rejected, "", "due to unresolvable rfc.5321 from domain"},
	{Rejected, "", " will be permanently deferred"},
	{Speeding, "", "user is receiving mail too quickly"},
	{Suspend, "", " is no longer valid."},
	{Suspend, "", "this mailbox is disabled"},
	{SyntaxError, "", "syntax error in parameters or arguments"},
	{TooManyConn, "", "max message per connection reached"},
	{UserUnknown, "", "dd this user doesn't have a "},
	{UserUnknown, "", "mailbox not found"},
}

var aolRules = []hostRule{
	{HostUnknown, "", "host or domain name not found"},
	{NotAccept, "", "type=mx: malformed or unexpected name server reply"},
}

// Apple iCloud Mail: https://support.apple.com/en-us/102322
var appleRules = []hostRule{
	{AuthFailure, "", "s dmarc policy"},
	{AuthFailure, "", "blocked for failing both spf and dkim"},
	{Blocked, "", "rejected due to having a domain present in the spamhaus"},
	{Blocked, "", "rejected due to listing in spamhaus"},
	{Blocked, "", "blocked - see https://support.proofpoint.com/dnsbl-lookup"},
	{Blocked, "", "not accepting connections"},
	{HasMoved, "", "recipient no longer on server"},
	{MailboxFull, "", "user is over quota"},
	{NoRelaying, "", "relay access denied"},
	{NotAccept, "", "host/domain does not accept mail"},
	{PolicyViolation, "", "due to local policy"},
	{Rejected, "", "sender address rejected"},
	{Speeding, "", "due to excessive volume"},
	{UserUnknown, "", "inactive email address"},
	{UserUnknown, "", "user does not exist"},
	{UserUnknown, "", "unknown or illegal alias"},
}

// Orange and La Poste number their messages ("LPN007_420", "OFR_416"); the
// last three digits name the cause.
var francePTTCodes = map[string]Reason{
	"101": Blocked, "102": Blocked, "103": Blocked, "104": TooManyConn,
	"305": SecurityError, "401": AuthFailure, "402": SecurityError,
	"403": Rejected, "405": Rejected, "415": Rejected, "416": UserUnknown,
	"417": MailboxFull, "420": Suspend, "421": Rejected, "426": Suspend,
	"505": SystemError, "506": SpamDetected, "510": Blocked, "514": MesgTooBig,
	"517": AuthFailure, "630": PolicyViolation, "999": Blocked,
}

func decideFrancePTT(x *facts) Reason {
	s := strings.ReplaceAll(x.text, "_", "-")
	for _, label := range []string{"lpnaaa", "lpn", "ofr", "ouk"} {
		i := strings.LastIndex(s, label)
		if i < 0 {
			continue
		}
		rest := s[i+len(label):]
		if j := strings.IndexAny(rest, " )]."); j >= 0 {
			rest = rest[:j]
		}
		if len(rest) >= 3 {
			if r, ok := francePTTCodes[rest[len(rest)-3:]]; ok {
				return r
			}
		}
		break
	}
	if strings.Contains(s, "spf/dns de votre nom de domaine") {
		return AuthFailure
	}
	return ""
}

// decideDocomo reads NTT docomo's MX (mfsmax.docomo.ne.jp).
func decideDocomo(x *facts) Reason {
	switch x.Status {
	case "5.1.1", "5.0.911":
		return UserUnknown
	case "5.2.0":
		return Filtered
	}
	switch {
	case strings.Contains(x.text, "552 too much mail data"):
		return MailboxFull
	case strings.Contains(x.text, "503 bad sequence of commands"),
		strings.Contains(x.text, "504 command parameter not implemented"):
		return SyntaxError
	case strings.Contains(x.text, "552 too many recipients"):
		return TooManyConn
	case strings.Contains(x.text, "550 unknown user"):
		if x.Status == "5.0.0" && x.command == "DATA" {
			// The recipient was accepted at RCPT: "550 Unknown user" after
			// DATA is docomo's reception filter refusing the sender (its
			// designated-domain or designated-address refusal).
			return Rejected
		}
		return UserUnknown
	}
	if x.Status == "5.0.0" {
		switch x.command {
		case "RCPT":
			return UserUnknown
		case "DATA":
			return Rejected
		}
	}
	return ""
}

// au by KDDI: its filter answers "550 : User unknown" (no address), a
// missing mailbox "550 <address>: User unknown".
var kddiRules = []hostRule{
	{Filtered, "", "550 : user unknown"},
	{UserUnknown, "", ">: user unknown"},
}

// Zoho Mail: https://www.zoho.com/mail/help/spam-reason.html
var zohoRules = []hostRule{
	{AuthFailure, "", "email rejected per dmarc policy"},
	{Blocked, "", "greylisted, try again after some time"},
	// Zoho's refusals that give no cause but their enhanced status code:
	// "554 5.7.1 Email cannot be delivered. Reason: Email flagged as Spam."
	// at RCPT (before any content: a verdict on the sender) and "554 5.7.7
	// Email policy violation detected" (5.7.7, message integrity failure)
	// are security refusals (RFC 3463 X.7.1, X.7.7).
	{SecurityError, "7.1", "email cannot be delivered. reason: email flagged as spam"},
	{SecurityError, "7.7", "email policy violation detected"},
	// "541 5.4.1 Mail rejected by destination domain": a filter that the
	// recipient's domain set up refused, without saying why.
	{OnHold, "", "mail rejected by destination domain"},
	{PolicyViolation, "", "email policy violation detected"},
	{PolicyViolation, "", "mailbox delivery restricted by policy error"},
	{SystemError, "", "temporary system error"},
	{UserUnknown, "", "user does not exist"},
	{VirusDetected, "", " detected by zoho mail"},
}

var tencentRules = []hostRule{
	{AuthFailure, "", "spf check failed"},
	{AuthFailure, "", "dmarc check failed"},
	{Blocked, "", "suspected spam ip"},
	{Blocked, "", "connection denied"},
	{Blocked, "", "ip frequency limited"},
	{Blocked, "", "domain frequency limited"},
	{TooManyConn, "", "connection frequency limited"},
	{ExceedLimit, "", "message too large"},
	{Filtered, "", "mail is rejected by recipients"},
	{MailboxFull, "", "mailbox is full"},
	{MailboxFull, "", "mailbox quota exceeded"},
	{RequirePTR, "", "ptr record"},
	{SpamDetected, "", "spam is rejected"},
	{SpamDetected, "", "mail content denied"},
	{Speeding, "", "mailbox receive frequency limited"},
	{Suspend, "", "is a deactivated mailbox"},
	{TooManyConn, "", "too many connections"},
	{UserUnknown, "", "mailbox not found"},
	{UserUnknown, "", "mailbox unavailable or access denied"},
}

var coxRules = []hostRule{
	{Blocked, "", "cxbl"},
	{Blocked, "", "cdrbl"},
	{Blocked, "", "cxsnd"},
	{Blocked, "", "cxmxrt"},
	{Blocked, "", "cxdns"},
	{Blocked, "", "cxsmtp"},
	{Blocked, "", "cxconn"},
	{Blocked, "", "cxmxcnt"},
	{Blocked, "", "cxrate"},
	{Blocked, "", "cxrcpt"},
	{Blocked, "", "cxmx"},
	{Blocked, "", "ip address has been blocked"},
	{Rejected, "", "cxmxrcpt"},
	{UserUnknown, "", "recipient rejected"},
	{UserUnknown, "", "not our customer"},
	{SpamDetected, "", "message rejected for spam"},
	{SpamDetected, "", "cxmxrcpt"},
}

// Spectrum (Charter): refusals end with "AUP#" and a code, "I" (incoming)
// or "O" (outgoing) and four digits ("AUP#In-1310", "AUP#O-1000");
// https://www.spectrum.net/support/internet/understanding-email-error-codes
// documents them by range. Read only.
var spectrumCodes = []struct {
	from, to int
	reason   Reason
}{
	{1000, 1000, Blocked},         // IP address blocked for suspicious activity
	{1010, 1080, Rejected},        // the sending account is blocked or limited
	{1090, 1090, SystemError},     // the email cannot be processed now
	{1100, 1150, RequirePTR},      // the connecting IP address fails (reverse) DNS
	{1160, 1190, PolicyViolation}, // against the sending domain's security policies
	{1200, 1250, Blocked},         // listed by Cloudmark CSI or Spamhaus
	{1260, 1260, NetworkError},    // IPv6 is not processed
	{1300, 1340, TooManyConn},     // concurrent or total connections over the limit
	{1350, 1490, Speeding},        // messages, recipients or invalid recipients over the limit
	{1500, 1500, Rejected},        // sending as an address other than the signed-in one
	{1520, 1520, Rejected},        // sending as a domain that Spectrum does not host
	{1530, 1530, MesgTooBig},      // larger than 20 MB
	{1540, 1540, Speeding},        // too many messages in one session
	{1550, 1550, Speeding},        // too many recipients in one message
	{1560, 1560, PolicyViolation}, // too many invalid recipients
	{1580, 1580, Speeding},        // too many recipients in a short time
}

// spectrumRules are Spectrum's messages without a numbered code.
var spectrumRules = []hostRule{
	{Blocked, "", "aup#cxbl"},
	{Blocked, "", "aup#bl"},
	{Blocked, "", "aup#ip"},
	{Blocked, "", "aup#dns"},
	{Blocked, "", "aup#rdns"},
	{UserUnknown, "", "no such recipient"},
}

var spectrumByRules = byRules(spectrumRules)

// decideSpectrum reads the number of an "AUP#" code, then the messages.
func decideSpectrum(x *facts) Reason {
	if n := spectrumCode(x.text); n > 0 {
		for _, c := range spectrumCodes {
			if n >= c.from && n <= c.to {
				return c.reason
			}
		}
	}
	return spectrumByRules(x)
}

// spectrumCode returns the number of the last "aup#" code in the
// normalized text s ("aup#in-1310" gives 1310), or 0.
func spectrumCode(s string) int {
	i := strings.LastIndex(s, "aup#")
	if i < 0 {
		return 0
	}
	rest := s[i+4:]
	j := 0
	for j < len(rest) && (rest[j] >= 'a' && rest[j] <= 'z' || rest[j] == '-') {
		j++
	}
	k := j
	for k < len(rest) && rest[k] >= '0' && rest[k] <= '9' {
		k++
	}
	if k-j != 4 {
		return 0
	}
	n, err := strconv.Atoi(rest[j:k])
	if err != nil {
		return 0
	}
	return n
}

var godaddyRules = []hostRule{
	{Blocked, "", "ipbl"},
	{Blocked, "", "urlbl"},
	{Blocked, "", "dnsbl"},
	{Blocked, "", "your ip has been blocked"},
	{ExceedLimit, "", "recipient limit exceeded"},
	{Speeding, "", "rate limit"},
	{UserUnknown, "", "invalid recipient"},
	{UserUnknown, "", "recipient not found"},
	{MailboxFull, "", "mailbox full"},
	{MesgTooBig, "", "message size"},
	{NoRelaying, "", "relaying"},
	{Rejected, "", "sender domain"},
	{Rejected, "", "invalid sender"},
	{SpamDetected, "", "spam"},
	{VirusDetected, "", "virus"},
}

// Mimecast: https://community.mimecast.com/s/article/email-security-cloud-gateway-mimecast-smtp-error-codes
var mimecastRules = []hostRule{
	// 554 "Host network not allowed": a Geographical Restriction policy.
	{PolicyViolation, "", "host network not allowed"},
	{PolicyViolation, "", "host network, not allowed"},
	// 554 "Email rejected due to security policies": a virus signature, or a
	// spam score over the maximum threshold (MCSpamSignature).
	{VirusDetected, "", "email rejected due to security policies"},
	{Blocked, "", "ip found on rbl"},
	{Blocked, "", "rejected by header based blocked senders"},
	{Blocked, "", "local ct ip reputation"},
	{Blocked, "", "hostile ip detected"},
	{Blocked, "", "global ip reputation"},
	{AuthFailure, "", "dmarc"},
	{AuthFailure, "", "spf sender invalid"},
	{AuthFailure, "", "dkim sender invalid"},
	{MailboxFull, "", "recipient mailbox is full"},
	{MesgTooBig, "", "message is too large"},
	{MesgTooBig, "", "maximum message size exceeded"},
	{NoRelaying, "", "relay access denied"},
	{PolicyViolation, "", "policy"},
	{Rejected, "", "sender address blocked"},
	{Rejected, "", "envelope rejected"},
	{SpamDetected, "", "message contains spam"},
	{SpamDetected, "", "spam"},
	{UserUnknown, "", "invalid recipient"},
	{UserUnknown, "", "recipient address rejected"},
	{VirusDetected, "", "virus detected"},
}

// MessageLabs (Symantec / Broadcom Email Security.cloud):
// https://knowledge.broadcom.com/external/article/169652/email-error-and-bounce-codes-for-email-s.html
var messageLabsRules = []hostRule{
	{Blocked, "", "please see http://www.symanteccloud.com/troubleshooting"},
	{Blocked, "", "blocked by spamhaus"},
	{Rejected, "", "your email address has been blacklisted"},
	{SecurityError, "", "please turn on smtp authentication in your mail client"},
	{SpamDetected, "", "message filtered. please see the faqs section on spam"},
	{UserUnknown, "", "no such user"},
	{UserUnknown, "", "unknown user"},
	{UserUnknown, "", "user unknown"},
}

var messageLabsByRules = byRules(messageLabsRules)

// decideMessageLabs: Email Security.cloud answers a recipient that its
// recipient validation does not know with "542 <address> Rejected"; the
// other messages are in messageLabsRules.
func decideMessageLabs(x *facts) Reason {
	if x.ReplyCode == "542" && strings.HasSuffix(x.text, " rejected") {
		return UserUnknown
	}
	return messageLabsByRules(x)
}

// Cloudflare Email Routing: https://developers.cloudflare.com/email-routing/postmaster/
var cloudflareRules = []hostRule{
	{Blocked, "", "found on one or more rbls"},
	// "421 4.3.0 Upstream error": the mailbox Cloudflare forwards to (the
	// upstream) failed; the message does not say how.
	{OnHold, "", "upstream error"},
	{UserUnknown, "", "email routing error: unknown address"},
}

var facebookRules = []hostRule{
	{Filtered, "", "refused due to recipient preferences"},
	{UserUnknown, "", "rcp-p1"},
	{UserUnknown, "", "rcp-p2"},
	{UserUnknown, "", "rcp-p3"},
	{Rejected, "", "mxr-t1"},
	{Blocked, "", "int-t1"},
	{Blocked, "", "pol-p1"},
}

// i.ua (Ukraine): numbered messages, "Error: 550 ... 1.1 ...".
var iuaRules = []hostRule{
	{UserUnknown, "", "550 user unknown"},
	{UserUnknown, "", "mailbox does not exist"},
	{MailboxFull, "", "mailbox is full"},
	{Speeding, "", "too many messages"},
	{SpamDetected, "", "spam"},
	{Blocked, "", "blocked"},
}
