package lmtp

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/ingest"
	"github.com/bouncewatch/bouncewatch/ingest/internal/ingesttest"
	"github.com/bouncewatch/bouncewatch/internal/mailserver"
)

func start(t *testing.T, o Options) *Server {
	t.Helper()
	o.Logger = ingesttest.Quiet()
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ingesttest.Run(t, s.Run, s.Ready())
	return s
}

// withPostfix starts the source on a free loopback port, a remote server
// that refuses every recipient (so that Postfix bounces what it sends
// there) and a Postfix; route sets in o how Postfix reaches the source,
// given its transport ("lmtp:inet:[127.0.0.1]:PORT").
func withPostfix(t *testing.T, sink ingest.Sink, route func(lmtp string, o *mailserver.PostfixOptions)) *mailserver.Postfix {
	t.Helper()
	mailserver.Require(t, "postfix")
	port := mailserver.FreePort(t, 24000, 24049)
	start(t, Options{Addr: fmt.Sprintf("127.0.0.1:%d", port), Sink: sink})
	o := mailserver.PostfixOptions{RemoteAddr: mailserver.StartRefusingSMTP(t, 24050, 24099)}
	route(fmt.Sprintf("lmtp:inet:[127.0.0.1]:%d", port), &o)
	return mailserver.StartPostfix(t, o)
}

func dial(t *testing.T, s *Server) *smtp.Client {
	t.Helper()
	a := s.Addr()
	conn, err := net.Dial(a.Network(), a.String())
	if err != nil {
		t.Fatal(err)
	}
	c := smtp.NewClientLMTP(conn)
	t.Cleanup(func() { c.Close() })
	if err := c.Hello("mta.test"); err != nil {
		t.Fatal(err)
	}
	return c
}

// deliver runs one LMTP transaction and returns each recipient's reply
// code (250 when accepted) after DATA, or the RCPT refusal.
func deliver(t *testing.T, c *smtp.Client, from string, rcpts []string, msg string) map[string]int {
	t.Helper()
	codes := map[string]int{}
	if err := c.Mail(from, nil); err != nil {
		t.Fatal(err)
	}
	any := false
	for _, r := range rcpts {
		if err := c.Rcpt(r, nil); err != nil {
			var se *smtp.SMTPError
			if !errors.As(err, &se) {
				t.Fatal(err)
			}
			codes[r] = se.Code
			continue
		}
		any = true
	}
	if !any {
		c.Reset()
		return codes
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	resp, err := w.CloseWithLMTPResponse()
	for r := range resp {
		codes[r] = 250
	}
	var le smtp.LMTPDataError
	if errors.As(err, &le) {
		for r, se := range le {
			codes[r] = se.Code
		}
	} else if err != nil {
		t.Fatal(err)
	}
	return codes
}

const bounceMsg = "From: MAILER-DAEMON@mail.example.jp\r\nTo: shop@example.jp\r\nSubject: Undelivered Mail Returned to Sender\r\n\r\nbody\r\n"

func TestPerRecipientRepliesAndTempFailure(t *testing.T) {
	sink := &ingesttest.Sink{}
	s := start(t, Options{Addr: "127.0.0.1:0", Sink: sink, Recipients: func(a string) bool { return strings.HasPrefix(a, "bounces") }})
	c := dial(t, s)

	got := deliver(t, c, "", []string{"bounces@example.jp", "bounces+shop@example.jp", "someone@example.jp"}, bounceMsg)
	want := map[string]int{"bounces@example.jp": 250, "bounces+shop@example.jp": 250, "someone@example.jp": 550}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("replies %v, want %v", got, want)
	}
	if n := len(sink.Mails()); n != 1 {
		t.Fatalf("stored %d, want the message once", n)
	}
	m := sink.Mails()[0]
	if !bytes.HasPrefix(m.Data, []byte("Return-Path: <>\r\nFrom: MAILER-DAEMON")) || m.Arrival.IsZero() || m.Source != s.Name() {
		t.Errorf("stored %+v", m)
	}

	// The store cannot commit: every recipient gets 451, so the MTA keeps
	// the message and retries.
	sink.SetFailing(true)
	msg2 := strings.Replace(bounceMsg, "body", "second", 1)
	got = deliver(t, c, "", []string{"bounces@example.jp", "bounces+x@example.jp"}, msg2)
	if got["bounces@example.jp"] != 451 || got["bounces+x@example.jp"] != 451 {
		t.Errorf("replies while the store fails: %v, want 451 each", got)
	}
	if h := s.Health(); !strings.Contains(h.LastError, "store unavailable") {
		t.Errorf("health %+v", h)
	}
	sink.SetFailing(false)
	got = deliver(t, c, "", []string{"bounces@example.jp"}, msg2)
	if got["bounces@example.jp"] != 250 || len(sink.Mails()) != 2 {
		t.Errorf("retry: %v, stored %d", got, len(sink.Mails()))
	}
	if h := s.Health(); h.LastError != "" || h.Items != 2 || !h.Connected || h.Kind != "lmtp" {
		t.Errorf("health %+v", h)
	}
}

