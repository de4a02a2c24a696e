package policy_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/bouncewatch/bouncewatch/internal/mailserver"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

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
	if !mta.logHas("Recipient address rejected", "Change your password") {
		t.Error("Postfix's log lacks the deferral with the text")
	}
}

type mailSystem struct {
	dir, smtpAddr, log string
	policyLn           net.Listener
	password           string
	mu                 sync.Mutex
	delivered          int
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

func runQuiet(logFile, name string, args ...string) error {
	f, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	cmd := exec.Command(mailserver.Tool(name), args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Run(); err != nil {
		out, _ := os.ReadFile(logFile)
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

func startMailSystem(t *testing.T) *mailSystem {
	mailserver.Require(t, "postfix", "postconf", "dovecot", "doveadm")
	dir, err := os.MkdirTemp("", "bw-policy-postfix-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	t.Cleanup(func() {
		if !t.Failed() {
			os.RemoveAll(dir)
		}
	})
	m := &mailSystem{dir: dir, log: filepath.Join(dir, "postfix.log"), password: fmt.Sprintf("pw-%d-%d", os.Getpid(), time.Now().UnixNano())}

	// The "remote" server: accepts every message and counts it.
	sinkLn := freeListener(t, 25150, 25199)
	sink := smtp.NewServer(&sinkBackend{m: m})
	sink.Domain = "mx.remote.test"
	go sink.Serve(sinkLn)
	t.Cleanup(func() { sink.Close() })

	m.policyLn = freeListener(t, 26100, 26149)
	port := mailserver.FreePort(t, 25100, 25149)
	m.smtpAddr = "127.0.0.1:" + strconv.Itoa(port)
	queue := filepath.Join(dir, "queue")
	main := strings.Join([]string{
		"compatibility_level = 3.6",
		"queue_directory = " + queue,
		"data_directory = " + filepath.Join(dir, "data"),
		"mail_owner = postfix",
		"setgid_group = postdrop",
		"myhostname = mail.example.jp",
		"mydomain = example.jp",
		"mydestination =",
		"inet_interfaces = 127.0.0.1",
		"inet_protocols = ipv4",
		"mynetworks = 127.0.0.0/8",
		"smtpd_peername_lookup = no",
		"smtp_tls_security_level = none",
		"smtpd_tls_security_level = none",
		"smtpd_sasl_type = dovecot",
		"smtpd_sasl_path = private/auth",
		"smtpd_sasl_auth_enable = yes",
		"smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination",
		// The README's form: Postfix fails open too.
		"smtpd_recipient_restrictions = check_policy_service { inet:" + m.policyLn.Addr().String() + ", timeout=2s, default_action=DUNNO }, permit_sasl_authenticated, reject_unauth_destination",
		"smtpd_policy_service_try_limit = 1",
		"local_recipient_maps =",
		"alias_maps =",
		"alias_database =",
		"transport_maps = inline:{remote.test=smtp:[127.0.0.1]:" + strconv.Itoa(sinkLn.Addr().(*net.TCPAddr).Port) + "}",
		"maillog_file = " + m.log,
		"maillog_file_prefixes = /var, /tmp, " + dir,
		"queue_run_delay = 1s",
		"minimal_backoff_time = 1s",
		"maximal_backoff_time = 2s",
		"biff = no",
		"",
	}, "\n")
	master := strings.Join([]string{
		m.smtpAddr + " inet n - n - - smtpd",
		"pickup unix n - n 60 1 pickup",
		"cleanup unix n - n - 0 cleanup",
		"qmgr unix n - n 300 1 qmgr",
		"rewrite unix - - n - - trivial-rewrite",
		"bounce unix - - n - 0 bounce",
		"defer unix - - n - 0 bounce",
		"trace unix - - n - 0 bounce",
		"verify unix - - n - 1 verify",
		"flush unix n - n 1000? 0 flush",
		"proxymap unix - - n - - proxymap",
		"smtp unix - - n - - smtp",
		"relay unix - - n - - smtp",
		"showq unix n - n - - showq",
		"error unix - - n - - error",
		"retry unix - - n - - error",
		"discard unix - - n - - discard",
		"anvil unix - - n - 1 anvil",
		"scache unix - - n - 1 scache",
		"postlog unix-dgram n - n - 1 postlogd",
		"",
	}, "\n")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Mkdir(queue, 0o755))
	must(os.WriteFile(filepath.Join(dir, "main.cf"), []byte(main), 0o644))
	must(os.WriteFile(filepath.Join(dir, "master.cf"), []byte(master), 0o644))
	must(runQuiet(filepath.Join(dir, "start.log"), "postfix", "-c", dir, "start"))
	t.Cleanup(func() {
		runQuiet(filepath.Join(dir, "stop.log"), "postfix", "-c", dir, "stop")
		if t.Failed() {
			b, _ := os.ReadFile(m.log)
			t.Logf("postfix log:\n%s", b)
		}
	})

	// Dovecot for SASL only: its auth socket in Postfix's private/.
	dv := filepath.Join(dir, "dovecot")
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
	must(runQuiet(filepath.Join(dv, "start.log"), "dovecot", "-c", conf))
	t.Cleanup(func() { runQuiet(filepath.Join(dv, "stop.log"), "doveadm", "-c", conf, "stop") })
	deadline := time.Now().Add(15 * time.Second)
	for {
		_, err1 := os.Stat(filepath.Join(queue, "private", "auth"))
		c, err2 := net.DialTimeout("tcp", m.smtpAddr, time.Second)
		if err2 == nil {
			c.Close()
		}
		if err1 == nil && err2 == nil {
			break
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(dv, "dovecot.log"))
			t.Fatalf("mail system not up: %v %v\n%s", err1, err2, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return m
}

// send submits one message as account (SASL PLAIN over loopback), as a
// mail program does.
func (m *mailSystem) send(account, to string) error {
	c, err := smtp.Dial(m.smtpAddr)
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

func (m *mailSystem) logHas(subs ...string) bool {
	b, _ := os.ReadFile(m.log)
	for _, line := range strings.Split(string(b), "\n") {
		ok := true
		for _, s := range subs {
			ok = ok && strings.Contains(line, s)
		}
		if ok {
			return true
		}
	}
	return false
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
