package reason

import "strings"

// Facts are what a decoder read about one bounced recipient.
type Facts struct {
	Status         string // enhanced status code such as "5.1.1", or ""
	ReplyCode      string // SMTP reply code such as "550", or ""
	DiagnosticType string // "SMTP", "X-Postfix", "X-Unix", ... (DSN Diagnostic-Code type), or ""
	Diagnostic     string // the diagnostic text (Diagnostic-Code or the free-text error), may be multi-line
	Action         string // DSN Action: failed, delayed, delivered, relayed, expanded, expired, or ""
	Command        string // last SMTP command: CONN, HELO, EHLO, MAIL, RCPT, DATA, ... or ""
	Reason         Reason // a reason already decided by a format recogniser, or ""
	RemoteMTA      string // the remote host that answered (for host-specific tables), or ""
	// RecipientDomain is the domain part of the recipient's address, or "":
	// a provider's table applies to its own mail domains even when the
	// bounce does not name the host that answered.
	RecipientDomain string
	// ReportingMTA is the host that wrote the bounce (DSN Reporting-MTA), or
	// "": the provider's table applies when a provider's relay reports the
	// refusal of a host behind it (its customer's server).
	ReportingMTA string
}

// retried are the reasons a recogniser may give that the classifier still
// checks: they are often guesses from too little information.
func retried(r Reason) bool {
	switch r {
	case Undefined, OnHold, SystemError, SecurityError, Expired, NetworkError, HostUnknown, UserUnknown:
		return true
	}
	return false
}

// facts is one classification in progress: the input plus what is derived
// from it once (the normalized text, the reason of the status code).
type facts struct {
	Facts
	text     string    // normalize(Diagnostic)
	byStatus Reason    // FromStatus(Status)
	command  string    // upper-cased Command
	diagType string    // upper-cased DiagnosticType
	memo     [40]uint8 // per reason (index in All): 0 not tried, 1 no, 2 yes
	slow     bool      // match phrases with strings.Contains, not with hits
	hits     hits      // the phrases of all tables that text contains
}

// Classify decides the reason of one bounce from the facts a decoder read.
// It never returns "": Undefined when nothing fits.
//
// The order of the checks follows the reference decoder (sisimai):
//  1. a reason a recogniser decided wins, unless it is one of the weak ones
//     (undefined, onhold, systemerror, securityerror, expired, networkerror,
//     hostunknown, userunknown); a 2.x.x status means delivered;
//  2. the table of a known provider (Google, Microsoft, Yahoo, Apple, ...):
//     the provider of the remote host, else of the recipient's domain, else
//     of the reporting host;
//  3. for SMTP diagnostics, a probe for each reason in a fixed order, each
//     looking at the status code, the command and the phrase tables;
//  4. a fallback: the reason of the status code, phrase tables in a second
//     order, the status subject (x.6 content, x.7 security), the
//     diagnostic type, the action and the command;
//  5. vacation phrases, onhold when there is a text, undefined otherwise.
func Classify(f Facts) Reason { return classify(f, false) }

// classify is Classify. The text is scanned once for the phrases of all
// tables (see bank); with slow, each table looks for its phrases with
// strings.Contains instead, as Classify used to: the reference the tests
// compare the fast path with.
func classify(f Facts, slow bool) Reason {
	if f.Reason != "" && f.Reason.Valid() && !retried(f.Reason) {
		return f.Reason
	}
	if !f.Reason.Valid() {
		f.Reason = ""
	}
	if strings.HasPrefix(f.Status, "2.") {
		return Delivered
	}
	x := &facts{
		Facts:    f,
		text:     normalize(f.Diagnostic),
		byStatus: FromStatus(f.Status),
		command:  strings.ToUpper(strings.TrimSpace(f.Command)),
		diagType: strings.ToUpper(strings.TrimSpace(f.DiagnosticType)),
		slow:     slow,
	}
	if !slow {
		bank.scan(x.text, &x.hits)
	}
	if x.command == "" {
		x.command = x.commandInText()
	}
	if r := fromHost(x); r != "" {
		return r
	}
	if x.diagType == "SMTP" || x.diagType == "" || x.diagType == "X-POSTFIX" {
		for _, p := range probeOrder {
			if p.probe(x) {
				return p.reason
			}
		}
	}
	r := fallback(x)
	if r == Undefined {
		r = ""
	}
	if r == "" && strings.EqualFold(f.Action, "delayed") {
		r = Expired
	}
	if r != "" {
		return r
	}
	if x.says(Vacation) {
		return Vacation
	}
	if x.text != "" {
		return OnHold
	}
	return Undefined
}

