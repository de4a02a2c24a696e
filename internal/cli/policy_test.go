package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/store"
)

func TestImportDMARC(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"google.xml", "microsoft.eml", "yahoo.eml", "malformed.xml"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "dmarcrpt", "testdata", n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a report"), 0o644)
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "bw.db")
	_, stderr, code := runCLI(t, "import", "--store", dsn, "--dmarc", dir)
	if code != 1 || !strings.Contains(stderr, "DMARC: 5 files, 4 new reports, 0 already stored, 1 not reports") ||
		!strings.Contains(stderr, "malformed.xml: kept with its error") || !strings.Contains(stderr, "notes.txt: dmarcrpt: not a DMARC aggregate report") {
		t.Fatalf("first import: exit %d\n%s", code, stderr)
	}
	_, stderr, _ = runCLI(t, "import", "--store", dsn, "--dmarc", dir)
	if !strings.Contains(stderr, "DMARC: 5 files, 0 new reports, 4 already stored") {
		t.Fatalf("second import:\n%s", stderr)
	}
}

func TestBlockRelease(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "bw.db")
	out, stderr, code := runCLI(t, "block", "--store", dsn, "--reason", "phished", "Shop@example.jp")
	if code != 0 || !strings.Contains(out, "blocked shop@example.jp") {
		t.Fatalf("block: %d %s %s", code, out, stderr)
	}
	out, _, _ = runCLI(t, "block", "--store", dsn, "--list")
	if !strings.Contains(out, "shop@example.jp") || !strings.Contains(out, "phished") {
		t.Fatalf("list: %s", out)
	}
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := st.Holds(context.Background()); len(h) != 1 {
		t.Errorf("holds %v", h)
	}
	st.Close()
	out, _, code = runCLI(t, "release", "--store", dsn, "shop@example.jp")
	if code != 0 || !strings.Contains(out, "released shop@example.jp") {
		t.Fatalf("release: %s", out)
	}
	out, _, _ = runCLI(t, "release", "--store", dsn, "shop@example.jp")
	if !strings.Contains(out, "was not held") {
		t.Errorf("second release: %s", out)
	}
	out, _, _ = runCLI(t, "block", "--store", dsn, "--list")
	if !strings.Contains(out, "no account is held") {
		t.Errorf("list after release: %s", out)
	}
	if _, stderr, code := runCLI(t, "policy", "--store", dsn, "--listen", "127.0.0.1:0", "--action", "bounce"); code != 2 || !strings.Contains(stderr, "DEFER_IF_PERMIT") {
		t.Errorf("bad action: %d %s", code, stderr)
	}
}

// TestPolicyCommand: bouncewatch policy answers over TCP from the store,
// shows its metrics, and stops with its context.
func TestPolicyCommand(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "bw.db")
	if _, _, code := runCLI(t, "block", "--store", dsn, "shop@example.jp"); code != 0 {
		t.Fatal("block failed")
	}
	free := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		return ln.Addr().String()
	}
	addr, maddr := free(), free()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		done <- Main(ctx, []string{"policy", "--store", dsn, "--listen", addr, "--metrics", maddr, "--lang", "ja"},
			Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }})
	}()
	var line string
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.Dial("tcp", addr)
		if err == nil {
			fmt.Fprint(conn, "request=smtpd_access_policy\nprotocol_state=RCPT\nsasl_username=shop@example.jp\nrecipient=a@example.com\n\n")
			line, _ = bufio.NewReader(conn).ReadString('\n')
			conn.Close()
			if strings.HasPrefix(line, "action=DEFER_IF_PERMIT") {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no deferral: %q %v", line, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(line, "pasuwado") {
		t.Errorf("--lang ja: %q", line)
	}
	resp, err := http.Get("http://" + maddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `bouncewatch_policy_decisions_total{action="defer_if_permit"}`) {
		t.Errorf("metrics:\n%s", b)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("policy did not stop")
	}
}
