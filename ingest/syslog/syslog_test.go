package syslog

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/ingest"
	"github.com/bouncewatch/bouncewatch/ingest/internal/ingesttest"
	"github.com/bouncewatch/bouncewatch/internal/mailserver"
	"github.com/bouncewatch/bouncewatch/sendlog"
)

func start(t *testing.T, o Options) (*Listener, func()) {
	t.Helper()
	o.Logger = ingesttest.Quiet()
	o.Flush = 20 * time.Millisecond
	o.Backoff = ingest.Backoff{Min: 10 * time.Millisecond, Max: 50 * time.Millisecond}
	l, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return l, ingesttest.Run(t, l.Run, l.Ready())
}

func hasLine(m *ingesttest.Sink, sub string) bool {
	for _, l := range m.LogLines() {
		if strings.Contains(l.Line, sub) {
			return true
		}
	}
	return false
}

func TestTCPFramingAndUDP(t *testing.T) {
	sink := &ingesttest.Sink{}
	l, _ := start(t, Options{UDP: "127.0.0.1:0", TCP: "127.0.0.1:0", Sink: sink})
	udp, tcp := l.Addrs()

	c, err := net.Dial("tcp", tcp.String())
	if err != nil {
		t.Fatal(err)
	}
	m1 := "<22>Nov  2 02:14:07 mail postfix/smtp[1]: octet counted"
	m2 := "<22>1 2026-11-02T02:14:07Z mail postfix/smtp 2 - - newline framed"
	m3 := "<22>Nov  2 02:14:07 mail postfix/smtp[3]: octet counted\nwith a line end inside"
	fmt.Fprintf(c, "%d %s%s\n%d %s", len(m1), m1, m2, len(m3), m3)
	c.Close()
	u, err := net.Dial("udp", udp.String())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(u, "<22>Nov  2 02:14:07 mail postfix/qmgr[4]: by udp\n")
	u.Close()

	ingesttest.WaitFor(t, "four lines", func() bool { return len(sink.LogLines()) == 4 })
	for _, want := range []string{
		"Nov  2 02:14:07 mail postfix/smtp[1]: octet counted",
		"2026-11-02T02:14:07Z mail postfix/smtp[2]: newline framed",
		"Nov  2 02:14:07 mail postfix/smtp[3]: octet counted with a line end inside",
		"Nov  2 02:14:07 mail postfix/qmgr[4]: by udp",
	} {
		if !hasLine(sink, want) {
			t.Errorf("no line %q in %v", want, sink.LogLines())
		}
	}
	pos := map[string]bool{}
	for _, ln := range sink.LogLines() {
		if pos[ln.Position] || ln.Received.IsZero() {
			t.Errorf("line %+v: position repeated or no receive time", ln)
		}
		pos[ln.Position] = true
		if !strings.HasPrefix(ln.Source, "syslog:tcp:127.0.0.1:") && !strings.HasPrefix(ln.Source, "syslog:udp:127.0.0.1:") {
			t.Errorf("source %q", ln.Source)
		}
	}
	// The sink holds the lines a moment before the listener counts them.
	ingesttest.WaitFor(t, "four items counted", func() bool { return l.Health().Items == 4 })
	if h := l.Health(); !h.Connected || h.Items != 4 || h.Kind != "syslog" {
		t.Errorf("health %+v", h)
	}
}

func TestStoreFailureHoldsTCPLines(t *testing.T) {
	sink := &ingesttest.Sink{}
	sink.SetFailing(true)
	l, stop := start(t, Options{TCP: "127.0.0.1:0", Sink: sink, Queue: 4})
	_, tcp := l.Addrs()
	c, err := net.Dial("tcp", tcp.String())
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for i := range 50 {
			fmt.Fprintf(c, "<22>Nov  2 02:14:07 mail postfix/smtp[1]: line %d\n", i)
		}
		c.Close()
	}()
	ingesttest.WaitFor(t, "the store's error in health", func() bool { return strings.Contains(l.Health().LastError, "store unavailable") })
	sink.SetFailing(false)
	ingesttest.WaitFor(t, "all 50 lines", func() bool { return len(sink.LogLines()) == 50 })
	stop()
	for i, ln := range sink.LogLines() {
		if !strings.HasSuffix(ln.Line, ": line "+strconv.Itoa(i)) {
			t.Fatalf("line %d is %q: out of order or lost", i, ln.Line)
		}
	}
}

