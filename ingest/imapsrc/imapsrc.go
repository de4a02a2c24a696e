// Package imapsrc reads bounces from IMAP folders live: new mail is seen
// through IDLE (RFC 2177), or by polling where the server lacks it; each
// message is handed to an [ingest.Sink] with its INTERNALDATE as Arrival;
// the connection is re-established with exponential backoff; a restart
// resumes after the last UID stored (RFC 3501 §2.3.1.1), unless the
// folder's UIDVALIDITY changed, when the folder is read again (the store's
// content hash keeps the copies out). Messages are never deleted and never
// marked \Seen (BODY.PEEK). Optionally a processed bounce is moved to
// another folder (MOVE, RFC 6851; else UID COPY + \Deleted + UID EXPUNGE,
// RFC 4315), and only once the sink has committed it.
//
// # Library choice: emersion/go-imap v2 (v2.0.0-beta.8), not v1.2.1
//
// Both were tried against Dovecot 2.3.19 on loopback (LOGIN, SELECT,
// APPEND, UID FETCH of BODY.PEEK[] and INTERNALDATE, IDLE woken by an
// APPEND from another session, UID MOVE); both work. v2 is taken because:
//
//   - v1's unilateral updates go to one Updates channel that the caller
//     must drain or the whole client blocks (its IDLE included); v2 calls
//     a handler for EXISTS/EXPUNGE, which here never blocks;
//   - v2's Move falls back to UID COPY + STORE \Deleted + UID EXPUNGE when
//     MOVE is missing, expunging only the moved UIDs under UIDPLUS (v1's
//     fallback expunges every \Deleted message of the folder, the user's
//     too);
//   - v2 handles IDLE as a command to Close (v1 wants a stop channel and a
//     goroutine per IDLE), returns APPEND/MOVE UIDs (UIDPLUS), can stream
//     FETCH literals, and is the maintained line (beta.8, December 2025);
//     v1.2.1 (May 2022) was the last v1 release.
//
// The cost is a beta API: the version is pinned in go.mod and everything
// this package uses of it is exercised by the Dovecot tests.
package imapsrc

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/ingest"
)

// Security is how the connection is protected.
type Security int

const (
	// TLS is implicit TLS from the first byte (imaps, port 993).
	TLS Security = iota
	// StartTLS upgrades a plain connection (port 143) before logging in;
	// a server that does not offer it is refused.
	StartTLS
	// Insecure sends the password in the clear: only for a server on
	// loopback or inside a trusted network.
	Insecure
)

func (s Security) String() string {
	switch s {
	case TLS:
		return "tls"
	case StartTLS:
		return "starttls"
	case Insecure:
		return "insecure"
	}
	return "Security(" + strconv.Itoa(int(s)) + ")"
}

// Options configures a [Source]: one account, one or several folders.
type Options struct {
	// Addr is the server, "host:port" (port 993 for TLS, 143 otherwise).
	Addr      string
	Security  Security
	TLSConfig *tls.Config // nil: the system's roots, ServerName from Addr
	Username  string
	// The password: Password itself (from the caller's configuration),
	// else the first line of PasswordFile, else the environment variable
	// PasswordEnv. Never logged.
	Password     string
	PasswordFile string
	PasswordEnv  string
	// Folders to read; default INBOX.
	Folders []string
	// MoveTo, when set, is the folder a processed bounce is moved to once
	// the sink has committed it (created if missing).
	MoveTo string
	// MoveIf chooses which committed messages are moved; default: those
	// that package bounce decodes as bounces (not ordinary mail that
	// happens to sit in the folder).
	MoveIf func(data []byte) bool
	// Name is the source's name; default "imap:USER@ADDR". Each folder's
	// messages carry NAME/FOLDER as their Source.
	Name    string
	Sink    ingest.Sink
	Cursors ingest.Cursors
	Logger  *slog.Logger
	// NoIdle polls even when the server offers IDLE.
	NoIdle bool
	// Poll is how often a server without IDLE is asked; default 1 min.
	Poll time.Duration
	// IdleRefresh ends and restarts IDLE (RFC 2177 asks for at most 29
	// minutes); default 20 min.
	IdleRefresh time.Duration
	// Batch is how many messages one FETCH asks for; default 20.
	Batch int
	// Backoff between reconnections; default 1 s doubling to 2 min.
	Backoff ingest.Backoff
}