// FromText returns the reason the phrase tables find in a diagnostic text,
// or "" when none matches. It looks at the text only: no status code, no
// command. The tables are tried from the most specific to the most general.
func FromText(text string) Reason { return fromText(text, false) }

// fromText is FromText; slow as in classify.
func fromText(text string, slow bool) Reason {
	s := normalize(text)
	if s == "" {
		return ""
	}
	if slow {
		for _, r := range textOrder {
			if textSays(r, s) {
				return r
			}
		}
		return ""
	}
	var h hits
	bank.scan(s, &h)
	for _, r := range textOrder {
		if i, ok := tableIndex[r]; ok && bank.says(i, s, &h) {
			return r
		}
	}
	return ""
}

// textOrder is the order FromText tries the tables in.
var textOrder = []Reason{
	MailboxFull, MesgTooBig, ExceedLimit, Suspend, HasMoved, NoRelaying, AuthFailure,
	Speeding, UserUnknown, Filtered, RequirePTR, NotCompliantRFC, BadReputation,
	ContentError, Rejected, HostUnknown, SpamDetected, TooManyConn, Blocked,
	VirusDetected, PolicyViolation, SystemError, NetworkError, SystemFull, NotAccept,
	Expired, FailedSTARTTLS, SecurityError, Suppressed, MailerError, Vacation,
}

// HardBounce reports whether a bounce for reason r is permanent: true only
// for userunknown, hostunknown, hasmoved and notaccept, and never when the
// status code or the reply code is temporary (4xx).
func HardBounce(r Reason, status, replyCode string) bool {
	switch r {
	case UserUnknown, HostUnknown, HasMoved, NotAccept:
	default:
		return false
	}
	if strings.HasPrefix(status, "4") || strings.HasPrefix(replyCode, "4") {
		return false
	}
	return true
}

// preData are the SMTP commands sent before DATA: a refusal at one of them
// cannot be about the message's content.
func preData(cmd string) bool {
	switch cmd {
	case "CONN", "HELO", "EHLO", "STARTTLS", "AUTH", "MAIL", "RCPT", "XFORWARD":
		return true
	}
	return strings.HasPrefix(cmd, "AUTH ") || strings.HasPrefix(cmd, "MAIL ") || strings.HasPrefix(cmd, "RCPT ")
}

// probe is one reason's test in the first pass.
type probe struct {
	reason Reason
	probe  func(*facts) bool
}

// probeOrder is the first pass, in the reference decoder's order: the first
// probe that says yes decides.
var probeOrder = []probe{
	{MailboxFull, byStatusOrText(MailboxFull)},
	{MesgTooBig, probeMesgTooBig},
	{ExceedLimit, byStatusOrText(ExceedLimit)},
	{Suspend, probeSuspend},
	{HasMoved, byText(HasMoved)},
	{NoRelaying, probeNoRelaying},
	{AuthFailure, byStatusOrText(AuthFailure)},
	{UserUnknown, probeUserUnknown},
	{Filtered, probeFiltered},
	{RequirePTR, byStatusOrText(RequirePTR)},
	{NotCompliantRFC, byText(NotCompliantRFC)},
	{BadReputation, byText(BadReputation)},
	{ContentError, probeContentError},
	{Rejected, probeRejected},
	{HostUnknown, probeHostUnknown},
	{SpamDetected, probeSpamDetected},
	{Speeding, byText(Speeding)},
	{TooManyConn, byStatusOrText(TooManyConn)},
	{Blocked, byStatusOrText(Blocked)},
}

// byStatusOrText: the recogniser said r, or the status code means r, or the
// text says r.
func byStatusOrText(r Reason) func(*facts) bool {
	return func(x *facts) bool {
		return x.Reason == r || x.byStatus == r || x.says(r)
	}
}

