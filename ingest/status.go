package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"time"
)

// Status keeps a source's [Health] up to date; it is safe for concurrent
// use (the source's goroutines write it, /metrics reads it).
type Status struct {
	mu sync.Mutex
	h  Health
}

// NewStatus returns the status of the source named source of kind kind
// ("imap", "maildir", "lmtp", "logfile", "syslog").
func NewStatus(source, kind string) *Status {
	return &Status{h: Health{Source: source, Kind: kind}}
}

// Health returns a copy of the current health.
func (s *Status) Health() Health {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.h
}

// SetConnected records whether the session, listener or file is up.
func (s *Status) SetConnected(up bool) {
	s.mu.Lock()
	s.h.Connected = up
	s.mu.Unlock()
}

// Stored records n items committed by the sink, the last at time at.
func (s *Status) Stored(n int, at time.Time) {
	s.mu.Lock()
	s.h.Items += int64(n)
	if at.After(s.h.LastItem) {
		s.h.LastItem = at
	}
	s.mu.Unlock()
}

// Failed records err as the last error; a nil err is ignored.
func (s *Status) Failed(err error) {
	if err == nil {
		return
	}
	s.mu.Lock()
	s.h.LastError = err.Error()
	s.h.ErrorAt = time.Now()
	s.mu.Unlock()
}

// ClearError forgets the last error, once the source works again.
func (s *Status) ClearError() {
	s.mu.Lock()
	s.h.LastError = ""
	s.h.ErrorAt = time.Time{}
	s.mu.Unlock()
}

// SetLag records how far behind the source is.
func (s *Status) SetLag(d time.Duration) {
	if d < 0 {
		d = 0
	}
	s.mu.Lock()
	s.h.Lag = d
	s.mu.Unlock()
}

// Backoff is an exponential backoff: Min, then doubling up to Max. The
// zero value waits 1 s doubling to 1 min.
type Backoff struct {
	Min, Max time.Duration
	next     time.Duration
}

// Next returns the next wait.
func (b *Backoff) Next() time.Duration {
	lo, hi := b.Min, b.Max
	if lo <= 0 {
		lo = time.Second
	}
	if hi < lo {
		hi = max(time.Minute, lo)
	}
	if b.next < lo {
		b.next = lo
	}
	d := b.next
	b.next = min(b.next*2, hi)
	return d
}

// Reset starts again from Min, after a success.
func (b *Backoff) Reset() { b.next = 0 }

// Sleep waits d or until ctx is done; it reports whether ctx is still
// live.
func Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// Reconnect runs session again and again until ctx is done: the loop of
// a source that keeps a connection, a watch or an open file. Each session
// runs under [Protect] and gets bo, to Reset once it works; when it ends
// the source is marked disconnected and, unless ctx is done, its error is
// recorded in st and logged as a warning with msg, and the next session
// starts after bo's next wait.
func Reconnect(ctx context.Context, st *Status, log *slog.Logger, msg string, bo Backoff, session func(context.Context, *Backoff) error) {
	for {
		err := Protect(func() error { return session(ctx, &bo) })
		st.SetConnected(false)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			st.Failed(err)
			log.Warn(msg, "err", err)
		}
		if !Sleep(ctx, bo.Next()) {
			return
		}
	}
}

// Protect runs f and turns a panic in it into an error, so that a bug in
// one source shows as that source's error, never as a crash of the
// service.
func Protect(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error (panic): %v\n%s", r, debug.Stack())
		}
	}()
	return f()
}

// Loopback tells whether addr ("host:port") is on the loopback interface
// (127.0.0.0/8, ::1, localhost); listeners and clear-text logins warn
// otherwise.
func Loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
