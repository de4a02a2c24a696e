package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/internal/scenario"
	"github.com/bouncewatch/bouncewatch/store"
	"github.com/emersion/go-smtp"
)

// TestMain lets a test run the command line in a child process (for the
// kill -9 test): BOUNCEWATCH_CLI_CHILD=1 runs Main on the arguments.
func TestMain(m *testing.M) {
	if os.Getenv("BOUNCEWATCH_CLI_CHILD") == "1" {
		ctx, _ := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		os.Exit(Main(ctx, os.Args[1:], Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}))
	}
	os.Exit(m.Run())
}

func storeStats(t *testing.T, dsn string) store.Stats {
	t.Helper()
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, err := st.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestImportTwiceStoresOnce(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "bw.db")
	args := []string{"import", "--store", dsn, "--mail", "../../examples", "--sendlog", "../../sendlog/testdata/postfix-real.log", "--domain", "example.jp"}
	_, errOut, code := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	first := storeStats(t, dsn)
	if first.Messages != 7 || first.LogLines == 0 || first.Bounces == 0 {
		t.Fatalf("first import: %+v", first)
	}
	if !strings.Contains(errOut, "stored 7 new messages") {
		t.Errorf("summary: %s", errOut)
	}
	_, errOut, code = runCLI(t, args...)
	if code != 0 {
		t.Fatalf("second run: exit %d: %s", code, errOut)
	}
	if again := storeStats(t, dsn); again != first {
		t.Errorf("second import changed the store: %+v, was %+v", again, first)
	}
	if !strings.Contains(errOut, "stored 0 new messages") || !strings.Contains(errOut, "and 0 new log lines") {
		t.Errorf("second summary: %s", errOut)
	}
	// The suppression list of what was imported.
	out, errOut, code := runCLI(t, "suppressions", "--store", dsn)
	if code != 0 || !strings.HasPrefix(out, "account,recipient,reason,first_bounce,last_bounce,count\n") ||
		!strings.Contains(out, "shop@example.jp,tanaka@example.com,userunknown,") {
		t.Errorf("suppressions: exit %d\n%s%s", code, out, errOut)
	}
	out, _, code = runCLI(t, "suppressions", "--store", dsn, "--format", "json", "--account", "nobody@example.jp")
	if code != 0 || out != "" {
		t.Errorf("suppressions of an unknown account: %d %q", code, out)
	}
	_, errOut, code = runCLI(t, "reprocess", "--store", dsn)
	if code != 0 || !strings.Contains(errOut, "0 messages changed") {
		t.Errorf("reprocess: %d %s", code, errOut)
	}
}

