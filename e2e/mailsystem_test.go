package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The scenario's names. The account is a shop's mailbox on its own domain;
// the bounces come back to the local Unix user of the same name.
const (
	domain       = "example.jp"
	hostname     = "mail.example.jp"
	account      = "shop@example.jp"
	localUser    = "shop"
	remoteDomain = "remote.test"
	smtpAddr     = "127.0.0.1:25"

	// postfixAuthSocket is where Postfix's smtpd (chrooted in the queue
	// directory) finds Dovecot's authentication service: "private/auth"
	// relative to /var/spool/postfix.
	postfixAuthSocket = "/var/spool/postfix/private/auth"
	lockFile          = "/run/lock/bouncewatch-e2e-postfix.lock"
)

// mailSystem is one run's Postfix and Dovecot and the files they use.
type mailSystem struct {
	dir     string // the run's directory (under /var, see maillogFile)
	home    string // the local user's home: bounces land in home/Maildir/new
	maillog string // Postfix's log
}

func (m *mailSystem) maildirNew() string { return filepath.Join(m.home, "Maildir", "new") }

// setting is one main.cf parameter and why the scenario needs it.
type setting struct{ name, value, why string }

// postfixSettings is the scenario's main.cf, applied with "postconf -e".
// Everything else stays as the Debian package installed it (master.cf
// included: the "smtp inet" smtpd and the "postlog" service are used).
func postfixSettings(m *mailSystem) []setting {
	return []setting{
		{"compatibility_level", "3.6", "current defaults, and no backward-compatibility warnings in the log"},
		{"myhostname", hostname, "the name in the bounces' Reporting-MTA and in the Received header of the returned messages"},
		{"mydomain", domain, "our mail domain"},
		{"myorigin", "$mydomain", "bare local names become @example.jp"},
		{"mydestination", "$myhostname, $mydomain, localhost", "mail for shop@example.jp (the bounces) is delivered locally"},
		{"inet_interfaces", "loopback-only", "nothing listens beyond 127.0.0.1"},
		{"inet_protocols", "ipv4", "containers often have no ::1"},
		{"mynetworks", "127.0.0.0/8", "kept narrow; not used for relaying (see smtpd_relay_restrictions)"},
		{"smtpd_peername_lookup", "no", "the chrooted smtpd has no /etc/hosts; no DNS wait for 127.0.0.1"},
		// SASL through Dovecot: the account must log in to relay, as a
		// shop's mail client (or the intruder with its stolen password) does.
		{"smtpd_sasl_auth_enable", "yes", "offer AUTH, and log sasl_username= for each message"},
		{"smtpd_sasl_type", "dovecot", "Dovecot checks the password"},
		{"smtpd_sasl_path", "private/auth", "Dovecot's auth socket, relative to the chroot /var/spool/postfix"},
		{"smtpd_relay_restrictions", "permit_sasl_authenticated, reject_unauth_destination", "only a logged-in account may send to other domains (no permit_mynetworks: loopback alone is not enough)"},
		{"smtpd_tls_security_level", "none", "plain SMTP on loopback: no certificate needed"},
		{"smtp_tls_security_level", "none", "the fake remote server offers no STARTTLS"},
		// The "remote" domain is our refusing server on loopback. An inline
		// map must have no spaces: with them Postfix answers every RCPT with
		// "451 4.3.0 Temporary lookup failure".
		{"transport_maps", "inline:{" + remoteDomain + "=smtp:[" + remoteHost + "]:" + remotePort + "}", "mail for remote.test goes to 127.0.0.1:2525, no DNS"},
		{"alias_maps", "inline:{postmaster=root}", "no /etc/aliases database needed"},
		{"alias_database", "", "nothing for newaliases to build"},
		{"home_mailbox", "Maildir/", "local delivery writes one file per message into ~/Maildir/new"},
		{"mailbox_size_limit", "0", "no limit on the local mailbox"},
		{"biff", "no", "no comsat notifications"},
		// Postfix logs to a file of its own through postlogd, without
		// syslog; the file must be under one of maillog_file_prefixes
		// (/var by default), hence the run directory under /var/tmp.
		{"maillog_file", m.maillog, "the real Postfix log the scanner reads"},
		// Short queue timers: a 550 bounces at once anyway, but anything
		// deferred (the fake server not yet up, a lookup hiccup) is retried
		// within seconds rather than minutes.
		{"queue_run_delay", "5s", "scan the deferred queue often"},
		{"minimal_backoff_time", "5s", "retry deferred mail soon"},
		{"maximal_backoff_time", "10s", "and keep retrying soon"},
	}
}