// Source reads the folders of one IMAP account. It implements
// [ingest.Source].
type Source struct {
	o        Options
	password string
	log      *slog.Logger
	folders  []*folder
}

// folder is one folder's state: its own connection and status.
type folder struct {
	s      *Source
	name   string // the mailbox name
	source string // NAME/FOLDER
	status *ingest.Status
	log    *slog.Logger

	// Only the folder's goroutine touches these.
	uidValidity uint32
	last        imap.UID // the last UID stored
	pendingMove imap.UIDSet
	moveErr     error // the last refused move, until one succeeds
}

// New checks o, reads the password, and returns the source.
func New(o Options) (*Source, error) {
	if o.Addr == "" || o.Username == "" {
		return nil, errors.New("imap: need an address and a user name")
	}
	if _, _, err := net.SplitHostPort(o.Addr); err != nil {
		return nil, fmt.Errorf("imap: address %q: %w", o.Addr, err)
	}
	if o.Sink == nil {
		return nil, errors.New("imap: no sink")
	}
	pw := o.Password
	switch {
	case pw != "":
	case o.PasswordFile != "":
		b, err := os.ReadFile(o.PasswordFile)
		if err != nil {
			return nil, fmt.Errorf("imap: password file: %w", err)
		}
		pw, _, _ = strings.Cut(string(b), "\n")
		pw = strings.TrimSuffix(pw, "\r")
	case o.PasswordEnv != "":
		pw = os.Getenv(o.PasswordEnv)
		if pw == "" {
			return nil, fmt.Errorf("imap: environment variable %s is empty", o.PasswordEnv)
		}
	}
	if pw == "" {
		return nil, fmt.Errorf("imap: no password for %s (give a password file or an environment variable)", o.Username)
	}
	o.Password = "" // kept only in the unexported field
	if len(o.Folders) == 0 {
		o.Folders = []string{"INBOX"}
	}
	if o.Name == "" {
		o.Name = "imap:" + o.Username + "@" + o.Addr
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MoveIf == nil {
		o.MoveIf = isBounce
	}
	if o.Poll <= 0 {
		o.Poll = time.Minute
	}
	if o.IdleRefresh <= 0 {
		o.IdleRefresh = 20 * time.Minute
	}
	if o.Batch <= 0 {
		o.Batch = 20
	}
	if o.Backoff.Min == 0 {
		o.Backoff.Min = time.Second
	}
	if o.Backoff.Max == 0 {
		o.Backoff.Max = 2 * time.Minute
	}
	s := &Source{o: o, password: pw, log: o.Logger.With("source", o.Name)}
	if o.Security == Insecure && !ingest.Loopback(o.Addr) {
		s.log.Warn("IMAP without TLS to a server beyond loopback: the password crosses the network in the clear", "addr", o.Addr)
	}
	for _, f := range o.Folders {
		src := o.Name + "/" + f
		s.folders = append(s.folders, &folder{s: s, name: f, source: src,
			status: ingest.NewStatus(src, "imap"), log: o.Logger.With("source", src)})
	}
	return s, nil
}

// isBounce tells a failure notice (or delay, auto-reply, feedback report)
// from ordinary mail.
func isBounce(data []byte) bool {
	res, _ := bounce.DecodeBytes(data)
	return res != nil && res.Kind == bounce.KindBounce
}

// ParseURL reads "imaps://user@host[:port]/FOLDER[,FOLDER…]" (or imap://
// for STARTTLS, imap+insecure:// for no TLS) into Options. A password in
// the URL is refused: it would show in the process list.
func ParseURL(s string) (Options, error) {
	var o Options
	u, err := url.Parse(s)
	if err != nil {
		return o, fmt.Errorf("imap URL: %w", err)
	}
	port := "993"
	switch u.Scheme {
	case "imaps":
		o.Security = TLS
	case "imap":
		o.Security, port = StartTLS, "143"
	case "imap+insecure":
		o.Security, port = Insecure, "143"
	default:
		return o, fmt.Errorf("imap URL %q: scheme must be imaps, imap (STARTTLS) or imap+insecure", s)
	}
	if u.User == nil || u.User.Username() == "" {
		return o, fmt.Errorf("imap URL %q: no user name (imaps://USER@HOST/INBOX)", s)
	}
	if _, ok := u.User.Password(); ok {
		return o, errors.New("imap URL: a password in the URL would be visible to every user of the machine; use a password file or an environment variable")
	}
	o.Username = u.User.Username()
	if u.Hostname() == "" {
		return o, fmt.Errorf("imap URL %q: no host", s)
	}
	if u.Port() != "" {
		port = u.Port()
	}
	o.Addr = net.JoinHostPort(u.Hostname(), port)
	if p := strings.Trim(u.Path, "/"); p != "" {
		o.Folders = strings.Split(p, ",")
	}
	return o, nil
}

// Name returns the source's name.
func (s *Source) Name() string { return s.o.Name }

// Health sums up the folders: connected when all are, the last error of
// any, the items of all, the largest lag.
func (s *Source) Health() ingest.Health {
	h := ingest.Health{Source: s.o.Name, Kind: "imap", Connected: true}
	for _, f := range s.folders {
		fh := f.status.Health()
		h.Connected = h.Connected && fh.Connected
		h.Items += fh.Items
		if fh.LastItem.After(h.LastItem) {
			h.LastItem = fh.LastItem
		}
		if fh.LastError != "" && fh.ErrorAt.After(h.ErrorAt) {
			h.LastError, h.ErrorAt = f.name+": "+fh.LastError, fh.ErrorAt
		}
		h.Lag = max(h.Lag, fh.Lag)
	}
	return h
}

// Folders returns each folder's health.
func (s *Source) Folders() []ingest.Health {
	var out []ingest.Health
	for _, f := range s.folders {
		out = append(out, f.status.Health())
	}
	return out
}

// Run reads every folder until ctx is done.
func (s *Source) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, f := range s.folders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.run(ctx)
		}()
	}
	wg.Wait()
	return nil
}

