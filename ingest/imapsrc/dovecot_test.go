package imapsrc

import (
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/bouncewatch/bouncewatch/ingest"
	"github.com/bouncewatch/bouncewatch/ingest/internal/ingesttest"
	"github.com/bouncewatch/bouncewatch/internal/mailserver"
)

// These tests run the source against a real Dovecot of their own (see
// package mailserver): they need root and dovecot-imapd, skip without them
// and fail without them under CI=true.

func testdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.ReplaceAll(string(b), "\n", "\r\n"))
}

// client is another mail client of the same account: it APPENDs and
// counts, as the MTA's delivery and the user's mail program would.
func client(t *testing.T, d *mailserver.Dovecot) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialTLS(d.IMAPSAddr, &imapclient.Options{TLSConfig: d.TLS})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(d.User, d.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func appendMsg(t *testing.T, d *mailserver.Dovecot, folder string, data []byte, at time.Time) {
	t.Helper()
	c := client(t, d)
	cmd := c.Append(folder, int64(len(data)), &imap.AppendOptions{Time: at})
	if _, err := cmd.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.Wait(); err != nil {
		t.Fatalf("APPEND to %s: %v", folder, err)
	}
	c.Logout().Wait()
}

func count(t *testing.T, d *mailserver.Dovecot, folder string) int {
	t.Helper()
	c := client(t, d)
	st, err := c.Status(folder, &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil {
		if strings.Contains(err.Error(), "NONEXISTENT") || strings.Contains(err.Error(), "doesn't exist") {
			return 0
		}
		t.Fatal(err)
	}
	c.Logout().Wait()
	return int(*st.NumMessages)
}

// mail is a distinct ordinary message.
func mail(n int) []byte {
	return []byte(fmt.Sprintf("From: customer%d@example.net\r\nTo: shop@example.jp\r\nSubject: order %d\r\nMessage-Id: <m%d@example.net>\r\n\r\nbody %d\r\n", n, n, n, n))
}

func start(t *testing.T, o Options) (*Source, func()) {
	t.Helper()
	o.Logger = ingesttest.Quiet()
	if o.Backoff.Min == 0 {
		o.Backoff = ingest.Backoff{Min: 50 * time.Millisecond, Max: 500 * time.Millisecond}
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s, ingesttest.Run(t, s.Run, nil)
}

func options(d *mailserver.Dovecot, sink *ingesttest.Sink) Options {
	return Options{Addr: d.IMAPAddr, Security: StartTLS, TLSConfig: d.TLS, Username: d.User,
		PasswordFile: d.PasswordFile, Sink: sink, Cursors: sink}
}

func TestDovecotIdlePicksUpAppends(t *testing.T) {
	d := mailserver.StartDovecot(t, 14300)
	sink := &ingesttest.Sink{}
	appendMsg(t, d, "INBOX", mail(0), time.Now()) // there before the start
	s, _ := start(t, options(d, sink))
	ingesttest.WaitFor(t, "the message already there", func() bool { return len(sink.Mails()) == 1 })
	ingesttest.WaitFor(t, "a connected source", func() bool { return s.Health().Connected })

	// Appended while the source waits in IDLE; polling is off (Poll is a
	// minute), so only IDLE can bring them within the wait.
	at := time.Date(2026, 11, 2, 2, 14, 9, 0, time.FixedZone("JST", 9*3600))
	appendMsg(t, d, "INBOX", testdata(t, "bounce.eml"), at)
	for i := 1; i <= 3; i++ {
		appendMsg(t, d, "INBOX", mail(i), time.Now())
	}
	ingesttest.WaitFor(t, "the appended messages", func() bool { return len(sink.Mails()) == 5 })
	got := sink.Mails()
	if !got[1].Arrival.Equal(at) {
		t.Errorf("Arrival %v, want the INTERNALDATE %v", got[1].Arrival, at)
	}
	for i, m := range got {
		if want := fmt.Sprintf("imap:%s@%s/INBOX", d.User, d.IMAPAddr); m.Source != want {
			t.Errorf("message %d: source %q, want %q", i, m.Source, want)
		}
		if !strings.HasSuffix(m.Position, fmt.Sprintf("/%d", i+1)) {
			t.Errorf("message %d: position %q, want UIDVALIDITY/%d", i, m.Position, i+1)
		}
	}
	if n := count(t, d, "INBOX"); n != 5 {
		t.Errorf("INBOX has %d messages, want 5: nothing is ever deleted", n)
	}
	if h := s.Health(); h.Items != 5 || h.LastError != "" || h.Kind != "imap" {
		t.Errorf("health %+v", h)
	}
}

func TestDovecotPollingFallback(t *testing.T) {
	d := mailserver.StartDovecot(t, 14300)
	sink := &ingesttest.Sink{}
	o := options(d, sink)
	o.NoIdle, o.Poll = true, 100*time.Millisecond
	o.Security, o.Addr = TLS, d.IMAPSAddr // and over implicit TLS
	start(t, o)
	appendMsg(t, d, "INBOX", mail(1), time.Now())
	ingesttest.WaitFor(t, "the polled message", func() bool { return len(sink.Mails()) == 1 })
}

func TestDovecotDroppedConnectionRecovers(t *testing.T) {
	d := mailserver.StartDovecot(t, 14300)
	sink := &ingesttest.Sink{}
	s, _ := start(t, options(d, sink))
	appendMsg(t, d, "INBOX", mail(1), time.Now())
	ingesttest.WaitFor(t, "the first message", func() bool { return len(sink.Mails()) == 1 })

	// The session process dies under the source.
	ingesttest.WaitFor(t, "an IMAP session to kill", func() bool { return d.KillSessions(t) > 0 })
	ingesttest.WaitFor(t, "the drop seen in health", func() bool { return s.Health().LastError != "" })
	appendMsg(t, d, "INBOX", mail(2), time.Now())
	ingesttest.WaitFor(t, "the message after the drop", func() bool { return len(sink.Mails()) == 2 })

	// The whole server restarts.
	d.Stop(t)
	ingesttest.WaitFor(t, "a disconnected source", func() bool { return !s.Health().Connected })
	d.Start(t)
	appendMsg(t, d, "INBOX", mail(3), time.Now())
	ingesttest.WaitFor(t, "the message after the restart", func() bool { return len(sink.Mails()) == 3 })
	ingesttest.WaitFor(t, "a healthy source", func() bool { h := s.Health(); return h.Connected && h.LastError == "" })
	if n := sink.Calls(); n != 3 {
		t.Errorf("%d messages handed to the store, want 3 (none again after reconnecting)", n)
	}
}

func TestDovecotMoveAfterStore(t *testing.T) {
	d := mailserver.StartDovecot(t, 14300)
	sink := &ingesttest.Sink{}
	sink.SetFailing(true) // the store cannot commit
	o := options(d, sink)
	o.MoveTo = "Bounces"
	appendMsg(t, d, "INBOX", testdata(t, "bounce.eml"), time.Now())
	appendMsg(t, d, "INBOX", testdata(t, "ordinary.eml"), time.Now())
	s, _ := start(t, o)
	ingesttest.WaitFor(t, "the store's failure in health", func() bool { return strings.Contains(s.Health().LastError, "store unavailable") })
	ingesttest.WaitFor(t, "a few attempts", func() bool { return sink.Calls() >= 3 })
	if n := count(t, d, "INBOX"); n != 2 {
		t.Fatalf("INBOX has %d messages while the store fails, want 2: nothing may move before it is stored", n)
	}
	if n := count(t, d, "Bounces"); n != 0 {
		t.Fatalf("Bounces has %d messages while the store fails, want 0", n)
	}

	sink.SetFailing(false)
	ingesttest.WaitFor(t, "both stored", func() bool { return len(sink.Mails()) == 2 })
	ingesttest.WaitFor(t, "the bounce moved", func() bool { return count(t, d, "Bounces") == 1 })
	if n := count(t, d, "INBOX"); n != 1 {
		t.Errorf("INBOX has %d messages, want 1 (the ordinary mail stays)", n)
	}
	// A bounce arriving now is stored, then moved.
	b2 := []byte(strings.Replace(string(testdata(t, "bounce.eml")), "4Nq2Zx0abcz9sT", "5Rr3Zx0abcz9sU", -1))
	appendMsg(t, d, "INBOX", b2, time.Now())
	ingesttest.WaitFor(t, "the second bounce moved", func() bool { return count(t, d, "Bounces") == 2 })
	if len(sink.Mails()) != 3 {
		t.Errorf("stored %d, want 3", len(sink.Mails()))
	}
}

func TestDovecotRestartResumesFromLastUID(t *testing.T) {
	d := mailserver.StartDovecot(t, 14300)
	sink := &ingesttest.Sink{}
	for i := range 3 {
		appendMsg(t, d, "INBOX", mail(i), time.Now())
	}
	_, stop := start(t, options(d, sink))
	ingesttest.WaitFor(t, "the first messages", func() bool { return len(sink.Mails()) == 3 })
	stop()
	cur, _ := sink.Cursor(context.Background(), fmt.Sprintf("imap:%s@%s/INBOX", d.User, d.IMAPAddr))
	if !strings.HasSuffix(cur, "/3") {
		t.Fatalf("cursor %q, want UIDVALIDITY/3", cur)
	}
	appendMsg(t, d, "INBOX", mail(3), time.Now())
	appendMsg(t, d, "INBOX", mail(4), time.Now())
	before := sink.Calls()
	start(t, options(d, sink))
	ingesttest.WaitFor(t, "the messages that came while stopped", func() bool { return len(sink.Mails()) == 5 })
	time.Sleep(200 * time.Millisecond)
	if n := sink.Calls() - before; n != 2 {
		t.Errorf("after the restart %d messages were handed to the store, want 2", n)
	}
}

func TestDovecotUIDValidityChangeRescans(t *testing.T) {
	d := mailserver.StartDovecot(t, 14300)
	sink := &ingesttest.Sink{}
	for i := range 3 {
		appendMsg(t, d, "INBOX", mail(i), time.Now())
	}
	src := fmt.Sprintf("imap:%s@%s/INBOX", d.User, d.IMAPAddr)
	// A cursor from another life of the folder (restored from a backup,
	// recreated): its UIDs mean nothing now.
	if err := sink.SetCursor(context.Background(), src, "12345/3"); err != nil {
		t.Fatal(err)
	}
	start(t, options(d, sink))
	ingesttest.WaitFor(t, "the folder read again", func() bool { return len(sink.Mails()) == 3 })
	cur, _ := sink.Cursor(context.Background(), src)
	if strings.HasPrefix(cur, "12345/") || !strings.HasSuffix(cur, "/3") {
		t.Errorf("cursor %q, want the folder's UIDVALIDITY and UID 3", cur)
	}
}

func TestDovecotWrongPassword(t *testing.T) {
	d := mailserver.StartDovecot(t, 14300)
	sink := &ingesttest.Sink{}
	o := options(d, sink)
	o.PasswordFile, o.Password = "", "wrong-password-xyz"
	s, _ := start(t, o)
	ingesttest.WaitFor(t, "the login failure in health", func() bool { return strings.Contains(s.Health().LastError, "logging in") })
	if h := s.Health(); strings.Contains(h.LastError, "wrong-password-xyz") || h.Connected {
		t.Errorf("health %+v: shows the password, or connected", h)
	}
}

// Two folders of one account, one with a Japanese name (modified UTF-7 on
// the wire, RFC 3501 §5.1.3), and a Japanese folder to move bounces to.
func TestDovecotJapaneseFolders(t *testing.T) {
	d := mailserver.StartDovecot(t, 14300)
	c := client(t, d)
	if err := c.Create("エラー通知", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	appendMsg(t, d, "エラー通知", testdata(t, "bounce.eml"), time.Now())
	sink := &ingesttest.Sink{}
	o := options(d, sink)
	o.Folders, o.MoveTo = []string{"INBOX", "エラー通知"}, "バウンス"
	appendMsg(t, d, "INBOX", mail(1), time.Now())
	s, _ := start(t, o)
	ingesttest.WaitFor(t, "the bounce and the INBOX message stored", func() bool { return len(sink.Mails()) == 2 })
	if f := s.Folders(); len(f) != 2 || f[0].Items+f[1].Items != 2 || s.Health().Items != 2 {
		t.Errorf("folders' health %+v", f)
	}
	ingesttest.WaitFor(t, "the bounce moved", func() bool { return count(t, d, "バウンス") == 1 })
	if n := count(t, d, "エラー通知"); n != 0 {
		t.Errorf("the folder read still has %d messages", n)
	}
	sources := map[string]bool{}
	for _, m := range sink.Mails() {
		sources[m.Source[strings.LastIndexByte(m.Source, '/')+1:]] = true
	}
	if !sources["INBOX"] || !sources["エラー通知"] {
		t.Errorf("sources %v", sources)
	}
	if h := s.Health(); h.LastError != "" {
		t.Errorf("health %+v", h)
	}
}

// A server that offers neither IDLE nor MOVE (Dovecot told to advertise
// less): new mail is found by polling, and a stored bounce is moved with
// UID COPY + \Deleted + UID EXPUNGE of its own UID (RFC 4315) — a message
// the user marked \Deleted stays. Without UIDPLUS either, it is copied and
// left in place.
func TestDovecotWithoutIdleAndMove(t *testing.T) {
	for _, tc := range []struct {
		name, caps string
		inbox      int // messages left in INBOX: the user's deleted one, the ordinary one, and the bounce unless moved
	}{
		{"UIDPLUS", "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE LITERAL+ UIDPLUS", 2},
		{"neither MOVE nor UIDPLUS", "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE LITERAL+", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := mailserver.StartDovecot(t, 14300, "protocol imap {\n  imap_capability = "+tc.caps+"\n}")
			// The user's own message, marked \Deleted but not expunged.
			c := client(t, d)
			cmd := c.Append("INBOX", int64(len(mail(9))), &imap.AppendOptions{Flags: []imap.Flag{imap.FlagDeleted}})
			cmd.Write(mail(9))
			cmd.Close()
			if _, err := cmd.Wait(); err != nil {
				t.Fatal(err)
			}
			sink := &ingesttest.Sink{}
			o := options(d, sink)
			o.MoveTo, o.Poll = "Bounces", 100*time.Millisecond
			s, _ := start(t, o)
			ingesttest.WaitFor(t, "the user's message", func() bool { return len(sink.Mails()) == 1 })
			appendMsg(t, d, "INBOX", testdata(t, "bounce.eml"), time.Now())
			appendMsg(t, d, "INBOX", testdata(t, "ordinary.eml"), time.Now())
			ingesttest.WaitFor(t, "the polled messages", func() bool { return len(sink.Mails()) == 3 })
			ingesttest.WaitFor(t, "the bounce in Bounces", func() bool { return count(t, d, "Bounces") == 1 })
			time.Sleep(300 * time.Millisecond)
			if n := count(t, d, "INBOX"); n != tc.inbox {
				t.Errorf("INBOX has %d messages, want %d", n, tc.inbox)
			}
			if h := s.Health(); h.LastError != "" {
				t.Errorf("health %+v", h)
			}
		})
	}
}

// The source is stopped and started again while messages arrive: every
// message is stored, and a restart hands again at most the message it
// was storing when stopped.
func TestDovecotStopsAndStartsLoseNothing(t *testing.T) {
	d := mailserver.StartDovecot(t, 14300)
	sink := &ingesttest.Sink{}
	const total = 30
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range total {
			appendMsg(t, d, "INBOX", mail(100+i), time.Now())
		}
	}()
	runs := 0
	for ; ; runs++ {
		_, stop := start(t, options(d, sink))
		time.Sleep(time.Duration(50+runs%4*40) * time.Millisecond)
		stop()
		select {
		case <-done:
			start(t, options(d, sink))
			ingesttest.WaitFor(t, "every message", func() bool { return len(sink.Mails()) == total })
			time.Sleep(200 * time.Millisecond)
			if n := sink.Calls(); n > int64(total+runs+1) {
				t.Errorf("%d messages handed over %d runs for %d stored", n, runs+2, total)
			}
			return
		default:
		}
	}
}

// A move the server refuses (Dovecot refuses a folder name starting with
// "~") shows in health; reading goes on.
func TestDovecotRefusedMoveKeepsReading(t *testing.T) {
	d := mailserver.StartDovecot(t, 14300)
	sink := &ingesttest.Sink{}
	o := options(d, sink)
	o.MoveTo = "~bad"
	appendMsg(t, d, "INBOX", testdata(t, "bounce.eml"), time.Now())
	s, _ := start(t, o)
	ingesttest.WaitFor(t, "the bounce stored", func() bool { return len(sink.Mails()) == 1 })
	ingesttest.WaitFor(t, "the refused move in health", func() bool { return strings.Contains(s.Health().LastError, "moving stored bounces to ~bad") })
	appendMsg(t, d, "INBOX", mail(1), time.Now())
	ingesttest.WaitFor(t, "the next message stored", func() bool { return len(sink.Mails()) == 2 })
	if !s.Health().Connected {
		t.Errorf("health %+v: a refused move broke the session", s.Health())
	}
	if n := count(t, d, "INBOX"); n != 2 {
		t.Errorf("INBOX has %d, want 2", n)
	}
}

// A server whose certificate is not trusted is never sent the password.
func TestDovecotUntrustedCertificate(t *testing.T) {
	d := mailserver.StartDovecot(t, 14300)
	sink := &ingesttest.Sink{}
	for _, sec := range []Security{TLS, StartTLS} {
		o := options(d, sink)
		o.Security, o.TLSConfig = sec, &tls.Config{ServerName: "localhost"} // the system's roots only
		if sec == TLS {
			o.Addr = d.IMAPSAddr
		}
		s, stop := start(t, o)
		ingesttest.WaitFor(t, "the certificate error", func() bool { return strings.Contains(s.Health().LastError, "certificate") })
		stop()
	}
	logf := filepath.Join(d.Dir, "dovecot.log")
	log, _ := os.ReadFile(logf)
	login := "Login: user=<" + d.User + ">"
	if strings.Contains(string(log), login) {
		t.Errorf("logged in over an untrusted connection:\n%s", log)
	}
	client(t, d) // a trusted login is logged so
	ingesttest.WaitFor(t, "a logged login", func() bool { b, _ := os.ReadFile(logf); return strings.Contains(string(b), login) })
}
