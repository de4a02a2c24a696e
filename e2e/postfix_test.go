package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/internal/cli"
	"github.com/bouncewatch/bouncewatch/reason"
	"github.com/bouncewatch/bouncewatch/sendlog"
)

const (
	// spamCount messages leave through the hijacked account, in
	// spamSessions authenticated SMTP sessions.
	spamCount    = 150
	spamSessions = 3
	// bounceWait bounds the wait for every bounce to be delivered back.
	bounceWait = 90 * time.Second
)

// requireE2E skips the scenario unless BOUNCEWATCH_E2E_POSTFIX=1; under
// CI=true it fails instead, so that CI can never pass without it.
func requireE2E(t *testing.T) {
	t.Helper()
	ci := os.Getenv("CI") == "true"
	if os.Getenv("BOUNCEWATCH_E2E_POSTFIX") != "1" {
		if ci {
			t.Fatal("CI=true but BOUNCEWATCH_E2E_POSTFIX=1 is not set: .ci/run must install Postfix and Dovecot and set it; the real-Postfix scenario is not skipped in CI")
		}
		t.Skip("end-to-end scenario with real Postfix skipped: set BOUNCEWATCH_E2E_POSTFIX=1, as root, on a machine whose Postfix and Dovecot this test may reconfigure (apt-get install postfix dovecot-core; .ci/run does both)")
	}
	var missing []string
	for _, p := range []string{"postfix", "postconf", "postsuper", "postqueue", "dovecot", "useradd", "usermod"} {
		if tool(p) == "" {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("BOUNCEWATCH_E2E_POSTFIX=1 but %s not found: apt-get install postfix dovecot-core (.ci/run does)", strings.Join(missing, ", "))
	}
	if os.Geteuid() != 0 {
		t.Fatal("BOUNCEWATCH_E2E_POSTFIX=1 but not root: the scenario configures and starts Postfix and Dovecot")
	}
}

// TestPostfixHijackedAccount is the hijacked-account scenario with real
// Postfix: the account shop@example.jp logs in (SASL through Dovecot) on
// loopback and sends spam to guessed addresses at remote.test, whose
// server refuses every one of them; Postfix returns real bounces to shop's
// Maildir and logs everything in its own log. Then the bounces and the log
// are read as a user of bouncewatch would: the decoder and the send-log
// reader each on their own, then the scan command, whose verdict for the
// account must be "hijacked".
func TestPostfixHijackedAccount(t *testing.T) {
	requireE2E(t)
	started := time.Now()

	remote := startRefusingServer(t)
	password := newPassword(t)
	m := newMailSystem(t, password)
	t.Logf("Postfix and Dovecot up in %v (run directory %s)", time.Since(started).Round(time.Millisecond), m.dir)

	sent := sendSpam(t, password)
	waitForBounces(t, m, remote, len(sent))
	t.Logf("%d messages sent and %d bounces back after %v", len(sent), len(sent), time.Since(started).Round(time.Millisecond))

	t.Run("bounces", func(t *testing.T) { checkBounces(t, m, sent) })
	t.Run("sendlog", func(t *testing.T) { checkSendLog(t, m, sent) })
	t.Run("scan", func(t *testing.T) { checkScan(t, m, len(sent)) })
}

// newPassword makes the account's password. It goes to Dovecot's
// passwd-file and over loopback in AUTH PLAIN, never into argv or a log.
func newPassword(t *testing.T) string {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// spamSubjects are what a hijacked shop account typically sends.
var spamSubjects = []string{
	"Your account has been suspended - verify now",
	"Cheap luxury watches, 90% off today only",
	"Congratulations! You have won a $1000 gift card",
	"Invoice #%d overdue - payment required",
	"【重要】お客様のアカウント情報確認のお願い",
	"Amazonプライム会員の自動更新に失敗しました",
	"Unclaimed package waiting for delivery",
	"Re: your order %d",
	"Hot singles in your area",
	"Bitcoin investment opportunity - 300% return",
}

var spamNames = []string{"info", "sales", "admin", "support", "contact", "tanaka", "suzuki", "sato", "office", "orders"}

// sent is what left through the account: Message-ID (without brackets)
// by recipient.
type sent map[string]string

// sendSpam logs in as the account and sends spamCount messages, each to a
// distinct unknown address at remote.test, with its own Message-ID.
func sendSpam(t *testing.T, password string) sent {
	t.Helper()
	b := make([]byte, 4)
	rand.Read(b)
	tag := hex.EncodeToString(b) // tells this run's mail from an earlier one's
	out := sent{}
	perSession := (spamCount + spamSessions - 1) / spamSessions
	for i := 0; i < spamCount; {
		c := dialSubmission(t)
		c.cmd(t, 250, "EHLO pc-203.customer.example.net")
		// AUTH PLAIN: authorization identity (empty), user, password.
		cred := base64.StdEncoding.EncodeToString([]byte("\x00" + account + "\x00" + password))
		c.cmd(t, 235, "AUTH PLAIN %s", cred)
		for n := 0; n < perSession && i < spamCount; n, i = n+1, i+1 {
			rcpt := fmt.Sprintf("%s.%03d.%s@%s", spamNames[i%len(spamNames)], i, tag, remoteDomain)
			id := fmt.Sprintf("%s.%03d.%d@%s", tag, i, time.Now().UnixNano(), domain)
			subject := spamSubjects[i%len(spamSubjects)]
			if strings.Contains(subject, "%d") {
				subject = fmt.Sprintf(subject, 48210+i*7)
			}
			msg := "From: " + account + "\r\n" +
				"To: " + rcpt + "\r\n" +
				"Subject: " + mime.BEncoding.Encode("UTF-8", subject) + "\r\n" +
				"Date: " + time.Now().Format(time.RFC1123Z) + "\r\n" +
				"Message-ID: <" + id + ">\r\n" +
				"MIME-Version: 1.0\r\n" +
				"Content-Type: text/plain; charset=UTF-8\r\n" +
				"Content-Transfer-Encoding: 7bit\r\n" +
				"\r\n" +
				"Dear customer,\r\n\r\nClick here to claim your reward: http://promo.invalid/c?id=" + fmt.Sprint(i) + "\r\n"
			c.cmd(t, 250, "MAIL FROM:<%s>", account)
			c.cmd(t, 250, "RCPT TO:<%s>", rcpt)
			c.data(t, msg)
			out[rcpt] = id
		}
		c.cmd(t, 221, "QUIT")
		c.Close()
	}
	return out
}

// waitForBounces waits until the remote server refused every recipient,
// every bounce is in the Maildir, the queue is empty and the log says so.
func waitForBounces(t *testing.T, m *mailSystem, remote *refusingServer, n int) {
	t.Helper()
	var files, delivered int
	var queue string
	deadline := time.Now().Add(bounceWait)
	for {
		entries, _ := os.ReadDir(m.maildirNew())
		files = len(entries)
		logText, _ := os.ReadFile(m.maillog)
		delivered = strings.Count(string(logText), "status=sent (delivered to maildir)")
		queue, _ = runErr("postqueue", "-p")
		if remote.refused.Load() >= int64(n) && files >= n && delivered >= n &&
			strings.Contains(queue, "Mail queue is empty") {
			return
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	logText, _ := os.ReadFile(m.maillog)
	t.Fatalf("after %v: %d of %d recipients refused by the remote server, %d bounces in %s, %d local deliveries logged\nqueue:\n%s\nlog tail:\n%s",
		bounceWait, remote.refused.Load(), n, files, m.maildirNew(), delivered, queue, tail(string(logText), 30))
}

// submission is the mail client's side of an SMTP session: plain ESMTP
// with AUTH, the way a shop's mail program (or an intruder's script) sends
// through its provider. (net/smtp would add SMTPUTF8 to MAIL FROM whenever
// Postfix offers it, which makes the session UTF8SMTPA, not ESMTPA.)
type submission struct {
	*textproto.Conn
}

func dialSubmission(t *testing.T) submission {
	t.Helper()
	nc, err := net.DialTimeout("tcp", smtpAddr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(bounceWait))
	c := submission{textproto.NewConn(nc)}
	if _, _, err := c.ReadResponse(220); err != nil {
		t.Fatalf("greeting: %v", err)
	}
	return c
}

// cmd sends one command and expects the reply code. A command with a
// secret (AUTH) is never repeated in the failure message.
func (c submission) cmd(t *testing.T, want int, format string, args ...any) {
	t.Helper()
	if err := c.PrintfLine(format, args...); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.ReadResponse(want); err != nil {
		verb, _, _ := strings.Cut(format, " ")
		t.Fatalf("%s: %v", verb, err)
	}
}

// data sends DATA and the message, dot-stuffed.
func (c submission) data(t *testing.T, msg string) {
	t.Helper()
	c.cmd(t, 354, "DATA")
	w := c.DotWriter()
	if _, err := w.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.ReadResponse(250); err != nil {
		t.Fatalf("message not accepted: %v", err)
	}
}

func tail(s string, lines int) string {
	parts := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(parts) > lines {
		parts = parts[len(parts)-lines:]
	}
	return strings.Join(parts, "\n")
}

// checkBounces decodes every bounce Postfix wrote: one failed recipient
// each, unknown user, 5.1.1, and the original message returned.
func checkBounces(t *testing.T, m *mailSystem, sent sent) {
	entries, err := os.ReadDir(m.maildirNew())
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(sent) {
		t.Errorf("%d files in %s, want %d", len(entries), m.maildirNew(), len(sent))
	}
	seen := map[string]bool{}
	bad := 0
	for _, e := range entries {
		path := filepath.Join(m.maildirNew(), e.Name())
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		res, err := bounce.DecodeBytes(raw)
		problem := ""
		switch {
		case err != nil:
			problem = "decode: " + err.Error()
		case res.Kind != bounce.KindBounce:
			problem = "kind " + string(res.Kind)
		case len(res.Records) != 1:
			problem = fmt.Sprintf("%d records", len(res.Records))
		default:
			r := res.Records[0]
			want := sent[r.Recipient]
			switch {
			case want == "":
				problem = "recipient " + r.Recipient + " was not sent to"
			case seen[r.Recipient]:
				problem = "second bounce for " + r.Recipient
			case r.Action != "failed" || !r.HardBounce:
				problem = fmt.Sprintf("action %q hard %v, want a failure", r.Action, r.HardBounce)
			case r.Reason != reason.UserUnknown:
				problem = "reason " + string(r.Reason)
			case r.Status != "5.1.1" || r.ReplyCode != "550":
				problem = "status " + r.Status + " reply " + r.ReplyCode
			case r.Original == nil || strings.Trim(r.Original.MessageID, "<>") != want:
				problem = "original Message-ID not returned"
			case !hasESMTPA(r.Original):
				problem = "no ESMTPA Received by " + hostname + " in the returned message"
			}
			seen[r.Recipient] = true
		}
		if problem != "" {
			bad++
			if bad <= 5 {
				t.Errorf("%s: %s", e.Name(), problem)
			}
		}
	}
	if bad > 5 {
		t.Errorf("... %d bounces in all did not decode as expected", bad)
	}
	if len(seen) != len(sent) {
		t.Errorf("bounces for %d of the %d recipients", len(seen), len(sent))
	}
}

func hasESMTPA(o *bounce.Original) bool {
	for _, r := range o.Received {
		if strings.HasPrefix(r.With, "ESMTPA") && strings.Contains(r.By, hostname) {
			return true
		}
	}
	return false
}

// checkSendLog reads the real Postfix log: every message sent is there
// with the SASL login, its Message-ID, the refusal and its bounce.
func checkSendLog(t *testing.T, m *mailSystem, sent sent) {
	var j sendlog.Joiner
	logins := 0
	st, err := sendlog.ReadFiles(context.Background(), []string{m.maillog}, sendlog.Options{}, func(ev sendlog.Event) error {
		if ev.Kind == sendlog.Login && ev.SASLUser == account {
			logins++
		}
		j.Add(ev)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("log: %d lines, %d events, %d ignored, %d unknown, format %q", st.Lines, st.Events, st.Ignored, st.Unknown, st.Format)
	if st.Format != sendlog.Postfix {
		t.Errorf("format %q, want postfix", st.Format)
	}
	if st.Unknown > 0 {
		t.Errorf("%d lines of the real Postfix log not understood, first ones:\n%s", st.Unknown, strings.Join(st.Samples, "\n"))
	}
	if logins < spamSessions {
		t.Errorf("%d SASL logins of %s in the log, want %d", logins, account, spamSessions)
	}
	msgs := append(j.Messages(), j.Flush()...)
	ids := map[string]bool{}
	for _, id := range sent {
		ids[id] = true
	}
	ours, bad := 0, 0
	for _, msg := range msgs {
		if msg.From != account {
			continue
		}
		ours++
		problem := ""
		switch {
		case msg.SASLUser != account:
			problem = fmt.Sprintf("SASL user %q", msg.SASLUser)
		case msg.ClientIP != "127.0.0.1":
			problem = "client " + msg.ClientIP
		case !ids[msg.MessageID]:
			problem = "Message-ID " + msg.MessageID + " not sent"
		case len(msg.Recipients) != 1 || msg.Recipients[0].Status != "bounced" || msg.Recipients[0].DSN != "5.1.1":
			problem = fmt.Sprintf("recipients %+v", msg.Recipients)
		case len(msg.BounceIDs) != 1:
			problem = fmt.Sprintf("bounce IDs %v", msg.BounceIDs)
		case !msg.Complete:
			problem = "incomplete"
		}
		if problem != "" {
			bad++
			if bad <= 5 {
				t.Errorf("queue ID %s: %s", msg.QueueID, problem)
			}
		}
	}
	if ours != len(sent) {
		t.Errorf("%d messages from %s in the log, want %d", ours, account, len(sent))
	}
	if bad > 5 {
		t.Errorf("... %d messages in all not as expected", bad)
	}
}

// scanDoc is the part of the scan command's JSON document the scenario
// checks (diagnose.Report).
type scanDoc struct {
	Overall  string `json:"overall"`
	Verdicts []struct {
		Account     string          `json:"account"`
		Verdict     string          `json:"verdict"`
		Confidence  float64         `json:"confidence"`
		Evidence    []string        `json:"evidence"`
		Signals     []string        `json:"signals"`
		Bounces     int             `json:"bounces"`
		BouncesOurs int             `json:"bounces_ours"`
		Sent        int             `json:"sent"`
		Surge       json.RawMessage `json:"surge"`
	} `json:"verdicts"`
}

// checkScan runs "bouncewatch scan" on the real Maildir and the real log
// and expects the verdict hijacked for the account.
func checkScan(t *testing.T, m *mailSystem, n int) {
	var stdout, stderr bytes.Buffer
	env := cli.Env{
		Stdin:  strings.NewReader(""),
		Stdout: &stdout,
		Stderr: &stderr,
		// Nothing from the test's own environment (language, keys).
		Getenv: func(string) string { return "" },
	}
	maildir := filepath.Join(m.home, "Maildir")
	args := []string{"scan", "--mail", maildir, "--sendlog", m.maillog, "--domain", domain, "--format", "json"}
	code := cli.Main(context.Background(), args, env)
	if code != 0 {
		t.Errorf("scan exited %d; stderr:\n%s", code, stderr.String())
	}
	var doc scanDoc
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("scan output is not the JSON document: %v\n%s", err, firstBytes(stdout.String(), 2000))
	}
	found := false
	for _, v := range doc.Verdicts {
		if v.Account != account {
			continue
		}
		found = true
		t.Logf("scan: %s %s (confidence %.2f), %d bounces, %d ours, %d sent; signals %v",
			v.Account, v.Verdict, v.Confidence, v.Bounces, v.BouncesOurs, v.Sent, v.Signals)
		if v.Verdict != "hijacked" {
			t.Errorf("verdict %q, want hijacked; evidence:\n  %s", v.Verdict, strings.Join(v.Evidence, "\n  "))
		}
		if v.Bounces < 100 || v.Bounces > n {
			t.Errorf("bounces %d, want 100 to %d", v.Bounces, n)
		}
		if float64(v.BouncesOurs) < 0.9*float64(v.Bounces) {
			t.Errorf("bounces_ours %d of %d, want at least 90%%", v.BouncesOurs, v.Bounces)
		}
		if v.Sent < 100 {
			t.Errorf("sent %d, want at least 100", v.Sent)
		}
		if len(v.Surge) == 0 || string(v.Surge) == "null" {
			t.Errorf("no surge for the account")
		}
	}
	if !found {
		t.Errorf("no verdict for %s (overall %q); document:\n%s", account, doc.Overall, firstBytes(stdout.String(), 4000))
	}
	if t.Failed() {
		t.Logf("scan document (start):\n%s", firstBytes(stdout.String(), 6000))
	}
}

func firstBytes(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
