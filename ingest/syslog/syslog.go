// Package syslog is a syslog listener that rsyslog, syslog-ng or logger
// can forward the mail log to: RFC 3164 and RFC 5424 messages over UDP
// (RFC 5426) and TCP (RFC 6587: octet counting or newline framing, told
// apart per frame), on loopback by default. Each message becomes the line
// a log file would hold ("TIMESTAMP HOST TAG[PID]: TEXT"), so that package
// sendlog reads files and the listener with one parser.
//
// Lines are handed to an [ingest.Sink] in batches. While the sink cannot
// commit, lines wait in a bounded queue and are retried: TCP senders are
// slowed down (not read from) so nothing is lost; UDP has no way to slow a
// sender, so UDP messages beyond the queue are dropped and counted in
// Health. A line's Position is its receive time in Unix nanoseconds and a
// sequence number.
package syslog

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bouncewatch/bouncewatch/ingest"
)

// DefaultAddr is where the listener listens when given no address.
const DefaultAddr = "127.0.0.1:5514"

// Options configures a [Listener].
type Options struct {
	// UDP and TCP are the addresses to listen on; both empty means both
	// on DefaultAddr. Loopback unless told otherwise.
	UDP, TCP string
	// Name is the source's name; default "syslog:" + the address.
	Name   string
	Sink   ingest.Sink
	Logger *slog.Logger
	// MaxMessage cuts longer messages; default 64 KiB.
	MaxMessage int
	// MaxConns limits simultaneous TCP senders; default 64.
	MaxConns int
	// Batch is the most lines per sink call; default 500.
	Batch int
	// Flush is how long a line may wait for its batch; default 200 ms.
	Flush time.Duration
	// Queue is how many lines may wait while the sink is slow or failing;
	// default 20,000.
	Queue int
	// Backoff between retries of a failing sink.
	Backoff ingest.Backoff
}

// Listener is a live syslog source. It implements [ingest.Source].
type Listener struct {
	o      Options
	log    *slog.Logger
	status *ingest.Status
	queue  chan ingest.LogLine
	seq    atomic.Uint64

	dropped atomic.Int64
	mu      sync.Mutex
	udpAddr net.Addr
	tcpAddr net.Addr
	ready   chan struct{}
}

