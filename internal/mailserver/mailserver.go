// Package mailserver starts real mail servers for the live sources' tests:
// a Dovecot (IMAP, STARTTLS and imaps) and a Postfix, each an instance of
// its own (own configuration, base or queue directory, loopback ports),
// which never meets the system's servers or another test's.
//
// They need root and the Debian packages (dovecot-imapd, postfix). When a
// binary is missing the test is skipped, except under CI=true, where it
// fails: CI must run them.
package mailserver

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Require skips the test (fails it under CI=true) unless the programs are
// installed and the test runs as root.
func Require(t testing.TB, programs ...string) {
	t.Helper()
	var missing []string
	for _, p := range programs {
		if Tool(p) == "" {
			missing = append(missing, p)
		}
	}
	if os.Geteuid() != 0 {
		missing = append(missing, "root")
	}
	if len(missing) == 0 {
		return
	}
	msg := "needs " + strings.Join(missing, ", ") + " (Debian: dovecot-imapd, dovecot-lmtpd, postfix; run as root)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// Tool finds a program in PATH or /usr/sbin.
func Tool(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, d := range []string{"/usr/sbin", "/usr/lib/dovecot"} {
		p := filepath.Join(d, name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// FreePort returns a free loopback port in [lo, hi].
func FreePort(t testing.TB, lo, hi int) int {
	t.Helper()
	for p := lo; p <= hi; p++ {
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err == nil {
			l.Close()
			return p
		}
	}
	t.Fatalf("no free port in %d-%d", lo, hi)
	return 0
}

// WorldDir makes a directory that the servers' unprivileged users can
// enter (t.TempDir's are root-only), removed when the test ends unless
// it failed.
func WorldDir(t testing.TB, prefix string) string {
	t.Helper()
	d, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(d, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("kept %s", d)
			return
		}
		os.RemoveAll(d)
	})
	return d
}

// Run runs a program with no input and returns its output. A daemon it
// starts may inherit the output pipe and keep it open for ever (Postfix's
// commands can: see ../shared/notes/real-postfix-on-loopback.md), so the
// program runs in a session of its own, is killed after a minute, and Run
// stops waiting for its output 5 s after it exits (exec.ErrWaitDelay).
// Programs that start daemons are run with RunDaemon instead.
func Run(name string, args ...string) (string, error) {
	p := Tool(name)
	if p == "" {
		p = name
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, p, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	return out.String(), err
}

// RunDaemon runs a program that starts a daemon, its output into logFile
// and its input from /dev/null, so that no pipe keeps the caller waiting.
func RunDaemon(logFile, name string, args ...string) error {
	f, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, Tool(name), args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Run(); err != nil {
		out, _ := os.ReadFile(logFile)
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

// WaitPort waits until addr accepts TCP connections.
func WaitPort(t testing.TB, addr string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never listened: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Cert writes a self-signed certificate for 127.0.0.1 and localhost into
// dir and returns the files and a pool that trusts it.
func Cert(t testing.TB, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "localhost"},
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(c)
	return certFile, keyFile, pool
}

// Dovecot is a running Dovecot instance serving IMAP for one user.
type Dovecot struct {
	Dir          string // its directory: configuration, base_dir, mail, log
	Conf         string
	IMAPAddr     string // plain IMAP with STARTTLS
	IMAPSAddr    string // implicit TLS
	User         string
	Password     string
	PasswordFile string // the password alone, for the source under test
	TLS          *tls.Config
}

// StartDovecot starts a Dovecot with its own base_dir and configuration
// on two free loopback ports in [base, base+49] (each test package its
// own range in 14300-14399, as packages' tests run in parallel), stopped
// when the test ends.
// Extra configuration lines (e.g. an imap_capability without IDLE) are
// appended.
func StartDovecot(t testing.TB, base int, extra ...string) *Dovecot {
	t.Helper()
	Require(t, "dovecot", "imap")
	d := &Dovecot{Dir: WorldDir(t, "bw-dovecot-"), User: "bw", Password: "s3cret-" + strconv.Itoa(os.Getpid())}
	mail := filepath.Join(d.Dir, "mail")
	if err := os.MkdirAll(mail, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(mail, 65534, 65534); err != nil { // nobody:nogroup
		t.Fatal(err)
	}
	certFile, keyFile, pool := Cert(t, d.Dir)
	d.TLS = &tls.Config{RootCAs: pool, ServerName: "localhost"}
	passwd := filepath.Join(d.Dir, "passwd")
	if err := os.WriteFile(passwd, []byte(d.User+":{PLAIN}"+d.Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(passwd, 65534, 65534); err != nil { // read by the auth process, as nobody
		t.Fatal(err)
	}
	d.PasswordFile = filepath.Join(d.Dir, "imap-password")
	if err := os.WriteFile(d.PasswordFile, []byte(d.Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p1 := FreePort(t, base, base+24)
	p2 := FreePort(t, base+25, base+49)
	d.IMAPAddr = "127.0.0.1:" + strconv.Itoa(p1)
	d.IMAPSAddr = "127.0.0.1:" + strconv.Itoa(p2)
	d.Conf = filepath.Join(d.Dir, "dovecot.conf")
	conf := fmt.Sprintf(`# bouncewatch source tests: an IMAP server of the test's own.
protocols = imap
base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
listen = 127.0.0.1
ssl = yes
ssl_cert = <%[2]s
ssl_key = <%[3]s
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:%[4]s/%%u
default_internal_user = nobody
default_login_user = nobody
passdb {
  driver = passwd-file
  args = scheme=PLAIN %[5]s
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=%[4]s/%%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = %[6]d
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = %[7]d
    ssl = yes
  }
}
service anvil {
  chroot =
}
namespace inbox {
  inbox = yes
}
`, d.Dir, certFile, keyFile, mail, passwd, p1, p2) + strings.Join(extra, "\n") + "\n"
	if err := os.WriteFile(d.Conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	d.Start(t)
	t.Cleanup(func() { d.Stop(t) })
	return d
}

// Start starts (or restarts after Stop) the instance.
func (d *Dovecot) Start(t testing.TB) {
	t.Helper()
	if err := RunDaemon(filepath.Join(d.Dir, "start.log"), "dovecot", "-c", d.Conf); err != nil {
		t.Fatal(err)
	}
	WaitPort(t, d.IMAPAddr)
	WaitPort(t, d.IMAPSAddr)
}

// Stop stops the instance and waits until its master process has exited
// (not only its ports closed: a new start fails while it runs).
func (d *Dovecot) Stop(t testing.TB) {
	t.Helper()
	pid := 0
	if b, err := os.ReadFile(filepath.Join(d.Dir, "run", "master.pid")); err == nil {
		pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	if out, err := Run("doveadm", "-c", d.Conf, "stop"); err != nil {
		t.Logf("doveadm stop: %v\n%s", err, out)
	}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", d.IMAPAddr, 200*time.Millisecond)
		if err == nil {
			c.Close()
		} else if pid == 0 || syscall.Kill(pid, 0) != nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("dovecot (pid %d) still running after 15 s", pid)
}

// KillSessions kills the instance's IMAP session processes (as a crash or
// an administrator would), dropping every client's connection while the
// server stays up. It returns how many it killed.
func (d *Dovecot) KillSessions(t testing.TB) int {
	t.Helper()
	pidb, err := os.ReadFile(filepath.Join(d.Dir, "run", "master.pid"))
	if err != nil {
		t.Fatal(err)
	}
	master := strings.TrimSpace(string(pidb))
	ents, _ := os.ReadDir("/proc")
	n := 0
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		s := string(stat)
		rp := strings.LastIndexByte(s, ')')
		if rp < 0 {
			continue
		}
		lp := strings.IndexByte(s, '(')
		comm := s[lp+1 : rp]
		f := strings.Fields(s[rp+1:])
		if len(f) < 2 || f[1] != master || comm != "imap" {
			continue
		}
		if syscall.Kill(pid, syscall.SIGKILL) == nil {
			n++
		}
	}
	return n
}
