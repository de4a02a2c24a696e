package mailserver

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Postfix is a running Postfix instance of the test's own: its own
// config_directory, queue_directory and data_directory, and its SMTP
// server on a loopback port; the system's Postfix is not touched.
type Postfix struct {
	Dir      string // config_directory (main.cf, master.cf) and the rest under it
	SMTPAddr string // where to submit mail (relaying allowed from 127.0.0.0/8)
	Log      string // maillog_file

	stopped bool
}

// PostfixOptions says where the instance delivers.
type PostfixOptions struct {
	// LocalTransport receives mail for the local domain example.jp (the
	// bounces for shop@example.jp), e.g. "lmtp:inet:[127.0.0.1]:24001".
	LocalTransport string
	// RemoteAddr is the "remote" server for remote.test, "127.0.0.1:PORT".
	RemoteAddr string
	// Transports are more transport_maps entries, "domain=transport".
	Transports []string
	// Extra main.cf lines.
	Extra []string
	// SMTPLo and SMTPHi bound the SMTP port (each test package its own
	// range in 240xx-242xx); default 24100-24149.
	SMTPLo, SMTPHi int
}

// StartPostfix starts a Postfix with its own directories, stopped when the
// test ends.
func StartPostfix(t testing.TB, o PostfixOptions) *Postfix {
	t.Helper()
	Require(t, "postfix", "postconf")
	if o.SMTPLo == 0 {
		o.SMTPLo, o.SMTPHi = 24100, 24149
	}
	p := &Postfix{Dir: WorldDir(t, "bw-postfix-")}
	port := FreePort(t, o.SMTPLo, o.SMTPHi)
	p.SMTPAddr = "127.0.0.1:" + strconv.Itoa(port)
	p.Log = filepath.Join(p.Dir, "postfix.log")
	rhost, rport, _ := net.SplitHostPort(o.RemoteAddr)
	main := strings.Join([]string{
		"compatibility_level = 3.6",
		"queue_directory = " + filepath.Join(p.Dir, "queue"),
		"data_directory = " + filepath.Join(p.Dir, "data"),
		"mail_owner = postfix",
		"setgid_group = postdrop",
		"myhostname = mail.example.jp",
		"mydomain = example.jp",
		"myorigin = $mydomain",
		"mydestination = $myhostname, $mydomain, localhost",
		"inet_interfaces = 127.0.0.1",
		"inet_protocols = ipv4",
		"mynetworks = 127.0.0.0/8",
		"smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination",
		"smtpd_peername_lookup = no",
		"smtp_tls_security_level = none",
		"smtpd_tls_security_level = none",
		"lmtp_tls_security_level = none",
		// Mail for the local domain (the bounces) goes to the transport
		// under test; no local(8), no aliases.
		"local_transport = " + o.LocalTransport,
		"local_recipient_maps =",
		"alias_maps =",
		"alias_database =",
		// An inline map must have no spaces (else 451 4.3.0 for every RCPT).
		"transport_maps = inline:{" + strings.Join(append([]string{"remote.test=smtp:[" + rhost + "]:" + rport}, o.Transports...), ",") + "}",
		"maillog_file = " + p.Log,
		"maillog_file_prefixes = /var, /tmp, " + p.Dir,
		"queue_run_delay = 1s",
		"minimal_backoff_time = 1s",
		"maximal_backoff_time = 2s",
		"biff = no",
		strings.Join(o.Extra, "\n"),
		"",
	}, "\n")
	master := strings.Join([]string{
		p.SMTPAddr + " inet n - n - - smtpd",
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
		"local unix - n n - - local",
		"lmtp unix - - n - - lmtp",
		"anvil unix - - n - 1 anvil",
		"scache unix - - n - 1 scache",
		"postlog unix-dgram n - n - 1 postlogd",
		"",
	}, "\n")
	if err := os.Mkdir(filepath.Join(p.Dir, "queue"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p.Dir, "main.cf"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p.Dir, "master.cf"), []byte(master), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := RunDaemon(filepath.Join(p.Dir, "start.log"), "postfix", "-c", p.Dir, "start"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.stop(t)
		if t.Failed() {
			b, _ := os.ReadFile(p.Log)
			t.Logf("postfix log:\n%s", b)
		}
	})
	WaitPort(t, p.SMTPAddr)
	return p
}

// stop stops the instance with "postfix stop", its output in a file (not
// a pipe: CI once waited on "postfix stop" until the 10-minute test
// timeout), and kills what is left of it if the master outlived that.
func (p *Postfix) stop(t testing.TB) {
	if p.stopped {
		return
	}
	p.stopped = true
	if err := RunDaemon(filepath.Join(p.Dir, "stop.log"), "postfix", "-c", p.Dir, "stop"); err != nil {
		t.Logf("postfix stop: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(p.Dir, "queue", "pid", "master.pid"))
	if err != nil {
		return
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		return
	}
	cmd, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || !strings.Contains(string(cmd), "master") {
		return // gone (or the number is another process's now)
	}
	t.Logf("postfix stop left its master (%d) running: killing its process group", pid)
	syscall.Kill(-pid, syscall.SIGKILL)
	syscall.Kill(pid, syscall.SIGKILL)
}

// Cmd runs a Postfix command on the instance ("postfix", "logrotate").
func (p *Postfix) Cmd(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := Run(name, append([]string{"-c", p.Dir}, args...)...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

// Send submits a message over SMTP.
func (p *Postfix) Send(t testing.TB, from string, to []string, msg string) {
	t.Helper()
	c, err := smtp.Dial(p.SMTPAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SendMail(from, to, strings.NewReader(strings.ReplaceAll(msg, "\n", "\r\n"))); err != nil {
		t.Fatalf("sending to Postfix: %v", err)
	}
	c.Quit()
}

// LogHas tells whether Postfix's log has a line containing all of subs.
func (p *Postfix) LogHas(subs ...string) bool {
	b, _ := os.ReadFile(p.Log)
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

// StartRefusingSMTP starts a "remote" SMTP server on a free loopback port
// in [lo, hi] that refuses every recipient with 550 5.1.1, as a real
// server does for unknown users; it returns its address.
func StartRefusingSMTP(t testing.TB, lo, hi int) string {
	t.Helper()
	addr := "127.0.0.1:" + strconv.Itoa(FreePort(t, lo, hi))
	s := smtp.NewServer(refusing{})
	s.Addr = addr
	s.Domain = "mx.remote.test"
	s.ReadTimeout, s.WriteTimeout = 30*time.Second, 30*time.Second
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return addr
}

type refusing struct{}

func (refusing) NewSession(*smtp.Conn) (smtp.Session, error) { return refusingSession{}, nil }

type refusingSession struct{}

func (refusingSession) Reset()                               {}
func (refusingSession) Logout() error                        { return nil }
func (refusingSession) Mail(string, *smtp.MailOptions) error { return nil }
func (refusingSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
		Message: fmt.Sprintf("<%s>: Recipient address rejected: User unknown in local recipient table", to)}
}
func (refusingSession) Data(r io.Reader) error { return errors.New("no recipients") }
