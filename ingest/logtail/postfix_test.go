package logtail

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/ingest/internal/ingesttest"
	"github.com/bouncewatch/bouncewatch/internal/mailserver"
	"github.com/bouncewatch/bouncewatch/sendlog"
)

// A real Postfix writes its log (maillog_file) while the tail follows it;
// "postfix logrotate" renames the file (to postfix.log.YYYYMMDD-HHMMSS,
// then gzips it) and has postlogd reopen the path. Every line of both
// files must be stored exactly once, in order, and read by package
// sendlog.
func TestFollowPostfixAcrossLogrotate(t *testing.T) {
	mailserver.Require(t, "postfix")
	// Ports apart from package lmtp's Postfix test, which may run at the
	// same time.
	remote := mailserver.StartRefusingSMTP(t, 24150, 24199)
	pf := mailserver.StartPostfix(t, mailserver.PostfixOptions{LocalTransport: "discard:", RemoteAddr: remote, SMTPLo: 24200, SMTPHi: 24249})
	var m ingesttest.Sink
	tail, _ := start(t, pf.Log, &m)

	send := func(from, to int) {
		for i := from; i < to; i++ {
			pf.Send(t, "shop@example.jp", []string{fmt.Sprintf("nobody%d@remote.test", i)},
				fmt.Sprintf("From: shop@example.jp\nTo: nobody%d@remote.test\nSubject: s%d\nMessage-Id: <s%d@example.jp>\n\nx\n", i, i, i))
		}
		ingesttest.WaitFor(t, "Postfix to bounce them", func() bool {
			return pf.LogHas(fmt.Sprintf("to=<nobody%d@remote.test>", to-1), "status=bounced")
		})
	}
	send(0, 3)
	pf.Cmd(t, "postfix", "logrotate")
	send(3, 6)
	time.Sleep(time.Second) // the last lines (removed, discard of the bounce) are written

	// What Postfix wrote: the rotated file (gzipped, or not yet), then the
	// current one.
	var want []string
	rotated, _ := filepath.Glob(pf.Log + ".*")
	if len(rotated) == 0 {
		t.Fatal("postfix logrotate made no rotated file")
	}
	for _, p := range append(rotated, pf.Log) {
		want = append(want, readLines(t, p)...)
	}
	ingesttest.WaitFor(t, "every line stored", func() bool { return len(m.LogLines()) >= len(want) })
	time.Sleep(100 * time.Millisecond)
	got := m.LogLines()
	if len(got) != len(want) {
		t.Fatalf("stored %d lines, Postfix wrote %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Line != want[i] {
			t.Fatalf("line %d: stored %q, Postfix wrote %q", i, got[i].Line, want[i])
		}
	}

	var text strings.Builder
	for _, l := range got {
		text.WriteString(l.Line + "\n")
	}
	var j sendlog.Joiner
	if _, err := sendlog.Read(context.Background(), strings.NewReader(text.String()), "stored", sendlog.Options{Location: time.Local},
		func(ev sendlog.Event) error { j.Add(ev); return nil }); err != nil {
		t.Fatal(err)
	}
	bounced := 0
	for _, msg := range j.Flush() {
		for _, r := range msg.Recipients {
			if r.Status == "bounced" {
				bounced++
			}
		}
	}
	if bounced != 6 {
		t.Errorf("sendlog found %d bounced recipients in the stored lines, want 6", bounced)
	}
	if h := tail.Health(); !h.Connected || h.LastError != "" {
		t.Errorf("health %+v", h)
	}
}

func readLines(t *testing.T, p string) []string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(p, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.TrimSuffix(string(b), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