// dovecotConfig is a Dovecot that only authenticates, for Postfix's SASL,
// against a passwd-file holding the account's password in the clear
// (scheme PLAIN). It serves no mail protocol.
func dovecotConfig(m *mailSystem, passwdFile string) string {
	return fmt.Sprintf(`# bouncewatch e2e: Dovecot as Postfix's SASL authentication service only.
protocols =
# Its own base directory, so it never meets a system Dovecot's sockets.
base_dir = %[1]s/dovecot-run
log_path = %[1]s/dovecot.log
ssl = no
# Plain passwords over loopback without TLS.
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN %[2]s
}
# A userdb must exist; SASL for Postfix never asks it.
userdb {
  driver = static
  args = uid=%[3]s gid=%[3]s home=/nonexistent
}
service auth {
  unix_listener %[4]s {
    mode = 0660
    user = postfix
    group = postfix
  }
}
`, m.dir, passwdFile, localUser, postfixAuthSocket)
}

// tool finds a mail program in PATH or in /usr/sbin (not in every root
// PATH of a container).
func tool(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	p := filepath.Join("/usr/sbin", name)
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return ""
}

// run runs a command with no input and returns its output; it fails the
// test on error. Never pass secrets as arguments.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := runErr(name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func runErr(name string, args ...string) (string, error) {
	path := tool(name)
	if path == "" {
		path = name
	}
	// A daemon that inherits the pipe could keep it open for ever: the
	// program gets a minute and its output 5 s after it exits.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdin = nil // /dev/null
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	return out.String(), err
}