// byText: the recogniser said r, or the text says r.
func byText(r Reason) func(*facts) bool {
	return func(x *facts) bool {
		return x.Reason == r || x.says(r)
	}
}

// probeMesgTooBig: a size refusal, unless the status code is X.2.3
// (RFC 3463: "message length exceeds administrative limit", a limit of the
// recipient's mailbox): then the size words describe an exceeded limit.
func probeMesgTooBig(x *facts) bool {
	if x.Reason == MesgTooBig {
		return true
	}
	if x.byStatus == ExceedLimit {
		return false
	}
	return x.byStatus == MesgTooBig || x.says(MesgTooBig)
}

func probeSuspend(x *facts) bool {
	// 525: user account disabled (RFC 4954)
	return x.Reason == Suspend || x.ReplyCode == "525" || x.says(Suspend)
}

func probeNoRelaying(x *facts) bool {
	if x.Reason == NoRelaying {
		return true
	}
	switch x.command {
	case "CONN", "HELO", "EHLO":
		return false
	}
	return x.says(NoRelaying)
}

// userUnknownVeto are the reasons whose words, in the text, beat a status
// code that says "no such user": the code is often a generic choice of the
// MTA (5.1.1 for any refusal at RCPT), the text says more.
var userUnknownVeto = []Reason{NoRelaying, Blocked, MailboxFull, HasMoved, Rejected, NotAccept, Speeding, TooManyConn}

func probeUserUnknown(x *facts) bool {
	if x.Reason == UserUnknown {
		return true
	}
	if x.byStatus == UserUnknown {
		for _, r := range userUnknownVeto {
			if x.says(r) {
				return false
			}
		}
		return true
	}
	if strings.HasSuffix(x.Status, ".1.10") && x.says(UserUnknown) {
		// X.1.10 is the null MX of RFC 7505, but Exchange Online sends
		// it for an address its directory does not hold ("550 5.1.10
		// RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP
		// address lookup", learn.microsoft.com "Fix email delivery
		// issues for error code 5.1.10"): the words decide.
		return true
	}
	return x.command == "RCPT" && x.says(UserUnknown)
}

func probeFiltered(x *facts) bool {
	if x.Reason == Filtered {
		return true
	}
	if x.byStatus == Filtered {
		return x.says(UserUnknown) || x.says(Filtered)
	}
	if preData(x.command) {
		return false
	}
	return x.says(Filtered) || x.says(UserUnknown)
}

func probeContentError(x *facts) bool {
	if x.Reason == ContentError {
		return true
	}
	if probeSpamDetected(x) {
		return false
	}
	return x.byStatus == ContentError || x.says(ContentError)
}

func probeRejected(x *facts) bool {
	if x.Reason == Rejected || x.byStatus == Rejected {
		return true
	}
	switch {
	case x.command == "MAIL":
		// Sendmail's access database answers a listed sender with
		// "550 5.7.1 <sender>... Access denied" at MAIL FROM.
		return x.says(Rejected) || strings.Contains(x.text, ">... access denied")
	case x.command == "DATA" && x.byStatus != UserUnknown:
		return x.says(Rejected)
	case x.byStatus == UserUnknown:
		// A "no such user" status whose text refuses the sender (Exim's
		// "Sender verify failed" callout, RFC 5321 section 3.5): the
		// userunknown probe gave way to these words (userUnknownVeto),
		// so they decide here rather than a later, weaker probe — when
		// they name the sender: a bare "address rejected" is the
		// recipient's.
		return x.says(Rejected) && strings.Contains(x.text, "sender")
	case !x.byStatus.Explicit() || x.byStatus == SecurityError || x.byStatus == SystemError:
		return x.says(Rejected)
	}
	return false
}

func probeHostUnknown(x *facts) bool {
	if x.Reason == HostUnknown {
		return true
	}
	if x.byStatus == HostUnknown {
		// a DNS failure is a network error, not a missing domain
		return !x.says(NetworkError)
	}
	return x.says(HostUnknown)
}

func probeSpamDetected(x *facts) bool {
	if x.Status == "" {
		return x.Reason == SpamDetected
	}
	if x.Reason == SpamDetected || x.byStatus == SpamDetected {
		return true
	}
	if preData(x.command) {
		return false
	}
	return x.says(SpamDetected)
}