func (f *folder) run(ctx context.Context) {
	ingest.Reconnect(ctx, f.status, f.log, "imap session ended; reconnecting", f.s.o.Backoff, f.session)
}

// dial connects and logs in.
func (f *folder) dial(notify chan<- struct{}) (*imapclient.Client, error) {
	o := f.s.o
	tc := o.TLSConfig
	if tc == nil {
		host, _, _ := net.SplitHostPort(o.Addr)
		tc = &tls.Config{ServerName: host}
	}
	opts := &imapclient.Options{
		TLSConfig: tc,
		Dialer:    &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second},
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select { // never block the reader
					case notify <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	var c *imapclient.Client
	var err error
	switch o.Security {
	case TLS:
		c, err = imapclient.DialTLS(o.Addr, opts)
	case StartTLS:
		c, err = imapclient.DialStartTLS(o.Addr, opts)
	default:
		c, err = imapclient.DialInsecure(o.Addr, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("connecting to %s (%s): %w", o.Addr, o.Security, err)
	}
	if err := c.Login(o.Username, f.s.password).Wait(); err != nil {
		c.Close()
		// The server's answer, never the password.
		return nil, fmt.Errorf("logging in as %s: %w", o.Username, err)
	}
	return c, nil
}

// session is one connection's life: select, catch up, wait, repeat.
func (f *folder) session(ctx context.Context, bo *ingest.Backoff) error {
	o := f.s.o
	notify := make(chan struct{}, 1)
	c, err := f.dial(notify)
	if err != nil {
		return err
	}
	defer c.Close()
	// ctx ends the session even inside a blocking command.
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()

	if o.MoveTo != "" {
		// Create answers NO when the folder exists; that is fine.
		_ = c.Create(o.MoveTo, nil).Wait()
	}
	mb, err := c.Select(f.name, nil).Wait()
	if err != nil {
		return fmt.Errorf("selecting %s: %w", f.name, err)
	}
	if err := f.resume(ctx, mb.UIDValidity); err != nil {
		return err
	}
	f.status.SetConnected(true)
	idle := c.Caps().Has(imap.CapIdle) && !o.NoIdle
	f.log.Info("imap folder open", "uidvalidity", mb.UIDValidity, "messages", mb.NumMessages, "last_uid", f.last, "idle", idle)

	for {
		if err := f.catchUp(ctx, c); err != nil {
			return err
		}
		bo.Reset()
		if f.moveErr == nil && f.status.Health().LastError != "" {
			f.status.ClearError()
		}
		if idle {
			err = f.idle(ctx, c, notify)
		} else {
			err = f.poll(ctx, c)
		}
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// resume sets the position to read from: the cursor's last UID when its
// UIDVALIDITY is the folder's, else the folder's start.
func (f *folder) resume(ctx context.Context, uv uint32) error {
	if f.uidValidity == 0 && f.s.o.Cursors != nil {
		cur, err := f.s.o.Cursors.Cursor(ctx, f.source)
		if err != nil {
			return fmt.Errorf("reading cursor: %w", err)
		}
		if a, b, ok := strings.Cut(cur, "/"); ok {
			v, err1 := strconv.ParseUint(a, 10, 32)
			l, err2 := strconv.ParseUint(b, 10, 32)
			if err1 == nil && err2 == nil {
				f.uidValidity, f.last = uint32(v), imap.UID(l)
			}
		}
	}
	if f.uidValidity != uv {
		if f.uidValidity != 0 {
			f.log.Warn("UIDVALIDITY changed: reading the folder again (what is stored already is not stored twice)",
				"was", f.uidValidity, "now", uv)
		}
		f.uidValidity, f.last = uv, 0
		f.pendingMove = nil
	}
	return nil
}

// catchUp stores every message after the last UID, in UID order, and
// moves what was committed.
func (f *folder) catchUp(ctx context.Context, c *imapclient.Client) error {
	if err := f.moveCommitted(c); err != nil {
		return err
	}
	for {
		uids, err := f.newUIDs(c)
		if err != nil {
			return err
		}
		if len(uids) == 0 {
			f.status.SetLag(0)
			return nil
		}
		for len(uids) > 0 {
			// A batch of at most Batch messages and batchBytes (but at
			// least one message): a flood of 50 MB messages is not held in
			// memory twenty at a time.
			n := batchLen(uids, f.s.o.Batch, batchBytes)
			batch := make([]imap.UID, n)
			for i := range batch {
				batch[i] = uids[i].uid
			}
			if err := f.fetchStore(ctx, c, batch); err != nil {
				return err
			}
			uids = uids[n:]
			if err := f.moveCommitted(c); err != nil {
				return err
			}
		}
	}
}

// batchLen is how many of uids one FETCH asks for: at most max messages
// and maxBytes bytes, but at least one message.
func batchLen(uids []uidSize, max int, maxBytes int64) int {
	n, size := 0, int64(0)
	for n < len(uids) && n < max && (n == 0 || size+uids[n].size <= maxBytes) {
		size += uids[n].size
		n++
	}
	return n
}

// batchBytes bounds the message bytes one FETCH asks for.
const batchBytes = 32 << 20

type uidSize struct {
	uid  imap.UID
	size int64
}

// newUIDs lists the UIDs (and sizes) after the last stored one. "N:*"
// always matches the folder's last message (RFC 3501 §6.4.8), so the list
// is filtered.
func (f *folder) newUIDs(c *imapclient.Client) ([]uidSize, error) {
	var all imap.UIDSet
	all.AddRange(f.last+1, 0) // 0 stands for "*"
	msgs, err := c.Fetch(all, &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return nil, fmt.Errorf("listing new messages: %w", err)
	}
	var uids []uidSize
	for _, m := range msgs {
		if m.UID > f.last {
			uids = append(uids, uidSize{m.UID, m.RFC822Size})
		}
	}
	sort.Slice(uids, func(i, j int) bool { return uids[i].uid < uids[j].uid })
	return uids, nil
}

// fetchStore fetches the messages and hands them to the sink one by one,
// in UID order; the cursor follows each commit.
func (f *folder) fetchStore(ctx context.Context, c *imapclient.Client, uids []imap.UID) error {
	section := &imap.FetchItemBodySection{Peek: true} // BODY.PEEK[]: \Seen stays as it was
	cmd := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, InternalDate: true, BodySection: []*imap.FetchItemBodySection{section}})
	msgs, err := cmd.Collect()
	if err != nil {
		return fmt.Errorf("fetching %d messages: %w", len(uids), err)
	}
	sort.Slice(msgs, func(i, j int) bool { return msgs[i].UID < msgs[j].UID })
	for _, m := range msgs {
		if m.UID <= f.last {
			continue
		}
		data := m.FindBodySection(section)
		if data == nil {
			// Expunged meanwhile by another client: nothing to store.
			continue
		}
		if !m.InternalDate.IsZero() {
			f.status.SetLag(time.Since(m.InternalDate))
		}
		mail := ingest.Mail{Source: f.source, Position: fmt.Sprintf("%d/%d", f.uidValidity, m.UID), Arrival: m.InternalDate, Data: data}
		if err := f.s.o.Sink.PutMail(ctx, mail); err != nil {
			return fmt.Errorf("storing UID %d: %w", m.UID, err)
		}
		f.last = m.UID
		f.status.Stored(1, time.Now())
		if f.s.o.Cursors != nil {
			if err := f.s.o.Cursors.SetCursor(ctx, f.source, fmt.Sprintf("%d/%d", f.uidValidity, f.last)); err != nil {
				return fmt.Errorf("saving cursor: %w", err)
			}
		}
		if f.s.o.MoveTo != "" && f.s.o.MoveIf(data) {
			f.pendingMove.AddNum(m.UID)
		}
	}
	return nil
}

// moveCommitted moves the committed bounces waiting to be moved. A move
// the server refuses (NO: the folder cannot be made, a quota) does not
// stop the reading: it shows in Health and is tried again at the next
// look; only a broken connection ends the session.
func (f *folder) moveCommitted(c *imapclient.Client) error {
	if len(f.pendingMove) == 0 {
		return nil
	}
	caps := c.Caps()
	var err error
	if !caps.Has(imap.CapMove) && !caps.Has(imap.CapUIDPlus) && !caps.Has(imap.CapIMAP4rev2) {
		// Without MOVE, a plain EXPUNGE would remove every \Deleted message
		// of the folder, the user's too: copy only.
		if _, err = c.Copy(f.pendingMove, f.s.o.MoveTo).Wait(); err == nil {
			f.log.Warn("server has neither MOVE nor UIDPLUS: bounces copied, not moved", "to", f.s.o.MoveTo)
		}
	} else {
		_, err = c.Move(f.pendingMove, f.s.o.MoveTo).Wait()
	}
	if err != nil {
		err = fmt.Errorf("moving stored bounces to %s: %w", f.s.o.MoveTo, err)
		var refused *imap.Error
		if errors.As(err, &refused) {
			f.moveErr = err
			f.status.Failed(err)
			f.log.Warn("the server refused the move; will try again", "err", err)
			return nil
		}
		return err
	}
	f.pendingMove, f.moveErr = nil, nil
	return nil
}

// idle waits in IDLE for new mail, the refresh time, or the end.
func (f *folder) idle(ctx context.Context, c *imapclient.Client, notify <-chan struct{}) error {
	cmd, err := c.Idle()
	if err != nil {
		return fmt.Errorf("IDLE: %w", err)
	}
	t := time.NewTimer(f.s.o.IdleRefresh)
	defer t.Stop()
	var closed error
	select {
	case <-ctx.Done():
	case <-notify:
	case <-t.C:
	case <-c.Closed():
		closed = errors.New("connection closed by the server")
	}
	if closed != nil {
		return closed
	}
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("ending IDLE: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("IDLE: %w", err)
		}
		return nil
	case <-time.After(time.Minute):
		return errors.New("no answer to IDLE's DONE within a minute")
	}
}

// poll waits the poll interval and asks the server with NOOP.
func (f *folder) poll(ctx context.Context, c *imapclient.Client) error {
	select {
	case <-ctx.Done():
		return nil
	case <-c.Closed():
		return errors.New("connection closed by the server")
	case <-time.After(f.s.o.Poll):
	}
	if err := c.Noop().Wait(); err != nil {
		return fmt.Errorf("NOOP: %w", err)
	}
	return nil
}

var _ ingest.Source = (*Source)(nil)