// TestImportKilled kills an import with SIGKILL at random moments, again
// and again, then lets one finish, and counts: every message and line is
// stored, none twice, and no message lacks its bounce row (a message and
// its rows commit together).
func TestImportKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := t.TempDir()
	raw, err := os.ReadFile("../../examples/01-postfix-user-unknown.eml")
	if err != nil {
		t.Fatal(err)
	}
	const nMail, nLines = 3000, 15000
	mdir := filepath.Join(dir, "mail")
	os.MkdirAll(mdir, 0o755)
	for i := 0; i < nMail; i++ {
		data := bytes.ReplaceAll(raw, []byte("tanaka@example.com"), []byte(fmt.Sprintf("u%d@example.com", i)))
		if err := os.WriteFile(filepath.Join(mdir, fmt.Sprintf("%05d.eml", i)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var log bytes.Buffer
	for i := 0; i < nLines; i++ {
		fmt.Fprintf(&log, "Nov  2 02:%02d:%02d mail postfix/smtp[%d]: %05X: to=<u%d@example.com>, relay=mx.example.com[192.0.2.1]:25, status=sent (250 ok)\n",
			(i/60)%60, i%60, 1000+i, i, i)
	}
	logPath := filepath.Join(dir, "mail.log")
	if err := os.WriteFile(logPath, log.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	dsn := "sqlite:" + filepath.Join(dir, "bw.db")
	args := []string{"import", "--store", dsn, "--sendlog", logPath, "--mail", mdir}
	rng := rand.New(rand.NewPCG(1, 2))
	kills := 0
	for round := 0; round < 8; round++ {
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = append(os.Environ(), "BOUNCEWATCH_CLI_CHILD=1")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(150+rng.IntN(900)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err == nil {
			kills++
		}
		cmd.Wait()
	}
	mid := storeStats(t, dsn)
	t.Logf("%d kills; stored before the last run: %d messages, %d lines", kills, mid.Messages, mid.LogLines)
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "BOUNCEWATCH_CLI_CHILD=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the last import: %v\n%s", err, out)
	}
	st := storeStats(t, dsn)
	if st.Messages != nMail || st.Bounces != nMail || st.LogLines != nLines {
		t.Errorf("after %d kills: %d messages, %d bounces, %d lines; want %d, %d, %d", kills, st.Messages, st.Bounces, st.LogLines, nMail, nMail, nLines)
	}
}

// TestServeEndToEnd runs the service on a scenario's Maildir and mail log
// (the Maildir watcher and the log follower of package ingest), with a
// webhook on a loopback HTTP server: the hijack becomes an incident, the
// webhook gets it, the API lists it; then the service stops cleanly.
func TestServeEndToEnd(t *testing.T) {
	sc, err := scenario.Hijack(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- b
	}))
	defer hook.Close()
	c := &serveConfig{Listen: "127.0.0.1:0", Store: "sqlite:" + filepath.Join(t.TempDir(), "bw.db"), TZ: sc.Location.String(), Lang: "en"}
	c.Detect.Interval = time.Second
	c.Detect.CloseAfter = 24 * time.Hour
	c.Maildir = append(c.Maildir, struct {
		Path string `toml:"path"`
	}{sc.Mail[0]})
	c.Logfile = append(c.Logfile, struct {
		Path string `toml:"path"`
	}{sc.SendLogs[0]})
	c.Webhook = append(c.Webhook, struct {
		URL        string `toml:"url"`
		URLFile    string `toml:"url_file"`
		URLEnv     string `toml:"url_env"`
		Format     string `toml:"format"`
		SecretFile string `toml:"secret_file"`
		SecretEnv  string `toml:"secret_env"`
	}{URL: hook.URL, Format: "generic"})
	env := Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(k string) string {
		if k == "BOUNCEWATCH_API_TOKEN" {
			return "tok"
		}
		return ""
	}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log, _ := newLogger(io.Discard, "text", "")
	svc, code := newService(ctx, c, env, log, func() time.Time { return sc.Now }, nil)
	if svc == nil {
		t.Fatalf("newService: %d", code)
	}
	done := make(chan int)
	go func() { done <- svc.run(ctx) }()
	select {
	case b := <-got:
		var m struct {
			Event    string `json:"event"`
			Incident struct {
				ID      int64  `json:"id"`
				Account string `json:"account"`
				Verdict string `json:"verdict"`
			} `json:"incident"`
		}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		if m.Event != "opened" || m.Incident.Account != "shop@example.jp" || m.Incident.Verdict != "hijacked" || m.Incident.ID == 0 {
			t.Errorf("webhook: %s", b)
		}
	case <-time.After(90 * time.Second):
		t.Fatal("no webhook within 90 s")
	}
	req, _ := http.NewRequest("GET", "http://"+svc.ln.Addr().String()+"/api/v1/incidents", nil)
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"verdict":"hijacked"`) {
		t.Errorf("API: %d %s", resp.StatusCode, body)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30 s of its context ending")
	}
}

// TestServeKilledDuringLMTP delivers bounces over LMTP to serve running
// as a child process, which is killed with SIGKILL and restarted again and
// again; the sender retries what was not acknowledged with 250, as an MTA
// does. In the end every message is stored, once.
func TestServeKilledDuringLMTP(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := t.TempDir()
	raw, err := os.ReadFile("../../examples/01-postfix-user-unknown.eml")
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lmtpAddr := l.Addr().String()
	l.Close()
	dsn := "sqlite:" + filepath.Join(dir, "bw.db")
	var mu sync.Mutex
	var child *exec.Cmd
	start := func() {
		cmd := exec.Command(os.Args[0], "serve", "--store", dsn, "--lmtp", lmtpAddr, "--listen", "127.0.0.1:0")
		cmd.Env = append(os.Environ(), "BOUNCEWATCH_CLI_CHILD=1", "BOUNCEWATCH_API_TOKEN=t")
		if err := cmd.Start(); err != nil {
			t.Error(err)
			return
		}
		mu.Lock()
		child = cmd
		mu.Unlock()
	}
	start()
	const n = 2000
	done := make(chan struct{})
	kills := 0
	go func() {
		rng := rand.New(rand.NewPCG(3, 4))
		for kills < 8 {
			select {
			case <-done:
				return
			case <-time.After(time.Duration(100+rng.IntN(400)) * time.Millisecond):
			}
			mu.Lock()
			child.Process.Signal(syscall.SIGKILL)
			child.Wait()
			mu.Unlock()
			kills++
			start()
		}
	}()
	deliver := func(data []byte) error {
		conn, err := net.DialTimeout("tcp", lmtpAddr, time.Second)
		if err != nil {
			return err
		}
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		c := smtp.NewClientLMTP(conn)
		defer c.Close()
		if err := c.Hello("mta.test"); err != nil {
			return err
		}
		if err := c.Mail("", nil); err != nil {
			return err
		}
		if err := c.Rcpt("shop@example.jp", nil); err != nil {
			return err
		}
		w, err := c.Data()
		if err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
		return w.Close()
	}
	retries := 0
	for i := 0; i < n; i++ {
		data := bytes.ReplaceAll(raw, []byte("tanaka@example.com"), []byte(fmt.Sprintf("k%d@example.com", i)))
		data = bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
		deadline := time.Now().Add(60 * time.Second)
		for deliver(data) != nil {
			retries++
			if time.Now().After(deadline) {
				t.Fatalf("message %d not accepted within 60 s", i)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	close(done)
	mu.Lock()
	child.Process.Signal(syscall.SIGTERM)
	if err := child.Wait(); err != nil {
		t.Errorf("serve after SIGTERM: %v", err)
	}
	mu.Unlock()
	st := storeStats(t, dsn)
	t.Logf("%d kills, %d deliveries retried", kills, retries)
	if st.Messages != n || st.Bounces != n {
		t.Errorf("stored %d messages, %d bounces; want %d each", st.Messages, st.Bounces, n)
	}
}