// loggerSend sends one message with util-linux logger, a real client.
func loggerSend(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command("logger", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("logger %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func TestLoggerSendsToListener(t *testing.T) {
	mailserver.Require(t, "logger")
	sink := &ingesttest.Sink{}
	l, _ := start(t, Options{UDP: "127.0.0.1:0", TCP: "127.0.0.1:0", Sink: sink})
	udp, tcp := l.Addrs()
	_, up, _ := net.SplitHostPort(udp.String())
	_, tp, _ := net.SplitHostPort(tcp.String())
	text := "4Nq2Zx0abcz9sT: to=<nobody@remote.test>, relay=none, delay=0.1, dsn=5.1.1, status=bounced (unknown user)"
	loggerSend(t, "-n", "127.0.0.1", "-P", up, "-d", "--rfc3164", "-t", "postfix/smtp", "--id=4242", "udp3164 "+text)
	loggerSend(t, "-n", "127.0.0.1", "-P", up, "-d", "--rfc5424", "-t", "postfix/smtp", "--id=4243", "udp5424 "+text)
	loggerSend(t, "-n", "127.0.0.1", "-P", tp, "-T", "--octet-count", "--rfc5424", "-t", "postfix/smtp", "--id=4244", "tcp5424 "+text)
	loggerSend(t, "-n", "127.0.0.1", "-P", tp, "-T", "--rfc3164", "-t", "postfix/smtp", "--id=4245", "tcp3164 "+text)
	ingesttest.WaitFor(t, "four lines from logger", func() bool { return len(sink.LogLines()) == 4 })
	for _, want := range []string{"postfix/smtp[4242]: udp3164 ", "postfix/smtp[4243]: udp5424 ", "postfix/smtp[4244]: tcp5424 ", "postfix/smtp[4245]: tcp3164 "} {
		if !hasLine(sink, want+text) {
			t.Errorf("no line with %q: %v", want, sink.LogLines())
		}
	}
}

// rsyslog receives Postfix's lines (from logger, over UDP and through a
// local socket as Postfix's own reach it) and forwards them to the
// listener as the README says — TCP, octet counting, RSYSLOG_ForwardFormat
// (RFC 3339 time, the whole tag) — and over UDP in the traditional format.
// (Its RFC 5424 templates would cut "postfix/qmgr" to "postfix" for
// messages from the local socket, unless
// global(parser.permitSlashInProgramName="on").)
func TestRsyslogForwardsToListener(t *testing.T) {
	mailserver.Require(t, "rsyslogd", "logger")
	sink := &ingesttest.Sink{}
	l, _ := start(t, Options{UDP: "127.0.0.1:0", TCP: "127.0.0.1:0", Sink: sink})
	udp, tcp := l.Addrs()
	_, up, _ := net.SplitHostPort(udp.String())
	_, tp, _ := net.SplitHostPort(tcp.String())
	dir := t.TempDir()
	in := mailserver.FreePort(t, 24550, 24599)
	conf := fmt.Sprintf(`global(workDirectory="%[1]s")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="%[2]d")
# A local log socket, as /dev/log is for Postfix (logger writes to it as
# libc's syslog(3) does).
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="%[1]s/log.sock" CreatePath="on")
mail.* action(type="omfwd" target="127.0.0.1" port="%[3]s" protocol="tcp" TCP_Framing="octet-counted" template="RSYSLOG_ForwardFormat")
mail.* action(type="omfwd" target="127.0.0.1" port="%[4]s" protocol="udp" template="RSYSLOG_TraditionalForwardFormat")
`, dir, in, tp, up)
	cf := filepath.Join(dir, "rsyslog.conf")
	if err := os.WriteFile(cf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(mailserver.Tool("rsyslogd"), "-n", "-f", cf, "-i", filepath.Join(dir, "rsyslog.pid"))
	logf, _ := os.Create(filepath.Join(dir, "rsyslog.out"))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait(); logf.Close() })

	text := "4Nq2Zx0abcz9sT: to=<nobody@remote.test>, relay=none, dsn=5.1.1, status=bounced (unknown user)"
	// rsyslog needs a moment to bind; send until the first line comes.
	ingesttest.WaitFor(t, "rsyslog forwarding", func() bool {
		loggerSend(t, "-n", "127.0.0.1", "-P", strconv.Itoa(in), "-d", "-p", "mail.info", "-t", "postfix/smtp", "--id=777", text)
		time.Sleep(100 * time.Millisecond)
		return len(sink.LogLines()) >= 2
	})
	// Through the local socket: the way Postfix's own lines reach rsyslog.
	n := len(sink.LogLines())
	loggerSend(t, "-u", filepath.Join(dir, "log.sock"), "-p", "mail.info", "-t", "postfix/qmgr", "--id=778", "4Nq2Zx0abcz9sT: removed")
	ingesttest.WaitFor(t, "the local socket's line, forwarded twice", func() bool { return len(sink.LogLines()) >= n+2 })
	if !hasLine(sink, " postfix/qmgr[778]: 4Nq2Zx0abcz9sT: removed") {
		t.Errorf("no forwarded local line: %v", sink.LogLines())
	}
	var all strings.Builder
	for _, ln := range sink.LogLines() {
		all.WriteString(ln.Line + "\n")
	}
	st, err := sendlog.Read(context.Background(), strings.NewReader(all.String()), "forwarded", sendlog.Options{}, func(sendlog.Event) error { return nil })
	if err != nil || st.Unknown != 0 || st.Events == 0 {
		t.Errorf("sendlog on the forwarded lines: %+v, %v", st, err)
	}
	var tcpSeen, udpSeen bool
	for _, ln := range sink.LogLines() {
		if !strings.Contains(ln.Line, " postfix/smtp[777]: "+text) && !strings.Contains(ln.Line, " postfix/qmgr[778]: 4Nq2Zx0abcz9sT: removed") {
			t.Errorf("forwarded line %q", ln.Line)
		}
		tcpSeen = tcpSeen || strings.HasPrefix(ln.Source, "syslog:tcp:")
		udpSeen = udpSeen || strings.HasPrefix(ln.Source, "syslog:udp:")
	}
	if !tcpSeen || !udpSeen {
		out, _ := os.ReadFile(filepath.Join(dir, "rsyslog.out"))
		t.Errorf("tcp %v udp %v; rsyslog said:\n%s", tcpSeen, udpSeen, out)
	}
}

func TestTCPConnectionLimit(t *testing.T) {
	sink := &ingesttest.Sink{}
	l, _ := start(t, Options{TCP: "127.0.0.1:0", Sink: sink, MaxConns: 1})
	_, tcp := l.Addrs()
	c1, err := net.Dial("tcp", tcp.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	fmt.Fprint(c1, "<22>Nov  2 02:14:07 mail postfix/smtp[1]: first\n")
	ingesttest.WaitFor(t, "the first sender's line", func() bool { return len(sink.LogLines()) == 1 })
	c2, err := net.Dial("tcp", tcp.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	c2.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c2.Read(make([]byte, 1)); err == nil {
		t.Error("a sender beyond the limit was kept")
	}
	fmt.Fprint(c1, "<22>Nov  2 02:14:07 mail postfix/smtp[1]: second\n")
	ingesttest.WaitFor(t, "the first sender still served", func() bool { return len(sink.LogLines()) == 2 })
}

// Oversized messages are cut at MaxMessage; the listener goes on.
func TestOversizedMessagesCut(t *testing.T) {
	sink := &ingesttest.Sink{}
	l, _ := start(t, Options{TCP: "127.0.0.1:0", Sink: sink, MaxMessage: 100})
	_, tcp := l.Addrs()
	c, err := net.Dial("tcp", tcp.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	long := "<22>Nov  2 02:14:07 mail postfix/smtp[1]: " + strings.Repeat("x", 1<<20)
	fmt.Fprintf(c, "%s\n%d %s", long, len(long), long)
	fmt.Fprint(c, "<22>Nov  2 02:14:07 mail postfix/smtp[1]: after\n")
	ingesttest.WaitFor(t, "three lines", func() bool { return len(sink.LogLines()) == 3 })
	for i, ln := range sink.LogLines()[:2] {
		if len(ln.Line) > 100 || !strings.HasPrefix(ln.Line, "Nov  2 02:14:07 mail postfix/smtp[1]: xxx") {
			t.Errorf("line %d: %d bytes, %.60q", i, len(ln.Line), ln.Line)
		}
	}
	if !hasLine(sink, "postfix/smtp[1]: after") {
		t.Error("the message after the oversized ones is missing")
	}
}