// runDaemon runs a command that starts a daemon, its output going to a file
// and its input from /dev/null: a daemon that inherited a pipe would keep
// the caller waiting for the pipe's end.
func runDaemon(t *testing.T, logFile, name string, args ...string) {
	t.Helper()
	f, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command(tool(name), args...)
	cmd.Stdin = nil
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Run(); err != nil {
		out, _ := os.ReadFile(logFile)
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// lockMachine serialises runs: the scenario owns port 25, port 2525 and
// the Postfix configuration while it runs.
func lockMachine(t *testing.T) {
	t.Helper()
	os.MkdirAll(filepath.Dir(lockFile), 0o755)
	f, err := os.OpenFile(lockFile, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() }) // releases the lock
}

// newMailSystem prepares the run directory and the local user, configures
// and starts Postfix and Dovecot, and stops them (restoring main.cf and
// the user's home) when the test ends. The run directory is removed
// unless the test failed.
func newMailSystem(t *testing.T, password string) *mailSystem {
	t.Helper()
	lockMachine(t)

	dir, err := os.MkdirTemp("/var/tmp", "bouncewatch-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	// Postfix's local(8) runs as the user and must reach its home.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	m := &mailSystem{
		dir:     dir,
		home:    filepath.Join(dir, "home", localUser),
		maillog: filepath.Join(dir, "postfix.log"),
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("kept for inspection: %s (postfix.log, dovecot.log, home/%s/Maildir)", dir, localUser)
			return
		}
		os.RemoveAll(dir)
	})
	if err := os.MkdirAll(m.home, 0o755); err != nil {
		t.Fatal(err)
	}
	ensureLocalUser(t, m.home)

	// A Postfix left running (by the package's postinst, or an earlier
	// run) must restart to listen where and how this run says.
	if _, err := runErr("postfix", "status"); err == nil {
		runDaemon(t, filepath.Join(m.dir, "postfix-stop.out"), "postfix", "stop")
	}
	if c, err := net.DialTimeout("unix", postfixAuthSocket, time.Second); err == nil {
		c.Close()
		t.Fatalf("another Dovecot already serves %s; stop it (dovecot stop) before running this scenario", postfixAuthSocket)
	}

	// postlogd writes the log as root, but while it is not running Postfix
	// commands log to the file themselves, and postsuper does so as the
	// postfix user: the file must exist and be theirs.
	if err := os.WriteFile(m.maillog, nil, 0o640); err != nil {
		t.Fatal(err)
	}
	if pf, err := user.Lookup("postfix"); err == nil {
		uid, _ := strconv.Atoi(pf.Uid)
		gid, _ := strconv.Atoi(pf.Gid)
		if err := os.Chown(m.maillog, uid, gid); err != nil {
			t.Fatal(err)
		}
	}

	configurePostfix(t, m)
	startDovecot(t, m, password)

	// Mail left in the queue by earlier runs would be delivered now and
	// mix with this run's log: empty it. (BOUNCEWATCH_E2E_POSTFIX=1 says
	// this machine's mail system is the test's.)
	run(t, "postsuper", "-d", "ALL")
	runDaemon(t, filepath.Join(dir, "postfix-start.out"), "postfix", "start")
	t.Cleanup(func() {
		if out, err := runErr("postfix", "stop"); err != nil {
			t.Logf("postfix stop: %v\n%s", err, out)
		}
	})
	waitFor(t, 20*time.Second, "Postfix to listen on "+smtpAddr, func() bool {
		c, err := net.DialTimeout("tcp", smtpAddr, time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return m
}

// configurePostfix saves main.cf, restored when the test ends, and
// applies postfixSettings.
func configurePostfix(t *testing.T, m *mailSystem) {
	t.Helper()
	confDir := strings.TrimSpace(run(t, "postconf", "-h", "config_directory"))
	mainCf := filepath.Join(confDir, "main.cf")
	saved, err := os.ReadFile(mainCf)
	existed := err == nil
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// After "postfix stop" (cleanups run last-in first-out).
		if !existed {
			os.Remove(mainCf)
		} else if err := os.WriteFile(mainCf, saved, 0o644); err != nil {
			t.Errorf("restoring %s: %v", mainCf, err)
		}
	})
	if !existed { // the package was installed with "No configuration"
		if err := os.WriteFile(mainCf, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The services the scenario relies on must be in master.cf.
	for _, svc := range []string{"smtp/inet", "local/unix", "bounce/unix", "postlog/unix-dgram"} {
		if out, err := runErr("postconf", "-M", svc); err != nil || strings.TrimSpace(out) == "" {
			t.Fatalf("master.cf has no %s service (postconf -M %s: %v %s)", svc, svc, err, out)
		}
	}
	args := []string{"-e"}
	for _, s := range postfixSettings(m) {
		args = append(args, s.name+" = "+s.value)
	}
	run(t, "postconf", args...)
	if out, err := runErr("postfix", "check"); err != nil {
		t.Fatalf("postfix check: %v\n%s", err, out)
	}
}

// startDovecot writes the password file (readable by Dovecot's auth
// process, which runs as user dovecot) and the configuration, and starts
// Dovecot until the test ends.
func startDovecot(t *testing.T, m *mailSystem, password string) {
	t.Helper()
	passwd := filepath.Join(m.dir, "dovecot.passwd")
	// user:password:uid:gid:gecos:home:shell:extra — only the first two.
	if err := os.WriteFile(passwd, []byte(account+":{PLAIN}"+password+"::::::\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(passwd) }) // even when the run directory is kept
	if g, err := user.LookupGroup("dovecot"); err == nil {
		gid, _ := strconv.Atoi(g.Gid)
		if err := os.Chown(passwd, 0, gid); err != nil {
			t.Fatal(err)
		}
	} else {
		t.Fatalf("no dovecot group (is dovecot-core installed?): %v", err)
	}
	conf := filepath.Join(m.dir, "dovecot.conf")
	if err := os.WriteFile(conf, []byte(dovecotConfig(m, passwd)), 0o644); err != nil {
		t.Fatal(err)
	}
	runDaemon(t, filepath.Join(m.dir, "dovecot-start.out"), "dovecot", "-c", conf)
	t.Cleanup(func() {
		if out, err := runErr("dovecot", "-c", conf, "stop"); err != nil {
			t.Logf("dovecot stop: %v\n%s", err, out)
		}
	})
	waitFor(t, 20*time.Second, "Dovecot's auth socket "+postfixAuthSocket, func() bool {
		c, err := net.DialTimeout("unix", postfixAuthSocket, time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
}

// ensureLocalUser makes the Unix user that receives the bounces, with its
// home at home; an existing user gets its home moved there for the run.
func ensureLocalUser(t *testing.T, home string) {
	t.Helper()
	u, err := user.Lookup(localUser)
	if err != nil {
		run(t, "useradd", "--system", "--user-group", "--no-create-home",
			"--home-dir", home, "--shell", "/usr/sbin/nologin", localUser)
		if u, err = user.Lookup(localUser); err != nil {
			t.Fatal(err)
		}
	} else if u.HomeDir != home {
		old := u.HomeDir
		run(t, "usermod", "--home", home, localUser)
		t.Cleanup(func() {
			if out, err := runErr("usermod", "--home", old, localUser); err != nil {
				t.Logf("restoring %s's home: %v\n%s", localUser, err, out)
			}
		})
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(home, uid, gid); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(home, 0o700); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds or the time is up.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v waiting for %s", limit, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
