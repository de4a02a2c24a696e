package source

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestMaildirTime(t *testing.T) {
	for _, tc := range []struct {
		name string
		want time.Time
		ok   bool
	}{
		{"1733480000.M123456P45.host,S=1234,W=1260:2,S", time.Unix(1733480000, 123456000), true},
		{"1733480000.M123P45.host", time.Unix(1733480000, 123000), true},
		{"1733480000.V803I1234M567.host:2,", time.Unix(1733480000, 567000), true},
		{"1733480000.12345_1.host", time.Unix(1733480000, 0), true},
		{"1733480000.P45.mail.M99.example", time.Unix(1733480000, 0), true}, // an M in the host name is not the microseconds
		{"999999999.M1P1.host", time.Unix(999999999, 1000), true},
		{"msg.eml", time.Time{}, false},
		{"12.M1.host", time.Time{}, false},
		{"0000000000.M1.host", time.Time{}, false},
		{"17334800001234.M1.host", time.Time{}, false},
	} {
		got, ok := maildirTime(tc.name)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("maildirTime(%q) = %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestFromLineTime(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	for _, tc := range []struct {
		line string
		loc  *time.Location
		want time.Time
		ok   bool
	}{
		{"From MAILER-DAEMON  Sat Dec  5 10:00:00 2026", time.UTC, time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC), true},
		{"From MAILER-DAEMON  Sat Dec  5 10:00:00 2026", tokyo, time.Date(2026, 12, 5, 1, 0, 0, 0, time.UTC), true},
		{"From shop@example.jp Mon Nov  2 02:14:07 2026 +0900", time.UTC, time.Date(2026, 11, 1, 17, 14, 7, 0, time.UTC), true},
		{"From - Mon Nov 02 02:14:07 2026", time.UTC, time.Date(2026, 11, 2, 2, 14, 7, 0, time.UTC), true},
		{"From x@y Mon Nov  2 02:14:07 GMT 2026", tokyo, time.Date(2026, 11, 2, 2, 14, 7, 0, time.UTC), true},
		{"From x@y yesterday", time.UTC, time.Time{}, false},
		{"From ", time.UTC, time.Time{}, false},
		{"Subject: From Mon Nov  2 02:14:07 2026", time.UTC, time.Time{}, false},
	} {
		got, ok := fromLineTime([]byte(tc.line), tc.loc)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("fromLineTime(%q) = %v, %v; want %v, %v", tc.line, got, ok, tc.want, tc.ok)
		}
	}
}

// TestWalkArrival: a Maildir's files get the time of their name, else
// their modification time; an mbox's messages their From_ line's; a
// single file none.
func TestWalkArrival(t *testing.T) {
	dir := t.TempDir()
	md := filepath.Join(dir, "Maildir")
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(md, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	msg := []byte("From: a@example.jp\nSubject: x\n\nbody\n")
	named := filepath.Join(md, "cur", "1733480000.M5P45.mail,S=40:2,S")
	plain := filepath.Join(md, "new", "delivered-by-hand")
	single := filepath.Join(dir, "saved.eml")
	mbox := filepath.Join(dir, "box.mbox")
	mt := time.Date(2026, 11, 2, 3, 4, 5, 0, time.UTC)
	for _, p := range []string{named, plain, single} {
		if err := os.WriteFile(p, msg, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(mbox, []byte("From MAILER-DAEMON  Sat Dec  5 10:00:00 2026\nSubject: a\n\nx\n\nFrom MAILER-DAEMON  garbled\nSubject: b\n\ny\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got := map[string]time.Time{}
	err := Walk(context.Background(), []string{md, single, mbox, filepath.Join(md, "cur", filepath.Base(named))}, nil, func(m Message, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		got[m.Source] = m.Arrival
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for src, want := range map[string]time.Time{
		named:       time.Unix(1733480000, 5000),
		plain:       mt,
		single:      {},
		mbox + "#1": time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC),
		mbox + "#2": {},
	} {
		if a, ok := got[src]; !ok || !a.Equal(want) {
			t.Errorf("%s: arrival %v (read %v), want %v", src, a, ok, want)
		}
	}
}
