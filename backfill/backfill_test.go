package backfill

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bouncewatch/bouncewatch/ingest"
)

func TestLogsAndMail(t *testing.T) {
	dir := t.TempDir()
	plain := "Nov  2 02:14:07 mail postfix/qmgr[1]: A1: from=<shop@example.jp>, size=10, nrcpt=1 (queue active)\n\nNov  2 02:14:08 mail postfix/qmgr[1]: A1: removed\n"
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("Nov  1 00:00:00 mail postfix/qmgr[1]: B1: removed\n"))
	zw.Close()
	os.WriteFile(filepath.Join(dir, "mail.log"), []byte(plain), 0o644)
	os.WriteFile(filepath.Join(dir, "mail.log.1.gz"), gz.Bytes(), 0o644)
	eml, err := os.ReadFile("../examples/01-postfix-user-unknown.eml")
	if err != nil {
		t.Fatal(err)
	}
	mbox := "From MAILER-DAEMON Mon Nov  2 02:20:00 2026\n" + string(eml) + "\nFrom MAILER-DAEMON Mon Nov  2 02:21:00 2026\n" +
		strings.Replace(string(eml), "tanaka", "suzuki", -1) + "\n"
	os.WriteFile(filepath.Join(dir, "b.mbox"), []byte(mbox), 0o644)

	ctx := context.Background()
	var m ingest.Memory
	for run := 0; run < 2; run++ {
		p, err := Logs(ctx, &m, []string{filepath.Join(dir, "mail.log"), filepath.Join(dir, "mail.log.1.gz")}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if p.LogLines != 3 {
			t.Errorf("run %d: %d lines handed, want 3 (the blank one skipped)", run, p.LogLines)
		}
		mp, err := Mail(ctx, &m, []string{filepath.Join(dir, "b.mbox"), filepath.Join(dir, "missing.eml")}, Options{})
		if err == nil || !strings.Contains(err.Error(), "missing.eml") {
			t.Errorf("a missing file: %v", err)
		}
		if mp.Messages != 2 || mp.Failed != 1 {
			t.Errorf("run %d: %+v", run, mp)
		}
	}
	lines := m.LogLines()
	if len(lines) != 3 {
		t.Fatalf("stored %d lines, want 3 (twice imported)", len(lines))
	}
	// Rotated first: the .gz holds the older lines.
	if !strings.HasSuffix(lines[0].Source, "mail.log.1.gz") || lines[0].Position != "0" || !strings.Contains(lines[0].Line, "B1") {
		t.Errorf("first line %+v", lines[0])
	}
	if lines[2].Position != fmt.Sprint(strings.Index(plain, "Nov  2 02:14:08")) || !strings.Contains(lines[2].Line, "removed") {
		t.Errorf("third line %+v: position is its byte offset", lines[2])
	}
	mails := m.Mails()
	if len(mails) != 2 || mails[0].Position == mails[1].Position || !strings.HasPrefix(mails[0].Source, "file:/") {
		t.Fatalf("mails %d: %+v", len(mails), mails)
	}
	if mails[0].Arrival.IsZero() {
		t.Error("no arrival: the mbox From_ line dates it")
	}
}
