// Package sendlog reads OUTBOUND mail logs—Postfix, Exim, Sendmail, and the
// hourly sent-count CSV that hosting control panels export—and turns each
// relevant line into an Event. A Joiner assembles the events of one queue ID
// into a Message: who submitted it (SASL user, client IP), what it was
// (sender, size, Message-ID) and what became of each recipient.
//
// That is what tells a hijacked account (spam really left through our server,
// under an authenticated user) from a spoofed address (the bounces are
// backscatter for mail our server never sent).
//
// Reading is streaming and allocation-light: lines are cut with strings.Cut and
// strings.Index, never with regular expressions, so a million log lines take
// well under a second on one core. Lines that are not understood are never
// dropped silently: Stats counts them and keeps a sample of each file's first
// ones with their file:line.
package sendlog

import (
	"strconv"
	"time"
)

// Format names a log format.
type Format string

// The formats Read understands. The zero Format asks Read to detect it.
const (
	Auto     Format = ""
	Postfix  Format = "postfix"  // syslog lines (classic, ISO/RFC 3339, RFC 5424, journald short-iso) and Postfix's own maillog_file
	Exim     Format = "exim"     // Exim mainlog
	Sendmail Format = "sendmail" // syslog lines of sm-mta / sendmail
	CSV      Format = "csv"      // sent counts per hour and account
)

// EventKind says what an Event records.
type EventKind uint8

// Event kinds. Each carries the fields listed; Time, Host, Program, PID, Line
// and Source are set on every event (Host and PID when the log has them).
const (
	// Login: a successful SASL authentication (Postfix smtpd "client=…,
	// sasl_username=", Sendmail "AUTH=server"): SASLUser, ClientHost,
	// ClientIP, QueueID, Text (the mechanism).
	Login EventKind = iota + 1
	// Client: a queue ID was opened for a client without authentication
	// (Postfix smtpd "client=" without SASL, or pickup for local submission,
	// where Text is "uid=N"): ClientHost, ClientIP, QueueID, From (pickup).
	Client
	// MsgID: the Message-ID of a queued message (Postfix cleanup):
	// QueueID, MessageID.
	MsgID
	// Accept: a message entered the queue: QueueID, From, Size, NRcpt and,
	// where the line has them (Exim, Sendmail), MessageID, ClientHost,
	// ClientIP, SASLUser.
	Accept
	// Deliver: the result of a delivery attempt for one recipient: QueueID,
	// To, OrigTo, Relay, RelayIP, DSN, Status ("sent", "bounced",
	// "deferred", "expired", …) and Text (the server's reply or reason).
	// A Postfix "status=expired, returned to sender" line is a Deliver event
	// with an empty To.
	Deliver
	// Bounce: a notification to the sender was generated for QueueID:
	// BounceID is the notification's own queue ID, Status is
	// "non-delivery", "delay" or "success", Text the log's wording.
	Bounce
	// Done: the queue ID left the queue (Postfix "removed", Exim
	// "Completed").
	Done
	// Reject: the server refused a command: ClientHost, ClientIP, From, To,
	// DSN, Text; QueueID when one was already assigned.
	Reject
	// AuthFail: a failed SASL authentication: ClientHost, ClientIP, Text,
	// and SASLUser when the log names it.
	AuthFail
	// Count: a CSV row: Count messages were sent in the hour starting at
	// Time by the account in SASLUser (also in From when it is an address).
	Count
)

var kindNames = [...]string{"", "login", "client", "msgid", "accept", "deliver", "bounce", "done", "reject", "authfail", "count"}

// String returns the kind's lower-case name, such as "deliver".
func (k EventKind) String() string {
	if int(k) < len(kindNames) && k != 0 {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Event is one relevant log line (a few lines yield two events). Fields that
// do not apply to the Kind are empty; see the EventKind constants.
type Event struct {
	Time    time.Time
	Host    string // the syslog host name; empty for Exim and CSV
	Program string // "postfix/smtpd", "postfix/submission/smtpd", "exim", "sm-mta", "csv", …
	PID     int
	Line    int    // 1-based line number in the file
	Source  string // "file:line"
	Kind    EventKind

	QueueID    string // Postfix queue ID, Exim message ID, Sendmail queue ID
	MessageID  string // without the angle brackets
	From       string // envelope sender, without angle brackets; "" for the null sender
	To         string // recipient, without angle brackets
	OrigTo     string // original recipient before aliasing, when logged
	Status     string
	DSN        string // enhanced status code such as "5.1.1"
	Relay      string // host name of the next hop ("local", "none", … for Postfix)
	RelayIP    string
	SASLUser   string
	ClientHost string
	ClientIP   string
	BounceID   string // Bounce: the queue ID of the generated notification
	Text       string

	Size  int64
	NRcpt int
	Count int
}