func TestSizeLimit(t *testing.T) {
	sink := &ingesttest.Sink{}
	s := start(t, Options{Addr: "127.0.0.1:0", Sink: sink, MaxMessageBytes: 1000})
	c := dial(t, s)
	got := deliver(t, c, "", []string{"b@example.jp"}, bounceMsg+strings.Repeat(strings.Repeat("x", 70)+"\r\n", 30))
	if got["b@example.jp"] != 552 {
		t.Errorf("reply to an oversized message: %v, want 552", got)
	}
	if len(sink.Mails()) != 0 {
		t.Error("an oversized message was stored")
	}
}

func TestConnectionLimit(t *testing.T) {
	sink := &ingesttest.Sink{}
	s := start(t, Options{Addr: "127.0.0.1:0", Sink: sink, MaxConns: 2})
	dial(t, s)
	dial(t, s)
	conn, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 100)
	n, _ := conn.Read(buf)
	if !strings.HasPrefix(string(buf[:n]), "421 4.3.2") {
		t.Errorf("third connection got %q, want 421", buf[:n])
	}
}

func TestLongLineAccepted(t *testing.T) {
	sink := &ingesttest.Sink{}
	s := start(t, Options{Addr: "127.0.0.1:0", Sink: sink})
	c := dial(t, s)
	got := deliver(t, c, "", []string{"b@example.jp"}, bounceMsg+strings.Repeat("x", 5000)+"\r\n")
	if got["b@example.jp"] != 250 || len(sink.Mails()) != 1 {
		t.Errorf("a 5000-octet line: %v, stored %d", got, len(sink.Mails()))
	}
}

func TestUnixSocket(t *testing.T) {
	sink := &ingesttest.Sink{}
	sock := filepath.Join(t.TempDir(), "bouncewatch.lmtp")
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	grp, err := user.LookupGroupId(me.Gid)
	if err != nil {
		t.Fatal(err)
	}
	s := start(t, Options{Addr: sock, Sink: sink, SocketGroup: grp.Name})
	st, err := os.Stat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if gid := fmt.Sprint(st.Sys().(*syscall.Stat_t).Gid); st.Mode().Perm() != 0o660 || gid != grp.Gid {
		t.Errorf("socket mode %v gid %s, want 0660 and %s", st.Mode().Perm(), gid, grp.Gid)
	}
	c := dial(t, s)
	if got := deliver(t, c, "", []string{"b@example.jp"}, bounceMsg); got["b@example.jp"] != 250 {
		t.Errorf("reply %v", got)
	}
	if len(sink.Mails()) != 1 || sink.Mails()[0].Source != "lmtp:"+sock {
		t.Errorf("stored %+v", sink.Mails())
	}
}

