// Package reason names why a message bounced, in the vocabulary of the sisimai
// decoder (so results compare with the field's reference decoder), and
// classifies SMTP status codes and diagnostic texts into those names.
package reason

// Reason is the cause of a bounce, one of the constants below.
type Reason string

// The reasons. The names are sisimai's, so that results compare.
const (
	AuthFailure     Reason = "authfailure"     // SPF, DKIM or DMARC failed at the receiver
	BadReputation   Reason = "badreputation"   // the sending IP address has a poor reputation
	Blocked         Reason = "blocked"         // the client IP address or host name was refused
	ContentError    Reason = "contenterror"    // the message's header or format was refused
	Delivered       Reason = "delivered"       // not a failure: a DSN that reports delivery
	ExceedLimit     Reason = "exceedlimit"     // the message exceeded a limit of the recipient
	Expired         Reason = "expired"         // delivery kept failing until the queue lifetime ran out
	FailedSTARTTLS  Reason = "failedstarttls"  // the TLS negotiation failed or TLS was required
	Feedback        Reason = "feedback"        // an ARF feedback (complaint) report
	Filtered        Reason = "filtered"        // refused after DATA by a filter on the recipient's side
	HasMoved        Reason = "hasmoved"        // the recipient's address has moved
	HostUnknown     Reason = "hostunknown"     // the domain part does not exist or has no mail server
	MailboxFull     Reason = "mailboxfull"     // the recipient's mailbox is full
	MailerError     Reason = "mailererror"     // a local delivery program failed
	MesgTooBig      Reason = "mesgtoobig"      // the message is too large
	NetworkError    Reason = "networkerror"    // DNS or network failure, mail loop
	NoRelaying      Reason = "norelaying"      // relaying denied
	NotAccept       Reason = "notaccept"       // the destination accepts no mail at all (null MX)
	NotCompliantRFC Reason = "notcompliantrfc" // the message does not comply with the RFCs
	OnHold          Reason = "onhold"          // an error was reported, but not enough to decide
	PolicyViolation Reason = "policyviolation" // refused by a policy of the recipient's side
	Rejected        Reason = "rejected"        // the envelope sender was refused
	RequirePTR      Reason = "requireptr"      // the sending IP address lacks a (valid) PTR record
	SecurityError   Reason = "securityerror"   // authentication or another security check failed
	SpamDetected    Reason = "spamdetected"    // refused as spam
	Speeding        Reason = "speeding"        // rate limited: sending too fast
	Suppressed      Reason = "suppressed"      // the address is on a suppression list
	Suspend         Reason = "suspend"         // the recipient's account is suspended or disabled
	SyntaxError     Reason = "syntaxerror"     // an SMTP command had a syntax error
	SystemError     Reason = "systemerror"     // an error on the remote system
	SystemFull      Reason = "systemfull"      // the remote system's disk is full
	TooManyConn     Reason = "toomanyconn"     // too many connections
	Undefined       Reason = "undefined"       // no reason could be found
	UserUnknown     Reason = "userunknown"     // the local part does not exist
	Vacation        Reason = "vacation"        // an automatic reply (out of office)
	VirusDetected   Reason = "virusdetected"   // a virus was found in the message
)

// All lists every reason, in alphabetical order.
var All = []Reason{
	AuthFailure, BadReputation, Blocked, ContentError, Delivered, ExceedLimit, Expired,
	FailedSTARTTLS, Feedback, Filtered, HasMoved, HostUnknown, MailboxFull, MailerError,
	MesgTooBig, NetworkError, NoRelaying, NotAccept, NotCompliantRFC, OnHold, PolicyViolation,
	Rejected, RequirePTR, SecurityError, SpamDetected, Speeding, Suppressed, Suspend,
	SyntaxError, SystemError, SystemFull, TooManyConn, Undefined, UserUnknown, Vacation,
	VirusDetected,
}

// Valid reports whether r is one of the defined reasons.
func (r Reason) Valid() bool {
	for _, x := range All {
		if x == r {
			return true
		}
	}
	return false
}

// Explicit reports whether r says something: not empty, undefined or onhold.
func (r Reason) Explicit() bool {
	return r != "" && r != Undefined && r != OnHold
}
