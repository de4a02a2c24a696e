package policy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"
)

// idleTimeout closes a connection idle this long (Postfix's own default,
// smtpd_policy_service_max_idle, is 300 s).
const idleTimeout = 10 * time.Minute

// Listen opens the service's listener: "unix:PATH" (the socket made
// group-writable so that Postfix's user can connect), or host:port.
func Listen(addr string) (net.Listener, error) {
	if path, ok := strings.CutPrefix(addr, "unix:"); ok {
		_ = os.Remove(path)
		ln, err := net.Listen("unix", path)
		if err != nil {
			return nil, fmt.Errorf("policy: listen %s: %w", addr, err)
		}
		_ = os.Chmod(path, 0o660)
		return ln, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("policy: listen %s: %w", addr, err)
	}
	return ln, nil
}

// Serve answers the connections of ln, many at once, each kept alive for
// as many requests as the client sends, until ctx is done.
func (s *Service) Serve(ctx context.Context, ln net.Listener) error {
	var wg sync.WaitGroup
	conns := map[net.Conn]bool{}
	var mu sync.Mutex
	stop := context.AfterFunc(ctx, func() {
		ln.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	defer stop()
	var backoff time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				wg.Wait()
				return nil
			}
			// Too many open files and the like: wait and go on.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.cfg.Log.Warn("policy: accept", "err", err)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		mu.Lock()
		conns[c] = true
		mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.serveConn(c)
			mu.Lock()
			delete(conns, c)
			mu.Unlock()
		}()
	}
}

func (s *Service) serveConn(c net.Conn) {
	defer c.Close()
	r := bufio.NewReaderSize(c, maxLine)
	w := bufio.NewWriter(c)
	for {
		_ = c.SetReadDeadline(time.Now().Add(idleTimeout))
		req, err := ReadRequest(r)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && !isTimeout(err) {
				s.cfg.Log.Warn("policy: bad request; closing the connection (Postfix then applies default_action)", "err", err)
			}
			return
		}
		resp := s.Decide(req)
		_ = c.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if err := resp.Write(w); err != nil {
			return
		}
		if r.Buffered() == 0 {
			if err := w.Flush(); err != nil {
				return
			}
		}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