// New checks o and returns the listener; Run binds the addresses.
func New(o Options) (*Listener, error) {
	if o.Sink == nil {
		return nil, errors.New("syslog: no sink")
	}
	if o.UDP == "" && o.TCP == "" {
		o.UDP, o.TCP = DefaultAddr, DefaultAddr
	}
	if o.Name == "" {
		a := o.UDP
		if a == "" {
			a = o.TCP
		}
		o.Name = "syslog:" + a
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MaxMessage <= 0 {
		o.MaxMessage = 64 << 10
	}
	if o.MaxConns <= 0 {
		o.MaxConns = 64
	}
	if o.Batch <= 0 {
		o.Batch = 500
	}
	if o.Flush <= 0 {
		o.Flush = 200 * time.Millisecond
	}
	if o.Queue <= 0 {
		o.Queue = 20000
	}
	if o.Backoff.Min == 0 {
		o.Backoff.Min = 200 * time.Millisecond
	}
	if o.Backoff.Max == 0 {
		o.Backoff.Max = 10 * time.Second
	}
	return &Listener{o: o, log: o.Logger.With("source", o.Name), status: ingest.NewStatus(o.Name, "syslog"),
		queue: make(chan ingest.LogLine, o.Queue), ready: make(chan struct{})}, nil
}

// Name returns the source's name.
func (l *Listener) Name() string { return l.o.Name }

// Health tells how the listener is doing; dropped UDP messages show in
// LastError.
func (l *Listener) Health() ingest.Health {
	h := l.status.Health()
	if n := l.dropped.Load(); n > 0 && h.LastError == "" {
		h.LastError = fmt.Sprintf("%d UDP messages dropped while the store could not keep up", n)
	}
	return h
}

// Ready is closed once the listeners are bound.
func (l *Listener) Ready() <-chan struct{} { return l.ready }

// Addrs returns the bound addresses (nil for a transport not used), once
// Ready is closed.
func (l *Listener) Addrs() (udp, tcp net.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.udpAddr, l.tcpAddr
}

// Run listens until ctx is done, then stores what is queued (for up to
// five seconds) and returns nil. An address that cannot be bound is an
// error (a bad configuration, or another program on the port).
func (l *Listener) Run(ctx context.Context) error {
	var pc net.PacketConn
	var ln net.Listener
	var err error
	var lc net.ListenConfig
	if l.o.UDP != "" {
		if pc, err = lc.ListenPacket(ctx, "udp", l.o.UDP); err != nil {
			return fmt.Errorf("syslog: %w", err)
		}
		defer pc.Close()
	}
	if l.o.TCP != "" {
		if ln, err = lc.Listen(ctx, "tcp", l.o.TCP); err != nil {
			return fmt.Errorf("syslog: %w", err)
		}
		defer ln.Close()
	}
	for _, a := range []string{l.o.UDP, l.o.TCP} {
		if a != "" && !ingest.Loopback(a) {
			l.log.Warn("syslog listener open beyond loopback: anyone who reaches it can add lines to the mail log", "addr", a)
		}
	}
	l.mu.Lock()
	if pc != nil {
		l.udpAddr = pc.LocalAddr()
	}
	if ln != nil {
		l.tcpAddr = ln.Addr()
	}
	l.mu.Unlock()
	l.status.SetConnected(true)
	close(l.ready)
	defer l.status.SetConnected(false)

	rctx, stopReaders := context.WithCancel(ctx)
	defer stopReaders()
	var readers sync.WaitGroup
	if pc != nil {
		readers.Add(1)
		go func() {
			defer readers.Done()
			l.serveUDP(rctx, pc)
		}()
		context.AfterFunc(rctx, func() { pc.Close() })
	}
	if ln != nil {
		readers.Add(1)
		go func() {
			defer readers.Done()
			l.serveTCP(rctx, ln)
		}()
		context.AfterFunc(rctx, func() { ln.Close() })
	}
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		l.write(ctx)
	}()
	<-ctx.Done()
	readers.Wait()
	close(l.queue)
	<-writerDone
	return nil
}

func (l *Listener) line(source string, b []byte, peer string) ingest.LogLine {
	now := time.Now()
	var m Message
	if err := ingest.Protect(func() error { m = Parse(b, now, peer); return nil }); err != nil {
		// A bug in the parser loses no message: it is kept whole.
		l.status.Failed(err)
		m.Line = now.Format(time.RFC3339Nano) + " " + hostOf(peer) + " syslog: " + clean(b)
	}
	return ingest.LogLine{Source: source, Position: strconv.FormatInt(now.UnixNano(), 10) + "-" + strconv.FormatUint(l.seq.Add(1), 10),
		Received: now, Line: m.Line}
}

// pause records a failed read or accept on the proto ("udp", "tcp")
// listener and waits a moment before the next; it reports false once ctx
// is done (the listener closed on purpose).
func (l *Listener) pause(ctx context.Context, proto string, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	l.status.Failed(fmt.Errorf("syslog %s: %w", proto, err))
	return ingest.Sleep(ctx, 100*time.Millisecond)
}

func (l *Listener) serveUDP(ctx context.Context, pc net.PacketConn) {
	source := "syslog:udp:" + pc.LocalAddr().String()
	buf := make([]byte, 65536)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			if !l.pause(ctx, "udp", err) {
				return
			}
			continue
		}
		if n == 0 {
			continue
		}
		b := buf[:min(n, l.o.MaxMessage)]
		select {
		case l.queue <- l.line(source, b, from.String()):
		default:
			l.dropped.Add(1)
		}
	}
}