// fallbackOrder is the order of the phrase tables in the second pass.
var fallbackOrder = []Reason{
	MailboxFull, AuthFailure, BadReputation, Speeding, SpamDetected, VirusDetected,
	PolicyViolation, NoRelaying, SystemError, NetworkError, Suspend, ContentError,
	SystemFull, NotAccept, Expired, FailedSTARTTLS, SecurityError, Suppressed, MailerError,
}

// fallback is the second pass, for texts the probes did not decide and for
// diagnostics that are not SMTP replies.
func fallback(x *facts) Reason {
	if x.Reason.Explicit() {
		return x.Reason
	}
	r := x.byStatus
	if r != "" && !retried(r) && x.diagType == "SMTP" {
		// an SMTP reply whose status code names a reason
		return r
	}
	for _, t := range fallbackOrder {
		if x.says(t) {
			return t
		}
	}
	if r != "" {
		return r
	}
	if len(x.Status) > 3 {
		switch x.Status[:3] {
		case "5.6", "4.6":
			return ContentError
		case "5.7", "4.7":
			return SecurityError
		}
	}
	if strings.HasPrefix(x.diagType, "X-UNIX") {
		return MailerError
	}
	if syntaxReply(x.ReplyCode) {
		return SyntaxError
	}
	switch strings.ToLower(x.Action) {
	case "delayed", "expired":
		return Expired
	}
	switch x.command {
	case "CONN", "HELO", "EHLO":
		// Refused before any envelope was given (at the greeting or the
		// HELO): nothing but the client itself can be the cause.
		return Blocked
	}
	return ""
}

// syntaxReply reports whether an SMTP reply code is one of the "command not
// understood" codes: 401-407 and 501-507.
func syntaxReply(code string) bool {
	if len(code) != 3 || code[1] != '0' {
		return false
	}
	if code[0] != '4' && code[0] != '5' {
		return false
	}
	return code[2] >= '1' && code[2] <= '7'
}

// commandHints are the ways MTAs name, in the diagnostic text, the SMTP
// command that was refused: Postfix "(in reply to RCPT TO command)", Exim
// "after RCPT TO:", Sendmail transcripts ">>> RCPT To:", qmail "most
// progress was RCPT TO response", DragonFly "did not like our RCPT TO".
var commandHints = []struct{ phrase, command string }{
	{"in reply to rcpt to", "RCPT"},
	{"after rcpt to", "RCPT"},
	{">>> rcpt to", "RCPT"},
	{"progress was rcpt to", "RCPT"},
	{"did not like our rcpt to", "RCPT"},
	{"does not like recipient", "RCPT"},
	{"after rcpt command", "RCPT"},
	{"[rcpt_to]", "RCPT"},
	{"in reply to mail from", "MAIL"},
	{"after mail from", "MAIL"},
	{">>> mail from", "MAIL"},
	{"did not like our mail from", "MAIL"},
	{"in reply to end of data", "DATA"},
	{"in reply to data", "DATA"},
	{"after end of data", "DATA"},
	{"after data", "DATA"},
	{">>> data", "DATA"},
	{"did not like our data", "DATA"},
	{"in reply to helo", "HELO"},
	{"in reply to ehlo", "EHLO"},
	{"after initial connection", "CONN"},
}

// commandHintIDs are the phrase ids of commandHints in bank. Read only.
var commandHintIDs = func() []int32 {
	ids := make([]int32, len(commandHints))
	for i, h := range commandHints {
		ids[i] = bank.id(h.phrase)
	}
	return ids
}()

// commandInText finds the refused SMTP command named in the text of x.
func (x *facts) commandInText() string {
	if x.slow {
		return commandInText(x.text)
	}
	for i, id := range commandHintIDs {
		if x.hits.has(id) {
			return commandHints[i].command
		}
	}
	return ""
}

// commandInText finds the refused SMTP command named in a normalized text.
func commandInText(s string) string {
	for _, h := range commandHints {
		if strings.Contains(s, h.phrase) {
			return h.command
		}
	}
	return ""
}
