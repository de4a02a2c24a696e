// Package lmtp is an LMTP server (RFC 2033, emersion/go-smtp in LMTP mode)
// on a Unix socket or a loopback port, so that Postfix or Exim delivers
// the bounce mailbox (or a copy of it) straight into the store.
//
// After DATA each recipient gets its own reply (RFC 2033 §4.2): 250 once
// the sink has committed the message, 451 4.3.0 while the sink cannot
// commit — the MTA keeps the message queued and tries again, so nothing is
// lost — and 552 5.3.4 for a message over the size limit. A recipient the
// optional filter refuses gets 550 5.1.1 at RCPT. Connections beyond the
// limit are answered 421 4.3.2 and closed (the MTA retries later).
//
// The message is stored as delivered, with a Return-Path field of the
// envelope sender prepended (RFC 5321 §4.4, as a delivery agent does; for
// a bounce it is "<>"); its Arrival is the delivery time and its Position
// the transaction (delivery time and a sequence number). A retried
// delivery of the same message has the same content, which the sink
// stores once.
package lmtp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/user"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/bouncewatch/bouncewatch/ingest"
)

// DefaultAddr is where the server listens when given no address.
const DefaultAddr = "127.0.0.1:8024"

// Options configures a [Server].
type Options struct {
	// Addr is "host:port", or the path of a Unix socket (starting with
	// "/"); default DefaultAddr.
	Addr string
	// SocketMode is the Unix socket's permission; default 0660 (give the
	// socket's group to the MTA: Postfix's lmtp runs as "postfix").
	SocketMode os.FileMode
	// SocketGroup, when set, is the Unix socket's group (e.g. "postfix").
	SocketGroup string
	// Name is the source's name; default "lmtp:" + Addr.
	Name   string
	Sink   ingest.Sink
	Logger *slog.Logger
	// Domain is the name in the greeting; default the host name.
	Domain string
	// MaxMessageBytes refuses larger messages (552); default 64 MiB.
	MaxMessageBytes int64
	// MaxRecipients per transaction; default 1000.
	MaxRecipients int
	// MaxConns is the most simultaneous connections; default 20.
	MaxConns int
	// Recipients, when set, accepts only the recipients it returns true
	// for (the bounce mailboxes); others get 550 5.1.1.
	Recipients func(addr string) bool
	// StoreTimeout bounds one commit to the sink; past it the MTA gets
	// 451 and retries. Default 60 s.
	StoreTimeout time.Duration
	// ReadTimeout for the MTA's commands and data; default 5 min.
	ReadTimeout time.Duration
}

// Server is a live LMTP source. It implements [ingest.Source].
type Server struct {
	o      Options
	log    *slog.Logger
	status *ingest.Status
	seq    atomic.Uint64

	mu    sync.Mutex
	addr  net.Addr
	ready chan struct{}
}

// New checks o and returns the server; Run listens.
func New(o Options) (*Server, error) {
	if o.Sink == nil {
		return nil, errors.New("lmtp: no sink")
	}
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if o.Name == "" {
		o.Name = "lmtp:" + o.Addr
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.SocketMode == 0 {
		o.SocketMode = 0o660
	}
	if o.Domain == "" {
		o.Domain, _ = os.Hostname()
		if o.Domain == "" {
			o.Domain = "localhost"
		}
	}
	if o.MaxMessageBytes <= 0 {
		o.MaxMessageBytes = 64 << 20
	}
	if o.MaxRecipients <= 0 {
		o.MaxRecipients = 1000
	}
	if o.MaxConns <= 0 {
		o.MaxConns = 20
	}
	if o.StoreTimeout <= 0 {
		o.StoreTimeout = time.Minute
	}
	if o.ReadTimeout <= 0 {
		o.ReadTimeout = 5 * time.Minute
	}
	return &Server{o: o, log: o.Logger.With("source", o.Name), status: ingest.NewStatus(o.Name, "lmtp"), ready: make(chan struct{})}, nil
}

// Name returns the source's name.
func (s *Server) Name() string { return s.o.Name }

// Health tells how the server is doing.
func (s *Server) Health() ingest.Health { return s.status.Health() }

// Ready is closed once the server listens.
func (s *Server) Ready() <-chan struct{} { return s.ready }

// Addr is the address listened on, once Ready is closed.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

func (s *Server) network() string {
	if strings.HasPrefix(s.o.Addr, "/") || strings.HasPrefix(s.o.Addr, "./") {
		return "unix"
	}
	return "tcp"
}

// Run serves until ctx is done, then lets the transactions under way end
// (up to StoreTimeout) and returns nil. An address that cannot be bound is
// an error.
func (s *Server) Run(ctx context.Context) error {
	netw := s.network()
	if netw == "unix" {
		// A socket left by a previous run (not any other file).
		if st, err := os.Lstat(s.o.Addr); err == nil && st.Mode()&os.ModeSocket != 0 {
			os.Remove(s.o.Addr)
		}
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, netw, s.o.Addr)
	if err != nil {
		return fmt.Errorf("lmtp: %w", err)
	}
	if netw == "unix" {
		if err := os.Chmod(s.o.Addr, s.o.SocketMode); err != nil {
			ln.Close()
			return fmt.Errorf("lmtp: %w", err)
		}
		if s.o.SocketGroup != "" {
			g, err := user.LookupGroup(s.o.SocketGroup)
			var gid int
			if err == nil {
				gid, err = strconv.Atoi(g.Gid)
			}
			if err == nil {
				err = os.Chown(s.o.Addr, -1, gid)
			}
			if err != nil {
				ln.Close()
				return fmt.Errorf("lmtp: socket group %s: %w", s.o.SocketGroup, err)
			}
		}
		defer os.Remove(s.o.Addr)
	}
	if netw == "tcp" && !ingest.Loopback(s.o.Addr) {
		s.log.Warn("LMTP open beyond loopback: anyone who reaches it can deliver mail into the store", "addr", s.o.Addr)
	}
	s.mu.Lock()
	s.addr = ln.Addr()
	s.mu.Unlock()

	srv := smtp.NewServer(&backend{s: s})
	srv.LMTP = true
	srv.Network = netw
	srv.Addr = s.o.Addr
	srv.Domain = s.o.Domain
	srv.MaxMessageBytes = s.o.MaxMessageBytes
	srv.MaxRecipients = s.o.MaxRecipients
	// Broken MTAs write longer lines than RFC 5321's 1000 octets
	// (§4.5.3.1.6); a bounce is taken anyway, within the size limit.
	srv.MaxLineLength = 1 << 20
	srv.ReadTimeout = s.o.ReadTimeout
	srv.WriteTimeout = time.Minute
	srv.ErrorLog = slogAdapter{s.log}

	s.status.SetConnected(true)
	close(s.ready)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(&limitListener{Listener: ln, sem: make(chan struct{}, s.o.MaxConns), s: s}) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), s.o.StoreTimeout)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			srv.Close()
		}
		<-done
		s.status.SetConnected(false)
		return nil
	case err := <-done:
		s.status.SetConnected(false)
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("lmtp: %w", err)
	}
}

