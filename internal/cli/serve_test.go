package cli

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/store"
)

// TestMain lets a test run the command line in a child process (for the
// kill -9 test): BOUNCEWATCH_CLI_CHILD=1 runs Main on the arguments.
func TestMain(m *testing.M) {
	if os.Getenv("BOUNCEWATCH_CLI_CHILD") == "1" {
		os.Exit(Main(context.Background(), os.Args[1:], Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}))
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