func (l *Listener) serveTCP(ctx context.Context, ln net.Listener) {
	source := "syslog:tcp:" + ln.Addr().String()
	sem := make(chan struct{}, l.o.MaxConns)
	var conns sync.WaitGroup
	defer conns.Wait()
	for {
		c, err := ln.Accept()
		if err != nil {
			if !l.pause(ctx, "tcp", err) {
				return
			}
			continue
		}
		select {
		case sem <- struct{}{}:
		default:
			l.log.Warn("too many syslog TCP connections; refusing one", "peer", c.RemoteAddr().String(), "max", l.o.MaxConns)
			c.Close()
			continue
		}
		conns.Add(1)
		go func() {
			defer conns.Done()
			defer func() { <-sem }()
			stop := context.AfterFunc(ctx, func() { c.Close() })
			defer stop()
			defer c.Close()
			err := ingest.Protect(func() error { return l.readFrames(ctx, c, source) })
			if err != nil && ctx.Err() == nil && !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				l.log.Warn("syslog TCP sender dropped", "peer", c.RemoteAddr().String(), "err", err)
			}
		}()
	}
}

// readFrames reads RFC 6587 frames: "LEN SP MSG" (octet counting, §3.4.1)
// when a frame starts with a digit, else a message ended by LF (§3.4.2).
func (l *Listener) readFrames(ctx context.Context, c net.Conn, source string) error {
	br := bufio.NewReaderSize(c, 64<<10)
	peer := c.RemoteAddr().String()
	for {
		first, err := br.Peek(1)
		if err != nil {
			return err
		}
		var msg []byte
		if first[0] >= '1' && first[0] <= '9' {
			n := 0
			for {
				b, err := br.ReadByte()
				if err != nil {
					return err
				}
				if b == ' ' {
					break
				}
				if b < '0' || b > '9' || n > 1<<24 {
					return fmt.Errorf("bad octet count from %s", peer)
				}
				n = n*10 + int(b-'0')
			}
			keep := min(n, l.o.MaxMessage)
			msg = make([]byte, keep)
			if _, err := io.ReadFull(br, msg); err != nil {
				return err
			}
			if _, err := br.Discard(n - keep); err != nil {
				return err
			}
		} else {
			msg, err = readLine(br, l.o.MaxMessage)
			if err != nil && len(msg) == 0 {
				return err
			}
		}
		if len(msg) == 0 || (len(msg) == 1 && msg[0] == '\r') {
			continue
		}
		select {
		case l.queue <- l.line(source, msg, peer): // blocks while the queue is full: the sender waits
		case <-ctx.Done():
			return nil
		}
	}
}

// readLine reads up to LF, keeping at most max bytes of a longer line.
func readLine(br *bufio.Reader, max int) ([]byte, error) {
	var out []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(out) < max {
			out = append(out, chunk[:min(len(chunk), max-len(out))]...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return out, err
	}
}

// write batches queued lines into the sink, retrying until it commits.
func (l *Listener) write(ctx context.Context) {
	bo := l.o.Backoff
	batch := make([]ingest.LogLine, 0, l.o.Batch)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	flush := func() {
		if len(batch) == 0 {
			return
		}
		pctx := ctx
		if ctx.Err() != nil {
			// Shutting down: a last few seconds to store what is queued.
			var cancel context.CancelFunc
			pctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
		}
		for {
			err := l.o.Sink.PutLogLines(pctx, batch)
			if err == nil {
				l.status.Stored(len(batch), time.Now())
				l.status.SetLag(0)
				if l.status.Health().LastError != "" {
					l.status.ClearError()
				}
				bo.Reset()
				break
			}
			l.status.Failed(fmt.Errorf("storing lines: %w", err))
			l.status.SetLag(time.Since(batch[0].Received))
			if pctx.Err() != nil {
				l.log.Error("syslog lines not stored at shutdown", "lines", len(batch), "err", err)
				break
			}
			l.log.Warn("the store did not take the syslog lines; retrying", "err", err)
			if !ingest.Sleep(pctx, bo.Next()) {
				if ctx.Err() != nil && pctx == ctx {
					// ctx ended while waiting: one more try with the
					// shutdown deadline.
					var cancel context.CancelFunc
					pctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
					defer cancel()
					continue
				}
			}
		}
		batch = batch[:0]
	}
	for {
		select {
		case ln, ok := <-l.queue:
			if !ok {
				flush()
				return
			}
			if len(batch) == 0 {
				timer.Reset(l.o.Flush)
			}
			batch = append(batch, ln)
			if len(batch) >= l.o.Batch {
				timer.Stop()
				flush()
			}
		case <-timer.C:
			flush()
		}
	}
}

var _ ingest.Source = (*Listener)(nil)