type backend struct{ s *Server }

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s}, nil
}

// session is one LMTP connection's transaction state.
type session struct {
	s     *Server
	from  string
	rcpts []string
}

func (ss *session) Reset()        { ss.from, ss.rcpts = "", nil }
func (ss *session) Logout() error { return nil }

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if f := ss.s.o.Recipients; f != nil && !f(to) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such bounce mailbox here"}
	}
	ss.rcpts = append(ss.rcpts, to)
	return nil
}

// Data is SMTP's; in LMTP mode go-smtp calls LMTPData.
func (ss *session) Data(r io.Reader) error { return ss.deliver(r) }

// LMTPData stores the message once and gives every recipient the outcome
// (RFC 2033 §4.2: one reply per accepted RCPT).
func (ss *session) LMTPData(r io.Reader, status smtp.StatusCollector) error {
	err := ss.deliver(r)
	for _, rc := range ss.rcpts {
		status.SetStatus(rc, err)
	}
	return err
}

var errTemp = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Cannot store the message now; try again later"}

func (ss *session) deliver(r io.Reader) error {
	s := ss.s
	var buf bytes.Buffer
	buf.WriteString("Return-Path: <" + ss.from + ">\r\n")
	if _, err := buf.ReadFrom(r); err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			return se // 552 5.3.4 over the size limit
		}
		return errTemp
	}
	now := time.Now()
	m := ingest.Mail{Source: s.o.Name, Position: strconv.FormatInt(now.UnixNano(), 10) + "-" + strconv.FormatUint(s.seq.Add(1), 10),
		Arrival: now, Data: buf.Bytes()}
	ctx, cancel := context.WithTimeout(context.Background(), s.o.StoreTimeout)
	defer cancel()
	err := ingest.Protect(func() error { return s.o.Sink.PutMail(ctx, m) })
	if err != nil {
		s.status.Failed(fmt.Errorf("storing a message from <%s>: %w", ss.from, err))
		s.log.Warn("message not stored; the MTA was told to try again (451)", "from", ss.from, "rcpts", len(ss.rcpts), "err", err)
		return errTemp
	}
	s.status.Stored(1, now)
	if s.status.Health().LastError != "" {
		s.status.ClearError()
	}
	return nil
}

// limitListener answers connections beyond the limit with 421 (RFC 5321
// §3.8) instead of letting them wait unseen.
type limitListener struct {
	net.Listener
	sem chan struct{}
	s   *Server
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		select {
		case l.sem <- struct{}{}:
			return &limitConn{Conn: c, release: func() { <-l.sem }}, nil
		default:
			l.s.log.Warn("too many LMTP connections; answering 421", "max", l.s.o.MaxConns)
			c.SetWriteDeadline(time.Now().Add(5 * time.Second))
			io.WriteString(c, "421 4.3.2 Too many connections, try again later\r\n")
			c.Close()
		}
	}
}

type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}

type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Printf(format string, v ...any) { a.l.Warn(fmt.Sprintf(format, v...)) }
func (a slogAdapter) Println(v ...any)               { a.l.Warn(strings.TrimSuffix(fmt.Sprintln(v...), "\n")) }

var _ ingest.Source = (*Server)(nil)
