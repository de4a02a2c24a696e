package e2e

import (
	"errors"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Where Postfix's transport map sends mail for remote.test.
const (
	remoteHost = "127.0.0.1"
	remotePort = "2525"
	remoteAddr = remoteHost + ":" + remotePort
)

// refusingServer is the "remote" domain's mail server: a minimal SMTP
// server that accepts a session and MAIL FROM but refuses every recipient
// as unknown, the way a real server answers a spammer's guessed addresses.
// Postfix then returns each message to its sender with a real RFC 3464
// bounce.
type refusingServer struct {
	ln      net.Listener
	refused atomic.Int64 // RCPT commands refused
	wg      sync.WaitGroup
}

// startRefusingServer listens on remoteAddr until the test ends.
func startRefusingServer(t *testing.T) *refusingServer {
	t.Helper()
	ln, err := net.Listen("tcp", remoteAddr)
	if err != nil {
		t.Fatalf("the fake remote server cannot listen on %s (is a previous run or another program using it?): %v", remoteAddr, err)
	}
	s := &refusingServer{ln: ln}
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
	})
	return s
}

func (s *refusingServer) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.session(c)
		}()
	}
}

// session speaks just enough SMTP for Postfix's smtp(8) client. It
// advertises no extensions beyond 8BITMIME, so the client sends one command
// at a time (no PIPELINING) and never DATA after every RCPT was refused;
// DATA is answered anyway, as Postfix's smtpd would.
func (s *refusingServer) session(c net.Conn) {
	defer c.Close()
	tp := textproto.NewConn(c)
	say := func(format string, args ...any) bool {
		c.SetWriteDeadline(time.Now().Add(30 * time.Second))
		return tp.PrintfLine(format, args...) == nil
	}
	if !say("220 mx.remote.test ESMTP") {
		return
	}
	for {
		c.SetReadDeadline(time.Now().Add(2 * time.Minute))
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		ok := true
		switch strings.ToUpper(verb) {
		case "EHLO":
			ok = say("250-mx.remote.test") && say("250 8BITMIME")
		case "HELO":
			ok = say("250 mx.remote.test")
		case "MAIL":
			ok = say("250 2.1.0 Ok")
		case "RCPT":
			s.refused.Add(1)
			ok = say("550 5.1.1 %s: Recipient address rejected: User unknown", rcptAddr(arg))
		case "DATA":
			ok = say("554 5.5.1 Error: no valid recipients")
		case "RSET", "NOOP":
			ok = say("250 2.0.0 Ok")
		case "QUIT":
			say("221 2.0.0 Bye")
			return
		default:
			ok = say("502 5.5.2 Error: command not recognized")
		}
		if !ok {
			return
		}
	}
}

// rcptAddr returns the <address> of a RCPT argument ("TO:<a@b> ORCPT=…").
func rcptAddr(arg string) string {
	if i := strings.IndexByte(arg, '<'); i >= 0 {
		if j := strings.IndexByte(arg[i:], '>'); j >= 0 {
			return arg[i : i+j+1]
		}
	}
	return "<>"
}
