package ingest

import (
	"context"
	"errors"
	"testing"
)

func TestMemoryStoresOnce(t *testing.T) {
	ctx := context.Background()
	var m Memory
	for i := 0; i < 2; i++ {
		if err := m.PutMail(ctx, Mail{Source: "maildir:/m", Position: "a", Data: []byte("x")}); err != nil {
			t.Fatal(err)
		}
	}
	// Same content from another source: still once.
	if err := m.PutMail(ctx, Mail{Source: "imap:u@h/INBOX", Position: "1/7", Data: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if err := m.PutMail(ctx, Mail{Source: "maildir:/m", Position: "b", Data: []byte("y")}); err != nil {
		t.Fatal(err)
	}
	if n := len(m.Mails()); n != 2 {
		t.Errorf("stored %d messages, want 2", n)
	}
	lines := []LogLine{{Source: "file:/l", Position: "1:2:0", Line: "a"}, {Source: "file:/l", Position: "1:2:2", Line: "b"}}
	_ = m.PutLogLines(ctx, lines)
	_ = m.PutLogLines(ctx, lines)
	if n := len(m.LogLines()); n != 2 {
		t.Errorf("stored %d lines, want 2", n)
	}
	m.Fail = errors.New("disk full")
	if err := m.PutMail(ctx, Mail{Source: "s", Position: "c", Data: []byte("z")}); err == nil {
		t.Error("a failing store accepted a message")
	}
}
