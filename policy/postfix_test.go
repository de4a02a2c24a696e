package policy_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/bouncewatch/bouncewatch/internal/mailserver"
	"github.com/bouncewatch/bouncewatch/policy"
	"github.com/bouncewatch/bouncewatch/store"
)

// TestRealPostfix runs the policy service behind a Postfix instance of the
// test's own (own config_directory and queue_directory, SMTP on a loopback
// port in 25100-25149), with SASL through a Dovecot auth instance of its
// own, delivering to a loopback sink (25150-25199); the policy service
// listens in 26100-26149. The system's Postfix and Dovecot are not
// touched. Skipped without root, postfix or dovecot, except under
// CI=true, where it fails.
func TestRealPostfix(t *testing.T) {
	mta := startMailSystem(t)
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "bw.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := policy.New(st, policy.Config{Refresh: 100 * time.Millisecond, MaxMessages: 50})
	pctx, stopPolicy := context.WithCancel(ctx)
	served := make(chan error, 1)
	go svc.Run(pctx)
	go func() { served <- svc.Serve(pctx, mta.policyLn) }()
	defer stopPolicy()

	shop, info := "shop@example.jp", "info@example.jp"
	// Both accounts send normally.
	for _, a := range []string{shop, info} {
		if err := mta.send(a, "friend@remote.test"); err != nil {
			t.Fatalf("%s before any hold: %v", a, err)
		}
	}
	mta.waitDelivered(t, 2)

	// The detector holds shop hijacked: its next message is deferred with
	// the text, info's goes through.
	t0 := time.Now()
	in := &store.Incident{Account: shop, Verdict: "hijacked", Confidence: 0.9, Onset: t0, OpenedAt: t0, UpdatedAt: t0, Evidence: []string{"test"}}
	if err := st.SaveIncident(ctx, in, store.ChangeOpened, nil); err != nil {
		t.Fatal(err)
	}
	svc.Refresh(ctx)
	err = mta.send(shop, "victim@remote.test")
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code != 450 || !strings.Contains(se.Message, "Change your password") {
		t.Fatalf("hijacked account's message: %v, want 450 with the password text", err)
	}
	if err := mta.send(info, "friend@remote.test"); err != nil {
		t.Fatalf("another account while shop is held: %v", err)
	}
	mta.waitDelivered(t, 3)

	// An admin blocks info by hand: deferred too.
	if err := st.BlockAccount(ctx, info, "phished", "admin", time.Now()); err != nil {
		t.Fatal(err)
	}
	svc.Refresh(ctx)
	if err := mta.send(info, "friend@remote.test"); !errors.As(err, &se) || se.Code != 450 {
		t.Fatalf("blocked account: %v, want 450", err)
	}

	// Released, both send again.
	for _, a := range []string{shop, info} {
		if _, err := st.ReleaseAccount(ctx, a, "admin", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	svc.Refresh(ctx)
	for _, a := range []string{shop, info} {
		if err := mta.send(a, "friend@remote.test"); err != nil {
			t.Fatalf("%s after release: %v", a, err)
		}
	}
	mta.waitDelivered(t, 5)
	defs, err := st.Deferrals(ctx, "", t0.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	counted := map[string]int64{}
	for _, d := range defs {
		counted[d.Account] += d.Count
	}
	if counted[shop] < 1 || counted[info] < 1 {
		t.Errorf("deferrals in the store: %+v", defs)
	}

	// Held again, then the policy service is killed: Postfix fails open
	// (default_action=DUNNO) and delivers.
	if err := st.BlockAccount(ctx, shop, "again", "admin", time.Now()); err != nil {
		t.Fatal(err)
	}
	svc.Refresh(ctx)
	if err := mta.send(shop, "friend@remote.test"); !errors.As(err, &se) || se.Code != 450 {
		t.Fatalf("blocked again: %v, want 450", err)
	}
	stopPolicy()
	<-served
	if err := mta.send(shop, "friend@remote.test"); err != nil {
		t.Fatalf("with the policy service gone: %v, want delivery (fail open)", err)
	}
	mta.waitDelivered(t, 6)
	if !mta.pf.LogHas("Recipient address rejected", "Change your password") {
		t.Error("Postfix's log lacks the deferral with the text")
	}
}

type mailSystem struct {
	pf       *mailserver.Postfix
	policyLn net.Listener
	password string

	mu        sync.Mutex
	delivered int
}

func freeListener(t *testing.T, lo, hi int) net.Listener {
	for p := lo; p <= hi; p++ {
		if ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p)); err == nil {
			return ln
		}
	}
	t.Fatalf("no free port in %d-%d", lo, hi)
	return nil
}

func startMailSystem(t *testing.T) *mailSystem {
	mailserver.Require(t, "postfix", "postconf", "dovecot", "doveadm")
	m := &mailSystem{password: fmt.Sprintf("pw-%d-%d", os.Getpid(), time.Now().UnixNano())}

	// The "remote" server: accepts every message and counts it.
	sinkLn := freeListener(t, 25150, 25199)
	sink := smtp.NewServer(&sinkBackend{m: m})
	sink.Domain = "mx.remote.test"
	go sink.Serve(sinkLn)
	t.Cleanup(func() { sink.Close() })

	m.policyLn = freeListener(t, 26100, 26149)
	// The shared test instance, made a submission server: nothing is
	// local, clients log in through Dovecot's SASL, and every recipient
	// passes the policy service first (later main.cf lines override
	// earlier ones).
	m.pf = mailserver.StartPostfix(t, mailserver.PostfixOptions{
		LocalTransport: "error:no local delivery here",
		RemoteAddr:     sinkLn.Addr().String(),
		SMTPLo:         25100, SMTPHi: 25149,
		Extra: []string{
			"mydestination =",
			"smtpd_sasl_type = dovecot",
			"smtpd_sasl_path = private/auth",
			"smtpd_sasl_auth_enable = yes",
			"smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination",
			// The README's form: Postfix fails open too.
			"smtpd_recipient_restrictions = check_policy_service { inet:" + m.policyLn.Addr().String() + ", timeout=2s, default_action=DUNNO }, permit_sasl_authenticated, reject_unauth_destination",
			"smtpd_policy_service_try_limit = 1",
		},
	})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	queue := filepath.Join(m.pf.Dir, "queue")

	// Dovecot for SASL only: its auth socket in Postfix's private/.
	dv := filepath.Join(m.pf.Dir, "dovecot")
	must(os.MkdirAll(dv, 0o755))
	passwd := filepath.Join(dv, "passwd")
	var users strings.Builder
	for _, u := range []string{"shop@example.jp", "info@example.jp"} {
		fmt.Fprintf(&users, "%s:{PLAIN}%s\n", u, m.password)
	}
	must(os.WriteFile(passwd, []byte(users.String()), 0o600))
	must(os.Chown(passwd, 65534, 65534))
	conf := filepath.Join(dv, "dovecot.conf")
	must(os.WriteFile(conf, []byte(fmt.Sprintf(`protocols = none
base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = nobody
default_login_user = nobody
passdb {
  driver = passwd-file
  args = scheme=PLAIN %[2]s
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=%[1]s/home/%%u
}
service auth {
  unix_listener %[3]s/private/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
service anvil {
  chroot =
}
`, dv, passwd, queue)), 0o644))
	must(mailserver.RunDaemon(filepath.Join(dv, "start.log"), "dovecot", "-c", conf))
	t.Cleanup(func() { mailserver.RunDaemon(filepath.Join(dv, "stop.log"), "doveadm", "-c", conf, "stop") })
	deadline := time.Now().Add(15 * time.Second)
	for {
		_, err := os.Stat(filepath.Join(queue, "private", "auth"))
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(dv, "dovecot.log"))
			t.Fatalf("Dovecot's auth socket not up: %v\n%s", err, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return m
}

// send submits one message as account (SASL PLAIN over loopback), as a
// mail program does.
func (m *mailSystem) send(account, to string) error {
	c, err := smtp.Dial(m.pf.SMTPAddr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("pc.example.jp"); err != nil {
		return err
	}
	if err := c.Auth(sasl.NewPlainClient("", account, m.password)); err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	msg := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: hello\r\nMessage-ID: <%d@example.jp>\r\n\r\nhello\r\n", account, to, time.Now().UnixNano())
	if err := c.SendMail(account, []string{to}, strings.NewReader(msg)); err != nil {
		return err
	}
	return c.Quit()
}

func (m *mailSystem) waitDelivered(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		m.mu.Lock()
		got := m.delivered
		m.mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages delivered, want %d", got, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type sinkBackend struct{ m *mailSystem }

func (b *sinkBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{m: b.m}, nil }

type sinkSession struct{ m *mailSystem }

func (s *sinkSession) Reset()                               {}
func (s *sinkSession) Logout() error                        { return nil }
func (s *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *sinkSession) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return err
	}
	s.m.mu.Lock()
	s.m.delivered++
	s.m.mu.Unlock()
	return nil
}