// Postfix bounces mail refused by a remote server; the bounces for the
// local sender are delivered over LMTP into the source. While the store
// fails, Postfix is told 451 and keeps them queued; once it works, its
// retry delivers each bounce, stored once.
func TestPostfixDeliversBouncesOverLMTP(t *testing.T) {
	sink := &ingesttest.Sink{}
	sink.SetFailing(true)
	pf := withPostfix(t, sink, func(lmtp string, o *mailserver.PostfixOptions) { o.LocalTransport = lmtp })
	const n = 3
	for i := range n {
		pf.Send(t, "shop@example.jp", []string{fmt.Sprintf("nobody%d@remote.test", i)},
			fmt.Sprintf("From: shop@example.jp\nTo: nobody%d@remote.test\nSubject: Sale %d\nMessage-Id: <sale%d@example.jp>\n\nbuy now\n", i, i, i))
	}
	ingesttest.WaitWithin(t, "Postfix told to retry (451)", 30*time.Second, func() bool {
		return pf.LogHas("to=<shop@example.jp>", "status=deferred", "451 4.3.0")
	})
	if len(sink.Mails()) != 0 {
		t.Fatal("stored while the store fails")
	}
	sink.SetFailing(false)
	ingesttest.WaitWithin(t, "the bounces delivered", 60*time.Second, func() bool { return len(sink.Mails()) == n })
	ingesttest.WaitWithin(t, "Postfix's delivery log", 10*time.Second, func() bool {
		return pf.LogHas("to=<shop@example.jp>", "relay=127.0.0.1", "status=sent (250")
	})
	seen := map[string]bool{}
	for _, m := range sink.Mails() {
		if !bytes.HasPrefix(m.Data, []byte("Return-Path: <>\r\n")) {
			t.Errorf("a bounce without the null Return-Path: %.200q", m.Data)
		}
		res, err := bounce.DecodeBytes(m.Data)
		if err != nil || res.Kind != bounce.KindBounce || len(res.Records) != 1 {
			t.Fatalf("not decoded as one bounce: %v %+v", err, res)
		}
		r := res.Records[0]
		if r.Reason != "userunknown" || r.Status != "5.1.1" {
			t.Errorf("record %+v", r)
		}
		seen[r.Recipient] = true
	}
	for i := range n {
		if !seen[fmt.Sprintf("nobody%d@remote.test", i)] {
			t.Errorf("no bounce for nobody%d@remote.test: %v", i, seen)
		}
	}
	time.Sleep(2 * time.Second) // Postfix's queue runs: nothing delivered twice
	if len(sink.Mails()) != n {
		t.Errorf("stored %d, want %d", len(sink.Mails()), n)
	}
}

// The README's second Postfix recipe: the mailbox stays where it is
// (here discarded) and bouncewatch gets a copy through virtual_alias_maps (recipient_bcc_maps would not do: Postfix
// applies it to received mail only, not to the bounces it makes).
func TestPostfixSendsCopyOverLMTP(t *testing.T) {
	sink := &ingesttest.Sink{}
	pf := withPostfix(t, sink, func(lmtp string, o *mailserver.PostfixOptions) {
		o.LocalTransport = "discard:"
		o.Transports = []string{"bouncewatch.invalid=" + lmtp}
		o.Extra = []string{"virtual_alias_maps = inline:{{shop@example.jp=shop@example.jp,shop@bouncewatch.invalid}}"}
	})
	pf.Send(t, "shop@example.jp", []string{"nobody@remote.test"}, "From: shop@example.jp\nTo: nobody@remote.test\nSubject: Sale\n\nbuy\n")
	ingesttest.WaitWithin(t, "the copy of the bounce", 30*time.Second, func() bool { return len(sink.Mails()) == 1 })
	res, err := bounce.DecodeBytes(sink.Mails()[0].Data)
	if err != nil || res.Kind != bounce.KindBounce || len(res.Records) != 1 || res.Records[0].Recipient != "nobody@remote.test" {
		t.Errorf("copy not decoded as the bounce: %v %+v", err, res)
	}
	// The copy may reach us before Postfix has logged the mailbox's own
	// (discard) delivery of the same bounce.
	ingesttest.WaitWithin(t, "the mailbox's own delivery in the log", 10*time.Second, func() bool {
		return pf.LogHas("to=<shop@example.jp>", "relay=none", "status=sent")
	})
}

