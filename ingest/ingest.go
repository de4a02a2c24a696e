// Package ingest is the meeting point of the live sources (IMAP, Maildir,
// LMTP, mail log files, a syslog listener) and the store: a source reads
// messages and log lines and hands them to a [Sink]; only once the sink
// has committed them may the source acknowledge them (move an IMAP message,
// answer an LMTP 250, advance a file offset). The same item handed twice
// is stored once, so a source may always hand again what it is not sure
// was stored.
package ingest

import (
	"context"
	"time"
)

// Mail is one message a source delivers.
type Mail struct {
	// Source names the source: "imap:shop@mail.example.jp/INBOX",
	// "maildir:/home/shop/Maildir", "lmtp:127.0.0.1:8024", "file:/x.eml".
	Source string
	// Position is where the message is in the source ("uidvalidity/uid",
	// a Maildir unique name, an LMTP transaction); with Source it names
	// the message uniquely, across restarts.
	Position string
	// Arrival is when the message reached the mailbox (IMAP INTERNALDATE,
	// the Maildir file name's time, the LMTP delivery); zero if unknown.
	Arrival time.Time
	// Data is the raw message.
	Data []byte
}

// LogLine is one line of a mail log.
type LogLine struct {
	// Source names the log: "file:/var/log/mail.log",
	// "syslog:udp:127.0.0.1:5514".
	Source string
	// Position is where the line is in the source (for a file, its
	// identity and byte offset: "dev:ino:fp:offset", see package logtail);
	// with Source it names the line uniquely.
	Position string
	// Received is when the line was read.
	Received time.Time
	// Line is the text, without its line end. A line from the syslog
	// listener is given in the file form Postfix writes (see package
	// sendlog), so that one parser reads both.
	Line string
}

// Sink stores what the sources read. A nil error means the items are
// committed durably; an error means nothing of the call may be taken as
// stored (the source keeps the items, retries, or answers LMTP 4xx).
// Storing the same item twice (same Source and Position, or the same
// content) stores it once and returns nil.
type Sink interface {
	PutMail(ctx context.Context, m Mail) error
	PutLogLines(ctx context.Context, lines []LogLine) error
}

// Cursors keeps each source's resume point across restarts (an IMAP
// folder's UIDVALIDITY and last UID, a log file's identity and offset).
// A source sets its cursor only after the items before it are stored.
type Cursors interface {
	// Cursor returns the value last set for source, or "" if none.
	Cursor(ctx context.Context, source string) (string, error)
	SetCursor(ctx context.Context, source, value string) error
}

// Source is one live source.
type Source interface {
	// Name is the source's name, as in Mail.Source and LogLine.Source.
	Name() string
	// Run reads until ctx is done, reconnecting and retrying with backoff
	// on failure; it returns nil when ctx is done, an error only when it
	// cannot run at all (a bad configuration).
	Run(ctx context.Context) error
	// Health tells how the source is doing now.
	Health() Health
}

// Health is what a source reports of itself, for /metrics, the API and the
// dashboard's sources page.
type Health struct {
	Source    string
	Kind      string // "imap", "maildir", "lmtp", "logfile", "syslog"
	Connected bool   // an IMAP session or a listener is up; a file is open
	LastItem  time.Time
	Items     int64 // items stored since start
	LastError string
	ErrorAt   time.Time
	// Lag is how far the source is behind: a log file's unread bytes as
	// time since its last write, an IMAP folder's unseen backlog's age.
	Lag time.Duration
}