// Postfix's lmtp client (running as user postfix) delivers over the Unix
// socket, reachable through its group (SocketGroup "postfix", mode 0660).
func TestPostfixOverUnixSocket(t *testing.T) {
	mailserver.Require(t, "postfix")
	sink := &ingesttest.Sink{}
	sock := filepath.Join(mailserver.WorldDir(t, "bw-lmtp-"), "lmtp.sock")
	start(t, Options{Addr: sock, SocketGroup: "postfix", Sink: sink})
	remote := mailserver.StartRefusingSMTP(t, 24050, 24099)
	pf := mailserver.StartPostfix(t, mailserver.PostfixOptions{LocalTransport: "lmtp:unix:" + sock, RemoteAddr: remote})
	pf.Send(t, "shop@example.jp", []string{"nobody@remote.test"}, "From: shop@example.jp\nTo: nobody@remote.test\nSubject: Sale\n\nbuy\n")
	ingesttest.WaitWithin(t, "the bounce over the socket", 30*time.Second, func() bool { return len(sink.Mails()) == 1 })
	// The store may have the bounce before Postfix has logged the reply.
	ingesttest.WaitWithin(t, "Postfix's log of the delivery over the socket", 10*time.Second, func() bool {
		return pf.LogHas("to=<shop@example.jp>", "["+sock+"]", "status=sent (250")
	})
}

func TestRecipientLimit(t *testing.T) {
	sink := &ingesttest.Sink{}
	s := start(t, Options{Addr: "127.0.0.1:0", Sink: sink, MaxRecipients: 3})
	c := dial(t, s)
	got := deliver(t, c, "", []string{"a@example.jp", "b@example.jp", "c@example.jp", "d@example.jp"}, bounceMsg)
	want := map[string]int{"a@example.jp": 250, "b@example.jp": 250, "c@example.jp": 250, "d@example.jp": 452}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("replies %v, want %v", got, want)
	}
	if len(sink.Mails()) != 1 {
		t.Errorf("stored %d, want 1", len(sink.Mails()))
	}
}

// The README's first Postfix recipe: the bounce address alone goes to
// bouncewatch through a transport map entry.
func TestPostfixTransportMapRecipe(t *testing.T) {
	sink := &ingesttest.Sink{}
	pf := withPostfix(t, sink, func(lmtp string, o *mailserver.PostfixOptions) {
		o.LocalTransport = "discard:"
		o.Transports = []string{"bounces@example.jp=" + lmtp}
	})
	pf.Send(t, "bounces@example.jp", []string{"nobody@remote.test"}, "From: shop@example.jp\nTo: nobody@remote.test\nSubject: Sale\n\nbuy\n")
	pf.Send(t, "shop@example.jp", []string{"nobody2@remote.test"}, "From: shop@example.jp\nTo: nobody2@remote.test\nSubject: Sale\n\nbuy\n")
	ingesttest.WaitWithin(t, "the bounce for the bounce address", 30*time.Second, func() bool { return len(sink.Mails()) == 1 })
	ingesttest.WaitWithin(t, "the other bounce discarded", 30*time.Second, func() bool {
		return pf.LogHas("to=<shop@example.jp>", "relay=none", "status=sent")
	})
	if len(sink.Mails()) != 1 {
		t.Errorf("stored %d, want only the bounce address's", len(sink.Mails()))
	}
}
